import { describe, expect, it } from 'vitest';
import { silentLogger, type Logger } from '../logger';
import { RemoteAuthError, RemoteProtocolError, RemoteRateLimitError, RemoteTlsError, RemoteTrustError, RemoteUnavailableError } from '../remote/errors';
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
