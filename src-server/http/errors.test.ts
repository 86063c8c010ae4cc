import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveOnLoopback, type LoopbackServer } from '../../test/helpers/net';
import {
  DeletesDisabledError,
  DigestMismatchError,
  InvalidManifestError,
  InvalidReferenceError,
  ManifestTooLargeError,
  MissingReferencesError,
  NotFoundError,
  RegistryError,
  UploadOffsetError,
  WritesHeldError,
} from '../core/errors';
import { silentLogger } from '../logger';
import { errorMiddleware } from './errors';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

/**
 * Each neutral error, and exactly what a client read when the registry threw the OCI error itself
 * (registry.ts and manifest-checks.ts): code, status, message and detail may not change.
 */
const CASES: Array<[name: string, err: Error, status: number, body: { code: string; message: string; detail: unknown }, headers?: Record<string, string>]> = [
  ['a lookup no route named', new NotFoundError('blob'), 404, { code: 'NOT_FOUND', message: 'not found', detail: null }],
  ['deletes switched off', new DeletesDisabledError(), 405, { code: 'UNSUPPORTED', message: 'deletes are disabled (storage.delete.enabled)', detail: null }],
  [
    'writes held by a collection',
    new WritesHeldError('instance b collects garbage'),
    503,
    { code: 'UNAVAILABLE', message: 'writes are held: instance b collects garbage; try again when it ends', detail: null },
  ],
  [
    'blobs a manifest lists, missing',
    new MissingReferencesError('blob', [D1, D2]),
    400,
    { code: 'MANIFEST_BLOB_UNKNOWN', message: 'manifest references a manifest or blob unknown to registry', detail: { missing: [D1, D2] } },
  ],
  [
    "an index's children, missing",
    new MissingReferencesError('manifest', [D2]),
    404,
    { code: 'MANIFEST_UNKNOWN', message: 'manifest unknown to registry', detail: { missing: [D2] } },
  ],
  ['a malformed digest reference', new InvalidReferenceError('digest', 'sha256:zz'), 400, { code: 'DIGEST_INVALID', message: 'provided digest did not match uploaded content', detail: { digest: 'sha256:zz' } }],
  ['a malformed tag', new InvalidReferenceError('tag', '-bad'), 400, { code: 'TAG_INVALID', message: 'manifest tag did not match URI', detail: { tag: '-bad' } }],
  ['a manifest over the limit', new ManifestTooLargeError(4194304), 413, { code: 'MANIFEST_INVALID', message: 'manifest too large', detail: { limit: 4194304 } }],
  ['a manifest that does not parse', new InvalidManifestError('unexpected end of JSON'), 400, { code: 'MANIFEST_INVALID', message: 'manifest invalid', detail: { reason: 'unexpected end of JSON' } }],
  [
    'a manifest with too many descriptors',
    new InvalidManifestError('manifest lists 20000 descriptors; at most 10000 are accepted', { limit: 10000, descriptors: 20000 }),
    400,
    { code: 'MANIFEST_INVALID', message: 'manifest lists 20000 descriptors; at most 10000 are accepted', detail: { limit: 10000, descriptors: 20000 } },
  ],
  ['content that does not hash to its digest', new DigestMismatchError(D1, D2), 400, { code: 'DIGEST_INVALID', message: 'provided digest did not match uploaded content', detail: { expected: D1, actual: D2 } }],
  ['a chunk at the wrong offset', new UploadOffsetError(10), 416, { code: 'RANGE_INVALID', message: 'requested range not satisfiable', detail: { size: 10 } }, { range: '0-9' }],
  ['a RegistryError, as thrown', new RegistryError('DENIED', { message: 'no' }), 403, { code: 'DENIED', message: 'no', detail: null }],
  ['a bug', new Error('boom'), 500, { code: 'UNKNOWN', message: 'internal server error', detail: null }],
];

describe('errorMiddleware', () => {
  let server: LoopbackServer;
  let base: string;

  beforeAll(async () => {
    const app = new Koa();
    app.silent = true;
    app.use(errorMiddleware(silentLogger));
    app.use((ctx) => {
      throw CASES[Number(ctx.path.slice(1))]![1];
    });
    server = await serveOnLoopback(app.callback());
    base = server.base;
  });
  afterAll(() => server.close());

  it.each(CASES.map((c, i) => [c[0], i] as const))('answers %s with its code, status, message and detail', async (_name, i) => {
    const [, , status, body, headers] = CASES[i]!;
    const res = await fetch(`${base}/${i}`);
    expect(res.status).toBe(status);
    expect(await res.json()).toEqual({ errors: [body] });
    for (const [k, v] of Object.entries(headers ?? {})) expect(res.headers.get(k)).toBe(v);
  });
});
