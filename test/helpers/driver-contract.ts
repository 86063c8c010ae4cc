import { beforeEach, describe, expect, it } from 'vitest';
import type { StorageDriver } from '../../src-server/storage/driver';

/** Reads a stream to the end. */
export async function readAll(s: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c);
  return Buffer.concat(chunks);
}

/**
 * The StorageDriver contract: the same cases for every driver (the filesystem driver in
 * src-server/storage/fs-driver.test.ts, the S3 driver against a real Ceph RGW in test/s3).
 */
export function driverContract(name: string, make: () => StorageDriver) {
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
