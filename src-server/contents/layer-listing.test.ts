import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { LAYER, descriptor, gzip, memoryBlob, sha256, tarOf, zstd, type TarSpec } from '../../test/helpers/layers';
import { listLayer } from './layer-listing';
import type { LayerLimits } from './limits';
import { LayerError, type LayerErrorKind } from './types';

const sample: TarSpec[] = [
  { path: './', type: 'dir' },
  { path: './etc/', type: 'dir' },
  { path: './etc/os-release', body: 'ID=test\n', mode: 0o644, uid: 0, gid: 0 },
  { path: './usr/bin/tool', body: 'x'.repeat(3000), mode: 0o4755, uid: 1000, gid: 100 },
  { path: './usr/bin/alias', type: 'hardlink', link: './usr/bin/tool' },
  { path: './lib', type: 'symlink', link: 'usr/lib' },
  { path: './var/cache/.wh..wh..opq', body: '' },
  { path: './etc/.wh.motd', body: '' },
  { path: './run/pipe', type: 'fifo' },
];

const expected = {
  entries: [
    { path: 'etc', type: 'dir', size: 0, mode: 0o755, uid: 0, gid: 0 },
    { path: 'etc/os-release', type: 'file', size: 8, mode: 0o644, uid: 0, gid: 0, digest: sha256('ID=test\n') },
    { path: 'usr/bin/tool', type: 'file', size: 3000, mode: 0o4755, uid: 1000, gid: 100, digest: sha256('x'.repeat(3000)) },
    { path: 'usr/bin/alias', type: 'hardlink', size: 0, mode: 0o644, uid: 0, gid: 0, link: 'usr/bin/tool' },
    { path: 'lib', type: 'symlink', size: 0, mode: 0o644, uid: 0, gid: 0, link: 'usr/lib' },
    { path: 'run/pipe', type: 'fifo', size: 0, mode: 0o644, uid: 0, gid: 0 },
  ],
  whiteouts: ['etc/motd'],
  opaque: ['var/cache'],
  warnings: [],
};

async function list(bytes: Buffer, mediaType: string, limits?: Partial<LayerLimits>, over = {}) {
  const { blob, probe } = memoryBlob(bytes, 1000);
  const listing = await listLayer(blob, descriptor(bytes, mediaType, over), { limits });
  return { listing, probe };
}

async function failure(bytes: Buffer, mediaType: string, limits?: Partial<LayerLimits>, over = {}): Promise<{ kind: LayerErrorKind; message: string; read: number }> {
  const { blob, probe } = memoryBlob(bytes, 1000);
  const err = await listLayer(blob, descriptor(bytes, mediaType, over), { limits }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LayerError);
  const e = err as LayerError;
  return { kind: e.kind, message: e.message, read: probe.read };
}

describe('listLayer reads every compression and media type', () => {
  const tar = tarOf(sample);
  it.each([
    ['OCI gzip', gzip(tar), LAYER.ociGzip],
    ['Docker gzip', gzip(tar), LAYER.dockerGzip],
    ['OCI zstd made by the zstd tool', zstd(tar), LAYER.ociZstd],
    ['zstd with checksums and several frames', Buffer.concat([zstd(tar.subarray(0, 1536), ['--check']), zstd(tar.subarray(1536), ['--check', '-19'])]), LAYER.ociZstd],
    ['uncompressed tar', tar, LAYER.ociTar],
    ['gzip under an odd media type (sniffed)', gzip(tar), 'application/octet-stream'],
    ['zstd under an odd media type (sniffed)', zstd(tar), 'application/x-whatever'],
    ['tar under an odd media type (sniffed)', tar, 'application/x-whatever'],
  ])('%s', async (_name, bytes, mediaType) => {
    const { listing, probe } = await list(bytes, mediaType);
    expect(listing).toEqual({ ...expected, uncompressedSize: tar.length });
    expect(probe.done).toBe(true);
  });

  it('reads pax long names and long link targets', async () => {
    const long = `${'d'.repeat(150)}/${'f'.repeat(120)}`;
    const tar = tarOf([
      { path: long, body: 'long' },
      { path: 'short', pax: true, body: 'pax' },
      { path: 'ln', type: 'symlink', link: `/${'t'.repeat(200)}` },
    ]);
    const { listing } = await list(gzip(tar), LAYER.ociGzip);
    expect(listing.entries.map((e) => [e.path, e.link ?? e.digest])).toEqual([
      [long, sha256('long')],
      ['short', sha256('pax')],
      ['ln', `/${'t'.repeat(200)}`],
    ]);
  });

  it('lists an empty layer (only the end marker) and a zero-byte tar', async () => {
    expect((await list(gzip(Buffer.alloc(1024)), LAYER.ociGzip)).listing.entries).toEqual([]);
    expect((await list(Buffer.alloc(0), LAYER.ociTar)).listing).toMatchObject({ entries: [], uncompressedSize: 0 });
  });

  it('ignores what follows the end-of-archive marker', async () => {
    const tar = Buffer.concat([tarOf([{ path: 'a', body: 'a' }]), Buffer.from('trailing junk'.repeat(100))]);
    const { listing } = await list(gzip(tar), LAYER.ociGzip);
    expect(listing.entries.map((e) => e.path)).toEqual(['a']);
    expect(listing.uncompressedSize).toBe(tar.length);
  });
});

describe('listLayer skips hostile entries with a warning', () => {
  it('refuses climbing and absolute paths, hardlinks out and over-long paths; warns on devices and climbing symlinks', async () => {
    const tar = tarOf([
      { path: '../etc/passwd', body: 'root' },
      { path: 'a/../../b', body: 'b' },
      { path: '/abs', body: 'abs' },
      { path: `x/${'y'.repeat(4100)}`, body: '' },
      { path: 'hl', type: 'hardlink', link: '../../etc/shadow' },
      { path: 'hl2', type: 'hardlink', link: '/etc/shadow' },
      { path: 'dev/sda', type: 'block' },
      { path: 'dev/null', type: 'char' },
      { path: 'usr/up', type: 'symlink', link: '../../etc' },
      { path: 'usr/abs', type: 'symlink', link: '/etc/../../etc' },
      { path: 'weird', type: 'Z', body: '' },
      { path: 'ok', body: 'fine' },
    ]);
    const { listing } = await list(gzip(tar), LAYER.ociGzip);
    expect(listing.entries.map((e) => e.path)).toEqual(['dev/sda', 'dev/null', 'usr/up', 'usr/abs', 'ok']);
    expect(listing.warnings).toEqual([
      "../etc/passwd skipped: it leaves the image's root",
      "a/../../b skipped: it leaves the image's root",
      '/abs skipped: its path is absolute',
      expect.stringMatching(/^x\/y+… skipped: it is longer than 4096 bytes$/),
      `hl skipped: its hardlink target "../../etc/shadow" is refused: it leaves the image's root`,
      `hl2 skipped: its hardlink target "/etc/shadow" is refused: its path is absolute`,
      'dev/sda is a block device: listed, never extracted',
      'dev/null is a character device: listed, never extracted',
      "usr/up is a symlink to ../../etc, above the image's root: listed, never followed",
      expect.stringMatching(/^weird skipped: its tar type .* is not one Berth lists$/),
    ]);
  });

  it('keeps the later of a duplicated entry, with a warning', async () => {
    const tar = tarOf([
      { path: 'f', body: 'first' },
      { path: 'g', body: 'g' },
      { path: './f', body: 'second', mode: 0o600 },
    ]);
    const { listing } = await list(tar, LAYER.ociTar);
    expect(listing.entries.map((e) => [e.path, e.digest, e.mode])).toEqual([
      ['g', sha256('g'), 0o644],
      ['f', sha256('second'), 0o600],
    ]);
    expect(listing.warnings).toEqual(['f appears twice in the layer: the later entry wins']);
  });
});

describe('listLayer refuses broken layers with a LayerError', () => {
  const tar = tarOf([{ path: 'a', body: randomBytes(100_000) }, { path: 'b', body: 'b' }]);

  it('truncated gzip is CORRUPT and names the layer', async () => {
    const bytes = gzip(tar).subarray(0, 500);
    const f = await failure(bytes, LAYER.ociGzip);
    expect(f.kind).toBe('CORRUPT');
    expect(f.message).toContain(sha256(bytes));
  });

  it('corrupt zstd is CORRUPT', async () => {
    const bytes = Buffer.from(zstd(tar));
    bytes.fill(0xff, 20, 60);
    expect((await failure(bytes, LAYER.ociZstd)).kind).toBe('CORRUPT');
    const truncated = zstd(tar).subarray(0, 100);
    expect(await failure(truncated, LAYER.ociZstd)).toMatchObject({ kind: 'CORRUPT', message: expect.stringContaining('truncated') });
    expect((await failure(Buffer.from('not zstd at all'), LAYER.ociZstd)).kind).toBe('CORRUPT');
  });

  it('a zstd frame asking for a huge window is TOO_LARGE before any allocation', async () => {
    // Magic, descriptor (no single segment), window descriptor for 2^31 bytes, then a block header.
    const bytes = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 21 << 3, 0x01, 0x00, 0x00]);
    expect(await failure(bytes, LAYER.ociZstd)).toMatchObject({ kind: 'TOO_LARGE', message: expect.stringContaining('zstd window') });
  });

  it('a truncated or damaged tar is CORRUPT', async () => {
    expect((await failure(tar.subarray(0, 1024), LAYER.ociTar)).kind).toBe('CORRUPT');
    expect((await failure(gzip(tar.subarray(0, 700)), LAYER.ociGzip)).kind).toBe('CORRUPT');
    // The second header (block 197, after a's 100,000 bytes) with a byte changed.
    const bad = Buffer.from(tar);
    bad[512 * 197 + 10] = 0x41;
    expect((await failure(bad, LAYER.ociTar)).message).toMatch(/checksum/);
    expect((await failure(gzip(Buffer.from('hello, not a tar'.repeat(64))), LAYER.ociGzip)).kind).toBe('CORRUPT');
    expect((await failure(gzip(gzip(tar)), LAYER.ociGzip)).message).toMatch(/compressed a second time/);
  });

  it('bytes that do not match the digest or size are DIGEST_MISMATCH', async () => {
    const bytes = gzip(tar);
    expect((await failure(bytes, LAYER.ociGzip, undefined, { digest: sha256('other') })).kind).toBe('DIGEST_MISMATCH');
    const longer = await failure(bytes, LAYER.ociGzip, undefined, { size: 2000 });
    expect(longer).toMatchObject({ kind: 'DIGEST_MISMATCH', message: expect.stringContaining('longer than the 2000 bytes') });
    expect(longer.read).toBeLessThanOrEqual(3000);
    expect((await failure(bytes, LAYER.ociGzip, undefined, { size: bytes.length + 1 })).kind).toBe('DIGEST_MISMATCH');
    expect((await failure(bytes, LAYER.ociGzip, undefined, { digest: 'md4:0000' })).kind).toBe('UNSUPPORTED');
  });

  it('a foreign layer is UNSUPPORTED and not read at all', async () => {
    const f = await failure(gzip(tar), LAYER.foreign);
    expect(f).toMatchObject({ kind: 'UNSUPPORTED', read: 0 });
  });

  it('a bomb by ratio stops as soon as the ratio is crossed', async () => {
    // A 400 MiB file of zeros as 40 gzip members of 10 MiB each (a valid multi-member gzip).
    const header = tarOf([{ path: 'zeros', size: 400 * 1024 ** 2 }], { end: false });
    const member = gzipSync(Buffer.alloc(10 * 1024 ** 2));
    const bytes = Buffer.concat([gzipSync(header), ...Array.from({ length: 40 }, () => member), gzipSync(Buffer.alloc(1024))]);
    const f = await failure(bytes, LAYER.ociGzip, { maxRatio: 50, ratioFrom: 1024 ** 2 });
    expect(f.kind).toBe('TOO_LARGE');
    expect(f.message).toMatch(/more than 50:1/);
    expect(f.read).toBeLessThan(bytes.length);
    // With the default ratio floor (256 MiB), it would have been read further.
    const laxer = await failure(bytes, LAYER.ociGzip, { maxRatio: 50 });
    expect(laxer.kind).toBe('TOO_LARGE');
    expect(laxer.read).toBeGreaterThan(f.read);
  });

  it('a bomb by size stops at the size limit, for gzip and zstd alike', async () => {
    const big = tarOf([{ path: 'big', body: randomBytes(8 * 1024 ** 2) }]);
    for (const [bytes, type] of [
      [gzip(big), LAYER.ociGzip],
      [zstd(big), LAYER.ociZstd],
      [big, LAYER.ociTar],
    ] as const) {
      const f = await failure(bytes, type, { maxBytes: 1024 ** 2 });
      expect(f.kind).toBe('TOO_LARGE');
      expect(f.read).toBeLessThan(bytes.length / 2);
    }
  });

  it('too many entries is TOO_LARGE', async () => {
    const many = tarOf(Array.from({ length: 50 }, (_, i) => ({ path: `d${i}`, type: 'dir' })));
    expect(await failure(gzip(many), LAYER.ociGzip, { maxEntries: 20 })).toMatchObject({ kind: 'TOO_LARGE', message: expect.stringContaining('more than 20 entries') });
  });
});
