/**
 * The storage lifecycle on S3 as a user meets it, against a real Ceph RGW: `berth repo rm` and the
 * HTTP manifest deletes, `berth usage`, and the pull-through cache, each side by side with a Berth on
 * the filesystem holding the same content, and each seen from a second Berth on the same bucket.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RepositoryUsageDetail, UsageReport } from '../../src-server/contract';
import { runBerth, startBerth, type RunningBerth } from '../helpers/berth-server';
import { containersSandbox, writeOciLayout, type ContainersSandbox, type Descriptor, type WrittenImage } from '../helpers/images';
import { pull } from '../proxy/harness';
import { blobKey, bucketLister, catalogOf, rgwFixture, seen, V2, writeS3Config } from './s3-berth';

const BUCKET = 'berth-lifecycle';

/** An OCI layout written for the tests: where it is, its top descriptor and its images. */
interface Layout {
  dir: string;
  top: Descriptor;
  images: WrittenImage[];
}

/** Every blob digest of a single-platform layout: manifest, config, layers. */
const digestsOf = (l: Layout) => [l.top.digest, l.images[0]!.config.digest, ...l.images[0]!.layers.map((x) => x.digest)];

describe('the storage lifecycle on S3 (Ceph RGW): repository delete, usage, pull-through', () => {
  const fixture = rgwFixture('berth-s3-lifecycle-', BUCKET);
  let bucket: ReturnType<typeof bucketLister>;
  let sandbox: ContainersSandbox;
  const servers: RunningBerth[] = [];
  let n = 0;
  let one: Layout;
  let two: Layout;
  let three: Layout;
  let multi: Layout;

  const serve = async (extra: string[] = []) => {
    const b = await startBerth(join(fixture.dir, `data-${++n}`), extra);
    servers.push(b);
    return b;
  };
  /** A Berth on the bucket under `root`, with extra YAML (e.g. a proxy section). */
  const serveS3 = (root: string, extraYaml = '') =>
    serve(['--config', writeS3Config(join(fixture.dir, `s3-${++n}.yml`), fixture.rgw, BUCKET, root, extraYaml), '--auth', 'none']);
  const layout = (name: string, layers: Array<{ path: string; data: Buffer }[]>, platforms?: Array<{ os: string; architecture: string }>): Layout => {
    const dir = join(fixture.dir, 'layouts', name);
    return { dir, ...writeOciLayout(dir, { tag: 'v1', layers, platforms }) };
  };
  const push = (l: Layout, host: string, ref: string) =>
    sandbox.skopeo(['copy', '--quiet', '--all', '--dest-tls-verify=false', `oci:${l.dir}:v1`, `docker://${host}/${ref}`]);
  /** skopeo copies an image out of a registry into an OCI layout (digests checked); resolves the top digest. */
  const pullDigest = async (host: string, ref: string) => {
    const out = join(fixture.dir, 'pulled', `${++n}`);
    await sandbox.skopeo(['copy', '--quiet', '--all', '--src-tls-verify=false', `docker://${host}/${ref}`, `oci:${out}:x`]);
    return (JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')) as { manifests: Descriptor[] }).manifests[0]!.digest;
  };

  beforeAll(async () => {
    bucket = bucketLister(fixture.rgw, BUCKET);
    sandbox = containersSandbox(join(fixture.dir, 'sandbox'));
    // skopeo makes the last folder of a destination, not its parents.
    for (const d of ['pulled', 'proxy-pulls']) mkdirSync(join(fixture.dir, d));
    // `one` and `two` share their base layer; `three` shares nothing.
    const base = [{ path: 'base/lib.bin', data: randomBytes(300_000) }];
    one = layout('one', [base, [{ path: 'app/one', data: randomBytes(200_000) }]]);
    two = layout('two', [base, [{ path: 'app/two', data: randomBytes(100_000) }]]);
    three = layout('three', [[{ path: 'app/three', data: randomBytes(50_000) }]]);
    multi = layout('multi', [base, [{ path: 'app/multi', data: randomBytes(70_000) }]], [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64' },
    ]);
  }, 180_000);

  afterAll(async () => {
    for (const s of servers) await s.kill();
    bucket?.destroy();
    sandbox?.cleanup();
  });

  it('berth repo rm removes the keys of the repository only; the other, sharing layers, still pulls whole; a second instance follows', async () => {
    const ROOT = 'rm';
    const repoKeys = (name: string) => bucket.keys(`${ROOT}/${V2}/repositories/${name}/`);
    const a = await serveS3(ROOT);
    const fs = await serve();
    for (const s of [a, fs]) {
      await push(one, s.host, 'app/one:v1');
      await push(two, s.host, 'app/two:v1');
      await push(three, s.host, 'app/three:v1');
    }
    // B starts after the pushes: its index is built from the bucket.
    const b = await serveS3(ROOT);
    expect(await catalogOf(b.url)).toEqual(['app/one', 'app/three', 'app/two']);
    expect(await seen(b.url, `/v2/app/one/manifests/${one.top.digest}`)).toEqual({ status: 200, digest: one.top.digest });
    expect((await repoKeys('app/one')).length).toBeGreaterThan(0);

    const rmA = await runBerth(['repo', 'rm', 'app/one', '--yes', '--data', a.dataDir]);
    const rmFs = await runBerth(['repo', 'rm', 'app/one', '--yes', '--data', fs.dataDir]);
    expect(rmA).toMatchObject({ code: 0, stderr: '' });
    expect(rmA.stdout).toMatch(/^deleted repository app\/one: 1 tag, 1 manifest\.\nIt went to the trash: restore it with `berth trash restore app\/one:TAG`/);
    // The same words on disk, but for the moment the trash lets go.
    const untilTime = (r: { stdout: string }) => ({ ...r, stdout: r.stdout.replace(/until \S+Z;/, 'until T;') });
    expect(untilTime(rmA)).toEqual(untilTime(rmFs));

    expect(await repoKeys('app/one')).toEqual([]);
    expect((await repoKeys('app/two')).length).toBeGreaterThan(0);
    // The trash in the bucket holds the repository's image; the blobs stay until it lets go and gc runs.
    expect(await bucket.keys(`${ROOT}/berth/trash/`)).toHaveLength(1);
    const blobs = new Set(await bucket.keys(`${ROOT}/${V2}/blobs/`));
    for (const d of digestsOf(one)) expect(blobs).toContain(blobKey(ROOT, d));

    // The running server answers as on disk: gone from the catalog, its manifests and tags unknown.
    const probes = [`/v2/app/one/manifests/v1`, `/v2/app/one/manifests/${one.top.digest}`, '/v2/app/one/tags/list', `/v2/app/one/blobs/${one.images[0]!.config.digest}`];
    const onDisk = await Promise.all(probes.map((p) => seen(fs.url, p)));
    expect(onDisk.map((s) => s.status)).toEqual([404, 404, 404, 404]);
    expect(await Promise.all(probes.map((p) => seen(a.url, p)))).toEqual(onDisk);
    expect(await catalogOf(a.url)).toEqual(await catalogOf(fs.url));
    expect(await catalogOf(a.url)).toEqual(['app/three', 'app/two']);

    // B: the manifest by tag is gone at once (tags are read from the bucket)...
    expect(await seen(b.url, '/v2/app/one/manifests/v1')).toEqual(onDisk[0]);
    // ...which re-read the repository, so by digest and in the catalog too.
    expect(await seen(b.url, `/v2/app/one/manifests/${one.top.digest}`)).toEqual(onDisk[1]);
    expect(await catalogOf(b.url)).toEqual(['app/three', 'app/two']);

    // The repository sharing the base layer pulls whole from both instances.
    expect(await pullDigest(a.host, 'app/two:v1')).toBe(two.top.digest);
    expect(await pullDigest(b.host, 'app/two:v1')).toBe(two.top.digest);

    // A repository nobody asks B about leaves B's catalog with its periodic re-read of the bucket (30 s).
    expect((await runBerth(['repo', 'rm', 'app/three', '--yes', '--data', a.dataDir])).code).toBe(0);
    expect(await repoKeys('app/three')).toEqual([]);
    expect(await catalogOf(b.url)).toContain('app/three');
    await expect.poll(() => catalogOf(b.url), { timeout: 45_000, interval: 1000 }).toEqual(['app/two']);
    expect(await seen(b.url, '/v2/app/three/manifests/v1')).toEqual(onDisk[0]);
  }, 240_000);

  it('HTTP DELETE of a tag, then of the manifest by digest: keys gone, answers as on disk, at once on a second instance', async () => {
    const ROOT = 'del';
    const manifests = `${ROOT}/${V2}/repositories/app/del/_manifests`;
    const hex = one.top.digest.slice('sha256:'.length);
    const a = await serveS3(ROOT);
    const b = await serveS3(ROOT);
    const fs = await serve();
    for (const s of [a, fs]) {
      await push(one, s.host, 'app/del:a');
      await push(one, s.host, 'app/del:b');
    }
    expect(await seen(b.url, '/v2/app/del/manifests/b')).toEqual({ status: 200, digest: one.top.digest });
    const both = async (method: string, path: string) => {
      const [onA, onFs] = [await seen(a.url, path, method), await seen(fs.url, path, method)];
      expect(onA).toEqual(onFs);
      return onA;
    };

    expect(await both('DELETE', '/v2/app/del/manifests/a')).toEqual({ status: 202 });
    expect(await bucket.keys(`${manifests}/tags/a/`)).toEqual([]);
    expect(await bucket.keys(`${manifests}/tags/b/current/`)).toEqual([`${manifests}/tags/b/current/link`]);
    expect(await both('GET', '/v2/app/del/manifests/a')).toMatchObject({ status: 404, code: 'MANIFEST_UNKNOWN' });
    expect(await both('GET', '/v2/app/del/manifests/b')).toEqual({ status: 200, digest: one.top.digest });
    expect(await seen(b.url, '/v2/app/del/manifests/a')).toMatchObject({ status: 404, code: 'MANIFEST_UNKNOWN' });
    expect(await seen(b.url, '/v2/app/del/manifests/b')).toEqual({ status: 200, digest: one.top.digest });

    expect(await both('DELETE', `/v2/app/del/manifests/${one.top.digest}`)).toEqual({ status: 202 });
    expect(await bucket.keys(`${manifests}/revisions/sha256/${hex}/`)).toEqual([]);
    expect(await bucket.keys(`${manifests}/tags/`)).toEqual([]);
    expect(await both('GET', `/v2/app/del/manifests/${one.top.digest}`)).toMatchObject({ status: 404, code: 'MANIFEST_UNKNOWN' });
    expect(await both('GET', '/v2/app/del/manifests/b')).toMatchObject({ status: 404, code: 'MANIFEST_UNKNOWN' });
    expect(await both('DELETE', `/v2/app/del/manifests/${one.top.digest}`)).toMatchObject({ status: 404, code: 'MANIFEST_UNKNOWN' });
    // B: the digest at once (its revision link is read from the bucket, like a tag's), and the tag.
    expect(await seen(b.url, `/v2/app/del/manifests/${one.top.digest}`)).toMatchObject({ status: 404, code: 'MANIFEST_UNKNOWN' });
    expect(await seen(b.url, '/v2/app/del/manifests/b')).toMatchObject({ status: 404, code: 'MANIFEST_UNKNOWN' });
    // The layers stay for gc and a push brings the manifest back, pulled whole.
    expect(await bucket.keys(blobKey(ROOT, one.images[0]!.layers[1]!.digest))).toHaveLength(1);
    await push(one, a.host, 'app/del:again');
    expect(await pullDigest(b.host, 'app/del:again')).toBe(one.top.digest);
    // B deletes a tag only A has seen: B looks in the bucket before it answers 404.
    await push(one, a.host, 'app/del:unseen');
    expect(await seen(b.url, '/v2/app/del/manifests/unseen', 'DELETE')).toEqual({ status: 202 });
    expect(await seen(a.url, '/v2/app/del/manifests/unseen')).toMatchObject({ status: 404, code: 'MANIFEST_UNKNOWN' });
  }, 240_000);

  it('berth usage on S3 reports what it reports on disk for the same content (nested names), in-process and on a second instance too', async () => {
    const ROOT = 'usage';
    const u = await serveS3(ROOT);
    const fs = await serve();
    for (const s of [u, fs]) {
      await push(one, s.host, 'org/app:v1');
      // Re-pointing v1 leaves `one` untagged in org/app.
      await push(two, s.host, 'org/app:v1');
      await push(two, s.host, 'org/app/sub:v1');
      await push(three, s.host, 'org:latest');
      await push(multi, s.host, 'org/app/sub/multi:v1');
    }
    const usage = async (args: string[]) => {
      const r = await runBerth(['usage', ...args]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      return r.stdout;
    };
    // Times of pushes differ between the two registries; everything else must not.
    const withoutTimes = (d: RepositoryUsageDetail) => ({ ...d, images: d.images.map((i) => ({ ...i, origin: { ...i.origin, at: null } })) });
    const onDisk = JSON.parse(await usage(['--json', '--data', fs.dataDir])) as UsageReport;
    expect(onDisk.repositories.map((r) => r.name).sort()).toEqual(['org', 'org/app', 'org/app/sub', 'org/app/sub/multi']);
    expect(onDisk.repositories.find((r) => r.name === 'org/app')).toMatchObject({ tags: 1, manifests: 2 });
    expect(onDisk.repositories.find((r) => r.name === 'org/app')!.shared).toBeGreaterThan(0);
    expect(onDisk.repositories.find((r) => r.name === 'org/app')!.untagged).toBeGreaterThan(0);
    expect(onDisk.totals.repositories).toBe(4);

    expect(JSON.parse(await usage(['--json', '--data', u.dataDir]))).toEqual(onDisk);
    expect(await usage(['--data', u.dataDir])).toBe(await usage(['--data', fs.dataDir]));
    const detailOnDisk = withoutTimes(JSON.parse(await usage(['org/app/sub/multi', '--json', '--data', fs.dataDir])));
    expect(detailOnDisk.images[0]!.platforms).toHaveLength(2);
    for (const name of ['org/app', 'org/app/sub/multi']) {
      const onS3 = JSON.parse(await usage([name, '--json', '--data', u.dataDir])) as RepositoryUsageDetail;
      expect(withoutTimes(onS3)).toEqual(withoutTimes(JSON.parse(await usage([name, '--json', '--data', fs.dataDir]))));
    }

    // A second instance on the bucket counts the same (origins are per instance: unknown there).
    const u2 = await serveS3(ROOT);
    expect(JSON.parse(await usage(['--json', '--data', u2.dataDir]))).toEqual(onDisk);
    // With no server running, the command opens the bucket itself from the config file.
    const config = u.proc.spawnargs[u.proc.spawnargs.indexOf('--config') + 1]!;
    await u.stop();
    expect(JSON.parse(await usage(['--json', '--config', config, '--data', u.dataDir]))).toEqual(onDisk);
  }, 240_000);

  it('the pull-through cache on S3 fills the bucket, serves it with the upstream gone, and takes local pushes that win on every instance', async () => {
    const ROOT = 'proxy';
    const repo = `${ROOT}/${V2}/repositories/library/app`;
    const pulls = join(fixture.dir, 'proxy-pulls');
    const upstream = await serve();
    await push(one, upstream.host, 'library/app:v1');
    await push(three, upstream.host, 'library/app:mine');
    const cacheYaml = `proxy:\n  remoteurl: ${upstream.url}\n`;
    const cache = await serveS3(ROOT, cacheYaml);
    const other = await serveS3(ROOT, cacheYaml);
    const blobsBefore = await bucket.keys(`${ROOT}/${V2}/blobs/`);
    for (const d of digestsOf(one)) expect(blobsBefore).not.toContain(blobKey(ROOT, d));

    expect((await pull(sandbox, cache.host, 'library/app:v1', pulls)).digest).toBe(one.top.digest);
    const blobs = await bucket.keys(`${ROOT}/${V2}/blobs/`);
    for (const d of digestsOf(one)) expect(blobs).toContain(blobKey(ROOT, d));
    expect(await bucket.keys(`${repo}/_manifests/tags/v1/current/`)).toEqual([`${repo}/_manifests/tags/v1/current/link`]);
    for (const l of one.images[0]!.layers) expect(await bucket.keys(`${repo}/_layers/${l.digest.replace(':', '/')}/`)).toHaveLength(1);
    const detail = JSON.parse((await runBerth(['usage', 'library/app', '--json', '--data', cache.dataDir])).stdout) as RepositoryUsageDetail;
    expect(detail.images.map((i) => [i.digest, i.origin.source, i.origin.upstream])).toEqual([[one.top.digest, 'cached', upstream.url]]);

    // A tag pushed to one instance wins over the upstream's on the other too (whose index has not seen it).
    await push(two, cache.host, 'library/app:mine');
    expect(await seen(other.url, '/v2/library/app/manifests/mine')).toEqual({ status: 200, digest: two.top.digest });
    expect(await pullDigest(other.host, 'library/app:mine')).toBe(two.top.digest);

    // The upstream goes away: both instances serve what is in the bucket.
    await upstream.stop();
    for (const s of [cache, other]) expect((await pull(sandbox, s.host, 'library/app:v1', pulls)).digest).toBe(one.top.digest);
    // A tag not in the cache needs the upstream: 502 naming it, as on disk.
    expect(await seen(cache.url, '/v2/library/app/manifests/missing')).toEqual({ status: 502, code: 'UNKNOWN' });

    // Local pushes are still taken (a push HEADs its blobs first), and pulled back from either instance.
    await push(multi, cache.host, 'local/app:v1');
    expect(await pullDigest(cache.host, 'local/app:v1')).toBe(multi.top.digest);
    expect(await pullDigest(other.host, 'local/app:v1')).toBe(multi.top.digest);
    expect(await bucket.keys(blobKey(ROOT, multi.images[1]!.config.digest))).toHaveLength(1);
  }, 240_000);
});
