/**
 * The file sinks against real readers: images pushed with skopeo into a real `berth serve`, copied
 * by copyImage (through RemoteSource) into an OCI archive, an OCI layout folder and a docker
 * archive, then read back with skopeo (inspect, and full copies to OCI layouts whose digests must
 * equal the source's) and loaded with `podman load` into a hermetic podman store.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteSource } from '../../src-server/browse/remote-source';
import { copyImage } from '../../src-server/copy/copy-image';
import { RemoteRegistry } from '../../src-server/remote/client';
import { createFileSink } from '../../src-server/transports/open-sink';
import type { FileSink } from '../../src-server/transports/types';
import { startContainerd } from '../clients/containerd';
import { berthWorkspace, type RunningBerth } from '../helpers/berth-server';
import { containersSandbox, openOciLayout, writeOciLayout, type ContainersSandbox, type Descriptor, type WrittenImage } from '../helpers/images';
import { sha256 } from '../helpers/oci-content';

const ws = berthWorkspace('berth-writers-interop-');
let berth: RunningBerth;
let source: RemoteSource;
let sandbox: ContainersSandbox;
/** The multi-platform image pushed as interop/app:multi, and the single one as interop/app:v1. */
let multi: { top: Descriptor; images: WrittenImage[] };
let single: { top: Descriptor; images: WrittenImage[] };

beforeAll(async () => {
  berth = await ws.serve(ws.fresh('berth'));
  source = new RemoteSource({ id: 'berth', client: new RemoteRegistry({ url: berth.url }), kind: 'registry' });
  sandbox = containersSandbox(join(ws.dir, 'sandbox'));
  const multiDir = join(ws.dir, 'src-multi');
  const singleDir = join(ws.dir, 'src-single');
  multi = writeOciLayout(multiDir, {
    tag: 'multi',
    platforms: [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64' },
    ],
  });
  single = writeOciLayout(singleDir, { tag: 'v1' });
  const push = (dir: string, tag: string) =>
    sandbox.skopeo(['copy', '--quiet', '--all', '--preserve-digests', '--dest-tls-verify=false', `oci:${dir}:${tag}`, `docker://${berth.host}/interop/app:${tag}`]);
  await push(multiDir, 'multi');
  await push(singleDir, 'v1');
}, 120_000);

afterAll(async () => {
  await source?.close?.();
  sandbox?.cleanup();
});

/** Copies interop/app:FROM into the sink as `repo:tag`. */
function copyInto(sink: FileSink, from: string, repo: string, tag: string, extra: { platforms?: string[] } = {}) {
  return copyImage(source, sink, { fromRepository: 'interop/app', fromReference: from, toRepository: repo, toReference: tag, ...extra });
}

/** Every blob reachable from a manifest in a written layout (manifests, configs, layers, children). */
function reachable(top: Descriptor, images: WrittenImage[]): string[] {
  const out = new Set<string>([top.digest]);
  for (const i of images) for (const d of [i.manifest, i.config, ...i.layers]) out.add(d.digest);
  return [...out].sort();
}

describe('file sinks read by real tools', () => {
  it('OCI archive: skopeo inspects it and copies every platform out with the same digests', async () => {
    const out = join(ws.dir, 'images.oci.tar');
    const sink = await createFileSink('oci-archive', out, { naming: 'tag' });
    const report = await copyInto(sink, 'multi', 'interop/app', 'multi');
    expect(report.digest).toBe(multi.top.digest);
    await copyInto(sink, 'v1', 'interop/app', 'v1');
    const done = await sink.commit();
    expect(done.bytes).toBe(readFileSync(out).length);
    expect(readdirSync(ws.dir).filter((n) => n.includes('.partial'))).toEqual([]);

    // Real tar lists it; every entry is a regular file or folder owned by 0/0.
    const listing = execFileSync('tar', ['-tvf', out, '--numeric-owner'], { encoding: 'utf8' }).trim().split('\n');
    expect(listing.every((l) => / 0\/0 /.test(l))).toBe(true);
    expect(listing.some((l) => l.endsWith(' index.json'))).toBe(true);

    const raw = (await sandbox.skopeo(['inspect', '--raw', `oci-archive:${out}:multi`])).stdout;
    expect(sha256(Buffer.from(raw))).toBe(multi.top.digest);
    const inspected = JSON.parse((await sandbox.skopeo(['inspect', `oci-archive:${out}:v1`])).stdout);
    expect(inspected.Digest).toBe(single.top.digest);

    const back = join(ws.dir, 'from-oci-archive');
    await sandbox.skopeo(['copy', '--quiet', '--all', '--preserve-digests', `oci-archive:${out}:multi`, `oci:${back}:t`]);
    const layout = openOciLayout(back);
    expect(layout.descriptor('t').digest).toBe(multi.top.digest);
    expect(layout.reachable('t').sort()).toEqual(reachable(multi.top, multi.images));
  });

  it('OCI layout folder: skopeo copies it out with the same digests; a second copy merges into index.json', async () => {
    const dir = join(ws.dir, 'layout-out');
    const first = await createFileSink('oci', dir, { naming: 'tag' });
    await copyInto(first, 'multi', 'interop/app', 'multi');
    await first.commit();
    const second = await createFileSink('oci', dir, { naming: 'tag' });
    const report = await copyInto(second, 'v1', 'interop/app', 'v1');
    // Blobs the folder has from the first copy are not written again: the small first layer is the
    // same bytes in both amd64 images.
    const sharedLayer = single.images[0]!.layers[0]!.digest;
    expect(multi.images[0]!.layers[0]!.digest).toBe(sharedLayer);
    expect(report.blobsSkipped).toBe(1);
    await second.commit();

    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
    expect(index.manifests.map((m: Descriptor) => [m.annotations?.['org.opencontainers.image.ref.name'], m.digest])).toEqual([
      ['multi', multi.top.digest],
      ['v1', single.top.digest],
    ]);
    const back = join(ws.dir, 'from-layout');
    await sandbox.skopeo(['copy', '--quiet', '--all', '--preserve-digests', `oci:${dir}:multi`, `oci:${back}:t`]);
    expect(openOciLayout(back).reachable('t').sort()).toEqual(reachable(multi.top, multi.images));
    const inspected = JSON.parse((await sandbox.skopeo(['inspect', `oci:${dir}:v1`])).stdout);
    expect(inspected.Digest).toBe(single.top.digest);
  });

  // podman reads manifest.json's RepoTags whichever way index.json names the images.
  it.each(['tag', 'repository-tag'] as const)('docker archive (naming %s): skopeo reads it, podman load names both images and keeps their configs', async (naming) => {
    const out = join(ws.dir, `images-${naming}.docker.tar`);
    const sink = await createFileSink('docker-archive', out, { naming });
    await copyInto(sink, 'v1', 'interop/app', 'v1');
    const arm = multi.images.find((i) => i.manifest.platform?.architecture === 'arm64')!;
    const report = await copyInto(sink, 'multi', 'interop/arm', 'latest', { platforms: ['linux/arm64'] });
    expect(report.digest).toBe(arm.manifest.digest);
    await sink.commit();
    expect(sink.leftOut).toBe(0);

    const manifest = JSON.parse(execFileSync('tar', ['-xOf', out, 'manifest.json'], { encoding: 'utf8' }));
    expect(manifest.map((m: { RepoTags: string[] }) => m.RepoTags)).toEqual([['interop/app:v1'], ['interop/arm:latest']]);

    // skopeo reads it as a docker archive: the same config bytes, layers by their uncompressed digests.
    // (`dir:` keeps the config as it is; an OCI layout would get it re-serialized.)
    const back = join(ws.dir, `from-docker-archive-${naming}`);
    await sandbox.skopeo(['copy', '--quiet', `docker-archive:${out}:interop/app:v1`, `dir:${back}`]);
    const m = JSON.parse(readFileSync(join(back, 'manifest.json'), 'utf8'));
    expect(m.config.digest).toBe(single.images[0]!.config.digest);
    expect(sha256(readFileSync(join(back, m.config.digest.slice(7))))).toBe(single.images[0]!.config.digest);
    expect(m.layers.map((l: Descriptor) => l.digest)).toEqual(single.images[0]!.diffIds);

    // podman 4.3 loads it (gzip layers inside), in a store of its own.
    const loaded = await sandbox.podman(['load', '--input', out]);
    expect(loaded.stdout + loaded.stderr).toMatch(/Loaded image/);
    const images = (await sandbox.podman(['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}', '--no-trunc'])).stdout.trim().split('\n').sort();
    expect(images).toEqual([
      `localhost/interop/app:v1 ${single.images[0]!.config.digest}`,
      `localhost/interop/arm:latest ${arm.config.digest}`,
    ]);
    await sandbox.podman(['rmi', '--all', '--force']);
  });

  it('referrers: listed in an OCI archive (skopeo still reads it), left out of a docker archive and counted', async () => {
    // A signature of interop/app:v1, pushed through the Distribution API (Berth has the referrers API).
    const sig = Buffer.from(JSON.stringify({ signed: single.top.digest }));
    const empty = Buffer.from('{}');
    for (const b of [sig, empty]) await source.putBlob('interop/app', sha256(b), b.length, (async function* () { yield b; })());
    const body = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        artifactType: 'application/vnd.example.signature',
        config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256(empty), size: empty.length },
        layers: [{ mediaType: 'application/vnd.example.signature.v1', digest: sha256(sig), size: sig.length }],
        subject: { mediaType: single.top.mediaType, digest: single.top.digest, size: single.top.size },
      }),
    );
    const referrer = await source.putManifest('interop/app', sha256(body), body, 'application/vnd.oci.image.manifest.v1+json');

    const oci = join(ws.dir, 'with-referrers.oci.tar');
    const ociSink = await createFileSink('oci-archive', oci, { naming: 'repository-tag' });
    const report = await copyImage(source, ociSink, { fromRepository: 'interop/app', fromReference: 'v1', toRepository: 'interop/app', toReference: 'v1', referrers: true });
    expect(report.referrers).toMatchObject({ found: 1, copied: 1, fallbackTags: 0 });
    await ociSink.commit();
    const index = JSON.parse(execFileSync('tar', ['-xOf', oci, 'index.json'], { encoding: 'utf8' }));
    expect(index.manifests.map((m: Descriptor & { artifactType?: string }) => [m.digest, m.artifactType ?? null, m.annotations?.['org.opencontainers.image.ref.name'] ?? null])).toEqual([
      [single.top.digest, null, 'interop/app:v1'],
      [referrer, 'application/vnd.example.signature', null],
    ]);
    expect(JSON.parse((await sandbox.skopeo(['inspect', `oci-archive:${oci}:interop/app:v1`])).stdout).Digest).toBe(single.top.digest);
    // skopeo 1.9 cannot name an archive's image by digest: the referrer and its blobs are checked in the tar.
    for (const d of [referrer, sha256(sig), sha256(empty)]) expect(sha256(execFileSync('tar', ['-xOf', oci, `blobs/sha256/${d.slice(7)}`]))).toBe(d);

    const docker = join(ws.dir, 'with-referrers.docker.tar');
    const dockerSink = await createFileSink('docker-archive', docker, { naming: 'repository-tag' });
    const dreport = await copyImage(source, dockerSink, { fromRepository: 'interop/app', fromReference: 'v1', toRepository: 'interop/app', toReference: 'v1', referrers: true });
    expect(dreport.referrers).toMatchObject({ found: 1, fallbackTags: 0 });
    await dockerSink.commit();
    expect(dockerSink.leftOut).toBe(1);
    const names = execFileSync('tar', ['-tf', docker], { encoding: 'utf8' });
    expect(names).not.toContain(referrer.slice(7));
  });

  it('docker archive: an index is refused (choose a platform), and nothing is left behind', async () => {
    const out = join(ws.dir, 'refused.docker.tar');
    const sink = await createFileSink('docker-archive', out, { naming: 'repository-tag' });
    await expect(copyInto(sink, 'multi', 'interop/app', 'multi')).rejects.toMatchObject({
      code: 'IMAGE_PLACE_INVALID',
      message: expect.stringContaining('choose a platform'),
    });
    await sink.abort();
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(ws.dir).filter((n) => n.startsWith('.refused'))).toEqual([]);
  });

  it('containerd (what docker 25 imports with) takes the OCI archive and the docker archive, unpacking the layers', async () => {
    const oci = join(ws.dir, 'ctr.oci.tar');
    const ociSink = await createFileSink('oci-archive', oci, { naming: 'repository-tag' });
    await copyInto(ociSink, 'multi', 'interop/app', 'multi');
    await copyInto(ociSink, 'v1', 'interop/app', 'v1');
    await ociSink.commit();
    const docker = join(ws.dir, 'ctr.docker.tar');
    const dockerSink = await createFileSink('docker-archive', docker, { naming: 'tag' });
    await copyInto(dockerSink, 'v1', 'other/app', 'v2');
    await dockerSink.commit();

    const containerd = await startContainerd(join(ws.dir, 'containerd'));
    try {
      const ctr = (args: string[]) => containerd.ctr(args, { namespace: 'writers' });
      await ctr(['images', 'import', '--all-platforms', oci]);
      await ctr(['images', 'import', docker]);
      const listed = (await ctr(['images', 'ls'])).stdout.trim().split('\n').slice(1).map((l) => l.split(/\s+/).slice(0, 3).join(' ')).sort();
      expect(listed).toEqual([
        `interop/app:multi application/vnd.oci.image.index.v1+json ${multi.top.digest}`,
        `interop/app:v1 application/vnd.oci.image.manifest.v1+json ${single.top.digest}`,
        // The docker archive is read by its index.json and containerd's name annotation, as docker 25's are.
        `other/app:v2 application/vnd.oci.image.manifest.v1+json ${single.top.digest}`,
      ]);
      // Unpacked: one snapshot per layer of the amd64 images (their uncompressed digests matched the configs).
      const snapshots = (await ctr(['snapshots', 'ls'])).stdout.trim().split('\n').slice(1);
      expect(snapshots.length).toBeGreaterThanOrEqual(single.images[0]!.layers.length);
    } finally {
      await containerd.stop();
    }
  }, 120_000);
});
