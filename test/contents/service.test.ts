/**
 * The contents service over a real OCI layout of hand-made images whose merged result is known:
 * files, layers, previews, downloads (a file, a folder as a tar), extraction, diffs, the listing
 * cache (a second listing, and a second image sharing a layer, download no layer again) and the
 * refusals a user meets (unknown path, unknown platform, a corrupt layer).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openOciLayout } from '../../src-server/contents/oci-layout-reader';
import { createContentsService } from '../../src-server/contents/service';
import type { ContentsService, ImageReader } from '../../src-server/contents/types';
import { RegistryError } from '../../src-server/core/errors';
import { tempDir } from '../helpers/berth-server';
import { BASE_FILES, BASE_LINKS, checkBaseListing, LayoutWriter, writeContentsFixture, type ContentsFixture } from '../helpers/contents-images';

let tmp: ReturnType<typeof tempDir>;
let fixture: ContentsFixture;
let layout: ImageReader;
/** Blob digests the service asked the reader for. */
let asked: string[];
let service: ContentsService & { close(): void };

beforeAll(async () => {
  tmp = tempDir('berth-contents-service-');
  fixture = writeContentsFixture(join(tmp.dir, 'layout'));
  const real = await openOciLayout(fixture.dir);
  layout = {
    label: real.label,
    manifest: (ref) => real.manifest(ref === 'base' || ref === 'v2' || ref === 'multi' || ref === 'hostile' ? real.resolve(ref) : ref),
    blob: (digest, signal) => {
      asked.push(digest);
      return real.blob(digest, signal);
    },
  };
  asked = [];
  service = createContentsService({ cachePath: join(tmp.dir, 'layer-listings.db') });
});

afterAll(() => {
  service.close();
  tmp.cleanup();
});

const at = (reference: string, platform?: string) => ({ reader: layout, reference, platform });

async function refusal(p: Promise<unknown>): Promise<RegistryError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RegistryError);
  return err as RegistryError;
}

describe('the contents service', () => {
  it('lists the merged filesystem of a gzip, a zstd and a plain layer, and caches what it read', async () => {
    asked = [];
    const files = await service.files(at('base'));
    checkBaseListing(files.entries);
    expect(files.layers.map((l) => l.digest)).toEqual(fixture.base.layers.map((l) => l.digest));
    expect(files.hidden.map((h) => [h.path, h.how, h.layer, h.by])).toEqual(
      expect.arrayContaining([
        ['etc/motd', 'overwritten', 0, 1],
        ['var/log/big.log', 'deleted', 0, 1],
        ['opt/app/old.txt', 'deleted', 0, 1],
        ['bin/tool', 'overwritten', 0, 2],
      ]),
    );
    expect(files.layers[0]!.wasted).toBe(1000 + 'hello\n'.length + 'old\n'.length + 'aaa\n'.length + '#!/bin/sh\necho tool\n'.length);
    expect(files.wasted).toBe(files.layers.reduce((s, l) => s + l.wasted, 0));
    expect(files.totalSize).toBe(Object.values(BASE_FILES).reduce((s, c) => s + Buffer.byteLength(c), 0));
    const layerReads = asked.filter((d) => fixture.base.layers.some((l) => l.digest === d));
    expect(layerReads.sort()).toEqual(fixture.base.layers.map((l) => l.digest).sort());

    // Reopening reads no layer; nor does a second service on the same cache file (a restart).
    asked = [];
    await service.files(at('base'));
    const again = createContentsService({ cachePath: join(tmp.dir, 'layer-listings.db') });
    try {
      checkBaseListing((await again.files(at('base'))).entries);
    } finally {
      again.close();
    }
    expect(asked.filter((d) => fixture.base.layers.some((l) => l.digest === d))).toEqual([]);
  });

  it('reads only the layer a second image does not share', async () => {
    await service.files(at('base'));
    asked = [];
    const v2 = await service.files(at('v2'));
    expect(v2.entries.find((e) => e.path === 'srv/added.txt')).toMatchObject({ type: 'file', mode: 0o640, layer: 1 });
    expect(v2.entries.some((e) => e.path === 'etc/os-release')).toBe(false);
    expect(asked.filter((d) => fixture.v2.layers.some((l) => l.digest === d))).toEqual([fixture.v2.layers[1]!.digest]);
  });

  it('lists only what is under a path, following symlinks on the way', async () => {
    const etc = await service.files(at('base'), { path: '/etc/' });
    expect(etc.entries.map((e) => e.path)).toEqual(['etc', 'etc/motd', 'etc/os-release']);
    const viaLink = await service.files(at('base'), { path: 'lib/libx.so' });
    expect(viaLink.entries.map((e) => e.path)).toEqual(['usr/lib/libx.so']);
    const missing = await refusal(service.files(at('base'), { path: 'nope/here' }));
    expect(missing.code).toBe('NOT_FOUND');
    expect(missing.message).toContain('/nope/here');
  });

  it("gives each layer's changes", async () => {
    const layers = await service.layers(at('base'));
    const changes = (i: number) => layers.layers[i]!.changes.map((c) => `${c.kind} ${c.path}`);
    expect(changes(1)).toEqual(expect.arrayContaining(['modified etc/motd', 'deleted var/log/big.log', 'added opt/app/new.txt', 'added motd-link']));
    expect(changes(2)).toEqual(expect.arrayContaining(['modified bin/tool', 'added usr/lib/libx.so', 'added lib']));
    expect(layers.layers[1]!.mediaType).toContain('zstd');
  });

  it('previews text, says binary is not text, and downloads a file and a folder as a tar', async () => {
    const motd = await service.preview(at('base'), 'etc/motd');
    expect(motd).toEqual({ path: 'etc/motd', size: 13, text: 'changed motd\n', truncated: false });
    expect((await service.preview(at('base'), '/motd-link')).path).toBe('motd-link');

    const file = await service.download(at('base'), '/bin/tool');
    expect(file).toMatchObject({ name: 'tool', kind: 'file', size: BASE_FILES['bin/tool']!.length });
    expect((await readStream(file.stream)).toString()).toBe(BASE_FILES['bin/tool']);

    const tar = await service.download(at('base'), 'etc');
    expect(tar).toMatchObject({ name: 'etc.tar', kind: 'tar' });
    const tarFile = join(tmp.dir, 'etc.tar');
    writeFileSync(tarFile, await readStream(tar.stream));
    const out = join(tmp.dir, 'untar');
    mkdirSync(out);
    execFileSync('tar', ['-xf', tarFile, '-C', out]);
    expect(readFileSync(join(out, 'etc/motd'), 'utf8')).toBe(BASE_FILES['etc/motd']);
    expect(readFileSync(join(out, 'etc/os-release'), 'utf8')).toBe(BASE_FILES['etc/os-release']);
  });

  it('extracts files, folders and links under the output folder only', async () => {
    const out = join(tmp.dir, 'extract');
    const report = await service.extract(at('base'), ['/etc', 'bin/tool', 'lib', 'usr/lib', 'motd-link'], out);
    expect(report.skipped).toEqual([]);
    for (const path of ['etc/motd', 'etc/os-release', 'bin/tool', 'usr/lib/libx.so']) expect(readFileSync(join(out, path), 'utf8')).toBe(BASE_FILES[path]);
    expect(statSync(join(out, 'bin/tool')).mode & 0o777).toBe(0o700);
    for (const [path, link] of Object.entries(BASE_LINKS)) expect(readlinkSync(join(out, path))).toBe(link);
  });

  it('never writes a hostile layer outside the output folder', async () => {
    const out = join(tmp.dir, 'hostile-out');
    const files = await service.files(at('hostile'));
    expect(files.warnings.join('\n')).toMatch(/escape\.txt skipped/);
    expect(files.warnings.join('\n')).toMatch(/out\/pwned .*symlink/);
    const report = await service.extract(at('hostile'), ['/'], out);
    expect(readFileSync(join(out, 'ok.txt'), 'utf8')).toBe('fine\n');
    expect(existsSync(join(tmp.dir, 'escape.txt'))).toBe(false);
    expect(existsSync('/tmp/pwned')).toBe(false);
    expect(report.skipped.map((s) => s.path)).toEqual(expect.arrayContaining(['dev/null']));
  });

  it('diffs two images: files, config and layers', async () => {
    const diff = await service.diff(at('base'), at('v2'));
    const byPath = new Map(diff.files.map((f) => [f.path, f]));
    expect(byPath.get('srv/added.txt')?.kind).toBe('added');
    expect(byPath.get('etc/os-release')?.kind).toBe('removed');
    expect(byPath.get('etc/motd')).toMatchObject({ kind: 'changed', aspects: expect.arrayContaining(['size', 'content']) });
    expect(diff.config).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'env', key: 'MODE', left: '"base"', right: '"v2"' }), expect.objectContaining({ field: 'workdir' })]));
    expect(diff.layers.shared.map((l) => l.digest)).toEqual([fixture.base.layers[0]!.digest]);
    expect(diff.size.delta).toBe(diff.size.right - diff.size.left);
  });

  it('reads each platform of a multi-arch image, and names the platforms when one is unknown', async () => {
    const arm = await service.files(at('multi', 'linux/arm64'));
    expect(arm.platform).toBe('linux/arm64/v8');
    expect(arm.platforms).toEqual(['linux/amd64', 'linux/arm64/v8']);
    expect(arm.entries.map((e) => e.path)).toContain('only-arm');
    const amd = await service.files(at('multi', 'linux/amd64'));
    expect(amd.entries.map((e) => e.path)).toEqual(['arch', 'arch/amd64.txt']);
    const unknown = await refusal(service.files(at('multi', 'linux/s390x')));
    expect(unknown.code).toBe('PLATFORM_UNKNOWN');
    expect(unknown.message).toContain('linux/amd64');
    expect(unknown.message).toContain('linux/arm64/v8');
  });

  it('takes the bytes of a path a layer writes twice from its last place, as the listing does', async () => {
    const dir = join(tmp.dir, 'dup-layout');
    const w = new LayoutWriter(dir);
    const image = w.image({
      layers: [{ compression: 'gzip', entries: [{ path: 'dup.txt', data: 'first\n' }, { path: 'other', data: 'x' }, { path: 'dup.txt', data: 'later\n' }, { path: 'hard', type: 'hardlink', link: 'dup.txt' }] }],
      config: {},
    });
    w.tag('dup', [image]);
    const real = await openOciLayout(dir);
    const reader = { label: real.label, manifest: () => real.manifest(real.resolve('dup')), blob: (d: string, sig?: AbortSignal) => real.blob(d, sig) };
    const dup = { reader, reference: 'dup' };
    const files = await service.files(dup);
    expect(files.warnings.join('\n')).toMatch(/dup\.txt appears twice/);
    expect((await service.preview(dup, 'dup.txt')).text).toBe('later\n');
    expect((await service.preview(dup, 'hard')).text).toBe('later\n');
    expect((await readStream((await service.download(dup, 'dup.txt')).stream)).toString()).toBe('later\n');
    const out = join(tmp.dir, 'dup-out');
    await service.extract(dup, ['/'], out);
    expect(readFileSync(join(out, 'dup.txt'), 'utf8')).toBe('later\n');
    // A hardlink asked for by name is extracted under that name, its target with it.
    const linkOut = join(tmp.dir, 'hard-out');
    await service.extract(dup, ['/hard'], linkOut);
    expect(readFileSync(join(linkOut, 'hard'), 'utf8')).toBe('later\n');
    expect(statSync(join(linkOut, 'hard')).ino).toBe(statSync(join(linkOut, 'dup.txt')).ino);
    const tarFile = join(tmp.dir, 'dup.tar');
    writeFileSync(tarFile, await readStream((await service.download(dup, '/')).stream));
    const untar = join(tmp.dir, 'dup-untar');
    mkdirSync(untar);
    execFileSync('tar', ['-xf', tarFile, '-C', untar]);
    expect(readFileSync(join(untar, 'dup.txt'), 'utf8')).toBe('later\n');
  });

  it('refuses a layer whose bytes are not its digest, in words', async () => {
    const other = tempDir('berth-contents-corrupt-');
    try {
      const f = writeContentsFixture(join(other.dir, 'layout'));
      const layer = f.v2.layers[1]!;
      const path = join(f.dir, 'blobs', 'sha256', layer.digest.slice(7));
      const bytes = readFileSync(path);
      bytes.writeUInt8(bytes[bytes.length - 20]! ^ 0xff, bytes.length - 20);
      writeFileSync(path, bytes);
      const real = await openOciLayout(f.dir);
      const s = createContentsService({ cachePath: null });
      const err = await refusal(s.files({ reader: { label: real.label, manifest: () => real.manifest(real.resolve('v2')), blob: (d, sig) => real.blob(d, sig) }, reference: 'v2' }));
      expect(['LAYER_UNREADABLE', 'BLOB_UNKNOWN']).toContain(err.code);
      expect(err.message).toContain(layer.digest);
    } finally {
      other.cleanup();
    }
  });
});

async function readStream(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream as AsyncIterable<Buffer>) parts.push(c);
  return Buffer.concat(parts);
}
