import { describe, expect, it } from 'vitest';
import { DeletesDisabledError, MissingReferencesError, NotFoundError, WritesHeldError } from '../core/errors';
import { silentLogger, type Logger } from '../logger';
import { RemoteAuthError, RemoteProtocolError, RemoteRateLimitError, RemoteTlsError, RemoteTrustError, RemoteUnavailableError } from '../remote/errors';
import { LayerError } from '../contents/types';
import { toApiError } from './errors';

const cert = { subject: 'CN=x', issuer: 'CN=x', names: ['x'], validFrom: '', validTo: '', fingerprintSha256: 'AB:CD', selfSigned: true };
const U = 'https://registry.example';

describe('toApiError for remote failures', () => {
  it.each([
    [new RemoteTrustError('not trusted', U, cert, 'SELF_SIGNED_CERT_IN_CHAIN'), 'CERT_UNTRUSTED'],
    [new RemoteTlsError('bad handshake', U, 'EPROTO'), 'TLS_ERROR'],
    [new RemoteAuthError('refused', U, 401, true), 'AUTH_FAILED'],
    [new RemoteAuthError('needs login', U, 401, false), 'AUTH_REQUIRED'],
    [new RemoteAuthError('denied', U, 403, true), 'DENIED'],
    [new RemoteRateLimitError('slow down', U, '30'), 'RATE_LIMITED'],
    [new RemoteUnavailableError('cannot reach', U), 'UNREACHABLE'],
    [new RemoteProtocolError('unknown name', U, 404, 'NAME_UNKNOWN'), 'NAME_UNKNOWN'],
    [new RemoteProtocolError('odd status', U, 418), 'REMOTE_ERROR'],
  ])('%s → %s, not INTERNAL, and logs nothing', (err, code) => {
    const logged: string[] = [];
    const log: Logger = { ...silentLogger, error: (m: string) => logged.push(m) };
    const api = toApiError(err, log, 'browse:tags');
    expect(api.code).toBe(code);
    expect(api.message).toBe(err.message);
    expect(api.detail).toMatchObject({ url: U });
    expect(logged).toEqual([]);
  });

  it('hands an untrusted certificate to the GUI to show and pin', () => {
    const api = toApiError(new RemoteTrustError('not trusted', U, cert, 'X'), silentLogger, 'c');
    expect(api.detail).toMatchObject({ certificate: { fingerprintSha256: 'AB:CD' } });
  });
});

describe('toApiError for a remote registry\'s own codes', () => {
  it('passes a spec code on, and turns a private one into REMOTE_ERROR that keeps it in the detail', () => {
    expect(toApiError(new RemoteProtocolError('no such tag', U, 404, 'MANIFEST_UNKNOWN'), silentLogger, 'c').code).toBe('MANIFEST_UNKNOWN');
    const api = toApiError(new RemoteProtocolError('gone', U, 404, 'PROJECT_NOT_FOUND'), silentLogger, 'c');
    expect(api).toEqual({ code: 'REMOTE_ERROR', message: 'gone', detail: { url: U, status: 404, code: 'PROJECT_NOT_FOUND' } });
  });
});

describe('toApiError for neutral failures (the same codes as on /v2)', () => {
  it.each([
    [new NotFoundError('repository'), 'NAME_UNKNOWN', 'repository not found', undefined],
    [new NotFoundError('manifest'), 'MANIFEST_UNKNOWN', 'manifest not found', undefined],
    [new NotFoundError('upload'), 'NOT_FOUND', 'upload not found', undefined],
    [new DeletesDisabledError(), 'UNSUPPORTED', 'deletes are disabled (storage.delete.enabled)', undefined],
    [new WritesHeldError('b collects'), 'UNAVAILABLE', 'writes are held: b collects; try again when it ends', undefined],
    [new MissingReferencesError('blob', ['sha256:1']), 'MANIFEST_BLOB_UNKNOWN', 'manifest references a manifest or blob unknown to registry', { missing: ['sha256:1'] }],
  ])('%s → %s', (err, code, message, detail) => {
    const logged: string[] = [];
    const log: Logger = { ...silentLogger, error: (m: string) => logged.push(m) };
    expect(toApiError(err, log, 'repository:delete')).toEqual({ code, message, detail });
    expect(logged).toEqual([]);
  });
});

describe('toApiError for layer failures', () => {
  it.each([
    ['DIGEST_MISMATCH', 'LAYER_UNREADABLE'],
    ['CORRUPT', 'LAYER_UNREADABLE'],
    ['TOO_LARGE', 'LAYER_UNREADABLE'],
    ['UNSUPPORTED', 'LAYER_UNREADABLE'],
    ['MISSING', 'BLOB_UNKNOWN'],
  ] as const)('%s → %s with its words, logging nothing', (kind, code) => {
    const logged: string[] = [];
    const log: Logger = { ...silentLogger, error: (m: string) => logged.push(m) };
    const err = new LayerError(kind, `layer sha256:abc: ${kind}`);
    expect(toApiError(err, log, 'contents:files')).toEqual({ code, message: err.message, detail: { kind } });
    expect(logged).toEqual([]);
  });
});
