/**
 * Berth writes a data directory, registry:2 (Debian's `docker-registry`) opens it: same catalog,
 * tags, manifests and blobs; then registry:2 writes to it and Berth, restarted, sees the changes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, tempDir, type RunningBerth } from '../helpers/berth-server';
import { pushBlob, pushRandomImage, sha256 } from '../helpers/push';
import { registry2GarbageCollect, startRegistry2, type RunningRegistry2 } from '../helpers/registry2';
import { blobExists, readRepositoriesOnDisk, verifyBlobs } from '../helpers/verify';
import { pushDockerList } from './docker-list';
import { writeOciLayout } from './oci-fixture';
import { fetchTags, snapshotRegistry, type RegistryView } from './snapshot';
import { skopeoCopy } from './skopeo';

const AMD64 = { os: 'linux', architecture: 'amd64' };
const ARM64 = { os: 'linux', architecture: 'arm64', variant: 'v8' };

describe('Berth → registry:2 on the same data directory', () => {
  const tmp = tempDir('berth-interop-b2r-');
  const data = join(tmp.dir, 'data');
  const layout = join(tmp.dir, 'oci');
  let berth: RunningBerth | undefined;
  let reg2: RunningRegistry2 | undefined;
  let fromBerth: RegistryView;
  let fromRegistry2: RegistryView;
  let orphan = '';

  beforeAll(() => {
    writeOciLayout(layout, [
      { tag: 'single', platforms: [AMD64], layerBytes: [400_000, 3_000] },
      { tag: 'multi', platforms: [AMD64, ARM64], layerBytes: [150_000] },
    ]);
  });

  afterAll(async () => {
    await berth?.stop();
    await reg2?.stop();
    tmp.cleanup();
  });

  it('Berth takes OCI, multi-arch and Docker schema2 pushes', async () => {
    berth = await startBerth(data);
    const b = berth.host;
    await skopeoCopy(`oci:${layout}:single`, `docker://${b}/interop/app:v1`, tmp.dir);
    await skopeoCopy(`oci:${layout}:single`, `docker://${b}/interop/app:latest`, tmp.dir);
    await skopeoCopy(`oci:${layout}:multi`, `docker://${b}/interop/multi:v1`, tmp.dir, ['--all']);
    await skopeoCopy(`oci:${layout}:single`, `docker://${b}/interop/docker:v2s2`, tmp.dir, ['--format', 'v2s2']);
    await pushRandomImage(berth.url, 'interop/nested/deep', 'one', [5_000, 70_000]);
    await pushRandomImage(berth.url, 'interop/nested/deep', 'two', [1_000], ARM64);
    await pushDockerList(berth.url, 'interop/docker', 'list', [AMD64, ARM64]);
    orphan = await pushBlob(berth.url, 'interop/app', Buffer.from('a blob no manifest references'));

    fromBerth = await snapshotRegistry(berth.url);
    expect(fromBerth.catalog).toEqual(['interop/app', 'interop/docker', 'interop/multi', 'interop/nested/deep']);
    const multi = fromBerth.repos['interop/multi']!;
    expect(multi.manifests[multi.tagDigests.v1!]!.contentType).toBe('application/vnd.oci.image.index.v1+json');
    expect(Object.keys(multi.manifests)).toHaveLength(3);
    const docker = fromBerth.repos['interop/docker']!;
    expect(docker.manifests[docker.tagDigests.v2s2!]!.contentType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    expect(docker.manifests[docker.tagDigests.list!]!.contentType).toBe('application/vnd.docker.distribution.manifest.list.v2+json');
    expect(fromBerth.repos['interop/app']!.tagDigests).toEqual({
      latest: fromBerth.repos['interop/app']!.tagDigests.v1,
      v1: fromBerth.repos['interop/app']!.tagDigests.latest,
    });
    expect(await berth.stop()).toBe(0);
    berth = undefined;
  });

  it('registry:2 on the same directory serves the same catalog, tags, manifests and blobs', async () => {
    const blobs = await verifyBlobs(data);
    expect(blobs.bad).toEqual([]);
    expect(blobs.strays).toEqual([]);
    reg2 = await startRegistry2(data, tmp.dir);
    fromRegistry2 = await snapshotRegistry(reg2.url);
    expect(fromRegistry2).toEqual(fromBerth);
  });

  it('skopeo pulls the multi-arch index and the schema2 image from registry:2 with the same digests', async () => {
    const out = join(tmp.dir, 'pulled-multi');
    await skopeoCopy(`docker://${reg2!.host}/interop/multi:v1`, `dir:${out}`, tmp.dir, ['--all', '--preserve-digests']);
    const multi = fromBerth.repos['interop/multi']!;
    expect(sha256(readFileSync(join(out, 'manifest.json')))).toBe(multi.tagDigests.v1);
    for (const f of readdirSync(out)) {
      if (f === 'manifest.json' || f === 'version') continue;
      const hex = f.replace(/\.manifest\.json$/, '');
      // Instance manifests are `<hex>.manifest.json`, blobs are `<hex>`: each must hash to its name.
      expect(sha256(readFileSync(join(out, f)))).toBe(`sha256:${hex}`);
      expect(multi.manifests[`sha256:${hex}`] ?? multi.blobs[`sha256:${hex}`]).toBeDefined();
    }
    const out2 = join(tmp.dir, 'pulled-docker');
    await skopeoCopy(`docker://${reg2!.host}/interop/docker:v2s2`, `dir:${out2}`, tmp.dir, ['--preserve-digests']);
    expect(sha256(readFileSync(join(out2, 'manifest.json')))).toBe(fromBerth.repos['interop/docker']!.tagDigests.v2s2);
  });

  it('registry:2 pushes a tag, moves one and deletes a manifest by digest in the same directory', async () => {
    const url = reg2!.url;
    await pushRandomImage(url, 'interop/app', 'v2', [2_000]);
    const moved = await pushRandomImage(url, 'interop/app', 'latest', [2_500]);
    expect(moved.digest).not.toBe(fromBerth.repos['interop/app']!.tagDigests.latest);
    await skopeoCopy(`docker://${reg2!.host}/interop/multi:v1`, `docker://${reg2!.host}/interop/multi:copy`, tmp.dir, ['--all']);
    const one = fromBerth.repos['interop/nested/deep']!.tagDigests.one!;
    const del = await fetch(`${url}/v2/interop/nested/deep/manifests/${one}`, { method: 'DELETE' });
    expect(del.status).toBe(202);
    expect(await fetchTags(url, 'interop/nested/deep')).toEqual(['two']);
    fromRegistry2 = await snapshotRegistry(url);
    await reg2!.stop();
    reg2 = undefined;
  });

  it('registry:2’s garbage collector understands Berth’s links: it sweeps only unreferenced blobs', async () => {
    const deleted = fromBerth.repos['interop/nested/deep']!;
    const unique = Object.keys(deleted.blobs).filter((d) => !Object.keys(fromRegistry2.repos['interop/nested/deep']!.blobs).includes(d));
    expect(unique.length).toBeGreaterThan(0);
    expect(blobExists(data, orphan)).toBe(true);
    await registry2GarbageCollect(data, tmp.dir);
    expect(blobExists(data, orphan)).toBe(false);
    for (const d of unique) expect(blobExists(data, d)).toBe(false);
    // Everything still referenced survives: the next test reads all of it through Berth.
    for (const repo of Object.values(fromRegistry2.repos)) {
      for (const d of [...Object.keys(repo.blobs), ...Object.keys(repo.manifests)]) expect(blobExists(data, d)).toBe(true);
    }
  });

  it('Berth restarted on the directory sees registry:2’s new tags and the deleted manifest', async () => {
    berth = await startBerth(data);
    const view = await snapshotRegistry(berth.url);
    expect(view).toEqual(fromRegistry2);
    expect(view.repos['interop/app']!.tags).toEqual(['latest', 'v1', 'v2']);
    // The tag registry:2 moved while Berth was stopped resolves to its new manifest.
    expect(view.repos['interop/app']!.tagDigests.latest).toBe(fromRegistry2.repos['interop/app']!.tagDigests.latest);
    expect(view.repos['interop/app']!.tagDigests.latest).not.toBe(fromBerth.repos['interop/app']!.tagDigests.latest);
    expect(view.repos['interop/multi']!.tagDigests.copy).toBe(fromBerth.repos['interop/multi']!.tagDigests.v1);
    const one = fromBerth.repos['interop/nested/deep']!.tagDigests.one!;
    const gone = await fetch(`${berth.url}/v2/interop/nested/deep/manifests/${one}`, { method: 'HEAD' });
    expect(gone.status).toBe(404);
    // The index (what the API lists) agrees with the link files registry:2 left on disk.
    for (const [name, repo] of readRepositoriesOnDisk(data)) {
      expect(view.repos[name]!.tagDigests).toEqual(Object.fromEntries(repo.tags));
    }
  });
});
