import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, tempDir, type RunningBerth } from '../helpers/berth-server';
import { buildTestImages, digestOf, getManifest, type TestImages } from '../helpers/images';
import { corruptBlobs, readDirImage } from './dir-image';

// podman and buildah against a listening `berth serve`: push from local storage, pull into a
// separate empty store, and a two-platform manifest list pushed with `manifest push --all`.

let tmp: ReturnType<typeof tempDir>;
let berth: RunningBerth;
let images: TestImages;
let n = 0;

const fresh = (name: string) => join(tmp.dir, `${name}-${++n}`);
const podman = (args: string[], store: 'build' | 'pull' = 'build') => images.sandbox.podman(args, {}, store);
const buildah = (args: string[]) => images.sandbox.buildah(args);
const skopeo = (args: string[]) => images.sandbox.skopeo(args);

/** Full image ID (config digest hex) of a local image in the build store. */
const imageId = async (name: string) => (await buildah(['inspect', '--type', 'image', '--format', '{{.FromImageID}}', name])).stdout.trim();

interface PodmanImage {
  Id: string;
  Digest: string;
  RepoDigests: string[];
  Architecture: string;
  Os: string;
  Config: { Env?: string[]; Entrypoint?: string[]; Labels?: Record<string, string> };
}
const inspectPulled = async (ref: string): Promise<PodmanImage> => JSON.parse((await podman(['image', 'inspect', ref], 'pull')).stdout)[0];

/**
 * Copies an image out of the registry with skopeo (`dir:`), and checks it is the image built:
 * the manifest digest, the config digest (= local image ID), and the layer's uncompressed digest
 * (= the config's diff_id) with the random file's bytes inside it.
 */
async function checkRoundTrip(repoTag: string, digest: string, arch: string, id: string) {
  const out = fresh('out');
  await skopeo(['copy', '--quiet', '--src-tls-verify=false', `docker://${berth.host}/${repoTag}`, `dir:${out}`]);
  const img = readDirImage(out);
  expect(digestOf(img.manifest)).toBe(digest);
  expect(corruptBlobs(img)).toEqual([]);
  const manifest = JSON.parse(img.manifest.toString('utf8'));
  expect(manifest.config.digest).toBe(`sha256:${id}`);
  const config = JSON.parse(img.blobs.get(manifest.config.digest)!.toString('utf8'));
  expect(config.architecture).toBe(arch);
  expect(manifest.layers).toHaveLength(1);
  const tar = gunzipSync(img.blobs.get(manifest.layers[0].digest)!);
  expect(digestOf(tar)).toBe(config.rootfs.diff_ids[0]);
  expect(tar.includes(readFileSync(join(images.contextDir, `random-${arch}.bin`)))).toBe(true);
  return manifest;
}

beforeAll(async () => {
  tmp = tempDir('berth-podman-');
  images = await buildTestImages(join(tmp.dir, 'images'));
  berth = await startBerth(join(tmp.dir, 'data'));
});

afterAll(async () => {
  await berth?.stop();
  images?.sandbox.cleanup();
  tmp?.cleanup();
});

describe('buildah', () => {
  it('pushes an image built from scratch; skopeo gets the same image back', async () => {
    const digestFile = fresh('digest');
    await buildah(['push', '--quiet', '--tls-verify=false', '--digestfile', digestFile, images.local.arm64, `docker://${berth.host}/buildah/img:v1`]);
    const pushed = readFileSync(digestFile, 'utf8').trim();
    const got = await getManifest(berth.url, 'buildah/img', 'v1');
    expect(got.status).toBe(200);
    expect(got.digest).toBe(pushed);
    expect(got.contentType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(digestOf((await skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${berth.host}/buildah/img:v1`])).stdout)).toBe(pushed);
    await checkRoundTrip('buildah/img:v1', pushed, 'arm64', await imageId(images.local.arm64));
  });

  it('pushes as Docker schema2', async () => {
    const digestFile = fresh('digest');
    await buildah(['push', '--quiet', '--tls-verify=false', '--format', 'v2s2', '--digestfile', digestFile, images.local.amd64, `docker://${berth.host}/buildah/docker:v1`]);
    const pushed = readFileSync(digestFile, 'utf8').trim();
    const got = await getManifest(berth.url, 'buildah/docker', 'v1');
    expect(got.digest).toBe(pushed);
    expect(got.contentType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    const m = await checkRoundTrip('buildah/docker:v1', pushed, 'amd64', await imageId(images.local.amd64));
    expect(m.layers[0].mediaType).toBe('application/vnd.docker.image.rootfs.diff.tar.gzip');
  });
});

describe('podman', () => {
  it('pushes an image and pulls it into an empty store', async () => {
    const ref = `${berth.host}/podman/img:v1`;
    const digestFile = fresh('digest');
    await podman(['push', '--quiet', '--tls-verify=false', '--digestfile', digestFile, images.local.amd64, `docker://${ref}`]);
    const pushed = readFileSync(digestFile, 'utf8').trim();
    expect((await getManifest(berth.url, 'podman/img', 'v1')).digest).toBe(pushed);
    const id = await imageId(images.local.amd64);
    await checkRoundTrip('podman/img:v1', pushed, 'amd64', id);

    const pulledId = (await podman(['pull', '--quiet', '--tls-verify=false', ref], 'pull')).stdout.trim();
    expect(pulledId).toBe(id);
    const img = await inspectPulled(ref);
    expect(img.Id).toBe(id);
    expect(img.Digest).toBe(pushed);
    expect(img.RepoDigests).toContain(`${berth.host}/podman/img@${pushed}`);
    expect(img.Architecture).toBe('amd64');
    expect(img.Config.Env).toContain('BERTH_ARCH=amd64');
    expect(img.Config.Entrypoint).toEqual(['/data/hello-amd64.txt']);
    expect(img.Config.Labels).toMatchObject({ 'org.example.berth-test': 'yes' });
  });

  it('pushes a two-platform manifest list with --all and pulls each platform back', async () => {
    const list = 'localhost/podman-list:multi';
    const ref = `${berth.host}/podman/multi:v1`;
    await podman(['manifest', 'create', list]);
    for (const arch of ['amd64', 'arm64'] as const) await podman(['manifest', 'add', list, `containers-storage:${images.local[arch]}`]);
    const digestFile = fresh('digest');
    await podman(['manifest', 'push', '--quiet', '--all', '--tls-verify=false', '--digestfile', digestFile, list, `docker://${ref}`]);
    const pushed = readFileSync(digestFile, 'utf8').trim();

    const got = await getManifest(berth.url, 'podman/multi', 'v1');
    expect(got.status).toBe(200);
    expect(got.digest).toBe(pushed);
    expect(digestOf(got.body)).toBe(pushed);
    expect(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']).toContain(got.contentType);
    const index = JSON.parse(got.body.toString('utf8'));
    const byArch = new Map<string, string>(index.manifests.map((c: { platform: { architecture: string }; digest: string }) => [c.platform.architecture, c.digest]));
    expect([...byArch.keys()].sort()).toEqual(['amd64', 'arm64']);

    for (const arch of ['amd64', 'arm64'] as const) {
      const child = byArch.get(arch)!;
      const id = await imageId(images.local[arch]);
      await checkRoundTrip(`podman/multi@${child}`, child, arch, id);
      const pulledId = (await podman(['pull', '--quiet', '--tls-verify=false', '--arch', arch, ref], 'pull')).stdout.trim();
      expect(pulledId).toBe(id);
      const img = await inspectPulled(pulledId);
      expect(img.Architecture).toBe(arch);
      expect(img.Os).toBe('linux');
      // podman 4.3 reports the list's digest as `Digest` after a multi-arch pull; RepoDigests names the child.
      expect(img.RepoDigests).toContain(`${berth.host}/podman/multi@${child}`);
      expect(img.Config.Env).toContain(`BERTH_ARCH=${arch}`);
    }
  });

  it('pushes a manifest list as Docker schema2 and pulls a platform by digest', async () => {
    const list = 'localhost/podman-list:docker';
    const ref = `${berth.host}/podman/multi-docker:v1`;
    await podman(['manifest', 'create', list]);
    for (const arch of ['amd64', 'arm64'] as const) await podman(['manifest', 'add', list, `containers-storage:${images.local[arch]}`]);
    const digestFile = fresh('digest');
    await podman(['manifest', 'push', '--quiet', '--all', '--format', 'v2s2', '--tls-verify=false', '--digestfile', digestFile, list, `docker://${ref}`]);
    const pushed = readFileSync(digestFile, 'utf8').trim();
    const got = await getManifest(berth.url, 'podman/multi-docker', 'v1');
    expect(got.digest).toBe(pushed);
    expect(got.contentType).toBe('application/vnd.docker.distribution.manifest.list.v2+json');
    const index = JSON.parse(got.body.toString('utf8'));
    expect(index.manifests).toHaveLength(2);
    for (const c of index.manifests) {
      expect(c.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
      const child = await getManifest(berth.url, 'podman/multi-docker', c.digest);
      expect(child.contentType).toBe(c.mediaType);
      expect(digestOf(child.body)).toBe(c.digest);
    }
    const arm = index.manifests.find((c: { platform: { architecture: string } }) => c.platform.architecture === 'arm64');
    await checkRoundTrip(`podman/multi-docker@${arm.digest}`, arm.digest, 'arm64', await imageId(images.local.arm64));
    const byDigest = `${berth.host}/podman/multi-docker@${arm.digest}`;
    const pulledId = (await podman(['pull', '--quiet', '--tls-verify=false', byDigest], 'pull')).stdout.trim();
    expect(pulledId).toBe(await imageId(images.local.arm64));
    expect((await inspectPulled(pulledId)).RepoDigests).toContain(byDigest);
  });
});
