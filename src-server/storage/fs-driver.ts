import { createReadStream, promises as fsp } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import type { AppendWriter, ByteRange, FileInfo, StorageDriver } from './driver';

function isNotFound(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** What remains of `chunks` after the first `n` bytes were written (a short writev). */
function dropWritten(chunks: Buffer[], n: number): Buffer[] {
  let i = 0;
  while (i < chunks.length && n >= chunks[i]!.length) n -= chunks[i++]!.length;
  if (i === chunks.length) return [];
  return n > 0 ? [chunks[i]!.subarray(n), ...chunks.slice(i + 1)] : chunks.slice(i);
}

/** Options of the filesystem driver. */
export interface FsDriverOptions {
  /** fsync file contents before making them visible (default true; off only for throwaway data). */
  fsync?: boolean;
}

/** Storage driver over a local folder, in registry:2's `filesystem` layout. */
export class FsDriver implements StorageDriver {
  readonly root: string;
  private readonly fsync: boolean;

  constructor(root: string, opts: FsDriverOptions = {}) {
    this.root = resolve(root);
    this.fsync = opts.fsync ?? true;
  }

  /** Maps a storage path to a local one; paths are built by `layout.ts` from validated names only. */
  localPath(path: string): string {
    const p = join(this.root, path);
    if (p !== this.root && !p.startsWith(this.root + sep)) throw new Error(`path escapes storage root: ${path}`);
    return p;
  }

  async stat(path: string): Promise<FileInfo | null> {
    try {
      const s = await fsp.stat(this.localPath(path));
      return { size: s.size, isDirectory: s.isDirectory(), modified: s.mtime };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async readFile(path: string): Promise<Buffer | null> {
    try {
      return await fsp.readFile(this.localPath(path));
    } catch (err) {
      if (isNotFound(err) || (err as NodeJS.ErrnoException).code === 'EISDIR') return null;
      throw err;
    }
  }

  createReadStream(path: string, range?: ByteRange): Readable {
    return createReadStream(this.localPath(path), {
      start: range?.start,
      end: range?.end,
      highWaterMark: 1 << 20,
    });
  }

  async writeFile(path: string, data: Buffer | string): Promise<void> {
    const target = this.localPath(path);
    await fsp.mkdir(dirname(target), { recursive: true });
    const tmp = `${target}.tmp-${randomBytes(6).toString('hex')}`;
    const fh = await fsp.open(tmp, 'w');
    try {
      await fh.writeFile(data);
      if (this.fsync) await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await fsp.rename(tmp, target);
    } catch (err) {
      await fsp.rm(tmp, { force: true });
      throw err;
    }
  }

  async openAppend(path: string): Promise<AppendWriter> {
    const target = this.localPath(path);
    await fsp.mkdir(dirname(target), { recursive: true });
    const fh = await fsp.open(target, 'a');
    const fsync = this.fsync;
    let closed = false;
    return {
      async write(chunks: Buffer[]) {
        let rest = chunks;
        while (rest.length > 0) {
          const { bytesWritten } = await fh.writev(rest);
          rest = dropWritten(rest, bytesWritten);
        }
      },
      async close() {
        if (closed) return;
        closed = true;
        try {
          if (fsync) await fh.sync();
        } finally {
          await fh.close();
        }
      },
      async abort() {
        if (closed) return;
        closed = true;
        await fh.close().catch(() => undefined);
      },
    };
  }

  async list(path: string): Promise<string[]> {
    try {
      return await fsp.readdir(this.localPath(path));
    } catch (err) {
      if (isNotFound(err)) return [];
      throw err;
    }
  }

  async moveIfAbsent(from: string, to: string): Promise<boolean> {
    const src = this.localPath(from);
    const dst = this.localPath(to);
    if (await this.stat(to)) {
      await fsp.rm(src, { force: true });
      return false;
    }
    await fsp.mkdir(dirname(dst), { recursive: true });
    // rename is atomic; a concurrent commit of the same digest replaces identical, verified bytes.
    await fsp.rename(src, dst);
    return true;
  }

  async delete(path: string): Promise<void> {
    await fsp.rm(this.localPath(path), { recursive: true, force: true });
  }
}
