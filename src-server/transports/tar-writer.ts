/**
 * A POSIX tar written front to back into one file, one entry at a time, for the archive sinks.
 * Headers are deterministic (mtime 0, uid/gid 0, no user names); a name or size that ustar cannot
 * hold gets a pax header. An entry whose data fails (too short, too long, refused by `verify`, a
 * read error) is cut off again, so the file always ends on a whole entry. Entries may be read back
 * while the file is still being written (a docker archive reads its configs back at commit).
 */
import { open, type FileHandle } from 'node:fs/promises';
import { Header, Pax } from 'tar';
import { RegistryError } from '../core/errors';

const BLOCK = 512;
/** Bytes gathered before one write: few system calls for small chunks, bounded memory for big blobs. */
const WRITE_BATCH = 1 << 20;

/** Where an entry's data lies in the file. */
interface EntrySpan {
  offset: number;
  size: number;
}

/** A tar file being written. Not safe for concurrent `add` calls: callers queue them. */
export class TarWriter {
  private offset = 0;
  private closed = false;
  private readonly spans = new Map<string, EntrySpan>();

  private constructor(
    private readonly fh: FileHandle,
    /** The file being written (for messages). */
    readonly path: string,
  ) {}

  /** Creates `path` (which must not exist) with `mode`, empty. */
  static async create(path: string, mode: number): Promise<TarWriter> {
    // Read and write: a docker archive reads its configs back before the index files.
    return new TarWriter(await open(path, 'wx+', mode), path);
  }

  /** Bytes written so far. */
  get bytes(): number {
    return this.offset;
  }

  /** Whether an entry of this name was written. */
  has(name: string): boolean {
    return this.spans.has(name);
  }

  /** A folder entry (`name` ends with `/`). */
  async addDirectory(name: string): Promise<void> {
    await this.write(headerBlocks(name, 'Directory', 0o755, 0));
  }

  /** A file entry from bytes in memory. */
  async addBuffer(name: string, data: Buffer): Promise<void> {
    await this.add(name, data.length, [data]);
  }

  /**
   * A file entry of exactly `size` bytes from `chunks`. More or fewer bytes throw SIZE_INVALID;
   * `verify` (called once every byte is written) may throw to refuse the entry. On any failure the
   * entry is cut off the file and the error passes on.
   */
  async add(name: string, size: number, chunks: AsyncIterable<Buffer> | Iterable<Buffer>, verify?: () => void): Promise<void> {
    this.checkOpen();
    const start = this.offset;
    try {
      await this.write(headerBlocks(name, 'File', 0o644, size));
      const dataStart = this.offset;
      let got = 0;
      let batch: Buffer[] = [];
      let batched = 0;
      for await (const chunk of chunks) {
        got += chunk.length;
        if (got > size) throw sizeError(name, size, `more than ${size}`);
        batch.push(chunk);
        batched += chunk.length;
        if (batched >= WRITE_BATCH) {
          await this.write(Buffer.concat(batch, batched));
          batch = [];
          batched = 0;
        }
      }
      if (batched > 0) await this.write(Buffer.concat(batch, batched));
      if (got !== size) throw sizeError(name, size, String(got));
      verify?.();
      const pad = (BLOCK - (size % BLOCK)) % BLOCK;
      if (pad) await this.write(Buffer.alloc(pad));
      this.spans.set(name, { offset: dataStart, size });
    } catch (err) {
      await this.cutTo(start);
      throw err;
    }
  }

  /** The data of an entry written earlier, when it is at most `limit` bytes; null otherwise. */
  async read(name: string, limit: number): Promise<Buffer | null> {
    const span = this.spans.get(name);
    if (!span || span.size > limit) return null;
    const buf = Buffer.alloc(span.size);
    const { bytesRead } = await this.fh.read(buf, 0, span.size, span.offset);
    return bytesRead === span.size ? buf : null;
  }

  /** Writes the end-of-archive blocks, flushes to disk and closes; returns the file's size. */
  async finish(): Promise<number> {
    this.checkOpen();
    await this.write(Buffer.alloc(BLOCK * 2));
    await this.fh.sync();
    await this.close();
    return this.offset;
  }

  /** Closes the file (when still open); what was written stays. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.fh.close();
  }

  private checkOpen(): void {
    if (this.closed) throw new Error(`tar ${this.path} is closed`);
  }

  private async write(buf: Buffer): Promise<void> {
    let done = 0;
    while (done < buf.length) {
      const { bytesWritten } = await this.fh.write(buf, done, buf.length - done, this.offset + done);
      done += bytesWritten;
    }
    this.offset += buf.length;
  }

  private async cutTo(offset: number): Promise<void> {
    this.offset = offset;
    if (!this.closed) await this.fh.truncate(offset).catch(() => {});
  }
}

function sizeError(name: string, size: number, got: string): RegistryError {
  return new RegistryError('SIZE_INVALID', { message: `${name}: expected ${size} bytes, got ${got}`, detail: { entry: name, size } });
}

/** A ustar header block, with a pax header before it when the name or size does not fit. */
function headerBlocks(path: string, type: 'File' | 'Directory', mode: number, size: number): Buffer {
  const mtime = new Date(0);
  const data = { path, type, mode, size, uid: 0, gid: 0, uname: '', gname: '', mtime };
  const block = Buffer.alloc(BLOCK);
  const h = new Header(data);
  h.encode(block, 0);
  if (!h.needPax) return block;
  return Buffer.concat([new Pax({ path, size, mtime }).encode(), block]);
}
