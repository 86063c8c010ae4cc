/**
 * Docker archives made by hand: classic ones (manifest.json with `<hex>.tar` or `<id>/layer.tar`
 * layers), and docker 25's, which are OCI layouts too.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RegistryError } from '../core/errors';
import { tarFiles } from '../../test/helpers/images';
import { dockerArchiveFiles, finishLayout, makeImage, makeIndex, tarBytes, tarOfFiles, type DockerImage } from '../../test/helpers/file-archives';
import { openFileSource } from './open-source';
import type { FileSource } from './types';

const dir = mkdtempSync(join(tmpdir(), 'berth-docker-source-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const layerTar = (text: string) => tarFiles([{ path: 'f.txt', data: Buffer.from(text) }]);

function archive(files: Record<string, Buffer>): string {
  const path = join(dir, `d${++n}.tar`);
  writeFileSync(path, tarOfFiles(files));
  return path;
}

async function bytesOf(source: FileSource, digest: string): Promise<Buffer> {
  const blob = await source.getBlob('any', digest);
  const parts: Buffer[] = [];
  for await (const c of blob!.chunks) parts.push(c);
  return Buffer.concat(parts);
}

async function failure(p: Promise<unknown>): Promise<RegistryError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RegistryError);
  return err as RegistryError;
}

async function opened(images: DockerImage[]): Promise<{ source: FileSource; made: ReturnType<typeof dockerArchiveFiles>; path: string }> {
  const made = dockerArchiveFiles(images);
  const path = archive(made.files);
  return { source: await openFileSource('docker-archive', path), made, path };
}

describe('classic docker archive', () => {
  it('gives each RepoTags entry an image, one OCI manifest per entry, the config unchanged', async () => {
    const l1 = layerTar('one');
    const l2 = layerTar('two');
    const { source, made } = await opened([
      { repoTags: ['docker.io/library/app:1', 'app:latest'], layers: [l1, l2] },
      { repoTags: null, layers: [l1] },
    ]);
    try {
      expect(source.images.map((i) => [i.name, i.repository, i.tag])).toEqual([
        ['library/app:1', 'library/app', '1'],
        ['app:latest', 'app', 'latest'],
        ['#1', null, null],
      ]);
      expect(source.images[0]!.digest).toBe(source.images[1]!.digest);
      const m = await source.getManifest('app', 'latest');
      expect(m!.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
      const body = JSON.parse(m!.body.toString());
      expect(body.config).toEqual({ mediaType: 'application/vnd.oci.image.config.v1+json', digest: made.configs[0], size: made.files[`${made.configs[0]!.slice(7)}.json`]!.length });
      expect(body.layers).toEqual([
        { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha(l1), size: l1.length },
        { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha(l2), size: l2.length },
      ]);
      expect(sha(m!.body)).toBe(m!.digest);
      expect((await bytesOf(source, made.configs[0]!)).equals(made.files[`${made.configs[0]!.slice(7)}.json`]!)).toBe(true);
      expect((await bytesOf(source, sha(l2))).equals(l2)).toBe(true);
      expect(source.resolve('#1')).toBe(source.images[2]!.digest);
      expect(await source.referrers('x', m!.digest)).toEqual([]);
    } finally {
      await source.close?.();
    }
  });

  it('finds a layer docker saved once for two images through its symlink, inside the archive only', async () => {
    const shared = layerTar('shared base');
    const made = dockerArchiveFiles([
      { repoTags: ['one:1'], layers: [shared], naming: 'legacy' },
      { repoTags: ['two:1'], layers: [shared, layerTar('two')], naming: 'legacy' },
    ]);
    const manifest = JSON.parse(made.files['manifest.json']!.toString());
    const [first, second] = [manifest[0].Layers[0] as string, manifest[1].Layers[0] as string];
    delete made.files[second];
    const entries = Object.entries(made.files).map(([path, data]) => ({ path, data }));
    const path = join(dir, 'symlinked.tar');
    writeFileSync(path, tarBytes([...entries, { path: second, type: 'SymbolicLink', linkpath: `../${first}` }]));
    const source = await openFileSource('docker-archive', path);
    try {
      const layersOf = async (repo: string) => JSON.parse((await source.getManifest(repo, '1'))!.body.toString()).layers.map((l: any) => l.digest);
      expect((await layersOf('two'))[0]).toBe((await layersOf('one'))[0]);
      expect((await bytesOf(source, sha(shared))).equals(shared)).toBe(true);
    } finally {
      await source.close?.();
    }
    const escaping = join(dir, 'escaping.tar');
    writeFileSync(escaping, tarBytes([...entries, { path: second, type: 'SymbolicLink', linkpath: '../../../etc/passwd' }]));
    const out = await openFileSource('docker-archive', escaping);
    try {
      expect((await out.getManifest('one', '1'))?.digest).toBe(out.resolve('one:1'));
      const err = await failure(out.getManifest('two', '1'));
      expect(err.message).toMatch(/manifest\.json entry 2 \(two:1\): its layer 1 ".*" is a link in the archive that leads to no file of the archive/);
    } finally {
      await out.close?.();
    }
  });

  it('makes the same manifest from the same archive every time', async () => {
    const made = dockerArchiveFiles([{ repoTags: ['a:1'], layers: [layerTar('x'), layerTar('y')] }]);
    const path = archive(made.files);
    const a = await openFileSource('docker-archive', path);
    const b = await openFileSource('docker-archive', path);
    expect(a.resolve()).toBe(b.resolve());
    expect((await a.getManifest('a', '1'))!.body.equals((await b.getManifest('a', '1'))!.body)).toBe(true);
    await a.close?.();
    await b.close?.();
  });

  it('types layers by their compression, and hashes layers of legacy names', async () => {
    const l1 = layerTar('legacy');
    const { source } = await opened([{ repoTags: ['z:1'], layers: [l1], naming: 'legacy', gzip: true }]);
    try {
      const body = JSON.parse((await source.getManifest('z', '1'))!.body.toString());
      expect(body.layers[0].mediaType).toBe('application/vnd.oci.image.layer.v1.tar+gzip');
      const bytes = await bytesOf(source, body.layers[0].digest);
      expect(sha(bytes)).toBe(body.layers[0].digest);
    } finally {
      await source.close?.();
    }
  });

  it('takes an uncompressed legacy layer digest from diff_ids and checks it on read, naming the image', async () => {
    const made = dockerArchiveFiles([{ repoTags: ['legacy:1'], layers: [layerTar('ok')], naming: 'legacy' }]);
    const layerName = Object.keys(made.files).find((k) => k.endsWith('/layer.tar'))!;
    made.files[layerName] = layerTar('tampered');
    const source = await openFileSource('docker-archive', archive(made.files));
    try {
      const body = JSON.parse((await source.getManifest('legacy', '1'))!.body.toString());
      expect(body.layers[0].digest).toBe(made.layerDigests[0]![0]);
      const err = await failure(bytesOf(source, body.layers[0].digest));
      expect(err.code).toBe('DIGEST_INVALID');
      expect(err.message).toMatch(/layer 1 \(.*\/layer\.tar\) of manifest\.json entry 1 \(legacy:1\) does not match its digest/);
    } finally {
      await source.close?.();
    }
  });

  it('detects a layer whose bytes are not the digest its name says, while streaming', async () => {
    const l1 = layerTar('named');
    const made = dockerArchiveFiles([{ repoTags: ['n:1'], layers: [l1] }]);
    made.files[`${sha(l1).slice(7)}.tar`] = layerTar('other!');
    const source = await openFileSource('docker-archive', archive(made.files));
    try {
      const err = await failure(bytesOf(source, sha(l1)));
      expect(err.code).toBe('DIGEST_INVALID');
      expect(err.message).toContain('(n:1)');
    } finally {
      await source.close?.();
    }
  });

  it('refuses a layer whose name and the config disagree, naming the image', async () => {
    const l1 = layerTar('a');
    const made = dockerArchiveFiles([{ repoTags: ['c:1'], layers: [l1] }]);
    const other = layerTar('b');
    delete made.files[`${sha(l1).slice(7)}.tar`];
    made.files[`${sha(other).slice(7)}.tar`] = other;
    const manifest = JSON.parse(made.files['manifest.json']!.toString());
    manifest[0].Layers = [`${sha(other).slice(7)}.tar`];
    made.files['manifest.json'] = Buffer.from(JSON.stringify(manifest));
    const source = await openFileSource('docker-archive', archive(made.files));
    try {
      const err = await failure(source.getManifest('c', '1'));
      expect(err.code).toBe('DIGEST_INVALID');
      expect(err.message).toMatch(/manifest\.json entry 1 \(c:1\): layer 1 .* the config's diff_ids say/);
    } finally {
      await source.close?.();
    }
  });

  it.each<[string, (f: Record<string, Buffer>) => void, RegExp]>([
    ['no manifest.json', (f) => delete f['manifest.json'], /not a docker archive: manifest\.json is missing/],
    ['manifest.json not JSON', (f) => (f['manifest.json'] = Buffer.from('[{')), /manifest\.json is not JSON/],
    ['manifest.json not a list', (f) => (f['manifest.json'] = Buffer.from('{}')), /manifest\.json is not a docker archive's: it is not a list/],
    ['an entry without Config', (f) => (f['manifest.json'] = Buffer.from('[{"Layers": []}]')), /entry 1 has no Config/],
  ])('refuses the archive and says what is wrong: %s', async (_what, spoil, message) => {
    const made = dockerArchiveFiles([{ repoTags: ['m:1'], layers: [layerTar('m')] }]);
    spoil(made.files);
    const err = await failure(openFileSource('docker-archive', archive(made.files)));
    expect(err.code).toBe('ARCHIVE_INVALID');
    expect(err.message).toMatch(message);
    expect(err.message).toContain('docker-archive:');
  });

  it.each<[string, (m: any[], f: Record<string, Buffer>) => void, RegExp]>([
    ['a missing layer file', (m) => m[0].Layers.push('missing.tar'), /manifest\.json entry 1 \(m:1\): its layer 2 "missing\.tar" is missing from the archive/],
    [
      'a missing config',
      (m, f) => delete f[m[0].Config],
      /manifest\.json entry 1 \(m:1\): its config ".*\.json" is missing from the archive/,
    ],
    ['a config path that escapes', (m) => (m[0].Config = '../../etc/passwd'), /its config "\.\.\/\.\.\/etc\/passwd" is refused/],
  ])('fails only the broken image, naming it: %s', async (_what, spoil, message) => {
    const made = dockerArchiveFiles([
      { repoTags: ['m:1'], layers: [layerTar('m')] },
      { repoTags: ['ok:1'], layers: [layerTar('ok')] },
    ]);
    const manifest = JSON.parse(made.files['manifest.json']!.toString());
    spoil(manifest, made.files);
    made.files['manifest.json'] = Buffer.from(JSON.stringify(manifest));
    const source = await openFileSource('docker-archive', archive(made.files));
    try {
      expect(source.images.map((i) => i.name)).toEqual(['m:1', 'ok:1']);
      const err = await failure(source.getManifest('m', '1'));
      expect(err.code).toBe('ARCHIVE_INVALID');
      expect(err.message).toMatch(message);
      expect(await source.headBlob('m', source.resolve('m:1')).catch((e: Error) => e.message)).toMatch(message);
      const ok = await source.getManifest('ok', '1');
      const layer = JSON.parse(ok!.body.toString()).layers[0];
      expect((await bytesOf(source, layer.digest)).equals(layerTar('ok'))).toBe(true);
    } finally {
      await source.close?.();
    }
  });
});

describe('docker 25 archive (an OCI layout with manifest.json)', () => {
  it('serves the layout manifest matched by config, names from RepoTags, digests unchanged', async () => {
    const files: Record<string, Buffer> = {};
    const img = makeImage(files);
    finishLayout(files, [{ ...img.manifest, annotations: { 'io.containerd.image.name': 'docker.io/library/web:1', 'org.opencontainers.image.ref.name': '1' } }]);
    files['manifest.json'] = Buffer.from(
      JSON.stringify([{ Config: `blobs/sha256/${img.config.digest.slice(7)}`, RepoTags: ['web:1'], Layers: img.layers.map((l) => `blobs/sha256/${l.digest.slice(7)}`) }]),
    );
    const source = await openFileSource('docker-archive', archive(files));
    try {
      expect(source.images).toEqual([{ name: 'web:1', repository: 'web', tag: '1', digest: img.manifest.digest, mediaType: img.manifest.mediaType, size: img.manifest.size }]);
      expect((await source.getManifest('web', '1'))!.digest).toBe(img.manifest.digest);
      expect((await bytesOf(source, img.layers[0]!.digest)).equals(img.layers[0]!.body)).toBe(true);
    } finally {
      await source.close?.();
    }
  });

  it('takes the platform of an index whose config the entry has (one platform per entry)', async () => {
    const files: Record<string, Buffer> = {};
    const amd = makeImage(files, { arch: 'amd64' });
    const arm = makeImage(files, { arch: 'arm64' });
    const index = makeIndex(files, [
      { image: amd, arch: 'amd64' },
      { image: arm, arch: 'arm64' },
    ]);
    finishLayout(files, [{ ...index, annotations: { 'io.containerd.image.name': 'docker.io/library/multi:1' } }]);
    files['manifest.json'] = Buffer.from(
      JSON.stringify([{ Config: `blobs/sha256/${arm.config.digest.slice(7)}`, RepoTags: ['multi:1'], Layers: arm.layers.map((l) => `blobs/sha256/${l.digest.slice(7)}`) }]),
    );
    const source = await openFileSource('docker-archive', archive(files));
    try {
      expect(source.images.map((i) => [i.name, i.digest])).toEqual([['multi:1', arm.manifest.digest]]);
      expect((await source.getManifest('multi', '1'))!.digest).toBe(arm.manifest.digest);
    } finally {
      await source.close?.();
    }
  });
});
