/**
 * OCI layouts as folders (`oci:`) and as tars (`oci-archive:`), made by hand: the same layout read
 * both ways gives the same images, manifests, blobs and referrers.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryError } from '../core/errors';
import { finishLayout, makeImage, makeIndex, tarBytes, tarOfFiles, writeFiles, type MadeImage } from '../../test/helpers/file-archives';
import { openFileSource } from './open-source';
import type { FileSource, FileTransport } from './types';

const dir = mkdtempSync(join(tmpdir(), 'berth-oci-source-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const REF = 'org.opencontainers.image.ref.name';

/** Writes `files` as a folder or a tar and opens it. */
async function open(transport: 'oci' | 'oci-archive', files: Record<string, Buffer>): Promise<FileSource> {
  const path = join(dir, `l${++n}${transport === 'oci' ? '' : '.tar'}`);
  if (transport === 'oci') writeFiles(path, files);
  else writeFileSync(path, tarOfFiles(files));
  return openFileSource(transport, path);
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

/** A layout: a single image tagged v1, a two-platform index named by containerd, an unnamed image, and a signature of v1. */
function layout(): { files: Record<string, Buffer>; v1: MadeImage; amd: MadeImage; arm: MadeImage; index: { digest: string; size: number; mediaType: string }; loose: MadeImage; sig: MadeImage } {
  const files: Record<string, Buffer> = {};
  const v1 = makeImage(files);
  const amd = makeImage(files, { arch: 'amd64' });
  const arm = makeImage(files, { arch: 'arm64' });
  const index = makeIndex(files, [
    { image: amd, arch: 'amd64' },
    { image: arm, arch: 'arm64' },
  ]);
  const loose = makeImage(files);
  const sig = makeImage(files, { subject: v1.manifest, artifactType: 'application/vnd.example.signature' });
  finishLayout(files, [
    { ...v1.manifest, annotations: { [REF]: 'v1' } },
    { ...index, annotations: { 'io.containerd.image.name': 'docker.io/team/multi:2', [REF]: '2' } },
    loose.manifest,
    sig.manifest,
  ]);
  return { files, v1, amd, arm, index, loose, sig };
}

describe.each<['oci' | 'oci-archive']>([['oci'], ['oci-archive']])('%s', (transport) => {
  const l = layout();
  let source: FileSource;
  beforeAll(async () => {
    source = await open(transport, l.files);
  });
  afterAll(() => source?.close?.());

  it('lists images with their names; the signature is a referrer, not an image; an index is one image', () => {
    expect(source.transport).toBe(transport as FileTransport);
    expect(source.name).toMatch(new RegExp(`^${transport}:/`));
    expect(source.images.map((i) => [i.name, i.repository, i.tag, i.digest])).toEqual([
      ['v1', null, 'v1', l.v1.manifest.digest],
      ['team/multi:2', 'team/multi', '2', l.index.digest],
      ['#3', null, null, l.loose.manifest.digest],
    ]);
    expect(source.resolve('v1')).toBe(l.v1.manifest.digest);
    expect(source.resolve('team/multi:2')).toBe(l.index.digest);
    expect(() => source.resolve()).toThrow(/holds 3 images: name one \(v1, team\/multi:2, #3\)/);
  });

  it('serves manifests by name and by digest (children of an index too), with their media types', async () => {
    const m = await source.getManifest('team/multi', '2');
    expect(m).toMatchObject({ digest: l.index.digest, mediaType: 'application/vnd.oci.image.index.v1+json' });
    expect(sha(m!.body)).toBe(l.index.digest);
    expect(await source.headManifest('x', l.arm.manifest.digest)).toEqual({ ...l.arm.manifest });
    expect(await source.getManifest('x', 'nope')).toBeNull();
    expect(await source.getManifest('x', `sha256:${'0'.repeat(64)}`)).toBeNull();
    expect(await source.tags('team/multi')).toEqual(['2']);
    expect(await source.tags('')).toEqual(['v1']);
    expect(await source.repositories(10)).toEqual({ names: ['team/multi'], next: null, source: 'index' });
  });

  it('streams blobs with their bytes; an unknown blob is null', async () => {
    const layer = l.amd.layers[0]!;
    expect(await source.headBlob('x', layer.digest)).toBe(layer.size);
    expect((await bytesOf(source, layer.digest)).equals(layer.body)).toBe(true);
    expect(await source.getBlob('x', `sha256:${'0'.repeat(64)}`)).toBeNull();
    expect(await source.headBlob('x', 'not-a-digest')).toBeNull();
  });

  it('lists the referrers index.json holds for a subject', async () => {
    expect(await source.referrers('x', l.v1.manifest.digest)).toEqual([
      { digest: l.sig.manifest.digest, mediaType: l.sig.manifest.mediaType, size: l.sig.manifest.size, artifactType: 'application/vnd.example.signature', annotations: {} },
    ]);
    expect(await source.referrers('x', l.index.digest)).toEqual([]);
  });

  it('refuses writes', async () => {
    expect((await failure(source.putManifest('x', 'v1', Buffer.from('{}'), 'application/json'))).code).toBe('UNSUPPORTED');
    expect((await failure(source.putBlob('x', l.v1.config.digest, 1, (async function* () {})()))).code).toBe('UNSUPPORTED');
    expect((await failure(source.deleteManifest('x', l.v1.manifest.digest))).code).toBe('UNSUPPORTED');
  });

  it('fails the read of a blob whose bytes are not its digest, naming the blob', async () => {
    const files = { ...l.files };
    const layer = l.v1.layers[0]!;
    const wrong = Buffer.from(layer.body);
    wrong[wrong.length - 1] = wrong[wrong.length - 1]! ^ 0xff;
    files[`blobs/sha256/${layer.digest.slice(7)}`] = wrong;
    const bad = await open(transport, files);
    try {
      const err = await failure(bytesOf(bad, layer.digest));
      expect(err.code).toBe('DIGEST_INVALID');
      expect(err.message).toContain(`blob ${layer.digest} does not match its digest`);
      // The other images are unharmed.
      expect((await bytesOf(bad, l.arm.layers[0]!.digest)).equals(l.arm.layers[0]!.body)).toBe(true);
    } finally {
      await bad.close?.();
    }
  });

  it('bounds a manifest at 4 MiB, and a cancelled blob read stops', async () => {
    const files = { ...l.files };
    const huge = Buffer.alloc(5 << 20, 0x20);
    const hugeDigest = sha(huge);
    files[`blobs/sha256/${hugeDigest.slice(7)}`] = huge;
    const src = await open(transport, files);
    try {
      const err = await failure(src.getManifest('x', hugeDigest));
      expect(err.code).toBe('ARCHIVE_INVALID');
      expect(err.message).toMatch(/has 5242880 bytes, more than the 4194304 a manifest may have/);
      const blob = (await src.getBlob('x', hugeDigest))!;
      const it = blob.chunks[Symbol.asyncIterator]();
      expect((await it.next()).done).toBe(false);
      await blob.cancel();
      await expect((async () => {
        for (let r = await it.next(); !r.done; r = await it.next());
      })()).rejects.toThrow();
    } finally {
      await src.close?.();
    }
  });

  it('says what is wrong with a layout that is not one', async () => {
    const noLayout = { ...l.files };
    delete noLayout['oci-layout'];
    expect((await failure(open(transport, noLayout))).message).toMatch(/it has no oci-layout file/);
    const noIndex = { ...l.files };
    delete noIndex['index.json'];
    expect((await failure(open(transport, noIndex))).message).toMatch(/index\.json is missing/);
    const badIndex = { ...l.files, 'index.json': Buffer.from('{"manifests": [{"digest": "sha256:zz"}]}') };
    expect((await failure(open(transport, badIndex))).message).toMatch(/index\.json entry 1 is not a descriptor/);
    const notJson = { ...l.files, 'index.json': Buffer.from('{nope') };
    const err = await failure(open(transport, notJson));
    expect(err.code).toBe('ARCHIVE_INVALID');
    expect(err.message).toMatch(/index\.json is not JSON/);
  });
});

describe('oci: a folder', () => {
  it('refuses a blob that points outside the folder', async () => {
    const files: Record<string, Buffer> = {};
    const img = makeImage(files);
    finishLayout(files, [{ ...img.manifest, annotations: { [REF]: 'v1' } }]);
    const path = join(dir, 'escape');
    writeFiles(path, files);
    const outside = join(dir, 'outside-secret');
    writeFileSync(outside, 'secret');
    const layerPath = join(path, 'blobs/sha256', img.layers[0]!.digest.slice(7));
    rmSync(layerPath);
    symlinkSync(outside, layerPath);
    const source = await openFileSource('oci', path);
    const err = await failure(source.getBlob('x', img.layers[0]!.digest));
    expect(err.code).toBe('ARCHIVE_INVALID');
    expect(err.message).toMatch(/points outside the layout/);
  });

  it('says a missing folder is missing', async () => {
    expect((await failure(openFileSource('oci', join(dir, 'nowhere')))).message).toMatch(/no such folder/);
    mkdirSync(join(dir, 'empty'));
    expect((await failure(openFileSource('oci', join(dir, 'empty')))).message).toMatch(/not an OCI image layout: it has no oci-layout file/);
  });
});

describe('oci-archive: hostile tars', () => {
  it('never follows a link in the archive: a blob that is a link is not there', async () => {
    const files: Record<string, Buffer> = {};
    const img = makeImage(files);
    finishLayout(files, [{ ...img.manifest, annotations: { [REF]: 'v1' } }]);
    const layerName = `blobs/sha256/${img.layers[0]!.digest.slice(7)}`;
    const entries = Object.entries(files)
      .filter(([p]) => p !== layerName)
      .map(([path, data]) => ({ path, data }));
    const path = join(dir, 'links.tar');
    writeFileSync(path, tarBytes([...entries, { path: layerName, type: 'SymbolicLink', linkpath: '/etc/passwd' }]));
    const source = await openFileSource('oci-archive', path);
    try {
      expect(await source.getBlob('x', img.layers[0]!.digest)).toBeNull();
      expect(await source.headBlob('x', img.layers[0]!.digest)).toBeNull();
    } finally {
      await source.close?.();
    }
  });

  it('refuses an archive with an escaping entry, and a missing file', async () => {
    const path = join(dir, 'dots.tar');
    writeFileSync(path, tarBytes([{ path: '../oci-layout', data: Buffer.from('{}') }]));
    expect((await failure(openFileSource('oci-archive', path))).message).toMatch(/"\.\.\/oci-layout" is refused/);
    expect((await failure(openFileSource('oci-archive', join(dir, 'none.tar')))).message).toMatch(/oci-archive:.*none\.tar: no such file/);
  });
});
