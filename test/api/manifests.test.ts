/**
 * Manifests of every media type by tag and digest, their validation, deletes, and the referrers API.
 * https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-manifests
 * https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-referrers
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiRegistry, type Case, digest, expectError, imageParts, MT, putBlob, putManifest, raw, runCase, startApi } from './harness';

let reg: ApiRegistry;
beforeAll(async () => {
  reg = await startApi();
});
afterAll(() => reg?.close());

const zero = `sha256:${'0'.repeat(64)}`;
const put = (repo: string, ref: string, body: string | Buffer, contentType?: string) =>
  raw(reg.port, 'PUT', `/v2/${repo}/manifests/${ref}`, { body, headers: contentType ? { 'Content-Type': contentType } : {} });

/** Pushes, reads back by tag and digest (GET and HEAD), deletes the tag, then the digest. */
async function roundTrip(repo: string, manifest: Record<string, unknown>): Promise<void> {
  const body = JSON.stringify(manifest, null, 2); // pretty-printed: the exact bytes must come back
  const mt = String(manifest.mediaType);
  const d = digest(body);
  const res = await put(repo, 'v1', body, mt);
  expect(res.status, res.text).toBe(201);
  expect(res.header('docker-content-digest')).toBe(d);
  expect(res.header('location')).toBe(`/v2/${repo}/manifests/${d}`);
  const headers = { 'docker-content-digest': d, 'content-type': mt, 'content-length': String(Buffer.byteLength(body)) };
  const cases: Case[] = [
    { desc: 'GET by tag', method: 'GET', url: `/v2/${repo}/manifests/v1`, headers: { Accept: mt }, status: 200, expectHeaders: headers, expect: (r) => expect(r.text).toBe(body) },
    { desc: 'GET by digest', method: 'GET', url: `/v2/${repo}/manifests/${d}`, status: 200, expectHeaders: headers, expect: (r) => expect(r.text).toBe(body) },
    { desc: 'HEAD by tag', method: 'HEAD', url: `/v2/${repo}/manifests/v1`, status: 200, expectHeaders: headers, expect: (r) => expect(r.body.length).toBe(0) },
    { desc: 'HEAD by digest', method: 'HEAD', url: `/v2/${repo}/manifests/${d}`, status: 200, expectHeaders: headers },
    { desc: 'PUT the same by digest', method: 'PUT', url: `/v2/${repo}/manifests/${d}`, headers: { 'Content-Type': mt }, body, status: 201, expectHeaders: { 'docker-content-digest': d } },
    { desc: 'a second tag', method: 'PUT', url: `/v2/${repo}/manifests/v2`, headers: { 'Content-Type': mt }, body, status: 201 },
    { desc: 'DELETE by tag', method: 'DELETE', url: `/v2/${repo}/manifests/v1`, status: 202 },
    { desc: 'tag gone', method: 'GET', url: `/v2/${repo}/manifests/v1`, status: 404, code: 'MANIFEST_UNKNOWN' },
    { desc: 'digest stays after tag delete', method: 'GET', url: `/v2/${repo}/manifests/${d}`, status: 200 },
    { desc: 'other tag stays', method: 'HEAD', url: `/v2/${repo}/manifests/v2`, status: 200 },
    { desc: 'DELETE by digest', method: 'DELETE', url: `/v2/${repo}/manifests/${d}`, status: 202 },
    { desc: 'digest gone', method: 'GET', url: `/v2/${repo}/manifests/${d}`, status: 404, code: 'MANIFEST_UNKNOWN' },
    { desc: 'tags of the digest gone', method: 'GET', url: `/v2/${repo}/manifests/v2`, status: 404, code: 'MANIFEST_UNKNOWN' },
    { desc: 'HEAD gone', method: 'HEAD', url: `/v2/${repo}/manifests/${d}`, status: 404 },
    { desc: 'DELETE digest again', method: 'DELETE', url: `/v2/${repo}/manifests/${d}`, status: 404, code: 'MANIFEST_UNKNOWN' },
    { desc: 'DELETE unknown tag', method: 'DELETE', url: `/v2/${repo}/manifests/v1`, status: 404, code: 'MANIFEST_UNKNOWN' },
  ];
  for (const c of cases) await runCase(reg.port, c);
  // The disk agrees: tag folders and the revision link are gone.
  const repoDir = join(reg.dataDir, 'docker/registry/v2/repositories', repo, '_manifests');
  expect(existsSync(join(repoDir, 'tags/v1'))).toBe(false);
  expect(existsSync(join(repoDir, 'tags/v2'))).toBe(false);
  expect(existsSync(join(repoDir, 'revisions/sha256', d.slice(7), 'link'))).toBe(false);
}

describe('manifest round trips', () => {
  it('OCI image manifest', async () => roundTrip('m/oci', await imageParts(reg.port, 'm/oci')));
  it('Docker schema2 manifest', async () => roundTrip('m/docker', await imageParts(reg.port, 'm/docker', 'docker')));

  for (const [name, mt, kind] of [
    ['OCI index', MT.ociIndex, 'oci'],
    ['Docker manifest list', MT.dockerList, 'docker'],
  ] as const) {
    it(name, async () => {
      const repo = `m/${kind}-index`;
      const children = [];
      for (const arch of ['amd64', 'arm64']) {
        const m = await imageParts(reg.port, repo, kind);
        const body = JSON.stringify(m);
        const d = await putManifest(reg.port, repo, digest(body), body, String(m.mediaType));
        children.push({ mediaType: m.mediaType, digest: d, size: Buffer.byteLength(body), platform: { os: 'linux', architecture: arch } });
      }
      await roundTrip(repo, { schemaVersion: 2, mediaType: mt, manifests: children });
    });
  }

  it('an OCI manifest without mediaType is accepted with its Content-Type', async () => {
    const m = await imageParts(reg.port, 'm/nomt');
    delete m.mediaType;
    const body = JSON.stringify(m);
    const res = await put('m/nomt', 'latest', body, MT.ociManifest);
    expect(res.status, res.text).toBe(201);
    await runCase(reg.port, { desc: 'type', method: 'HEAD', url: '/v2/m/nomt/manifests/latest', status: 200, expectHeaders: { 'content-type': MT.ociManifest } });
  });

  it('a tag moves to a new manifest', async () => {
    const a = await putManifest(reg.port, 'm/move', 'latest', await imageParts(reg.port, 'm/move'));
    const b = await putManifest(reg.port, 'm/move', 'latest', await imageParts(reg.port, 'm/move'));
    expect(a).not.toBe(b);
    await runCase(reg.port, { desc: 'moved', method: 'HEAD', url: '/v2/m/move/manifests/latest', status: 200, expectHeaders: { 'docker-content-digest': b } });
    await runCase(reg.port, { desc: 'old by digest', method: 'HEAD', url: `/v2/m/move/manifests/${a}`, status: 200 });
  });

  it('a sha512 manifest reference', async () => {
    const body = JSON.stringify(await imageParts(reg.port, 'm/sha512'));
    const d = digest(body, 'sha512');
    const res = await put('m/sha512', d, body, MT.ociManifest);
    expect(res.status, res.text).toBe(201);
    expect(res.header('docker-content-digest')).toBe(d);
    await runCase(reg.port, { desc: 'get sha512', method: 'GET', url: `/v2/m/sha512/manifests/${d}`, status: 200, expect: (r) => expect(r.text).toBe(body) });
  });
});

describe('manifest validation', () => {
  let good: Record<string, unknown>;
  let goodBody: string;
  beforeAll(async () => {
    good = await imageParts(reg.port, 'v/app');
    goodBody = JSON.stringify(good);
  });

  it('PUT by a digest the body does not match -> DIGEST_INVALID, nothing stored', async () => {
    const res = await put('v/app', digest('not the body'), goodBody, MT.ociManifest);
    expectError(res, 'DIGEST_INVALID', 400);
    const hex = digest(goodBody).slice(7);
    expect(existsSync(join(reg.dataDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex))).toBe(false);
    expect(existsSync(join(reg.dataDir, 'docker/registry/v2/repositories/v/app/_manifests/revisions/sha256', hex))).toBe(false);
    await runCase(reg.port, { desc: 'absent', method: 'HEAD', url: `/v2/v/app/manifests/${digest(goodBody)}`, status: 404 });
    await runCase(reg.port, { desc: 'malformed digest ref', method: 'PUT', url: '/v2/v/app/manifests/sha256:abc', body: goodBody, headers: { 'Content-Type': MT.ociManifest }, status: 400, code: 'DIGEST_INVALID' });
  });

  it('missing layer or config -> 400 MANIFEST_BLOB_UNKNOWN', async () => {
    const layers = good.layers as object[];
    const missingLayer = { ...good, layers: [...layers, { mediaType: MT.ociLayer, digest: zero, size: 1 }] };
    const missingConfig = { ...good, config: { mediaType: MT.ociConfig, digest: zero, size: 2 } };
    for (const m of [missingLayer, missingConfig]) {
      const res = await put('v/app', 'missing', JSON.stringify(m), MT.ociManifest);
      expectError(res, 'MANIFEST_BLOB_UNKNOWN', 400);
    }
    // A blob that exists in another repository only is missing here too.
    const elsewhere = await putBlob(reg.port, 'v/other', 'only elsewhere');
    const res = await put('v/app', 'missing', JSON.stringify({ ...good, layers: [{ mediaType: MT.ociLayer, digest: elsewhere, size: 14 }] }), MT.ociManifest);
    expectError(res, 'MANIFEST_BLOB_UNKNOWN', 400);
    await runCase(reg.port, { desc: 'tag not created', method: 'GET', url: '/v2/v/app/manifests/missing', status: 404, code: 'MANIFEST_UNKNOWN' });
  });

  it('an index with a missing child -> MANIFEST_UNKNOWN', async () => {
    const index = { schemaVersion: 2, mediaType: MT.ociIndex, manifests: [{ mediaType: MT.ociManifest, digest: zero, size: 10 }] };
    const res = await put('v/app', 'idx', JSON.stringify(index), MT.ociIndex);
    expectError(res, 'MANIFEST_UNKNOWN');
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  const invalid: Array<[string, string, string | undefined]> = [
    ['not JSON', '{"schemaVersion":2,', MT.ociManifest],
    ['a JSON array', '[]', MT.ociManifest],
    ['a JSON string', '"manifest"', MT.ociManifest],
    ['null', 'null', MT.ociManifest],
    ['empty body', '', MT.ociManifest],
    ['schemaVersion 1', JSON.stringify({ schemaVersion: 1, mediaType: MT.ociManifest, config: {}, layers: [] }), MT.ociManifest],
    ['schemaVersion missing', JSON.stringify({ mediaType: MT.ociManifest, layers: [] }), MT.ociManifest],
    ['layers not an array', JSON.stringify({ schemaVersion: 2, mediaType: MT.ociManifest, config: { mediaType: MT.ociConfig, digest: zero, size: 1 }, layers: {} }), MT.ociManifest],
    ['config missing', JSON.stringify({ schemaVersion: 2, mediaType: MT.ociManifest, layers: [] }), MT.ociManifest],
    ['descriptor with a bad digest', JSON.stringify({ schemaVersion: 2, mediaType: MT.ociManifest, config: { mediaType: MT.ociConfig, digest: 'sha256:xyz', size: 1 }, layers: [] }), MT.ociManifest],
    ['descriptor with a negative size', JSON.stringify({ schemaVersion: 2, mediaType: MT.ociManifest, config: { mediaType: MT.ociConfig, digest: zero, size: -1 }, layers: [] }), MT.ociManifest],
    ['descriptor with a string size', JSON.stringify({ schemaVersion: 2, mediaType: MT.ociManifest, config: { mediaType: MT.ociConfig, digest: zero, size: '1' }, layers: [] }), MT.ociManifest],
    ['index manifests not an array', JSON.stringify({ schemaVersion: 2, mediaType: MT.ociIndex, manifests: 'x' }), MT.ociIndex],
    ['annotations that are not strings', JSON.stringify({ schemaVersion: 2, mediaType: MT.ociIndex, manifests: [], annotations: { n: 1 } }), MT.ociIndex],
    ['annotations as an array', JSON.stringify({ schemaVersion: 2, mediaType: MT.ociIndex, manifests: [], annotations: ['x'] }), MT.ociIndex],
    ['unknown media type', JSON.stringify({ schemaVersion: 2, mediaType: 'application/x-unknown', layers: [] }), 'application/x-unknown'],
    ['schema1 manifest', JSON.stringify({ schemaVersion: 1, mediaType: 'application/vnd.docker.distribution.manifest.v1+json', name: 'v/app', tag: 'x', fsLayers: [], history: [] }), 'application/vnd.docker.distribution.manifest.v1+json'],
    ['signed schema1 manifest', JSON.stringify({ schemaVersion: 1, name: 'v/app', tag: 'x', fsLayers: [], history: [], signatures: [] }), 'application/vnd.docker.distribution.manifest.v1+prettyjws'],
  ];
  for (const [desc, body, ct] of invalid) {
    it(`${desc} -> 400 MANIFEST_INVALID`, async () => {
      const res = await put('v/app', 'bad', body, ct);
      expectError(res, 'MANIFEST_INVALID', 400);
      expect(res.header('docker-distribution-api-version')).toBe('registry/2.0');
    });
  }

  it('mediaType and Content-Type disagree -> MANIFEST_INVALID', async () => {
    expectError(await put('v/app', 'mismatch', goodBody, MT.ociIndex), 'MANIFEST_INVALID', 400);
    expectError(await put('v/app', 'mismatch', goodBody, MT.dockerManifest), 'MANIFEST_INVALID', 400);
    await runCase(reg.port, { desc: 'no tag', method: 'HEAD', url: '/v2/v/app/manifests/mismatch', status: 404 });
  });

  it('at most 1000 descriptors: over them -> 400 MANIFEST_INVALID naming the limit; a layer listed many times is fine', async () => {
    const layer = (good.layers as object[])[0]!;
    const atLimit = { ...good, layers: Array.from({ length: 999 }, () => layer) };
    const ok = await put('v/app', 'at-limit', JSON.stringify(atLimit), MT.ociManifest);
    expect(ok.status, ok.text).toBe(201);
    const over = { ...good, layers: Array.from({ length: 1000 }, () => layer) };
    const res = await put('v/app', 'over-limit', JSON.stringify(over), MT.ociManifest);
    expectError(res, 'MANIFEST_INVALID', 400);
    expect(res.json().errors[0].message).toBe('manifest lists 1001 descriptors; at most 1000 are accepted');
    expect(res.json().errors[0].detail).toEqual({ limit: 1000, descriptors: 1001 });
    const child = { mediaType: MT.ociManifest, digest: digest(JSON.stringify(atLimit)), size: 1 };
    const index = { schemaVersion: 2, mediaType: MT.ociIndex, manifests: Array.from({ length: 1001 }, () => child) };
    expectError(await put('v/app', 'wide-index', JSON.stringify(index), MT.ociIndex), 'MANIFEST_INVALID', 400);
    await runCase(reg.port, { desc: 'not stored', method: 'HEAD', url: '/v2/v/app/manifests/over-limit', status: 404 });
  });

  it('a manifest over 4 MiB -> 413', async () => {
    const big = JSON.stringify({ ...good, annotations: { pad: 'x'.repeat(4 * 1024 * 1024) } });
    const res = await put('v/app', 'big', big, MT.ociManifest);
    expect(res.status).toBe(413);
    expect(res.header('docker-distribution-api-version')).toBe('registry/2.0');
    expect(res.json().errors[0].code).toBe('MANIFEST_INVALID');
    await runCase(reg.port, { desc: 'no tag', method: 'HEAD', url: '/v2/v/app/manifests/big', status: 404 });
  });

  it('a manifest just under 4 MiB is accepted', async () => {
    const base = JSON.stringify({ ...good, annotations: { pad: '' } });
    const body = JSON.stringify({ ...good, annotations: { pad: 'x'.repeat(4 * 1024 * 1024 - Buffer.byteLength(base)) } });
    expect(Buffer.byteLength(body)).toBe(4 * 1024 * 1024);
    const res = await put('v/app', 'edge', body, MT.ociManifest);
    expect(res.status, res.text.slice(0, 200)).toBe(201);
  });

  // Neither a tag nor a digest: a lookup (GET, HEAD, DELETE) finds nothing, 404 MANIFEST_UNKNOWN, as
  // registry:2 answers (its routes do not match such a reference); only a PUT is told it is invalid.
  const badRefs: Array<[ref: string, putCode: string]> = [
    ['-lead', 'TAG_INVALID'],
    ['.dot', 'TAG_INVALID'],
    ['a'.repeat(129), 'TAG_INVALID'],
    ['with%20space', 'TAG_INVALID'],
    ['caf%C3%A9', 'TAG_INVALID'],
    ['a+b', 'TAG_INVALID'],
    ['sha256:zz', 'DIGEST_INVALID'],
    [`sha256:${'A'.repeat(64)}`, 'DIGEST_INVALID'],
    ['md5:abc', 'DIGEST_INVALID'],
  ];
  for (const [ref, putCode] of badRefs) {
    it(`reference ${ref.slice(0, 20)}: GET, HEAD, DELETE -> 404 MANIFEST_UNKNOWN; PUT -> 400 ${putCode}`, async () => {
      const url = `/v2/v/app/manifests/${ref}`;
      const cases: Case[] = [
        { desc: 'GET', method: 'GET', url, status: 404, code: 'MANIFEST_UNKNOWN' },
        { desc: 'HEAD', method: 'HEAD', url, status: 404 },
        { desc: 'DELETE', method: 'DELETE', url, status: 404, code: 'MANIFEST_UNKNOWN' },
        { desc: 'PUT', method: 'PUT', url, body: goodBody, headers: { 'Content-Type': MT.ociManifest }, status: 400, code: putCode },
      ];
      for (const c of cases) await runCase(reg.port, c);
    });
  }

  it('a 128-character tag is valid', async () => {
    const res = await put('v/app', 'a'.repeat(128), goodBody, MT.ociManifest);
    expect(res.status, res.text).toBe(201);
  });

  it('unknown manifests -> 404 MANIFEST_UNKNOWN, not NAME_UNKNOWN confusion', async () => {
    const cases: Case[] = [
      { desc: 'unknown tag', method: 'GET', url: '/v2/v/app/manifests/nope', status: 404, code: 'MANIFEST_UNKNOWN' },
      { desc: 'unknown digest', method: 'GET', url: `/v2/v/app/manifests/${zero}`, status: 404, code: 'MANIFEST_UNKNOWN' },
      { desc: 'unknown repo', method: 'GET', url: '/v2/v/never/manifests/latest', status: 404 },
      { desc: 'malformed digest', method: 'GET', url: '/v2/v/app/manifests/sha256:zz', status: 404, code: 'MANIFEST_UNKNOWN' },
    ];
    for (const c of cases) await runCase(reg.port, c);
  });
});

describe('referrers', () => {
  let subject: string;
  const repo = 'r/app';
  let sbom: string;
  let sig: string;
  let sbomBody: string;

  beforeAll(async () => {
    subject = await putManifest(reg.port, repo, 'v1', await imageParts(reg.port, repo));
    const emptyDigest = await putBlob(reg.port, repo, '{}');
    const emptyDesc = { mediaType: MT.empty, digest: emptyDigest, size: 2 };
    const subjectBody = (await raw(reg.port, 'GET', `/v2/${repo}/manifests/${subject}`)).body;
    const subjectDesc = { mediaType: MT.ociManifest, digest: subject, size: subjectBody.length };
    // An artifact with artifactType.
    const sbomManifest = {
      schemaVersion: 2,
      mediaType: MT.ociManifest,
      artifactType: 'application/spdx+json',
      config: emptyDesc,
      layers: [emptyDesc],
      subject: subjectDesc,
      annotations: { 'org.example.kind': 'sbom' },
    };
    sbomBody = JSON.stringify(sbomManifest);
    const res = await put(repo, digest(sbomBody), sbomBody, MT.ociManifest);
    expect(res.status, res.text).toBe(201);
    expect(res.header('oci-subject')).toBe(subject);
    sbom = res.header('docker-content-digest')!;
    // An artifact whose type comes from its config media type.
    const sigConfig = await putBlob(reg.port, repo, '{"sig":true}');
    const sigManifest = {
      schemaVersion: 2,
      mediaType: MT.ociManifest,
      config: { mediaType: 'application/vnd.example.signature.config+json', digest: sigConfig, size: 12 },
      layers: [emptyDesc],
      subject: subjectDesc,
    };
    const res2 = await put(repo, 'sig', JSON.stringify(sigManifest), MT.ociManifest);
    expect(res2.status, res2.text).toBe(201);
    expect(res2.header('oci-subject')).toBe(subject);
    sig = res2.header('docker-content-digest')!;
  });

  it('lists every manifest whose subject is the digest', async () => {
    const res = await runCase(reg.port, {
      desc: 'referrers',
      method: 'GET',
      url: `/v2/${repo}/referrers/${subject}`,
      status: 200,
      expectHeaders: { 'content-type': /^application\/vnd\.oci\.image\.index\.v1\+json/, 'oci-filters-applied': null },
    });
    const index = res.json();
    expect(index.schemaVersion).toBe(2);
    expect(index.mediaType).toBe(MT.ociIndex);
    const byDigest = Object.fromEntries(index.manifests.map((m: { digest: string }) => [m.digest, m]));
    expect(Object.keys(byDigest).sort()).toEqual([sbom, sig].sort());
    expect(byDigest[sbom]).toEqual({
      mediaType: MT.ociManifest,
      digest: sbom,
      size: Buffer.byteLength(sbomBody),
      artifactType: 'application/spdx+json',
      annotations: { 'org.example.kind': 'sbom' },
    });
    expect(byDigest[sig].artifactType).toBe('application/vnd.example.signature.config+json');
    expect(byDigest[sig].annotations).toBeUndefined();
  });

  it('filters by artifactType and says so', async () => {
    const res = await runCase(reg.port, {
      desc: 'filtered',
      method: 'GET',
      url: `/v2/${repo}/referrers/${subject}?artifactType=${encodeURIComponent('application/spdx+json')}`,
      status: 200,
      expectHeaders: { 'oci-filters-applied': 'artifactType' },
    });
    expect(res.json().manifests.map((m: { digest: string }) => m.digest)).toEqual([sbom]);
    const none = await raw(reg.port, 'GET', `/v2/${repo}/referrers/${subject}?artifactType=application/none`);
    expect(none.json().manifests).toEqual([]);
  });

  it('an unknown subject gives an empty index (200), a malformed digest 400', async () => {
    const cases: Case[] = [
      { desc: 'unknown subject', method: 'GET', url: `/v2/${repo}/referrers/${zero}`, status: 200, expect: (r) => expect(r.json()).toMatchObject({ schemaVersion: 2, mediaType: MT.ociIndex, manifests: [] }) },
      { desc: 'unknown repo', method: 'GET', url: `/v2/r/none/referrers/${zero}`, status: 200, expect: (r) => expect(r.json().manifests).toEqual([]) },
      { desc: 'malformed digest', method: 'GET', url: `/v2/${repo}/referrers/sha256:abc`, status: 400, code: 'DIGEST_INVALID' },
      { desc: 'a tag is not a digest', method: 'GET', url: `/v2/${repo}/referrers/v1`, status: 400, code: 'DIGEST_INVALID' },
    ];
    for (const c of cases) await runCase(reg.port, c);
  });

  it('a referrer may be pushed before its subject exists', async () => {
    const emptyDigest = digest('{}');
    const missing = digest('subject pushed later');
    const m = {
      schemaVersion: 2,
      mediaType: MT.ociManifest,
      artifactType: 'application/vnd.example.early',
      config: { mediaType: MT.empty, digest: emptyDigest, size: 2 },
      layers: [{ mediaType: MT.empty, digest: emptyDigest, size: 2 }],
      subject: { mediaType: MT.ociManifest, digest: missing, size: 20 },
    };
    const res = await put(repo, 'early', JSON.stringify(m), MT.ociManifest);
    expect(res.status, res.text).toBe(201);
    expect(res.header('oci-subject')).toBe(missing);
    const list = await raw(reg.port, 'GET', `/v2/${repo}/referrers/${missing}`);
    expect(list.json().manifests.map((x: { artifactType: string }) => x.artifactType)).toEqual(['application/vnd.example.early']);
  });

  it('deleting a referrer removes it from the list; a manifest without subject has no OCI-Subject', async () => {
    await runCase(reg.port, { desc: 'delete sig', method: 'DELETE', url: `/v2/${repo}/manifests/${sig}`, status: 202 });
    const res = await raw(reg.port, 'GET', `/v2/${repo}/referrers/${subject}`);
    expect(res.json().manifests.map((m: { digest: string }) => m.digest)).toEqual([sbom]);
    const plain = await put(repo, 'plain', JSON.stringify(await imageParts(reg.port, repo)), MT.ociManifest);
    expect(plain.status).toBe(201);
    expect(plain.header('oci-subject')).toBeUndefined();
  });
});
