/**
 * Blob GET/HEAD/DELETE with ranges, every upload flow, and cross-repository mounts.
 * https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-blobs
 * https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-blobs
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiRegistry, type Case, digest, expectError, putBlob, raw, runCase, startApi } from './harness';

let reg: ApiRegistry;
const data = Buffer.from('0123456789abcdefghij'); // 20 bytes
let d: string;

beforeAll(async () => {
  reg = await startApi();
  d = await putBlob(reg.port, 'blobs/app', data);
});
afterAll(() => reg?.close());

const zero = `sha256:${'0'.repeat(64)}`;
const blobsRoot = () => join(reg.dataDir, 'docker/registry/v2/blobs');
const uploadsDir = (repo: string) => join(reg.dataDir, 'docker/registry/v2/repositories', repo, '_uploads');
const blobFile = (dg: string) => {
  const [alg, hex] = dg.split(':') as [string, string];
  return join(blobsRoot(), alg, hex.slice(0, 2), hex, 'data');
};

async function startUpload(repo: string): Promise<string> {
  const res = await raw(reg.port, 'POST', `/v2/${repo}/blobs/uploads/`);
  expect(res.status, res.text).toBe(202);
  expect(res.header('range')).toBe('0-0');
  const loc = res.header('location')!;
  expect(loc).toMatch(new RegExp(`^/v2/${repo}/blobs/uploads/[0-9a-f-]{36}$`));
  expect(res.header('docker-upload-uuid')).toBe(loc.split('/').pop());
  return loc;
}

describe('blob GET/HEAD', () => {
  it('serves the whole blob and its headers', async () => {
    const cases: Case[] = [
      {
        desc: 'GET',
        method: 'GET',
        url: `/v2/blobs/app/blobs/${d}`,
        status: 200,
        expectHeaders: { 'content-length': '20', 'docker-content-digest': d, 'content-type': 'application/octet-stream' },
        expect: (r) => expect(r.body.equals(data)).toBe(true),
      },
      {
        desc: 'HEAD',
        method: 'HEAD',
        url: `/v2/blobs/app/blobs/${d}`,
        status: 200,
        expectHeaders: { 'content-length': '20', 'docker-content-digest': d, 'content-type': 'application/octet-stream' },
        expect: (r) => expect(r.body.length).toBe(0),
      },
      { desc: 'unknown blob GET', method: 'GET', url: `/v2/blobs/app/blobs/${zero}`, status: 404, code: 'BLOB_UNKNOWN' },
      {
        desc: 'unknown blob HEAD',
        method: 'HEAD',
        url: `/v2/blobs/app/blobs/${zero}`,
        status: 404,
        expectHeaders: { 'docker-distribution-api-version': 'registry/2.0' },
      },
      { desc: 'blob of another repo', method: 'GET', url: `/v2/blobs/other/blobs/${d}`, status: 404, code: 'BLOB_UNKNOWN' },
      { desc: 'malformed digest', method: 'GET', url: '/v2/blobs/app/blobs/sha256:abc', status: 400, code: 'DIGEST_INVALID' },
      { desc: 'uppercase hex digest', method: 'GET', url: `/v2/blobs/app/blobs/${d.toUpperCase()}`, status: 400, code: 'DIGEST_INVALID' },
      { desc: 'no algorithm', method: 'GET', url: `/v2/blobs/app/blobs/${d.slice(7)}`, status: 400, code: 'DIGEST_INVALID' },
    ];
    for (const c of cases) await runCase(reg.port, c);
  });

  const ranges: Array<[string, number, string, string]> = [
    ['bytes=0-4', 206, 'bytes 0-4/20', '01234'],
    ['bytes=5-9', 206, 'bytes 5-9/20', '56789'],
    ['bytes=15-', 206, 'bytes 15-19/20', 'fghij'],
    ['bytes=-3', 206, 'bytes 17-19/20', 'hij'],
    ['bytes=-100', 206, 'bytes 0-19/20', data.toString()],
    ['bytes=10-1000', 206, 'bytes 10-19/20', 'abcdefghij'],
    ['bytes=19-19', 206, 'bytes 19-19/20', 'j'],
  ];
  for (const [range, status, contentRange, body] of ranges) {
    it(`Range ${range} -> ${status} ${contentRange}`, () =>
      runCase(reg.port, {
        desc: range,
        method: 'GET',
        url: `/v2/blobs/app/blobs/${d}`,
        headers: { Range: range },
        status,
        expectHeaders: { 'content-range': contentRange, 'content-length': String(body.length), 'docker-content-digest': d },
        expect: (r) => expect(r.text).toBe(body),
      }));
  }

  for (const range of ['bytes=20-', 'bytes=25-30', 'bytes=-0', 'bytes=5-2']) {
    it(`Range ${range} -> 416`, () =>
      runCase(reg.port, {
        desc: range,
        method: 'GET',
        url: `/v2/blobs/app/blobs/${d}`,
        headers: { Range: range },
        status: 416,
        expectHeaders: { 'content-range': 'bytes */20' },
      }));
  }

  it('HEAD with a Range answers 206 and the range length', () =>
    runCase(reg.port, {
      desc: 'HEAD range',
      method: 'HEAD',
      url: `/v2/blobs/app/blobs/${d}`,
      headers: { Range: 'bytes=0-9' },
      status: 206,
      expectHeaders: { 'content-length': '10', 'content-range': 'bytes 0-9/20' },
    }));
});

describe('blob DELETE', () => {
  it('202, then 404 BLOB_UNKNOWN', async () => {
    const x = await putBlob(reg.port, 'blobs/del', 'to delete');
    await runCase(reg.port, { desc: 'delete', method: 'DELETE', url: `/v2/blobs/del/blobs/${x}`, status: 202 });
    await runCase(reg.port, { desc: 'gone', method: 'GET', url: `/v2/blobs/del/blobs/${x}`, status: 404, code: 'BLOB_UNKNOWN' });
    await runCase(reg.port, { desc: 'delete again', method: 'DELETE', url: `/v2/blobs/del/blobs/${x}`, status: 404, code: 'BLOB_UNKNOWN' });
    await runCase(reg.port, { desc: 'bad digest', method: 'DELETE', url: '/v2/blobs/del/blobs/sha256:zz', status: 400, code: 'DIGEST_INVALID' });
    // The content can be pushed again and is served again.
    expect(await putBlob(reg.port, 'blobs/del', 'to delete')).toBe(x);
    await runCase(reg.port, { desc: 'back', method: 'GET', url: `/v2/blobs/del/blobs/${x}`, status: 200, expect: (r) => expect(r.text).toBe('to delete') });
  });
});

describe('uploads', () => {
  it('POST then monolithic PUT', async () => {
    const body = randomBytes(3000);
    const loc = await startUpload('up/mono');
    const put = await raw(reg.port, 'PUT', `${loc}?digest=${digest(body)}`, { body, headers: { 'Content-Type': 'application/octet-stream' } });
    expect(put.status, put.text).toBe(201);
    expect(put.header('location')).toBe(`/v2/up/mono/blobs/${digest(body)}`);
    expect(put.header('docker-content-digest')).toBe(digest(body));
    const get = await raw(reg.port, 'GET', `/v2/up/mono/blobs/${digest(body)}`);
    expect(get.body.equals(body)).toBe(true);
    expect(readdirSync(uploadsDir('up/mono'))).toEqual([]);
    await runCase(reg.port, { desc: 'finished upload is gone', method: 'GET', url: loc, status: 404, code: 'BLOB_UPLOAD_UNKNOWN' });
    await runCase(reg.port, { desc: 'PUT twice', method: 'PUT', url: `${loc}?digest=${digest(body)}`, status: 404, code: 'BLOB_UPLOAD_UNKNOWN' });
  });

  it('single POST with ?digest=', async () => {
    const body = randomBytes(500);
    const res = await raw(reg.port, 'POST', `/v2/up/single/blobs/uploads/?digest=${digest(body)}`, { body });
    expect(res.status, res.text).toBe(201);
    expect(res.header('location')).toBe(`/v2/up/single/blobs/${digest(body)}`);
    expect(res.header('docker-content-digest')).toBe(digest(body));
    expect((await raw(reg.port, 'GET', `/v2/up/single/blobs/${digest(body)}`)).body.equals(body)).toBe(true);
  });

  it('single POST with a wrong digest stores nothing', async () => {
    const body = Buffer.from('single post mismatch');
    const claimed = digest('something else entirely');
    const res = await raw(reg.port, 'POST', `/v2/up/single-bad/blobs/uploads/?digest=${claimed}`, { body });
    expectError(res, 'DIGEST_INVALID', 400);
    expect(existsSync(blobFile(claimed))).toBe(false);
    expect(existsSync(blobFile(digest(body)))).toBe(false);
    expect(readdirSync(uploadsDir('up/single-bad'))).toEqual([]);
  });

  it('chunked PATCH with Content-Range, status, out-of-order 416, then PUT', async () => {
    const body = randomBytes(3 * 1024 + 7);
    const [a, b, c] = [body.subarray(0, 1024), body.subarray(1024, 2048), body.subarray(2048)];
    const loc = await startUpload('up/chunked');
    const p1 = await raw(reg.port, 'PATCH', loc, { body: a, headers: { 'Content-Range': '0-1023', 'Content-Type': 'application/octet-stream' } });
    expect(p1.status, p1.text).toBe(202);
    expect(p1.header('range')).toBe('0-1023');
    expect(p1.header('location')).toBe(loc);
    // Out of order: skips ahead.
    const bad = await raw(reg.port, 'PATCH', loc, { body: c, headers: { 'Content-Range': `2048-${body.length - 1}` } });
    expect(bad.status, bad.text).toBe(416);
    expect(bad.header('range')).toBe('0-1023');
    expect(bad.header('docker-distribution-api-version')).toBe('registry/2.0');
    // Out of order: repeats a chunk.
    const again = await raw(reg.port, 'PATCH', loc, { body: a, headers: { 'Content-Range': '0-1023' } });
    expect(again.status).toBe(416);
    expect(again.header('range')).toBe('0-1023');
    const st = await raw(reg.port, 'GET', loc);
    expect(st.status).toBe(204);
    expect(st.header('range')).toBe('0-1023');
    expect(st.header('location')).toBe(loc);
    expect(st.header('docker-upload-uuid')).toBe(loc.split('/').pop());
    const p2 = await raw(reg.port, 'PATCH', loc, { body: b, headers: { 'Content-Range': '1024-2047' } });
    expect(p2.status).toBe(202);
    expect(p2.header('range')).toBe('0-2047');
    // Last chunk with the PUT.
    const put = await raw(reg.port, 'PUT', `${loc}?digest=${digest(body)}`, {
      body: c,
      headers: { 'Content-Range': `2048-${body.length - 1}` },
    });
    expect(put.status, put.text).toBe(201);
    expect((await raw(reg.port, 'GET', `/v2/up/chunked/blobs/${digest(body)}`)).body.equals(body)).toBe(true);
  });

  it('Content-Range that disagrees with Content-Length is refused', async () => {
    const loc = await startUpload('up/sizes');
    const res = await raw(reg.port, 'PATCH', loc, { body: 'abcd', headers: { 'Content-Range': '0-9' } });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.json().errors[0].code).toMatch(/SIZE_INVALID|RANGE_INVALID|BLOB_UPLOAD_INVALID/);
    const garbage = await raw(reg.port, 'PATCH', loc, { body: 'abcd', headers: { 'Content-Range': 'bytes=x-y' } });
    expectError(garbage, 'BLOB_UPLOAD_INVALID', 400);
    const st = await raw(reg.port, 'GET', loc);
    expect(st.header('range')).toBe('0-0');
  });

  it('PATCH without Content-Range streams (chunked transfer encoding), then PUT with no body', async () => {
    const body = randomBytes(200_000);
    const loc = await startUpload('up/stream');
    const res = await new Promise<{ status: number; range?: string }>((resolve, reject) => {
      import('node:http').then(({ request }) => {
        const req = request(
          { host: '127.0.0.1', port: reg.port, method: 'PATCH', path: loc, headers: { 'Content-Type': 'application/octet-stream' }, timeout: 10_000 },
          (r) => {
            r.resume();
            r.on('end', () => resolve({ status: r.statusCode!, range: r.headers.range as string | undefined }));
          },
        );
        req.on('error', reject);
        for (let i = 0; i < body.length; i += 50_000) req.write(body.subarray(i, i + 50_000));
        req.end();
      }, reject);
    });
    expect(res.status).toBe(202);
    expect(res.range).toBe(`0-${body.length - 1}`);
    const put = await raw(reg.port, 'PUT', `${loc}?digest=${digest(body)}`);
    expect(put.status, put.text).toBe(201);
    expect((await raw(reg.port, 'GET', `/v2/up/stream/blobs/${digest(body)}`)).body.equals(body)).toBe(true);
  });

  it('cancel DELETE -> 204, then 404 BLOB_UPLOAD_UNKNOWN', async () => {
    const loc = await startUpload('up/cancel');
    await raw(reg.port, 'PATCH', loc, { body: 'partial' });
    const uuid = loc.split('/').pop()!;
    expect(existsSync(join(uploadsDir('up/cancel'), uuid))).toBe(true);
    await runCase(reg.port, { desc: 'cancel', method: 'DELETE', url: loc, status: 204 });
    expect(existsSync(join(uploadsDir('up/cancel'), uuid))).toBe(false);
    const cases: Case[] = [
      { desc: 'status after cancel', method: 'GET', url: loc, status: 404, code: 'BLOB_UPLOAD_UNKNOWN' },
      { desc: 'PATCH after cancel', method: 'PATCH', url: loc, body: 'x', status: 404, code: 'BLOB_UPLOAD_UNKNOWN' },
      { desc: 'PUT after cancel', method: 'PUT', url: `${loc}?digest=${digest('x')}`, body: 'x', status: 404, code: 'BLOB_UPLOAD_UNKNOWN' },
      { desc: 'DELETE after cancel', method: 'DELETE', url: loc, status: 404, code: 'BLOB_UPLOAD_UNKNOWN' },
    ];
    for (const c of cases) await runCase(reg.port, c);
  });

  it('an upload id is scoped to its repository', async () => {
    const loc = await startUpload('up/scoped');
    const uuid = loc.split('/').pop()!;
    await runCase(reg.port, { desc: 'other repo', method: 'GET', url: `/v2/up/elsewhere/blobs/uploads/${uuid}`, status: 404, code: 'BLOB_UPLOAD_UNKNOWN' });
  });

  const unknownIds = ['00000000-0000-0000-0000-000000000000', 'not-a-uuid', '..', '%2e%2e', 'ZZZ', 'a'.repeat(300)];
  for (const id of unknownIds) {
    it(`unknown upload id ${id.slice(0, 40)} -> 404 BLOB_UPLOAD_UNKNOWN`, async () => {
      for (const [method, suffix, body] of [
        ['GET', '', undefined],
        ['PATCH', '', 'x'],
        ['PUT', `?digest=${digest('x')}`, 'x'],
        ['DELETE', '', undefined],
      ] as const) {
        await runCase(reg.port, {
          desc: `${method} ${id}`,
          method,
          url: `/v2/up/unknown/blobs/uploads/${id}${suffix}`,
          body,
          status: 404,
          code: 'BLOB_UPLOAD_UNKNOWN',
        });
      }
    });
  }

  it('PUT without a digest or with a malformed one -> 400 DIGEST_INVALID', async () => {
    const loc = await startUpload('up/nodigest');
    for (const q of ['', '?digest=', '?digest=sha256:abc', `?digest=SHA256:${'a'.repeat(64)}`, `?digest=sha256:${'A'.repeat(64)}`, '?digest=md5:abc']) {
      await runCase(reg.port, { desc: `PUT${q}`, method: 'PUT', url: `${loc}${q}`, body: 'abc', status: 400, code: 'DIGEST_INVALID' });
    }
    const single = await raw(reg.port, 'POST', '/v2/up/nodigest/blobs/uploads/?digest=sha256:123', { body: 'abc' });
    expectError(single, 'DIGEST_INVALID', 400);
  });

  it('a digest mismatch stores nothing: no blob file for either digest, upload gone, HEAD 404', async () => {
    const body = Buffer.from(`mismatch body ${Math.random()}`);
    const claimed = digest(`claimed ${Math.random()}`);
    const loc = await startUpload('up/mismatch');
    const uuid = loc.split('/').pop()!;
    await raw(reg.port, 'PATCH', loc, { body });
    const put = await raw(reg.port, 'PUT', `${loc}?digest=${claimed}`);
    expectError(put, 'DIGEST_INVALID', 400);
    expect(existsSync(blobFile(claimed))).toBe(false);
    expect(existsSync(blobFile(digest(body)))).toBe(false);
    expect(existsSync(join(uploadsDir('up/mismatch'), uuid))).toBe(false);
    await runCase(reg.port, { desc: 'HEAD claimed', method: 'HEAD', url: `/v2/up/mismatch/blobs/${claimed}`, status: 404 });
    await runCase(reg.port, { desc: 'HEAD actual', method: 'HEAD', url: `/v2/up/mismatch/blobs/${digest(body)}`, status: 404 });
    await runCase(reg.port, { desc: 'upload gone', method: 'GET', url: loc, status: 404, code: 'BLOB_UPLOAD_UNKNOWN' });
  });

  it('sha512 digests end to end: single POST, chunked, GET, HEAD, range, delete', async () => {
    const body = randomBytes(4096);
    const d512 = digest(body, 'sha512');
    expect(d512).toMatch(/^sha512:[0-9a-f]{128}$/);
    const single = await raw(reg.port, 'POST', `/v2/up/sha512/blobs/uploads/?digest=${d512}`, { body });
    expect(single.status, single.text).toBe(201);
    expect(single.header('docker-content-digest')).toBe(d512);
    expect(existsSync(blobFile(d512))).toBe(true);

    const body2 = randomBytes(3000);
    const d2 = digest(body2, 'sha512');
    const loc = await startUpload('up/sha512');
    await raw(reg.port, 'PATCH', loc, { body: body2.subarray(0, 1000), headers: { 'Content-Range': '0-999' } });
    const put = await raw(reg.port, 'PUT', `${loc}?digest=${d2}`, { body: body2.subarray(1000) });
    expect(put.status, put.text).toBe(201);

    const cases: Case[] = [
      { desc: 'GET sha512', method: 'GET', url: `/v2/up/sha512/blobs/${d2}`, status: 200, expectHeaders: { 'docker-content-digest': d2 }, expect: (r) => expect(r.body.equals(body2)).toBe(true) },
      { desc: 'HEAD sha512', method: 'HEAD', url: `/v2/up/sha512/blobs/${d512}`, status: 200, expectHeaders: { 'content-length': '4096' } },
      { desc: 'range sha512', method: 'GET', url: `/v2/up/sha512/blobs/${d512}`, headers: { Range: 'bytes=0-15' }, status: 206, expect: (r) => expect(r.body.equals(body.subarray(0, 16))).toBe(true) },
      { desc: 'short sha512', method: 'GET', url: `/v2/up/sha512/blobs/sha512:${'a'.repeat(64)}`, status: 400, code: 'DIGEST_INVALID' },
      { desc: 'delete sha512', method: 'DELETE', url: `/v2/up/sha512/blobs/${d512}`, status: 202 },
      { desc: 'gone sha512', method: 'HEAD', url: `/v2/up/sha512/blobs/${d512}`, status: 404 },
    ];
    for (const c of cases) await runCase(reg.port, c);
  });

  it('sha512 mismatch stores nothing', async () => {
    const body = Buffer.from('sha512 mismatch');
    const claimed = digest('other', 'sha512');
    const res = await raw(reg.port, 'POST', `/v2/up/sha512bad/blobs/uploads/?digest=${claimed}`, { body });
    expectError(res, 'DIGEST_INVALID', 400);
    expect(existsSync(blobFile(claimed))).toBe(false);
    expect(existsSync(blobFile(digest(body, 'sha512')))).toBe(false);
  });

  it('an empty blob uploads and serves', async () => {
    const empty = digest('');
    const res = await raw(reg.port, 'POST', `/v2/up/empty/blobs/uploads/?digest=${empty}`, { body: '' });
    expect(res.status, res.text).toBe(201);
    await runCase(reg.port, { desc: 'GET empty', method: 'GET', url: `/v2/up/empty/blobs/${empty}`, status: 200, expectHeaders: { 'content-length': '0' } });
    for (const range of ['bytes=-5', 'bytes=0-']) {
      await runCase(reg.port, { desc: `empty ${range}`, method: 'GET', url: `/v2/up/empty/blobs/${empty}`, headers: { Range: range }, status: 416, expectHeaders: { 'content-range': 'bytes */0' } });
    }
  });
});

describe('cross-repository mount', () => {
  it('with from: 201 + Location + Docker-Content-Digest, then readable in the target', async () => {
    const res = await raw(reg.port, 'POST', `/v2/mount/target/blobs/uploads/?mount=${d}&from=blobs/app`);
    expect(res.status, res.text).toBe(201);
    expect(res.header('location')).toBe(`/v2/mount/target/blobs/${d}`);
    expect(res.header('docker-content-digest')).toBe(d);
    const get = await raw(reg.port, 'GET', `/v2/mount/target/blobs/${d}`);
    expect(get.status).toBe(200);
    expect(get.body.equals(data)).toBe(true);
  });

  it('from a repository that does not hold the blob: 202, a new upload', async () => {
    const other = await putBlob(reg.port, 'mount/holder', 'only in holder');
    const res = await raw(reg.port, 'POST', `/v2/mount/target2/blobs/uploads/?mount=${other}&from=mount/empty`);
    expect(res.status, res.text).toBe(202);
    const loc = res.header('location')!;
    expect(loc).toMatch(/^\/v2\/mount\/target2\/blobs\/uploads\/[0-9a-f-]{36}$/);
    await runCase(reg.port, { desc: 'not mounted', method: 'HEAD', url: `/v2/mount/target2/blobs/${other}`, status: 404 });
    // The upload it started works.
    const put = await raw(reg.port, 'PUT', `${loc}?digest=${other}`, { body: 'only in holder' });
    expect(put.status, put.text).toBe(201);
  });

  it('of a blob that exists nowhere: 202', async () => {
    const res = await raw(reg.port, 'POST', `/v2/mount/target3/blobs/uploads/?mount=${zero}&from=blobs/app`);
    expect(res.status).toBe(202);
    const res2 = await raw(reg.port, 'POST', `/v2/mount/target3/blobs/uploads/?mount=${zero}`);
    expect(res2.status).toBe(202);
  });

  it('without from, when the blob exists anywhere: 201', async () => {
    const x = await putBlob(reg.port, 'mount/src', 'auto mount');
    const res = await raw(reg.port, 'POST', `/v2/mount/auto/blobs/uploads/?mount=${x}`);
    expect(res.status, res.text).toBe(201);
    expect(res.header('docker-content-digest')).toBe(x);
    expect(res.header('location')).toBe(`/v2/mount/auto/blobs/${x}`);
    expect((await raw(reg.port, 'GET', `/v2/mount/auto/blobs/${x}`)).text).toBe('auto mount');
  });

  it('a malformed mount digest -> 400 DIGEST_INVALID', () =>
    runCase(reg.port, { desc: 'bad mount', method: 'POST', url: '/v2/mount/x/blobs/uploads/?mount=sha256:nope&from=blobs/app', status: 400, code: 'DIGEST_INVALID' }));
});
