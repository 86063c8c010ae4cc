import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, tempDir, type RunningBerth } from '../helpers/berth-server';
import { buildTestImages, digestOf, getManifest, runTool, type TestImages } from '../helpers/images';
import { startContainerd, type Containerd } from './containerd';
import { corruptBlobs, readDirImage } from './dir-image';

// containerd's `ctr` against a listening `berth serve`, through a throwaway containerd daemon:
// pull what skopeo pushed (single image, Docker schema2, two-platform index) and push it to new repos.

let tmp: ReturnType<typeof tempDir>;
let berth: RunningBerth;
let images: TestImages;
let containerd: Containerd;

const skopeo = (args: string[]) => images.sandbox.skopeo(args);
/** The containerd namespace of the running test: each test pulls into its own. */
let ns = '';
const ctr = (args: string[]) => containerd.ctr(args, { namespace: ns });

/** `ctr images ls` as {ref: {type, digest}}. */
async function ctrImages(): Promise<Map<string, { type: string; digest: string }>> {
  const lines = (await ctr(['images', 'ls'])).stdout.trim().split('\n').slice(1);
  return new Map(
    lines.map((l) => {
      const [ref, type, digest] = l.split(/\s+/);
      return [ref!, { type: type!, digest: digest! }];
    }),
  );
}
/** Digests in containerd's content store. */
async function ctrContent(): Promise<Set<string>> {
  const lines = (await ctr(['content', 'ls', '--quiet'])).stdout.trim().split('\n');
  return new Set(lines.map((l) => l.trim()));
}
/** sha256 of a blob's bytes as containerd's content store returns them (`ctr content get`). */
async function storedDigest(digest: string): Promise<string> {
  const r = await runTool('sh', ['-c', 'ctr --address "$1" --namespace "$2" content get "$3" | sha256sum', 'sh', containerd.socket, ns, digest]);
  return `sha256:${r.stdout.split(' ')[0]}`;
}
/** Checks every blob reachable from a layout tag is in containerd's content store with the same bytes. */
async function expectStored(tag: string) {
  const content = await ctrContent();
  for (const d of images.layout.reachable(tag)) {
    expect(content.has(d), d).toBe(true);
    expect(await storedDigest(d)).toBe(d);
  }
}

async function skopeoPush(tag: string, repoTag: string, extra: string[] = []) {
  await skopeo(['copy', '--quiet', '--dest-tls-verify=false', ...extra, `oci:${images.layout.dir}:${tag}`, `docker://${berth.host}/${repoTag}`]);
}
const rawDigest = async (repoTag: string) =>
  digestOf((await skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${berth.host}/${repoTag}`])).stdout);

beforeAll(async () => {
  tmp = tempDir('berth-ctr-');
  images = await buildTestImages(join(tmp.dir, 'images'));
  berth = await startBerth(join(tmp.dir, 'data'));
  containerd = await startContainerd(join(tmp.dir, 'containerd'));
});

afterAll(async () => {
  await containerd?.stop();
  await berth?.stop();
  images?.sandbox.cleanup();
  tmp?.cleanup();
});

describe('ctr (containerd)', () => {
  it('pulls an OCI image pushed by skopeo and pushes it to a new repository', async () => {
    ns = 'oci';
    const src = images.layout.descriptor('amd64');
    await skopeoPush('amd64', 'ctr/src:v1');
    const ref = `${berth.host}/ctr/src:v1`;
    // Pull also unpacks the layer, which checks its uncompressed digest against the config's diff_id.
    await ctr(['images', 'pull', '--plain-http', '--platform', 'linux/amd64', ref]);
    const listed = (await ctrImages()).get(ref);
    expect(listed).toEqual({ type: 'application/vnd.oci.image.manifest.v1+json', digest: src.digest });
    await expectStored('amd64');
    const manifest = (await ctr(['content', 'get', src.digest])).stdout;
    expect(Buffer.from(manifest).equals(images.layout.blob(src.digest))).toBe(true);

    const dest = `${berth.host}/ctr/pushed:v1`;
    await ctr(['images', 'push', '--plain-http', dest, ref]);
    const got = await getManifest(berth.url, 'ctr/pushed', 'v1');
    expect(got.status).toBe(200);
    expect(got.digest).toBe(src.digest);
    expect(got.body.equals(images.layout.blob(src.digest))).toBe(true);
    expect(await rawDigest('ctr/pushed:v1')).toBe(src.digest);

    // Every blob ctr pushed comes back with the source's bytes.
    const out = join(tmp.dir, 'out-ctr');
    await skopeo(['copy', '--quiet', '--src-tls-verify=false', `docker://${dest}`, `dir:${out}`]);
    const back = readDirImage(out);
    expect(corruptBlobs(back)).toEqual([]);
    for (const d of images.layout.reachable('amd64').filter((x) => x !== src.digest)) {
      expect(back.blobs.get(d)?.equals(images.layout.blob(d))).toBe(true);
    }
  });

  it('pulls and pushes a Docker schema2 image', async () => {
    ns = 'docker';
    await skopeoPush('arm64', 'ctr/docker:v1', ['--format', 'v2s2']);
    const pushed = (await getManifest(berth.url, 'ctr/docker', 'v1')).digest!;
    const ref = `${berth.host}/ctr/docker:v1`;
    // An arm64 image: unpacking needs no emulation, it only writes files.
    await ctr(['images', 'pull', '--plain-http', '--platform', 'linux/arm64', ref]);
    expect((await ctrImages()).get(ref)).toEqual({ type: 'application/vnd.docker.distribution.manifest.v2+json', digest: pushed });
    await ctr(['images', 'push', '--plain-http', `${berth.host}/ctr/docker-pushed:v1`, ref]);
    const got = await getManifest(berth.url, 'ctr/docker-pushed', 'v1');
    expect(got.digest).toBe(pushed);
    expect(got.contentType).toBe('application/vnd.docker.distribution.manifest.v2+json');
  });

  it('pulls a two-platform index with --all-platforms and pushes it whole', async () => {
    ns = 'multi';
    const src = images.layout.descriptor('multi');
    await skopeoPush('multi', 'ctr/multi:v1', ['--all']);
    const ref = `${berth.host}/ctr/multi:v1`;
    await ctr(['images', 'pull', '--plain-http', '--all-platforms', ref]);
    expect((await ctrImages()).get(ref)).toEqual({ type: 'application/vnd.oci.image.index.v1+json', digest: src.digest });
    await expectStored('multi');

    await ctr(['images', 'push', '--plain-http', `${berth.host}/ctr/multi-pushed:v1`, ref]);
    const got = await getManifest(berth.url, 'ctr/multi-pushed', 'v1');
    expect(got.digest).toBe(src.digest);
    expect(got.contentType).toBe('application/vnd.oci.image.index.v1+json');
    expect(await rawDigest('ctr/multi-pushed:v1')).toBe(src.digest);
    for (const child of images.layout.json(src.digest).manifests as Array<{ digest: string }>) {
      const c = await getManifest(berth.url, 'ctr/multi-pushed', child.digest);
      expect(c.status).toBe(200);
      expect(c.body.equals(images.layout.blob(child.digest))).toBe(true);
    }
  });
});
