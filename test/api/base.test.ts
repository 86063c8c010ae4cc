/**
 * /v2/ ping, the error model, name validation, unknown methods and paths, and deletes disabled.
 * https://github.com/opencontainers/distribution-spec/blob/main/spec.md#api
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryError } from '../../src-server/core/errors';
import { type ApiRegistry, type Case, digest, expectError, imageParts, putBlob, putManifest, raw, runCase, startApi } from './harness';

let reg: ApiRegistry;
let blob: string;

beforeAll(async () => {
  reg = await startApi();
  blob = await putBlob(reg.port, 'base/repo', 'hello');
});
afterAll(() => reg?.close());

const zero = `sha256:${'0'.repeat(64)}`;
const longName = Array.from({ length: 26 }, () => 'abcdefghij').join('/'); // 285 chars

describe('ping', () => {
  const cases: Case[] = [
    { desc: 'GET /v2/', method: 'GET', url: '/v2/', status: 200, expect: (r) => expect(r.json()).toEqual({}) },
    { desc: 'HEAD /v2/', method: 'HEAD', url: '/v2/', status: 200, expect: (r) => expect(r.body.length).toBe(0) },
    { desc: 'GET /v2 without slash', method: 'GET', url: '/v2', status: 200 },
    { desc: 'POST /v2/ unsupported', method: 'POST', url: '/v2/', status: 405, code: 'UNSUPPORTED' },
    { desc: 'DELETE /v2/_catalog unsupported', method: 'DELETE', url: '/v2/_catalog', status: 405, code: 'UNSUPPORTED' },
  ];
  for (const c of cases) it(c.desc, () => runCase(reg.port, c));
});

describe('bad names', () => {
  const cases: Case[] = [
    { desc: 'uppercase', method: 'GET', url: '/v2/Foo/tags/list', status: 400, code: 'NAME_INVALID' },
    { desc: 'uppercase on manifest', method: 'GET', url: '/v2/foo/Bar/manifests/latest', status: 400, code: 'NAME_INVALID' },
    { desc: 'dot-dot segment (raw)', method: 'GET', url: '/v2/foo/../bar/tags/list', status: 400, code: 'NAME_INVALID' },
    { desc: 'dot-dot to escape on blobs', method: 'GET', url: `/v2/../../etc/blobs/${zero}`, status: 400, code: 'NAME_INVALID' },
    { desc: 'dot segment', method: 'GET', url: '/v2/foo/./bar/tags/list', status: 400, code: 'NAME_INVALID' },
    { desc: 'encoded slash', method: 'GET', url: '/v2/foo%2Fbar/tags/list', status: 400, code: 'NAME_INVALID' },
    { desc: 'encoded slash lower-case', method: 'GET', url: '/v2/foo%2fbar/manifests/latest', status: 400, code: 'NAME_INVALID' },
    { desc: 'encoded dot-dot', method: 'GET', url: '/v2/foo/%2e%2e/bar/tags/list', status: 400, code: 'NAME_INVALID' },
    { desc: 'over 255 characters', method: 'GET', url: `/v2/${longName}/tags/list`, status: 400, code: 'NAME_INVALID' },
    { desc: 'leading separator', method: 'GET', url: '/v2/-foo/tags/list', status: 400, code: 'NAME_INVALID' },
    { desc: 'trailing separator', method: 'GET', url: '/v2/foo-/tags/list', status: 400, code: 'NAME_INVALID' },
    { desc: 'trailing dot', method: 'GET', url: '/v2/foo./tags/list', status: 400, code: 'NAME_INVALID' },
    { desc: 'double slash', method: 'GET', url: '/v2/foo//bar/tags/list', status: 400, code: 'NAME_INVALID' },
    { desc: 'underscore component', method: 'GET', url: '/v2/foo/_manifests/tags/list', status: 400, code: 'NAME_INVALID' },
    { desc: 'bad name on upload POST', method: 'POST', url: '/v2/Bad/blobs/uploads/', status: 400, code: 'NAME_INVALID' },
    {
      desc: 'bad name on manifest PUT',
      method: 'PUT',
      url: '/v2/a..b/manifests/latest',
      body: '{}',
      headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' },
      status: 400,
      code: 'NAME_INVALID',
    },
    { desc: 'bad mount source', method: 'POST', url: `/v2/base/other/blobs/uploads/?mount=${zero}&from=Bad..Name`, status: 400, code: 'NAME_INVALID' },
  ];
  for (const c of cases) it(c.desc, () => runCase(reg.port, c));

  it('a 255-character name is accepted', async () => {
    const name = `${'a'.repeat(127)}/${'b'.repeat(127)}`;
    expect(name).toHaveLength(255);
    await runCase(reg.port, { desc: '255 chars', method: 'GET', url: `/v2/${name}/tags/list`, status: 404, code: 'NAME_UNKNOWN' });
  });
});

describe('unknown methods and paths', () => {
  const cases: Case[] = [
    { desc: 'PATCH a manifest', method: 'PATCH', url: '/v2/base/repo/manifests/latest', status: 405, code: 'UNSUPPORTED' },
    { desc: 'POST a manifest', method: 'POST', url: '/v2/base/repo/manifests/latest', status: 405, code: 'UNSUPPORTED' },
    { desc: 'PUT a blob', method: 'PUT', url: `/v2/base/repo/blobs/${zero}`, body: 'x', status: 405, code: 'UNSUPPORTED' },
    { desc: 'POST a blob', method: 'POST', url: `/v2/base/repo/blobs/${zero}`, status: 405, code: 'UNSUPPORTED' },
    { desc: 'DELETE tags list', method: 'DELETE', url: '/v2/base/repo/tags/list', status: 405, code: 'UNSUPPORTED' },
    { desc: 'PUT referrers', method: 'PUT', url: `/v2/base/repo/referrers/${zero}`, body: '{}', status: 405, code: 'UNSUPPORTED' },
    { desc: 'GET the uploads collection', method: 'GET', url: '/v2/base/repo/blobs/uploads/', status: 405, code: 'UNSUPPORTED' },
    { desc: 'root path', method: 'GET', url: '/', status: 404, code: 'NOT_FOUND' },
    { desc: 'non-v2 path', method: 'GET', url: '/v1/_ping', status: 404, code: 'NOT_FOUND' },
    { desc: 'unknown v2 resource', method: 'GET', url: '/v2/base/repo/whatever', status: 404, code: 'NOT_FOUND' },
    { desc: 'tags without list', method: 'GET', url: '/v2/base/repo/tags', status: 404, code: 'NOT_FOUND' },
    { desc: 'manifest without reference', method: 'GET', url: '/v2/base/repo/manifests/', status: 404, code: 'NOT_FOUND' },
    { desc: 'v2 prefix lookalike', method: 'GET', url: '/v2x/', status: 404, code: 'NOT_FOUND' },
  ];
  for (const c of cases) it(c.desc, () => runCase(reg.port, c));
});

describe('malformed requests never 500', () => {
  const cases: Case[] = [
    { desc: 'bad percent-encoding in a reference', method: 'GET', url: '/v2/base/repo/manifests/%E0%A4%A', status: 404, code: 'MANIFEST_UNKNOWN' },
    { desc: 'bad percent-encoding in a reference to PUT', method: 'PUT', url: '/v2/base/repo/manifests/%E0%A4%A', body: '{}', status: 400, code: 'TAG_INVALID' },
    { desc: 'bad percent-encoding in the query', method: 'GET', url: '/v2/_catalog?n=%ZZ', status: 400, code: 'PAGINATION_NUMBER_INVALID' },
    { desc: 'percent-encoded digest', method: 'HEAD', url: `/v2/base/repo/blobs/${encodeURIComponent(digest('hello'))}`, status: 200 },
    { desc: 'manifest PUT with an empty body', method: 'PUT', url: '/v2/base/repo/manifests/x', body: '', status: 400, code: 'MANIFEST_INVALID' },
    { desc: 'a header with a non-ASCII value', method: 'GET', url: '/v2/base/repo/tags/list', headers: { 'X-Junk': 'caf\u00e9' }, status: 404, code: 'NAME_UNKNOWN' },
    { desc: 'blob digest with an unknown algorithm', method: 'GET', url: '/v2/base/repo/blobs/md5:abc', status: 400, code: 'DIGEST_INVALID' },
    { desc: 'Range garbage is ignored (full body)', method: 'GET', url: `/v2/base/repo/blobs/${digest('hello')}`, headers: { Range: 'lines=1-2' }, status: 200 },
  ];
  for (const c of cases) it(c.desc, () => runCase(reg.port, c));

  it('error responses carry the API version header and JSON body', async () => {
    const res = await raw(reg.port, 'GET', `/v2/base/repo/blobs/${zero}`);
    expectError(res, 'BLOB_UNKNOWN', 404);
    expect(res.header('docker-distribution-api-version')).toBe('registry/2.0');
    expect(blob).toBe(digest('hello'));
  });
});

describe('storage.delete.enabled: false', () => {
  let ro: ApiRegistry;
  beforeAll(async () => {
    ro = await startApi({ deleteEnabled: false });
  });
  afterAll(() => ro?.close());

  it('refuses manifest and blob deletes with 405 UNSUPPORTED and keeps the content', async () => {
    const m = await imageParts(ro.port, 'ro/app');
    const d = await putManifest(ro.port, 'ro/app', 'v1', m);
    const layer = (m.layers as Array<{ digest: string }>)[0]!.digest;
    const cases: Case[] = [
      { desc: 'DELETE manifest by digest', method: 'DELETE', url: `/v2/ro/app/manifests/${d}`, status: 405, code: 'UNSUPPORTED' },
      { desc: 'DELETE manifest by tag', method: 'DELETE', url: '/v2/ro/app/manifests/v1', status: 405, code: 'UNSUPPORTED' },
      { desc: 'DELETE blob', method: 'DELETE', url: `/v2/ro/app/blobs/${layer}`, status: 405, code: 'UNSUPPORTED' },
      { desc: 'manifest still there', method: 'HEAD', url: '/v2/ro/app/manifests/v1', status: 200 },
      { desc: 'blob still there', method: 'HEAD', url: `/v2/ro/app/blobs/${layer}`, status: 200 },
    ];
    for (const c of cases) await runCase(ro.port, c);
  });
});

describe('no input gives a 500', () => {
  // Every method against paths built from hostile segments: the answer is always a 4xx/2xx with the
  // API version header and, for errors, the spec's JSON body.
  const methods = ['GET', 'HEAD', 'PUT', 'POST', 'PATCH', 'DELETE', 'OPTIONS'];
  const names = ['base/repo', 'A', '..', '%2e', '%00', 'a%00b', 'x'.repeat(300), 'a/%2F/b', 'ok', '_catalog', 'a%20b', '%E0%A4%A'];
  const tails = [
    'tags/list',
    'tags/list?n=%FF&last=%00',
    'manifests/%00',
    'manifests/sha256:',
    `manifests/sha512:${'a'.repeat(128)}`,
    'manifests/..',
    'manifests/%2e%2e',
    `blobs/${zero}`,
    'blobs/sha256%3A',
    'blobs/uploads/',
    'blobs/uploads/?digest=sha256:x&mount=sha256:y&from=..',
    'blobs/uploads/%00',
    'blobs/uploads/../../x',
    'referrers/sha256:xyz?artifactType=%00',
    `referrers/${zero}?artifactType=a&artifactType=b`,
  ];
  const urls = names.flatMap((n) => tails.map((t) => `/v2/${n}/${t}`));
  it(`${methods.length * urls.length} requests`, async () => {
    const failures: string[] = [];
    for (const method of methods) {
      await Promise.all(
        urls.map(async (url) => {
          const res = await raw(reg.port, method, url, method === 'PUT' || method === 'PATCH' || method === 'POST' ? { body: '{"x":1}' } : {});
          const ok =
            res.status < 500 &&
            res.header('docker-distribution-api-version') === 'registry/2.0' &&
            (method === 'HEAD' || res.status < 400 || res.json().errors?.[0]?.code !== undefined);
          if (!ok) failures.push(`${method} ${url} -> ${res.status} ${res.text.slice(0, 120)}`);
        }),
      );
    }
    expect(failures).toEqual([]);
  });
});

describe('the authorize hook', () => {
  let guarded: ApiRegistry;
  const seen: string[] = [];
  beforeAll(async () => {
    guarded = await startApi({}, {
      authorize: (ctx) => {
        seen.push(`${ctx.method} ${ctx.path}`);
        if (ctx.get('Authorization') !== 'Bearer ok') {
          throw new RegistryError('UNAUTHORIZED', { headers: { 'WWW-Authenticate': 'Basic realm="berth"' } });
        }
        if (ctx.method === 'DELETE') throw new RegistryError('DENIED');
      },
    });
  });
  afterAll(() => guarded?.close());

  it('turns its errors into the spec body with the API version header and its own headers', async () => {
    const cases: Case[] = [
      { desc: 'ping without credentials', method: 'GET', url: '/v2/', status: 401, code: 'UNAUTHORIZED', expectHeaders: { 'www-authenticate': 'Basic realm="berth"' } },
      { desc: 'manifest without credentials', method: 'GET', url: '/v2/a/manifests/latest', status: 401, code: 'UNAUTHORIZED' },
      { desc: 'ping with credentials', method: 'GET', url: '/v2/', headers: { Authorization: 'Bearer ok' }, status: 200 },
      { desc: 'denied', method: 'DELETE', url: `/v2/a/manifests/${zero}`, headers: { Authorization: 'Bearer ok' }, status: 403, code: 'DENIED' },
      { desc: 'allowed through to the route', method: 'GET', url: '/v2/a/tags/list', headers: { Authorization: 'Bearer ok' }, status: 404, code: 'NAME_UNKNOWN' },
      { desc: 'unknown paths are 404 without asking', method: 'GET', url: '/nothing', status: 404, code: 'NOT_FOUND' },
    ];
    for (const c of cases) await runCase(guarded.port, c);
    expect(seen).not.toContain('GET /nothing');
    expect(seen).toContain('GET /v2/');
  });
});
