import { promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { processFdBudget, type FdBudget } from '../core/fd-budget';
import type { AppendWriter, ByteRange, FileInfo, HeldFile, StorageDriver } from './driver';
import { BudgetedReadStream, openHeld, removeTree } from './fs-budgeted';
import { BERTH_DIR } from './layout';

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
  /** The descriptor budget every open counts against (default: the process's). */
  budget?: FdBudget;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await fsp.stat(path)).isDirectory();
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

/**
 * Storage driver over a local folder, in registry:2's `filesystem` layout.
 *
 * Nothing is ever half-visible: files are written in `berth/tmp` and renamed into place together
 * with every folder they need (a new tag folder appears with its `current/link` already inside),
 * and folders are deleted by renaming them out first. A killed process leaves debris only in
 * `berth/tmp`, which `prepare` clears, and in `_uploads`.
 *
 * Every descriptor it opens counts against a descriptor budget (core/fd-budget.ts): brief slots
 * for small reads, listings and atomic writes, slots of reads and writes for streams and upload
 * files held across a transfer. However many requests arrive at once, the process stays within its
 * descriptor limit: the extra ones wait their turn instead of failing with EMFILE.
 */
export class FsDriver implements StorageDriver {
  readonly root: string;
  readonly budget: FdBudget;
  private readonly fsync: boolean;
  private readonly tmp: string;
  /** Staging names: a per-process random prefix and a counter (no random bytes per write). */
  private readonly stagingPrefix = randomBytes(6).toString('hex');
  private stagingCount = 0;
  private tmpReady = false;

  constructor(root: string, opts: FsDriverOptions = {}) {
    this.root = resolve(root);
    this.fsync = opts.fsync ?? true;
    this.budget = opts.budget ?? processFdBudget();
    this.tmp = join(this.root, BERTH_DIR, 'tmp');
  }

  /** Clears what interrupted writes and deletes left in the staging folder. */
  async prepare(): Promise<void> {
    await removeTree(this.tmp, this.budget.brief);
    await fsp.mkdir(this.tmp, { recursive: true });
    this.tmpReady = true;
  }

  private stagingPath(): string {
    return join(this.tmp, `${this.stagingPrefix}-${(this.stagingCount++).toString(36)}`);
  }

  /**
   * Runs `fn`, which uses the staging folder. The folder is created once, not before every write
   * and delete (a hot path: a GC sweep deletes thousands of folders); if it vanished meanwhile,
   * `fn` fails with ENOENT and runs again once after the folder is made again.
   */
  private async staged<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.tmpReady) {
      await fsp.mkdir(this.tmp, { recursive: true });
      this.tmpReady = true;
    }
    try {
      return await fn();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || (await isDirectory(this.tmp))) throw err;
      await fsp.mkdir(this.tmp, { recursive: true });
      return fn();
    }
  }

  /**
   * Renames a local file to `dst`, creating the folders it needs in the same atomic step: the
   * missing part of the tree is built in staging and renamed into place as one folder.
   */
  private async place(src: string, dst: string): Promise<void> {
    const leftovers: string[] = [];
    try {
      for (let attempt = 0; ; attempt++) {
        const missing: string[] = [];
        let top = dirname(dst);
        while (top.length > this.root.length && !(await isDirectory(top))) {
          missing.unshift(basename(top));
          top = dirname(top);
        }
        if (missing.length === 0) {
          await fsp.rename(src, dst);
          return;
        }
        const stage = this.stagingPath();
        const inner = join(stage, ...missing.slice(1));
        await fsp.mkdir(inner, { recursive: true });
        const staged = join(inner, basename(dst));
        await fsp.rename(src, staged);
        leftovers.push(stage);
        try {
          await fsp.rename(stage, join(top, missing[0]!));
          leftovers.pop();
          return;
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          // Another writer created the folder meanwhile: go again, placing into it.
          if ((code !== 'ENOTEMPTY' && code !== 'EEXIST') || attempt >= 8) throw err;
          src = staged;
        }
      }
    } finally {
      for (const l of leftovers) await removeTree(l, this.budget.brief);
    }
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
    const local = this.localPath(path);
    try {
      return await this.budget.brief.run(() => fsp.readFile(local));
    } catch (err) {
      if (isNotFound(err) || (err as NodeJS.ErrnoException).code === 'EISDIR') return null;
      throw err;
    }
  }

  createReadStream(path: string, range?: ByteRange): Readable {
    return new BudgetedReadStream(this.localPath(path), this.budget.reads, range);
  }

  /**
   * Opens a file for a download that reads it through its handle (see http/v2/send-file.ts), holding
   * a slot of the budget's reads until `close`; null when there is no such file.
   */
  async openFile(path: string): Promise<HeldFile | null> {
    try {
      return await openHeld(this.localPath(path), this.budget.reads);
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async writeFile(path: string, data: Buffer | string): Promise<void> {
    const target = this.localPath(path);
    const tmp = this.stagingPath();
    await this.budget.brief.run(async () => {
      const fh = await this.staged(() => fsp.open(tmp, 'w'));
      try {
        await fh.writeFile(data);
        if (this.fsync) await fh.sync();
      } finally {
        await fh.close();
      }
    });
    try {
      await this.place(tmp, target);
    } catch (err) {
      await fsp.rm(tmp, { force: true });
      throw err;
    }
  }

  async openAppend(path: string): Promise<AppendWriter> {
    const target = this.localPath(path);
    await fsp.mkdir(dirname(target), { recursive: true });
    const release = await this.budget.writes.acquire();
    let fh: FileHandle;
    try {
      fh = await fsp.open(target, 'a');
    } catch (err) {
      release();
      throw err;
    }
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
          await fh.close().finally(release);
        }
      },
      async abort() {
        if (closed) return;
        closed = true;
        await fh.close().catch(() => undefined);
        release();
      },
    };
  }

  async list(path: string): Promise<string[]> {
    const local = this.localPath(path);
    try {
      return await this.budget.brief.run(() => fsp.readdir(local));
    } catch (err) {
      if (isNotFound(err)) return [];
      throw err;
    }
  }

  async moveIfAbsent(from: string, to: string): Promise<boolean> {
    const src = this.localPath(from);
    if (await this.stat(to)) {
      await fsp.rm(src, { force: true });
      return false;
    }
    // A concurrent commit of the same digest may replace identical, verified bytes: harmless.
    await this.place(src, this.localPath(to));
    return true;
  }

  async deleteLeaf(folder: string, file: string): Promise<void> {
    const dir = this.localPath(folder);
    try {
      await fsp.unlink(join(dir, file));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    try {
      await fsp.rmdir(dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (isNotFound(err) || code === 'ENOTEMPTY' || code === 'EEXIST') return;
      throw err;
    }
  }

  async delete(path: string): Promise<void> {
    const target = this.localPath(path);
    const trash = this.stagingPath();
    try {
      // Out of sight in one step, then removed at leisure: a kill never leaves half a folder.
      await this.staged(() => fsp.rename(target, trash));
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    await removeTree(trash, this.budget.brief);
  }
}
