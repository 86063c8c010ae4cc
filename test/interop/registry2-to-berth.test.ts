/**
 * registry:2 (Debian's `docker-registry`) writes a data directory, Berth opens it and serves it as
 * it is; Berth then pushes and deletes, and registry:2 opened again serves Berth's result.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, tempDir, type RunningBerth } from '../helpers/berth-server';
import { pushBlob, pushRandomImage, sha256 } from '../helpers/push';
import { startRegistry2, type RunningRegistry2 } from '../helpers/registry2';
import { readRepositoriesOnDisk, verifyBlobs } from '../helpers/verify';
import { pushDockerList } from './docker-list';
import { writeOciLayout } from './oci-fixture';
import { fetchCatalog, fetchTags, snapshotRegistry, type RegistryView } from './snapshot';
import { skopeoCopy } from './skopeo';

const AMD64 = { os: 'linux', architecture: 'amd64' };
const ARM64 = { os: 'linux', architecture: 'arm64', variant: 'v8' };

describe('registry:2 → Berth on the same data directory', () => {
  const tmp = tempDir('berth-interop-r2b-');
  const data = join(tmp.dir, 'data');
  const layout = join(tmp.dir, 'oci');
  let berth: RunningBerth | undefined;
  let reg2: RunningRegistry2 | undefined;
  let fromRegistry2: RegistryView;
  let fromBerth: RegistryView;
  let orphan = '';
  let deletedManifest = '';
  // An upload registry:2 started and never finished: its first half, its Location path.
  const unfinished = randomBytes(300_000);
  let unfinishedPath = '';

  beforeAll(() => {
    writeOciLayout(layout, [
      { tag: 'single', platforms: [AMD64], layerBytes: [300_000] },
      { tag: 'multi', platforms: [AMD64, ARM64], layerBytes: [120_000, 500] },
      { tag: 'extra', platforms: [ARM64], layerBytes: [20_000] },
    ]);
  });

  afterAll(async () => {
    await berth?.stop();
    await reg2?.stop();
    tmp.cleanup();
  });

  it('registry:2 takes OCI, multi-arch and Docker pushes', async () => {
    reg2 = await startRegistry2(data, tmp.dir);
    const r = reg2.host;
    await skopeoCopy(`oci:${layout}:single`, `docker://${r}/r2/app:v1`, tmp.dir);
    await skopeoCopy(`oci:${layout}:multi`, `docker://${r}/r2/multi:v1`, tmp.dir, ['--all']);
    await skopeoCopy(`oci:${layout}:multi`, `docker://${r}/r2/multi:stable`, tmp.dir, ['--all']);
    await skopeoCopy(`oci:${layout}:single`, `docker://${r}/r2/docker:v2s2`, tmp.dir, ['--format', 'v2s2']);
    await pushDockerList(reg2.url, 'r2/docker', 'list', [AMD64, ARM64]);
    await pushRandomImage(reg2.url, 'r2/a/b/c', 'x', [10_000, 1_000]);
    await pushRandomImage(reg2.url, 'r2/a/b/c', 'y', [2_000]);
    fromRegistry2 = await snapshotRegistry(reg2.url);
    expect(fromRegistry2.catalog).toEqual(['r2/a/b/c', 'r2/app', 'r2/docker', 'r2/multi']);

    const post = await fetch(`${reg2.url}/v2/r2/app/blobs/uploads/`, { method: 'POST' });
    expect(post.status).toBe(202);
    const half = unfinished.subarray(0, 100_000);
    const patch = await fetch(new URL(post.headers.get('location')!, reg2.url), {
      method: 'PATCH',
      body: new Uint8Array(half),
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `0-${half.length - 1}` },
    });
    expect(patch.status).toBe(202);
    const loc = new URL(patch.headers.get('location')!, reg2.url);
    unfinishedPath = loc.pathname + loc.search;
    await reg2.stop();
    reg2 = undefined;
  });

  it('Berth on the same directory serves catalog, tags, manifests by tag and digest, and blobs identically', async () => {
    berth = await startBerth(data);
    fromBerth = await snapshotRegistry(berth.url);
    expect(fromBerth).toEqual(fromRegistry2);
    const multi = fromBerth.repos['r2/multi']!;
    expect(multi.manifests[multi.tagDigests.v1!]!.contentType).toBe('application/vnd.oci.image.index.v1+json');
    expect(Object.keys(multi.manifests)).toHaveLength(3);
    // Paging in Berth works over registry:2's content (registry:2 itself ignores n on tags).
    const page = await fetch(`${berth.url}/v2/_catalog?n=2`);
    expect(((await page.json()) as { repositories: string[] }).repositories).toEqual(['r2/a/b/c', 'r2/app']);
    expect(page.headers.get('link')).toContain('last=r2%2Fapp');
  });

  it('skopeo pulls the multi-arch index from Berth with registry:2’s digests', async () => {
    const out = join(tmp.dir, 'pulled');
    await skopeoCopy(`docker://${berth!.host}/r2/multi:stable`, `dir:${out}`, tmp.dir, ['--all', '--preserve-digests']);
    expect(sha256(readFileSync(join(out, 'manifest.json')))).toBe(fromRegistry2.repos['r2/multi']!.tagDigests.stable);
    for (const child of Object.keys(fromRegistry2.repos['r2/multi']!.manifests)) {
      if (child === fromRegistry2.repos['r2/multi']!.tagDigests.stable) continue;
      const hex = child.slice('sha256:'.length);
      expect(sha256(readFileSync(join(out, `${hex}.manifest.json`)))).toBe(child);
    }
  });

  it('Berth resumes and finishes an upload registry:2 left in _uploads', async () => {
    const url = new URL(unfinishedPath, berth!.url);
    const status = await fetch(url);
    expect(status.status).toBe(204);
    expect(status.headers.get('range')).toBe('0-99999');
    const patch = await fetch(url, {
      method: 'PATCH',
      body: new Uint8Array(unfinished.subarray(100_000)),
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `100000-${unfinished.length - 1}` },
    });
    expect(patch.status).toBe(202);
    const put = new URL(patch.headers.get('location')!, berth!.url);
    put.searchParams.set('digest', sha256(unfinished));
    expect((await fetch(put, { method: 'PUT' })).status).toBe(201);
    const got = await fetch(`${berth!.url}/v2/r2/app/blobs/${sha256(unfinished)}`);
    expect(sha256(Buffer.from(await got.arrayBuffer()))).toBe(sha256(unfinished));
  });

  it('Berth pushes, tags and deletes in registry:2’s directory', async () => {
    const b = berth!;
    await skopeoCopy(`oci:${layout}:extra`, `docker://${b.host}/berth/new:v1`, tmp.dir);
    await skopeoCopy(`oci:${layout}:multi`, `docker://${b.host}/r2/multi:v2`, tmp.dir, ['--all']);
    await pushRandomImage(b.url, 'r2/app', 'v2', [3_000]);
    deletedManifest = fromRegistry2.repos['r2/a/b/c']!.tagDigests.x!;
    expect((await fetch(`${b.url}/v2/r2/a/b/c/manifests/${deletedManifest}`, { method: 'DELETE' })).status).toBe(202);
    expect((await fetch(`${b.url}/v2/r2/multi/manifests/stable`, { method: 'DELETE' })).status).toBe(202);
    orphan = await pushBlob(b.url, 'r2/app', Buffer.from('a blob nobody references'));
    expect((await fetch(`${b.url}/v2/r2/app/blobs/${orphan}`, { method: 'DELETE' })).status).toBe(202);
    fromBerth = await snapshotRegistry(b.url);
    expect(fromBerth.repos['r2/a/b/c']!.tags).toEqual(['y']);
    expect(fromBerth.repos['r2/multi']!.tags).toEqual(['v1', 'v2']);
    // What Berth serves is what its link files say.
    for (const [name, repo] of readRepositoriesOnDisk(data)) {
      expect(fromBerth.repos[name]!.tagDigests).toEqual(Object.fromEntries(repo.tags));
    }
    expect(await b.stop()).toBe(0);
    berth = undefined;
  });

  it('registry:2 opened again serves Berth’s result, and still takes pushes', async () => {
    const blobs = await verifyBlobs(data);
    expect(blobs.bad).toEqual([]);
    expect(blobs.strays).toEqual([]);
    reg2 = await startRegistry2(data, tmp.dir);
    const view = await snapshotRegistry(reg2.url);
    expect(view).toEqual(fromBerth);
    expect((await fetch(`${reg2.url}/v2/r2/a/b/c/manifests/${deletedManifest}`, { method: 'HEAD' })).status).toBe(404);
    expect((await fetch(`${reg2.url}/v2/r2/app/blobs/${orphan}`, { method: 'HEAD' })).status).toBe(404);
    const resumed = await fetch(`${reg2.url}/v2/r2/app/blobs/${sha256(unfinished)}`);
    expect(sha256(Buffer.from(await resumed.arrayBuffer()))).toBe(sha256(unfinished));
    await pushRandomImage(reg2.url, 'berth/new', 'v2', [1_000]);
    expect(await fetchTags(reg2.url, 'berth/new')).toEqual(['v1', 'v2']);
    expect(await fetchCatalog(reg2.url)).toEqual(['berth/new', 'r2/a/b/c', 'r2/app', 'r2/docker', 'r2/multi']);
  });
});
