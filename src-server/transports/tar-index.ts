/**
 * An uncompressed tar read in place: its headers are walked once (ustar, pax `x`/`g` headers and
 * GNU long names, decoded by node-tar's Header and Pax) into an index of entry → byte range, and
 * an entry's bytes are then read from that range of the file. Nothing is extracted, so nothing
 * can be written anywhere; links are recorded but never followed.
 *
 * Strict on what it reads: a path with `..` or a leading `/`, a regular file named twice, an
 * entry whose bytes run past the end of the file, a header with a bad checksum, no end-of-archive
 * marker, or a compressed file are refused with ARCHIVE_INVALID in words.
 */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { Header, Pax } from 'tar';
import { archiveInvalid } from './blob-store';

/** Most entries an archive may have. */
export const MAX_TAR_ENTRIES = 1_000_000;
/** Most bytes of entry names kept in the index. */
export const MAX_TAR_NAME_BYTES = 64 << 20;
/** Longest pax header or GNU long name read. */
const MAX_META_BYTES = 1 << 20;
const BLOCK = 512;
const WINDOW = 64 * 1024;
/** Bytes read from the file at a time when an entry streams. */
const READ_CHUNK = 256 * 1024;
/** Links looked through in a row before giving up (a loop). */
const MAX_LINK_HOPS = 8;

/** One entry of the archive. */
export interface TarEntry {
  /** Its name, normalized (`./` and trailing `/` off). */
  path: string;
  kind: 'file' | 'directory' | 'link' | 'other';
  /**
   * For a link: the archive path it names (a symlink's target taken from the link's folder, a
   * hard link's from the root), or null when that would leave the archive.
   */
  target?: string | null;
  /** Where its bytes start in the file, and how many there are. */
  offset: number;
  size: number;
}

/** A tar opened for reading. */
export interface TarIndex {
  /** The file's size. */
  readonly fileSize: number;
  readonly entries: ReadonlyMap<string, TarEntry>;
  /** A regular file by path, or null (links and folders are not files). */
  file(path: string): TarEntry | null;
  /**
   * A regular file by path, links inside the archive looked up by name (at most 8 in a row; a link
   * out of the archive is not one). Nothing on disk is ever followed: this reads the index only.
   */
  fileThroughLinks(path: string): TarEntry | null;
  /** The entry's bytes, streamed from the file; `signal` aborts the read. */
  stream(entry: TarEntry, signal?: AbortSignal): Readable;
  /** The entry's first `n` bytes (fewer when it is shorter). */
  head(entry: TarEntry, n: number): Promise<Buffer>;
  close(): Promise<void>;
}

const COMPRESSIONS: Array<[magic: number[], name: string, tool: string]> = [
  [[0x1f, 0x8b], 'gzip', 'gunzip'],
  [[0x28, 0xb5, 0x2f, 0xfd], 'zstd', 'zstd -d'],
  [[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], 'xz', 'unxz'],
  [[0x42, 0x5a, 0x68], 'bzip2', 'bunzip2'],
];

/** The compression whose magic bytes `head` starts with, or null. */
export function compressionOf(head: Buffer): { name: string; tool: string } | null {
  for (const [magic, name, tool] of COMPRESSIONS) {
    if (head.length >= magic.length && magic.every((b, i) => head[i] === b)) return { name, tool };
  }
  return null;
}

/**
 * The name as the index keeps it, or an error in words for one that could point outside the
 * archive's root (absolute, or with a `..` component).
 */
export function normalizeEntryPath(raw: string): string | { refused: string } {
  if (raw.includes('\0')) return { refused: 'it contains a NUL byte' };
  if (raw.startsWith('/') || /^[A-Za-z]:[\\/]/.test(raw)) return { refused: 'it is an absolute path' };
  const parts = raw.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) return { refused: 'it has a ".." component' };
  return parts.join('/');
}

/** Bounds of an index (tests set them low). */
export interface TarLimits {
  maxEntries?: number;
}

/** Walks the headers of the tar at `path` (`label` names it in messages) and keeps the file open. */
export async function openTarIndex(path: string, label: string, limits: TarLimits = {}): Promise<TarIndex> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw archiveInvalid(`${label}: cannot open it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw archiveInvalid(`${label}: not a regular file`);
    const entries = await walk(fh, st.size, label, limits.maxEntries ?? MAX_TAR_ENTRIES);
    return tarIndex(fh, st.size, entries, label);
  } catch (err) {
    await fh.close();
    throw err;
  }
}

async function walk(fh: FileHandle, fileSize: number, label: string, maxEntries: number): Promise<Map<string, TarEntry>> {
  const first = Buffer.alloc(Math.min(BLOCK, fileSize));
  await fh.read(first, 0, first.length, 0);
  const compressed = compressionOf(first);
  if (compressed) throw archiveInvalid(`${label}: the file is ${compressed.name}-compressed; decompress it first (${compressed.tool}) and use the .tar`);
  if (fileSize < BLOCK) throw archiveInvalid(`${label}: not a tar archive (${fileSize} bytes, shorter than one tar header)`);

  let window = Buffer.alloc(0);
  let windowStart = 0;
  const block = async (pos: number): Promise<Buffer> => {
    if (pos < windowStart || pos + BLOCK > windowStart + window.length) {
      const len = Math.min(WINDOW, fileSize - pos);
      window = Buffer.alloc(len);
      const { bytesRead } = await fh.read(window, 0, len, pos);
      window = window.subarray(0, bytesRead);
      windowStart = pos;
      if (bytesRead < BLOCK) throw archiveInvalid(`${label}: the archive is truncated at byte ${pos} (a header is cut short)`);
    }
    return window.subarray(pos - windowStart, pos - windowStart + BLOCK);
  };
  const readMeta = async (offset: number, size: number, what: string): Promise<string> => {
    if (size > MAX_META_BYTES) throw archiveInvalid(`${label}: ${what} at byte ${offset - BLOCK} has ${size} bytes, more than ${MAX_META_BYTES}`);
    const buf = Buffer.alloc(size);
    await fh.read(buf, 0, size, offset);
    return buf.toString('utf8');
  };

  const entries = new Map<string, TarEntry>();
  let nameBytes = 0;
  let ex: Pax | undefined;
  let gex: Pax | undefined;
  let longPath: string | undefined;
  let longLink: string | undefined;
  let pos = 0;
  for (;;) {
    if (pos + BLOCK > fileSize) {
      throw archiveInvalid(`${label}: the archive ends early: it is truncated at byte ${fileSize} (no end-of-archive marker)`);
    }
    const buf = await block(pos);
    if (buf.every((b) => b === 0)) return entries;
    const h = new Header(buf, 0, ex, gex);
    if (!h.cksumValid) {
      throw archiveInvalid(pos === 0 ? `${label}: not a tar archive (its first block is not a tar header)` : `${label}: the tar header at byte ${pos} is damaged (bad checksum)`);
    }
    const size = h.size ?? 0;
    if (!Number.isSafeInteger(size) || size < 0) throw archiveInvalid(`${label}: the tar header at byte ${pos} has an invalid size`);
    const offset = pos + BLOCK;
    if (offset + size > fileSize) {
      throw archiveInvalid(
        `${label}: the archive ends early: entry ${JSON.stringify(longPath ?? h.path ?? '')} at byte ${pos} has ${size} bytes, but the file is truncated at byte ${fileSize}`,
      );
    }
    const type = h.type;
    if (type === 'ExtendedHeader') {
      ex = Pax.parse(await readMeta(offset, size, 'a pax header'), ex, false);
    } else if (type === 'GlobalExtendedHeader') {
      gex = Pax.parse(await readMeta(offset, size, 'a pax global header'), gex, true);
    } else if (type === 'NextFileHasLongPath' || type === 'OldGnuLongPath') {
      longPath = (await readMeta(offset, size, 'a long name')).replace(/\0.*$/s, '');
    } else if (type === 'NextFileHasLongLinkpath') {
      longLink = (await readMeta(offset, size, 'a long link name')).replace(/\0.*$/s, '');
    } else {
      const raw = longPath ?? h.path ?? '';
      const linkpath = longLink ?? ex?.linkpath ?? h.linkpath ?? '';
      ex = undefined;
      longPath = undefined;
      longLink = undefined;
      const path = normalizeEntryPath(raw);
      if (typeof path !== 'string') throw archiveInvalid(`${label}: entry ${JSON.stringify(raw)} is refused: ${path.refused}`);
      const kind = kindOf(type);
      const existing = entries.get(path);
      if (existing && !(existing.kind === 'directory' && kind === 'directory')) {
        throw archiveInvalid(`${label}: entry ${JSON.stringify(path)} appears twice in the archive`);
      }
      if (path !== '' && !existing) {
        if (entries.size >= maxEntries) throw archiveInvalid(`${label}: it has more than ${maxEntries} entries`);
        const target = kind === 'link' ? linkTarget(path, linkpath, type === 'SymbolicLink') : undefined;
        nameBytes += path.length + (target?.length ?? 0);
        if (nameBytes > MAX_TAR_NAME_BYTES) throw archiveInvalid(`${label}: its entry names take more than ${MAX_TAR_NAME_BYTES} bytes`);
        entries.set(path, { path, kind, offset, size: kind === 'file' ? size : 0, ...(kind === 'link' ? { target } : {}) });
      }
    }
    pos = offset + Math.ceil(size / BLOCK) * BLOCK;
  }
}

/** The archive path a link names, or null when it would leave the archive (absolute, or `..` above its root). */
function linkTarget(path: string, linkpath: string, symbolic: boolean): string | null {
  if (linkpath.startsWith('/')) return null;
  const parts = symbolic ? path.split('/').slice(0, -1) : [];
  for (const p of linkpath.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') {
      if (parts.length === 0) return null;
      parts.pop();
    } else parts.push(p);
  }
  return parts.join('/');
}

function kindOf(type: string): TarEntry['kind'] {
  if (type === 'File' || type === 'OldFile' || type === 'ContiguousFile') return 'file';
  if (type === 'Directory') return 'directory';
  if (type === 'Link' || type === 'SymbolicLink') return 'link';
  return 'other';
}

function tarIndex(fh: FileHandle, fileSize: number, entries: Map<string, TarEntry>, label: string): TarIndex {
  return {
    fileSize,
    entries,
    file(path) {
      const e = entries.get(path);
      return e && e.kind === 'file' ? e : null;
    },
    fileThroughLinks(path) {
      let e = entries.get(path);
      for (let hops = 0; e && e.kind === 'link' && hops < MAX_LINK_HOPS; hops++) e = e.target ? entries.get(e.target) : undefined;
      return e && e.kind === 'file' ? e : null;
    },
    stream(entry, signal) {
      const stream = rangeStream(fh, entry, label);
      if (signal) {
        const abort = () => stream.destroy(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
        if (signal.aborted) abort();
        else signal.addEventListener('abort', abort, { once: true });
        stream.once('close', () => signal.removeEventListener('abort', abort));
      }
      return stream;
    },
    async head(entry, n) {
      const buf = Buffer.alloc(Math.min(n, entry.size));
      const { bytesRead } = await fh.read(buf, 0, buf.length, entry.offset);
      return buf.subarray(0, bytesRead);
    },
    close: () => fh.close(),
  };
}

/**
 * An entry's bytes read by position from the one open file (so that reads of several entries at
 * once share it, and the file read is the one indexed even if the path is replaced meanwhile).
 */
function rangeStream(fh: FileHandle, entry: TarEntry, label: string): Readable {
  let pos = entry.offset;
  const end = entry.offset + entry.size;
  return new Readable({
    highWaterMark: READ_CHUNK,
    async read() {
      try {
        if (pos >= end) {
          this.push(null);
          return;
        }
        const len = Math.min(READ_CHUNK, end - pos);
        const buf = Buffer.allocUnsafe(len);
        const { bytesRead } = await fh.read(buf, 0, len, pos);
        if (bytesRead === 0) throw archiveInvalid(`${label}: the file changed since it was opened: ${entry.path} ends early`);
        pos += bytesRead;
        this.push(buf.subarray(0, bytesRead));
      } catch (err) {
        this.destroy(err as Error);
      }
    },
  });
}
