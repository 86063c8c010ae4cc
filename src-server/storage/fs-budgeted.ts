/**
 * Local file operations that hold a slot of the process's descriptor budget (core/fd-budget.ts)
 * for exactly as long as they hold a descriptor: a read stream, a file held open for a download,
 * and removing a folder tree one listing at a time.
 */
import { open, readdir, rmdir, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { mapLimit } from '../core/concurrency';
import type { Slots } from '../core/fd-slots';
import type { ByteRange, HeldFile } from './driver';

/**
 * Opens `path` for reading holding a slot of `slots` until the file's `close` (which may be called
 * more than once); the slot is given back at once if the open fails.
 */
export async function openHeld(path: string, slots: Slots): Promise<HeldFile> {
  const release = await slots.acquire();
  let handle: FileHandle;
  let size: number;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    release();
    throw err;
  }
  try {
    size = (await handle.stat()).size;
  } catch (err) {
    await handle.close().catch(() => undefined);
    release();
    throw err;
  }
  let closing: Promise<void> | null = null;
  return {
    handle,
    size,
    close: () => (closing ??= handle.close().finally(release)),
  };
}

/** Size of each chunk a read stream reads. */
const CHUNK = 1 << 20;

/**
 * A stream of a file or a range of it that takes its budget slot when first read (a stream made
 * but never read holds nothing) and gives it back when it ends, fails or is destroyed.
 */
export class BudgetedReadStream extends Readable {
  private file: HeldFile | null = null;
  private pos: number;
  private readonly end: number;

  constructor(
    private readonly path: string,
    private readonly slots: Slots,
    range?: ByteRange,
  ) {
    super({ highWaterMark: CHUNK });
    this.pos = range?.start ?? 0;
    this.end = range?.end ?? Number.POSITIVE_INFINITY;
  }

  override _read(): void {
    this.readChunk().catch((err: Error) => this.destroy(err));
  }

  private async readChunk(): Promise<void> {
    if (!this.file) {
      const file = await openHeld(this.path, this.slots);
      // Destroyed while it waited for its slot or opened: _destroy saw no file, so close it here.
      if (this.destroyed) return void (await file.close());
      this.file = file;
    }
    const want = Math.min(CHUNK, this.end - this.pos + 1);
    if (want <= 0) return void this.push(null);
    const buf = Buffer.allocUnsafe(want);
    const { bytesRead } = await this.file.handle.read(buf, 0, want, this.pos);
    if (this.destroyed) return;
    if (bytesRead === 0) return void this.push(null);
    this.pos += bytesRead;
    this.push(bytesRead === want ? buf : buf.subarray(0, bytesRead));
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    const file = this.file;
    this.file = null;
    if (!file) return cb(err);
    // FileHandle.close waits for a read still in flight before it closes the descriptor.
    file.close().then(
      () => cb(err),
      (closeErr: Error) => cb(err ?? closeErr),
    );
  }
}

/** Subfolders of the removed folder emptied at once (those below them go one at a time). */
const PARALLEL_REMOVALS = 4;

/**
 * Removes a file or a folder tree (gone already is fine): depth first, each folder listing holding
 * a `slots` slot only while it lists, at most {@link PARALLEL_REMOVALS} subtrees at once. Every
 * descriptor it opens is counted, unlike Node's recursive `rm`.
 */
export async function removeTree(path: string, slots: Slots): Promise<void> {
  try {
    await unlink(path);
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    // A folder: EISDIR on Linux, EPERM where unlink(2) refuses folders that way.
    if (code !== 'EISDIR' && code !== 'EPERM') throw err;
  }
  await removeFolder(path, slots, PARALLEL_REMOVALS);
}

async function removeFolder(path: string, slots: Slots, parallel: number): Promise<void> {
  let entries: Array<{ name: string; isDirectory(): boolean }>;
  try {
    entries = await slots.run(() => readdir(path, { withFileTypes: true }));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  await mapLimit(entries, parallel, async (e) => {
    const child = join(path, e.name);
    if (e.isDirectory()) await removeFolder(child, slots, 1);
    else await unlink(child).catch(ignoreMissing);
  });
  await rmdir(path).catch(ignoreMissing);
}

function ignoreMissing(err: NodeJS.ErrnoException): void {
  if (err.code !== 'ENOENT') throw err;
}
