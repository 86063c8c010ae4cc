/**
 * The file readers against what real skopeo and podman write: an OCI archive, a docker archive
 * (the format `docker save` writes), a multi-arch OCI layout (`skopeo copy --all`) and a
 * `podman save -m` of several images. Each is opened with openFileSource, every blob streamed and
 * checked, and copied with copyImage into a real `berth serve`, from which skopeo pulls it back.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteSource } from '../../src-server/browse/remote-source';
import { copyImage } from '../../src-server/copy/copy-image';
import { RemoteRegistry } from '../../src-server/remote/client';
import { openFileSource } from '../../src-server/transports/open-source';
import type { FileSource } from '../../src-server/transports/types';
import { berthWorkspace, type RunningBerth } from '../helpers/berth-server';
import { containersSandbox, openOciLayout, writeOciLayout, type ContainersSandbox } from '../helpers/images';

const ws = berthWorkspace('berth-readers-interop-');
let sandbox: ContainersSandbox;
let berth: RunningBerth;
let berthSource: RemoteSource;
let single: ReturnType<typeof writeOciLayout>;
let multi: ReturnType<typeof writeOciLayout>;
const paths = { ociArchive: '', dockerArchive: '', multiLayout: '' };
const opened: FileSource[] = [];

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

beforeAll(async () => {
  sandbox = containersSandbox(join(ws.dir, 'sandbox'));
  single = writeOciLayout(join(ws.dir, 'single'), { tag: 'v1' });
  multi = writeOciLayout(join(ws.dir, 'multi'), {
    tag: 'multi',
    platforms: [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64' },
    ],
  });
  paths.ociArchive = join(ws.dir, 'app.oci.tar');
  paths.dockerArchive = join(ws.dir, 'app.docker.tar');
  paths.multiLayout = join(ws.dir, 'multi-copy');
  const [b] = await Promise.all([
    ws.serve(ws.fresh('berth')),
    sandbox.skopeo(['copy', '--quiet', `oci:${single.layout.dir}:v1`, `oci-archive:${paths.ociArchive}:v1`]),
    sandbox.skopeo(['copy', '--quiet', `oci:${single.layout.dir}:v1`, `docker-archive:${paths.dockerArchive}:team/app:v1`]),
    sandbox.skopeo(['copy', '--quiet', '--all', '--preserve-digests', `oci:${multi.layout.dir}:multi`, `oci:${paths.multiLayout}:multi`]),
  ]);
  berth = b;
  berthSource = new RemoteSource({ id: 'berth', client: new RemoteRegistry({ url: berth.url }), kind: 'registry' });
}, 120_000);

afterAll(async () => {
  await Promise.all(opened.map((s) => s.close?.()));
  sandbox?.cleanup();
});

async function open(transport: FileSource['transport'], path: string): Promise<FileSource> {
  const s = await openFileSource(transport, path);
  opened.push(s);
  return s;
}

/** skopeo's view of an image: the raw manifest and its digest. */
async function inspect(ref: string, extra: string[] = []): Promise<{ raw: any; digest: string }> {
  const raw = JSON.parse((await sandbox.skopeo(['inspect', '--raw', ...extra, ref])).stdout);
  const { Digest } = JSON.parse((await sandbox.skopeo(['inspect', ...extra, ref])).stdout);
  return { raw, digest: Digest };
}

/** Streams every blob and manifest reachable from `digest`, checking each one's bytes; returns the blob digests. */
async function readAll(source: FileSource, digest: string): Promise<string[]> {
  const m = await source.getManifest('any', digest);
  expect(m, `manifest ${digest}`).not.toBeNull();
  expect(sha(m!.body)).toBe(digest);
  const body = JSON.parse(m!.body.toString());
  const seen: string[] = [];
  for (const child of body.manifests ?? []) seen.push(child.digest, ...(await readAll(source, child.digest)));
  for (const d of [body.config, ...(body.layers ?? [])].filter(Boolean)) {
    const blob = await source.getBlob('any', d.digest);
    expect(blob?.size).toBe(d.size);
    const parts: Buffer[] = [];
    for await (const c of blob!.chunks) parts.push(c);
    expect(sha(Buffer.concat(parts))).toBe(d.digest);
    seen.push(d.digest);
  }
  return seen;
}

/** Copies the source's image into berth and pulls it back with skopeo; returns the digest skopeo sees there. */
async function throughBerth(source: FileSource, digest: string, repository: string, all = false): Promise<string> {
  const report = await copyImage(source, berthSource, { fromRepository: repository, fromReference: digest, toRepository: repository, toReference: 'v1' });
  expect(report.digest).toBe(digest);
  const there = await inspect(`docker://${berth.host}/${repository}:v1`, ['--tls-verify=false']);
  const pulled = join(ws.dir, `pulled-${repository.replace(/\//g, '-')}`);
  await sandbox.skopeo(['copy', '--quiet', ...(all ? ['--all'] : []), '--preserve-digests', '--src-tls-verify=false', `docker://${berth.host}/${repository}:v1`, `oci:${pulled}:p`]);
  expect(openOciLayout(pulled).descriptor('p').digest).toBe(digest);
  return there.digest;
}

describe('reading what skopeo and podman write', () => {
  it('oci-archive: the image, its name, its digests and its blobs are skopeo\'s', async () => {
    const source = await open('oci-archive', paths.ociArchive);
    const seen = await inspect(`oci-archive:${paths.ociArchive}:v1`);
    expect(source.images).toEqual([expect.objectContaining({ name: 'v1', repository: null, tag: 'v1', digest: seen.digest })]);
    expect(source.resolve()).toBe(seen.digest);
    expect(seen.digest).toBe(single.top.digest);
    const blobs = await readAll(source, seen.digest);
    expect(blobs).toEqual([seen.raw.config.digest, ...seen.raw.layers.map((l: any) => l.digest)]);
    expect(await throughBerth(source, seen.digest, 'from/oci-archive')).toBe(seen.digest);
  });

  it('docker-archive: named by RepoTags, the config digest is skopeo\'s (the image ID), layers stream with their digests', async () => {
    const source = await open('docker-archive', paths.dockerArchive);
    const seen = await inspect(`docker-archive:${paths.dockerArchive}`);
    expect(source.images.map((i) => i.name)).toEqual(['team/app:v1']);
    const digest = source.resolve('team/app:v1');
    const ours = JSON.parse((await source.getManifest('team/app', 'v1'))!.body.toString());
    expect(ours.config.digest).toBe(seen.raw.config.digest);
    expect(ours.config.digest).toBe(single.images[0]!.config.digest);
    // skopeo stores layers uncompressed in a docker archive: their digests are the config's diff_ids.
    expect(ours.layers.map((l: any) => l.digest)).toEqual(single.images[0]!.diffIds);
    expect(ours.layers.map((l: any) => l.mediaType)).toEqual(single.images[0]!.diffIds.map(() => 'application/vnd.oci.image.layer.v1.tar'));
    await readAll(source, digest);
    // Opened again, the same manifest: the copy into berth gives the same digest every time.
    const again = await openFileSource('docker-archive', paths.dockerArchive);
    expect(again.resolve()).toBe(digest);
    await again.close?.();
    expect(await throughBerth(source, digest, 'from/docker-archive')).toBe(digest);
    const config = JSON.parse((await sandbox.skopeo(['inspect', '--config', '--tls-verify=false', `docker://${berth.host}/from/docker-archive:v1`])).stdout);
    expect(config.rootfs.diff_ids).toEqual(single.images[0]!.diffIds);
  });

  it('oci (multi-arch, skopeo copy --all): one image, the index whole, every platform copied with identical digests', async () => {
    const source = await open('oci', paths.multiLayout);
    const seen = await inspect(`oci:${paths.multiLayout}:multi`);
    expect(seen.raw.manifests).toHaveLength(2);
    expect(source.images).toEqual([expect.objectContaining({ name: 'multi', digest: multi.top.digest, mediaType: 'application/vnd.oci.image.index.v1+json' })]);
    const blobs = await readAll(source, multi.top.digest);
    expect(new Set(blobs)).toEqual(new Set(multi.layout.reachable('multi').filter((d) => d !== multi.top.digest)));
    expect(await throughBerth(source, multi.top.digest, 'from/oci-multi', true)).toBe(multi.top.digest);
    const there = await inspect(`docker://${berth.host}/from/oci-multi:v1`, ['--tls-verify=false']);
    expect(there.raw.manifests.map((m: any) => m.digest)).toEqual(multi.images.map((i) => i.manifest.digest));
  });

  it('docker-archive from podman save -m: several images, a layer they share saved once, each named by its RepoTags', async () => {
    const one = writeOciLayout(join(ws.dir, 'p-one'), { tag: 'v1' });
    const two = writeOciLayout(join(ws.dir, 'p-two'), { tag: 'v1' });
    // Into podman's store under chosen names (podman pull oci:DIR would name it after the folder).
    const [, root, , runroot] = sandbox.storageArgs;
    const store = (name: string) => `containers-storage:[vfs@${root}+${runroot}]${name}`;
    await sandbox.skopeo(['copy', '--quiet', `oci:${one.layout.dir}:v1`, store('localhost/team/one:1')]);
    await sandbox.skopeo(['copy', '--quiet', `oci:${one.layout.dir}:v1`, store('localhost/team/one:latest')]);
    await sandbox.skopeo(['copy', '--quiet', `oci:${two.layout.dir}:v1`, store('quay.io/team/two:2')]);
    const saved = join(ws.dir, 'podman-save.tar');
    await sandbox.podman(['save', '-q', '-m', '-o', saved, 'localhost/team/one:1', 'localhost/team/one:latest', 'quay.io/team/two:2']);
    const source = await open('docker-archive', saved);
    expect(source.images.map((i) => i.name)).toEqual(['team/one:1', 'team/one:latest', 'team/two:2']);
    expect(source.resolve('team/one:latest')).toBe(source.resolve('team/one:1'));
    expect(() => source.resolve()).toThrow(/holds 2 images: name one \(team\/one:1, team\/one:latest, team\/two:2\)/);
    const configOf = async (name: string) => JSON.parse((await source.getManifest('any', source.resolve(name)))!.body.toString()).config.digest;
    // podman's image ID is the config's digest.
    expect(await configOf('team/one:1')).toBe(one.images[0]!.config.digest);
    expect(await configOf('team/two:2')).toBe(two.images[0]!.config.digest);
    const podmanIds = (await sandbox.podman(['images', '--no-trunc', '--format', '{{.ID}}'])).stdout.split('\n').filter(Boolean);
    expect(new Set(podmanIds.map((id) => (id.startsWith('sha256:') ? id : `sha256:${id}`)))).toEqual(new Set([await configOf('team/one:1'), await configOf('team/two:2')]));
    const layersOf = async (name: string) => JSON.parse((await source.getManifest('any', source.resolve(name)))!.body.toString()).layers.map((l: any) => l.digest);
    expect((await layersOf('team/one:1'))[0]).toBe((await layersOf('team/two:2'))[0]);
    const digest = source.resolve('team/two:2');
    await readAll(source, digest);
    expect(await throughBerth(source, digest, 'from/podman-save')).toBe(digest);
  });
});
