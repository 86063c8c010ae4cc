import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, tempDir, type RunningBerth } from '../helpers/berth-server';
import { buildTestImages, digestOf, getManifest, ToolError, writeOciLayout, type TestImages } from '../helpers/images';
import { corruptBlobs, readDirImage } from './dir-image';

// skopeo against a listening `berth serve`: copies in and out in OCI and Docker schema2 form,
// multi-arch with --all, tags list and delete; every digest compared with the source's.

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';

let tmp: ReturnType<typeof tempDir>;
let berth: RunningBerth;
let images: TestImages;
let n = 0;

const skopeo = (args: string[]) => images.sandbox.skopeo(args);
/** A fresh path under the temp dir. */
const fresh = (name: string) => join(tmp.dir, `${name}-${++n}`);
/** `skopeo copy` with plain HTTP on both sides; returns the digest skopeo says it wrote. */
async function copy(src: string, dest: string, extra: string[] = []): Promise<string> {
  const digestFile = fresh('digest');
  await skopeo(['copy', '--quiet', '--src-tls-verify=false', '--dest-tls-verify=false', '--digestfile', digestFile, ...extra, src, dest]);
  return readFileSync(digestFile, 'utf8').trim();
}
const rawOf = async (ref: string) => Buffer.from((await skopeo(['inspect', '--raw', '--tls-verify=false', ref])).stdout);

beforeAll(async () => {
  tmp = tempDir('berth-skopeo-');
  images = await buildTestImages(join(tmp.dir, 'images'));
  berth = await startBerth(join(tmp.dir, 'data'), [], { REGISTRY_STORAGE_DELETE_ENABLED: 'true' });
});

afterAll(async () => {
  await berth?.stop();
  images?.sandbox.cleanup();
  tmp?.cleanup();
});

describe('skopeo', () => {
  it('copies an OCI image in and out unchanged', async () => {
    const src = images.layout.descriptor('amd64');
    const ref = `docker://${berth.host}/skopeo/oci:v1`;
    const pushed = await copy(`oci:${images.layout.dir}:amd64`, ref);
    expect(pushed).toBe(src.digest);

    const got = await getManifest(berth.url, 'skopeo/oci', 'v1');
    expect(got.status).toBe(200);
    expect(got.contentType).toBe(OCI_MANIFEST);
    expect(got.digest).toBe(src.digest);
    expect(got.body.equals(images.layout.blob(src.digest))).toBe(true);
    expect(digestOf(await rawOf(ref))).toBe(src.digest);

    const info = JSON.parse((await skopeo(['inspect', '--tls-verify=false', ref])).stdout);
    expect(info.Digest).toBe(src.digest);
    expect(info.Architecture).toBe('amd64');
    expect(info.Os).toBe('linux');
    expect(info.Labels).toMatchObject({ 'org.example.berth-test': 'yes' });
    expect(info.Env).toContain('BERTH_ARCH=amd64');

    const out = fresh('out-oci');
    expect(await copy(ref, `dir:${out}`)).toBe(src.digest);
    const back = readDirImage(out);
    expect(digestOf(back.manifest)).toBe(src.digest);
    expect(corruptBlobs(back)).toEqual([]);
    const srcBlobs = images.layout.reachable('amd64').filter((d) => d !== src.digest);
    expect([...back.blobs.keys()].sort()).toEqual([...srcBlobs].sort());
    for (const d of srcBlobs) expect(back.blobs.get(d)!.equals(images.layout.blob(d))).toBe(true);
    // The random file makes the image several MiB, so uploads and downloads are real.
    expect(Math.max(...[...back.blobs.values()].map((b) => b.length))).toBeGreaterThan(images.randomFileSize / 2);

    // Copied into an OCI layout it is the same image again.
    const layoutOut = fresh('out-layout');
    await copy(ref, `oci:${layoutOut}:x`);
    const idx = JSON.parse(readFileSync(join(layoutOut, 'index.json'), 'utf8'));
    expect(idx.manifests[0].digest).toBe(src.digest);
  });

  it('copies as Docker schema2 and serves Docker media types', async () => {
    const srcManifest = images.layout.json(images.layout.descriptor('arm64').digest);
    const ref = `docker://${berth.host}/skopeo/docker:v1`;
    const pushed = await copy(`oci:${images.layout.dir}:arm64`, ref, ['--format', 'v2s2']);

    const got = await getManifest(berth.url, 'skopeo/docker', 'v1');
    expect(got.status).toBe(200);
    expect(got.contentType).toBe(DOCKER_MANIFEST);
    expect(got.digest).toBe(pushed);
    expect(digestOf(got.body)).toBe(pushed);
    const m = JSON.parse(got.body.toString('utf8'));
    expect(m.mediaType).toBe(DOCKER_MANIFEST);
    expect(m.config.mediaType).toBe('application/vnd.docker.container.image.v1+json');
    expect(m.layers.map((l: { mediaType: string }) => l.mediaType)).toEqual(['application/vnd.docker.image.rootfs.diff.tar.gzip']);
    // Conversion changes the manifest, never the blobs.
    expect(m.config.digest).toBe(srcManifest.config.digest);
    expect(m.layers.map((l: { digest: string }) => l.digest)).toEqual(srcManifest.layers.map((l: { digest: string }) => l.digest));

    const head = await fetch(`${berth.url}/v2/skopeo/docker/manifests/v1`, { method: 'HEAD', headers: { Accept: DOCKER_MANIFEST } });
    expect(head.status).toBe(200);
    expect(head.headers.get('docker-content-digest')).toBe(pushed);
    expect(head.headers.get('content-type')).toBe(DOCKER_MANIFEST);
    expect(Number(head.headers.get('content-length'))).toBe(got.body.length);

    expect(digestOf(await rawOf(ref))).toBe(pushed);
    const out = fresh('out-docker');
    expect(await copy(ref, `dir:${out}`)).toBe(pushed);
    const back = readDirImage(out);
    expect(back.manifest.equals(got.body)).toBe(true);
    expect(corruptBlobs(back)).toEqual([]);
    for (const d of [m.config.digest, ...m.layers.map((l: { digest: string }) => l.digest)]) {
      expect(back.blobs.get(d)?.equals(images.layout.blob(d))).toBe(true);
    }
  });

  it('copies a two-platform index with --all in and out, digests kept', async () => {
    const src = images.layout.descriptor('multi');
    const srcIndex = images.layout.json(src.digest);
    const ref = `docker://${berth.host}/skopeo/multi:v1`;
    expect(await copy(`oci:${images.layout.dir}:multi`, ref, ['--all'])).toBe(src.digest);

    const got = await getManifest(berth.url, 'skopeo/multi', 'v1');
    expect(got.contentType).toBe(OCI_INDEX);
    expect(got.digest).toBe(src.digest);
    expect(got.body.equals(images.layout.blob(src.digest))).toBe(true);
    const platforms = srcIndex.manifests.map((c: { platform: { architecture: string } }) => c.platform.architecture).sort();
    expect(platforms).toEqual(['amd64', 'arm64']);
    for (const child of srcIndex.manifests) {
      const c = await getManifest(berth.url, 'skopeo/multi', child.digest);
      expect(c.status).toBe(200);
      expect(c.contentType).toBe(OCI_MANIFEST);
      expect(c.body.equals(images.layout.blob(child.digest))).toBe(true);
      // skopeo picks the child of the asked platform out of the index.
      const info = JSON.parse(
        (await skopeo(['inspect', '--tls-verify=false', '--override-arch', child.platform.architecture, '--override-os', 'linux', ref])).stdout,
      );
      // skopeo reports the index's digest, but the config of the child it resolved.
      expect(info.Digest).toBe(src.digest);
      expect(info.Architecture).toBe(child.platform.architecture);
      expect(info.Env).toContain(`BERTH_ARCH=${child.platform.architecture}`);
    }

    const out = fresh('out-multi');
    expect(await copy(ref, `dir:${out}`, ['--all'])).toBe(src.digest);
    const back = readDirImage(out);
    expect(back.manifest.equals(images.layout.blob(src.digest))).toBe(true);
    expect([...back.children.keys()].sort()).toEqual(srcIndex.manifests.map((c: { digest: string }) => c.digest).sort());
    for (const [d, b] of back.children) expect(digestOf(b)).toBe(d);
    expect(corruptBlobs(back)).toEqual([]);
    const srcBlobs = images.layout.reachable('multi').filter((d) => !back.children.has(d) && d !== src.digest);
    expect([...back.blobs.keys()].sort()).toEqual(srcBlobs.sort());
  });

  it('copies a two-platform index as a Docker manifest list', async () => {
    const ref = `docker://${berth.host}/skopeo/multi-docker:v1`;
    const pushed = await copy(`oci:${images.layout.dir}:multi`, ref, ['--all', '--format', 'v2s2']);
    const got = await getManifest(berth.url, 'skopeo/multi-docker', 'v1');
    expect(got.contentType).toBe(DOCKER_LIST);
    expect(got.digest).toBe(pushed);
    expect(digestOf(got.body)).toBe(pushed);
    const list = JSON.parse(got.body.toString('utf8'));
    expect(list.manifests).toHaveLength(2);
    for (const child of list.manifests) {
      expect(child.mediaType).toBe(DOCKER_MANIFEST);
      const c = await getManifest(berth.url, 'skopeo/multi-docker', child.digest);
      expect(c.contentType).toBe(DOCKER_MANIFEST);
      expect(digestOf(c.body)).toBe(child.digest);
      expect(c.body.length).toBe(child.size);
    }
    const out = fresh('out-multi-docker');
    expect(await copy(ref, `dir:${out}`, ['--all'])).toBe(pushed);
    expect(readDirImage(out).manifest.equals(got.body)).toBe(true);
    expect(corruptBlobs(readDirImage(out))).toEqual([]);
  });

  it('copies a hand-written three-platform index with two layers each', async () => {
    const platforms = ['amd64', 'arm64', 's390x'].map((architecture) => ({ os: 'linux', architecture }));
    const { layout, top, images: written } = writeOciLayout(fresh('hand-layout'), { tag: 'x', platforms });
    const ref = `docker://${berth.host}/skopeo/hand:v1`;
    expect(await copy(`oci:${layout.dir}:x`, ref, ['--all'])).toBe(top.digest);
    const got = await getManifest(berth.url, 'skopeo/hand', 'v1');
    expect(got.digest).toBe(top.digest);
    expect(got.body.equals(layout.blob(top.digest))).toBe(true);
    for (const w of written) {
      const info = JSON.parse(
        (await skopeo(['inspect', '--tls-verify=false', '--override-arch', w.manifest.platform!.architecture, '--override-os', 'linux', ref])).stdout,
      );
      expect(info.Layers).toEqual(w.layers.map((l) => l.digest));
      expect(info.Env).toEqual([`BERTH_PLATFORM=${w.manifest.platform!.architecture}`]);
    }
    const out = fresh('out-hand');
    expect(await copy(ref, `dir:${out}`, ['--all'])).toBe(top.digest);
    const back = readDirImage(out);
    expect(back.children.size).toBe(3);
    expect(corruptBlobs(back)).toEqual([]);
    for (const d of layout.reachable('x').filter((x) => x !== top.digest && !back.children.has(x))) {
      expect(back.blobs.get(d)?.equals(layout.blob(d))).toBe(true);
    }
  });

  it('copies between repositories of the same registry without changing digests', async () => {
    const src = images.layout.descriptor('multi');
    await copy(`oci:${images.layout.dir}:multi`, `docker://${berth.host}/skopeo/from:v1`, ['--all']);
    // Registry to registry: skopeo mounts the blobs across repositories instead of uploading them.
    expect(await copy(`docker://${berth.host}/skopeo/from:v1`, `docker://${berth.host}/skopeo/to:v1`, ['--all'])).toBe(src.digest);
    expect((await getManifest(berth.url, 'skopeo/to', 'v1')).digest).toBe(src.digest);
    const manifests = new Set([src.digest, ...images.layout.json(src.digest).manifests.map((c: { digest: string }) => c.digest)]);
    for (const d of images.layout.reachable('multi')) {
      const isManifest = manifests.has(d);
      const res = await fetch(`${berth.url}/v2/skopeo/to/${isManifest ? 'manifests' : 'blobs'}/${d}`, {
        headers: { Accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json' },
      });
      expect(res.status, d).toBe(200);
      expect(digestOf(Buffer.from(await res.arrayBuffer()))).toBe(d);
    }
  });

  it('lists tags in lexical order', async () => {
    const tags = ['v2', '1.0', 'latest', 'a-b_c.d', 'V3'];
    for (const t of tags) await copy(`oci:${images.layout.dir}:amd64`, `docker://${berth.host}/skopeo/tags:${t}`);
    const listed = JSON.parse((await skopeo(['list-tags', '--tls-verify=false', `docker://${berth.host}/skopeo/tags`])).stdout);
    expect(listed.Repository).toBe(`${berth.host}/skopeo/tags`);
    expect(listed.Tags).toEqual([...tags].sort());
  });

  it('deletes an image; it is gone afterwards', async () => {
    const ref = `docker://${berth.host}/skopeo/del:v1`;
    const pushed = await copy(`oci:${images.layout.dir}:amd64`, ref);
    expect((await getManifest(berth.url, 'skopeo/del', 'v1')).status).toBe(200);
    await skopeo(['delete', '--tls-verify=false', ref]);
    expect((await getManifest(berth.url, 'skopeo/del', 'v1')).status).toBe(404);
    expect((await getManifest(berth.url, 'skopeo/del', pushed)).status).toBe(404);
    const err = await skopeo(['inspect', '--raw', '--tls-verify=false', ref]).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ToolError);
    expect((err as ToolError).stderr).toMatch(/manifest unknown/i);
    // The other tags and repositories are untouched.
    expect((await getManifest(berth.url, 'skopeo/oci', 'v1')).status).toBe(200);
  });
});
