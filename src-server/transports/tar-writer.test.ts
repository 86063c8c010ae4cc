import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { list } from 'tar';
import { afterEach, describe, expect, it } from 'vitest';
import { RegistryError } from '../core/errors';
import { TarWriter } from './tar-writer';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const fresh = () => (dir = mkdtempSync(join(tmpdir(), 'berth-tar-writer-')));

/** Every entry of a tar as node-tar reads it: name, type, size, mode, uid, mtime and data. */
async function readBack(file: string) {
  const out: Array<{ path: string; type: string; size: number; mode: number; uid: number; mtime: number; data: Buffer }> = [];
  await list({
    file,
    strict: true,
    onReadEntry: (e) => {
      const parts: Buffer[] = [];
      e.on('data', (c: Buffer) => parts.push(c));
      e.on('end', () => out.push({ path: e.path, type: e.type, size: e.size ?? 0, mode: e.mode ?? -1, uid: e.uid ?? -1, mtime: e.mtime?.getTime() ?? -1, data: Buffer.concat(parts) }));
    },
  });
  return out;
}

async function* chunked(data: Buffer, size = 7000): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

describe('TarWriter', () => {
  it('writes folders, buffers and streamed files that real tar and node-tar read back, headers deterministic', async () => {
    const file = join(fresh(), 'out.tar');
    const big = randomBytes(3 * 1024 * 1024 + 17);
    const longName = `blobs/sha256/${'a'.repeat(64)}/${'b'.repeat(80)}`;
    const w = await TarWriter.create(file, 0o600);
    await w.addDirectory('blobs/');
    await w.addBuffer('index.json', Buffer.from('{"a":1}'));
    await w.add('blobs/big', big.length, chunked(big));
    await w.addBuffer(longName, Buffer.from('long'));
    await w.addBuffer('empty', Buffer.alloc(0));
    const bytes = await w.finish();
    expect(bytes).toBe(readFileSync(file).length);
    expect(bytes % 512).toBe(0);

    const listing = execFileSync('tar', ['-tvf', file, '--numeric-owner'], { encoding: 'utf8' }).trim().split('\n');
    expect(listing.map((l) => l.split(/\s+/).slice(5).join(' '))).toEqual(['blobs/', 'index.json', 'blobs/big', longName, 'empty']);
    expect(listing[2]).toMatch(new RegExp(`^-rw-r--r-- 0/0\\s+${big.length} 1970-01-01 00:00 blobs/big$`));
    expect(listing[0]).toMatch(/^drwxr-xr-x 0\/0/);

    const entries = await readBack(file);
    expect(entries.map((e) => [e.path, e.type, e.size])).toEqual([
      ['blobs/', 'Directory', 0],
      ['index.json', 'File', 7],
      ['blobs/big', 'File', big.length],
      [longName, 'File', 4],
      ['empty', 'File', 0],
    ]);
    expect(entries[2]!.data.equals(big)).toBe(true);
    expect(entries.every((e) => e.uid === 0 && e.mtime === 0)).toBe(true);
  });

  it('cuts off an entry whose data is too short, too long or refused, and the tar stays whole', async () => {
    const file = join(fresh(), 'out.tar');
    const w = await TarWriter.create(file, 0o600);
    await w.addBuffer('first', Buffer.from('one'));
    const short = w.add('short', 10, chunked(Buffer.from('abc')));
    await expect(short).rejects.toMatchObject({ code: 'SIZE_INVALID', message: expect.stringContaining('short: expected 10 bytes, got 3') });
    const long = w.add('long', 2, chunked(Buffer.from('abcdef'), 1));
    await expect(long).rejects.toBeInstanceOf(RegistryError);
    await expect(w.add('refused', 3, [Buffer.from('xyz')], () => { throw new Error('not this one'); })).rejects.toThrow('not this one');
    async function* failing(): AsyncGenerator<Buffer> {
      yield Buffer.from('ab');
      throw new Error('source went away');
    }
    await expect(w.add('broken', 4, failing())).rejects.toThrow('source went away');
    expect(w.has('short') || w.has('refused') || w.has('broken')).toBe(false);
    await w.addBuffer('last', Buffer.from('two'));
    await w.finish();
    const entries = await readBack(file);
    expect(entries.map((e) => [e.path, e.data.toString()])).toEqual([
      ['first', 'one'],
      ['last', 'two'],
    ]);
    expect(execFileSync('tar', ['-tf', file], { encoding: 'utf8' })).toBe('first\nlast\n');
  });

  it('reads an entry back while writing, within a limit', async () => {
    const file = join(fresh(), 'out.tar');
    const w = await TarWriter.create(file, 0o600);
    await w.addBuffer('config', Buffer.from('{"rootfs":{}}'));
    await w.addBuffer('other', Buffer.from('zz'));
    expect((await w.read('config', 100))?.toString()).toBe('{"rootfs":{}}');
    expect(await w.read('config', 5)).toBeNull();
    expect(await w.read('missing', 100)).toBeNull();
    await w.close();
  });

  it('refuses to create over an existing file', async () => {
    const file = join(fresh(), 'out.tar');
    await (await TarWriter.create(file, 0o600)).close();
    await expect(TarWriter.create(file, 0o600)).rejects.toMatchObject({ code: 'EEXIST' });
  });
});
