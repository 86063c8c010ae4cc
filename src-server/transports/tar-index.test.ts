import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { RegistryError } from '../core/errors';
import { paxBody, tarBytes, type RawEntry } from '../../test/helpers/file-archives';
import { normalizeEntryPath, openTarIndex, type TarIndex } from './tar-index';

const dir = mkdtempSync(join(tmpdir(), 'berth-tar-index-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

function file(bytes: Buffer): string {
  const path = join(dir, `t${++n}.tar`);
  writeFileSync(path, bytes);
  return path;
}

async function index(bytes: Buffer, maxEntries?: number): Promise<TarIndex> {
  return openTarIndex(file(bytes), 'oci-archive:test.tar', { maxEntries });
}

async function refusal(bytes: Buffer, maxEntries?: number): Promise<string> {
  const err = await index(bytes, maxEntries).then(
    async (t) => {
      await t.close();
      return null;
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RegistryError);
  expect((err as RegistryError).code).toBe('ARCHIVE_INVALID');
  return (err as Error).message;
}

async function readAll(t: TarIndex, path: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of t.stream(t.file(path)!)) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

describe('tar index', () => {
  it('indexes files by normalized name and reads each one from its byte range', async () => {
    const big = Buffer.alloc(200_000, 7);
    const t = await index(
      tarBytes([
        { path: 'blobs/', type: 'Directory' },
        { path: './blobs/sha256/a', data: Buffer.from('first') },
        { path: 'big', data: big },
        { path: 'empty', data: Buffer.alloc(0) },
        { path: 'index.json', data: Buffer.from('{"x":1}') },
      ]),
    );
    try {
      expect([...t.entries.keys()]).toEqual(['blobs', 'blobs/sha256/a', 'big', 'empty', 'index.json']);
      expect((await readAll(t, 'blobs/sha256/a')).toString()).toBe('first');
      expect((await readAll(t, 'big')).equals(big)).toBe(true);
      expect((await readAll(t, 'empty')).length).toBe(0);
      expect((await t.head(t.file('index.json')!, 4)).toString()).toBe('{"x"');
      expect(t.file('blobs')).toBeNull();
    } finally {
      await t.close();
    }
  });

  it('takes long names from GNU L entries and pax headers', async () => {
    const long = `blobs/sha256/${'d'.repeat(150)}/${'e'.repeat(80)}`;
    const paxed = `p/${'f'.repeat(300)}`;
    const t = await index(
      tarBytes([
        { path: '././@LongLink', type: 'NextFileHasLongPath', data: Buffer.from(`${long}\0`) },
        { path: 'short-placeholder', data: Buffer.from('gnu') },
        { path: 'PaxHeaders/x', type: 'ExtendedHeader', data: paxBody({ path: paxed }) },
        { path: 'other-placeholder', data: Buffer.from('pax') },
      ]),
    );
    try {
      expect((await readAll(t, long)).toString()).toBe('gnu');
      expect((await readAll(t, paxed)).toString()).toBe('pax');
      expect(t.entries.has('short-placeholder')).toBe(false);
    } finally {
      await t.close();
    }
  });

  it('records links without following them: they are not files', async () => {
    const t = await index(
      tarBytes([
        { path: 'blobs/sha256/x', type: 'SymbolicLink', linkpath: '/etc/passwd' },
        { path: 'hard', type: 'Link', linkpath: 'blobs/sha256/x' },
      ]),
    );
    try {
      expect(t.entries.get('blobs/sha256/x')?.kind).toBe('link');
      expect(t.file('blobs/sha256/x')).toBeNull();
      expect(t.file('hard')).toBeNull();
      // Looked up by name inside the archive only: a link out of it leads nowhere.
      expect(t.fileThroughLinks('blobs/sha256/x')).toBeNull();
      expect(t.entries.get('blobs/sha256/x')?.target).toBeNull();
    } finally {
      await t.close();
    }
  });

  it('looks links up inside the archive, never out of it, and gives up on loops', async () => {
    const t = await index(
      tarBytes([
        { path: 'a/layer.tar', data: Buffer.from('layer') },
        { path: 'b/layer.tar', type: 'SymbolicLink', linkpath: '../a/layer.tar' },
        { path: 'c/layer.tar', type: 'Link', linkpath: 'b/layer.tar' },
        { path: 'd/escape', type: 'SymbolicLink', linkpath: '../../outside' },
        { path: 'loop1', type: 'SymbolicLink', linkpath: 'loop2' },
        { path: 'loop2', type: 'SymbolicLink', linkpath: 'loop1' },
      ]),
    );
    try {
      expect(t.fileThroughLinks('b/layer.tar')?.path).toBe('a/layer.tar');
      expect(t.fileThroughLinks('c/layer.tar')?.path).toBe('a/layer.tar');
      expect(t.entries.get('d/escape')?.target).toBeNull();
      expect(t.fileThroughLinks('d/escape')).toBeNull();
      expect(t.fileThroughLinks('loop1')).toBeNull();
    } finally {
      await t.close();
    }
  });

  it.each<[string, RawEntry[], RegExp]>([
    ['a .. component', [{ path: 'blobs/../../etc/passwd', data: Buffer.from('x') }], /"blobs\/\.\.\/\.\.\/etc\/passwd" is refused: it has a "\.\." component/],
    ['an absolute path', [{ path: '/etc/passwd', data: Buffer.from('x') }], /"\/etc\/passwd" is refused: it is an absolute path/],
    ['a file named twice', [{ path: 'index.json', data: Buffer.from('a') }, { path: './index.json', data: Buffer.from('b') }], /"index.json" appears twice/],
  ])('refuses %s', async (_what, entries, message) => {
    expect(await refusal(tarBytes(entries))).toMatch(message);
  });

  it('says an archive cut inside an entry is truncated, naming the entry', async () => {
    const whole = tarBytes([{ path: 'blobs/sha256/big', data: Buffer.alloc(10_000, 1) }]);
    expect(await refusal(whole.subarray(0, 4096))).toMatch(/the archive ends early: entry "blobs\/sha256\/big" at byte 0 has 10000 bytes, but the file is truncated at byte 4096/);
  });

  it('says an archive without its end marker is truncated', async () => {
    expect(await refusal(tarBytes([{ path: 'a', data: Buffer.from('x') }], { end: false }))).toMatch(/the archive ends early: it is truncated at byte 1024/);
  });

  it('refuses a size claimed past the end of the file (pax size)', async () => {
    const bytes = tarBytes([
      { path: 'PaxHeaders/a', type: 'ExtendedHeader', data: paxBody({ size: 1e12 }) },
      { path: 'a', data: Buffer.from('x') },
    ]);
    expect(await refusal(bytes)).toMatch(/entry "a" at byte 1024 has 1000000000000 bytes, but the file is truncated/);
  });

  it('says a compressed archive is compressed and how to decompress it', async () => {
    expect(await refusal(gzipSync(tarBytes([{ path: 'a', data: Buffer.from('x') }])))).toMatch(/gzip-compressed; decompress it first \(gunzip\)/);
    expect(await refusal(Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), Buffer.alloc(2000)]))).toMatch(/zstd-compressed/);
  });

  it('refuses what is not a tar, and a damaged header', async () => {
    expect(await refusal(Buffer.alloc(2048, 0x41))).toMatch(/not a tar archive/);
    expect(await refusal(Buffer.from('short'))).toMatch(/not a tar archive/);
    const bytes = tarBytes([
      { path: 'a', data: Buffer.from('x') },
      { path: 'b', data: Buffer.from('y') },
    ]);
    bytes[1024 + 10] = bytes[1024 + 10]! ^ 0xff;
    expect(await refusal(bytes)).toMatch(/the tar header at byte 1024 is damaged \(bad checksum\)/);
  });

  it('bounds the number of entries', async () => {
    const entries = Array.from({ length: 5 }, (_, i) => ({ path: `f${i}`, data: Buffer.from('x') }));
    expect(await refusal(tarBytes(entries), 4)).toMatch(/more than 4 entries/);
  });

  it('stops a read when its signal aborts', async () => {
    const t = await index(tarBytes([{ path: 'big', data: Buffer.alloc(1 << 20, 3) }]));
    try {
      const ctl = new AbortController();
      const stream = t.stream(t.file('big')!, ctl.signal);
      let got = 0;
      const read = (async () => {
        for await (const c of stream) {
          got += (c as Buffer).length;
          ctl.abort(new Error('stop here'));
        }
      })();
      await expect(read).rejects.toThrow('stop here');
      expect(got).toBeLessThan(1 << 20);
    } finally {
      await t.close();
    }
  });
});

describe('normalizeEntryPath', () => {
  it('drops ./ and empty parts, refuses escapes', () => {
    expect(normalizeEntryPath('./a//b/./c/')).toBe('a/b/c');
    expect(normalizeEntryPath('a/../b')).toEqual({ refused: 'it has a ".." component' });
    expect(normalizeEntryPath('C:\\x')).toEqual({ refused: 'it is an absolute path' });
  });
});
