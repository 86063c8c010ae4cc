import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { StorageDriver } from './driver';
import { FsDriver } from './fs-driver';

async function readAll(s: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c);
  return Buffer.concat(chunks);
}

/**
 * The StorageDriver contract. Written against the interface so that a second driver (S3) can be run
 * through the same cases: move this function to a shared module when that driver arrives.
 */
function driverContract(name: string, make: () => StorageDriver) {
  describe(`${name}: StorageDriver contract`, () => {
    let drv: StorageDriver;
    beforeEach(() => {
      drv = make();
    });

    it('missing things are null or empty, never errors', async () => {
      expect(await drv.stat('no/such/file')).toBeNull();
      expect(await drv.readFile('no/such/file')).toBeNull();
      expect(await drv.list('no/such/dir')).toEqual([]);
      await drv.delete('no/such/file');
    });

    it('writeFile creates folders, replaces atomically and leaves no temp files', async () => {
      await drv.writeFile('a/b/c/link', 'one');
      await drv.writeFile('a/b/c/link', Buffer.from('two'));
      expect((await drv.readFile('a/b/c/link'))!.toString()).toBe('two');
      expect(await drv.list('a/b/c')).toEqual(['link']);
      const st = (await drv.stat('a/b/c/link'))!;
      expect(st.size).toBe(3);
      expect(st.isDirectory).toBe(false);
      expect((await drv.stat('a/b'))!.isDirectory).toBe(true);
    });

    it('reading a folder as a file gives null', async () => {
      await drv.writeFile('dir/file', 'x');
      expect(await drv.readFile('dir')).toBeNull();
    });

    it('openAppend appends across writers; ranges read back', async () => {
      const w1 = await drv.openAppend('up/data');
      await w1.write([Buffer.from('0123'), Buffer.from('4567')]);
      await w1.close();
      const w2 = await drv.openAppend('up/data');
      await w2.write([Buffer.from('89')]);
      await w2.close();
      await w2.close(); // idempotent
      expect((await drv.readFile('up/data'))!.toString()).toBe('0123456789');
      expect((await readAll(drv.createReadStream('up/data', { start: 2, end: 5 }))).toString()).toBe('2345');
      expect((await readAll(drv.createReadStream('up/data'))).toString()).toBe('0123456789');
    });

    it('a large vectored write lands whole and in order', async () => {
      const chunks = Array.from({ length: 64 }, (_, i) => Buffer.alloc(64 * 1024 + i, i));
      const w = await drv.openAppend('big/data');
      await w.write(chunks);
      await w.close();
      expect((await drv.readFile('big/data'))!.equals(Buffer.concat(chunks))).toBe(true);
    });

    it('abort keeps what was written and closes', async () => {
      const w = await drv.openAppend('ab/data');
      await w.write([Buffer.from('kept')]);
      await w.abort();
      await w.abort();
      expect((await drv.readFile('ab/data'))!.toString()).toBe('kept');
    });

    it('moveIfAbsent moves once; a second move keeps the first and removes the source', async () => {
      await drv.writeFile('tmp/1', 'first');
      await drv.writeFile('tmp/2', 'second');
      expect(await drv.moveIfAbsent('tmp/1', 'blobs/x/data')).toBe(true);
      expect(await drv.stat('tmp/1')).toBeNull();
      expect(await drv.moveIfAbsent('tmp/2', 'blobs/x/data')).toBe(false);
      expect(await drv.stat('tmp/2')).toBeNull();
      expect((await drv.readFile('blobs/x/data'))!.toString()).toBe('first');
    });

    it('delete removes a whole folder', async () => {
      await drv.writeFile('tree/a/1', '1');
      await drv.writeFile('tree/b/2', '2');
      await drv.delete('tree');
      expect(await drv.stat('tree')).toBeNull();
      expect(await drv.list('tree')).toEqual([]);
    });

    it('lists the entries directly under a folder', async () => {
      for (const p of ['l/x/link', 'l/y/link', 'l/z']) await drv.writeFile(p, p);
      expect((await drv.list('l')).sort()).toEqual(['x', 'y', 'z']);
    });
  });
}

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});
const freshRoot = () => {
  const r = mkdtempSync(join(tmpdir(), 'berth-fsdrv-'));
  roots.push(r);
  return r;
};

driverContract('FsDriver', () => new FsDriver(freshRoot(), { fsync: false }));
driverContract('FsDriver with fsync', () => new FsDriver(freshRoot()));

describe('FsDriver specifics', () => {
  it('refuses paths that escape the root', async () => {
    const root = freshRoot();
    const drv = new FsDriver(root);
    expect(() => drv.localPath('../outside')).toThrow(/escapes/);
    expect(() => drv.localPath('a/../../outside')).toThrow(/escapes/);
    await expect(drv.writeFile('../../evil', 'x')).rejects.toThrow(/escapes/);
    expect(drv.localPath('a/b')).toBe(join(root, 'a/b'));
  });

  it('writes under the root only, staging in berth/tmp and leaving nothing there', async () => {
    const root = freshRoot();
    const drv = new FsDriver(root, { fsync: false });
    await drv.prepare();
    await drv.writeFile('docker/registry/v2/x', 'y');
    expect(readdirSync(root).sort()).toEqual(['berth', 'docker']);
    expect(readdirSync(join(root, 'berth/tmp'))).toEqual([]);
  });

  it('creates a new folder tree only together with its file (never an empty folder)', async () => {
    const root = freshRoot();
    const drv = new FsDriver(root, { fsync: false });
    await drv.prepare();
    await drv.writeFile('repo/_manifests/tags/v1/current/link', 'sha256:x');
    expect(readFileSync(join(root, 'repo/_manifests/tags/v1/current/link'), 'utf8')).toBe('sha256:x');
    // Concurrent writers racing to create the same new folders all land.
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => drv.writeFile(`race/_layers/sha256/h${i % 3}/f${i}/link`, String(i))),
    );
    for (let i = 0; i < 20; i++) {
      expect(readFileSync(join(root, `race/_layers/sha256/h${i % 3}/f${i}/link`), 'utf8')).toBe(String(i));
    }
    expect(readdirSync(join(root, 'berth/tmp'))).toEqual([]);
  });

  it('deletes a folder in one step and prepare() clears interrupted staging', async () => {
    const root = freshRoot();
    const drv = new FsDriver(root, { fsync: false });
    await drv.prepare();
    await drv.writeFile('t/_manifests/tags/v1/current/link', 'a');
    await drv.writeFile('t/_manifests/tags/v1/index/sha256/ab/link', 'a');
    await drv.delete('t/_manifests/tags/v1');
    expect(readdirSync(join(root, 't/_manifests/tags'))).toEqual([]);
    expect(readdirSync(join(root, 'berth/tmp'))).toEqual([]);
    writeFileSync(join(root, 'berth/tmp/left-by-a-kill'), 'partial');
    await drv.prepare();
    expect(readdirSync(join(root, 'berth/tmp'))).toEqual([]);
  });

  it('makes the staging folder once, and again if it vanished while running', async () => {
    const root = freshRoot();
    const drv = new FsDriver(root, { fsync: false });
    await drv.writeFile('a/link', 'one');
    rmSync(join(root, 'berth/tmp'), { recursive: true });
    await drv.writeFile('b/link', 'two');
    expect(readFileSync(join(root, 'b/link'), 'utf8')).toBe('two');
    rmSync(join(root, 'berth/tmp'), { recursive: true });
    await drv.delete('a');
    expect(readdirSync(root).sort()).toEqual(['b', 'berth']);
    await drv.delete('no/such/thing');
  });
});
