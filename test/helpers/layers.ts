/**
 * Hand-made layers for the image-contents tests: tar archives written byte by byte (ustar headers,
 * pax records for long names, any type flag, hostile paths a tar tool would refuse to write),
 * compressed with zlib's gzip or the real `zstd` binary, and served as SourceBlobs from a file or
 * from memory in chunks.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { SourceBlob } from '../../src-server/browse/source';
import type { LayerDescriptor } from '../../src-server/contents/types';

/** Layer media types. */
export const LAYER = {
  ociGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  ociTar: 'application/vnd.oci.image.layer.v1.tar',
  dockerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  foreign: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
} as const;

const TYPE_FLAGS = { file: '0', hardlink: '1', symlink: '2', char: '3', block: '4', dir: '5', fifo: '6' } as const;

/** One tar entry to write. `type` is a FileType or a raw type flag (`'Z'` for an unknown one). */
export interface TarSpec {
  path: string;
  type?: keyof typeof TYPE_FLAGS | string;
  body?: Buffer | string;
  mode?: number;
  uid?: number;
  gid?: number;
  link?: string;
  /** Write path and link in a pax header even when they fit the ustar fields. */
  pax?: boolean;
  /** Size to write in the header (a lie, for corrupt archives); defaults to the body's length. */
  size?: number;
}

const octal = (n: number, width: number) => n.toString(8).padStart(width - 1, '0') + '\0';

function paxRecords(fields: Record<string, string>): Buffer {
  let text = '';
  for (const [k, v] of Object.entries(fields)) {
    const rest = ` ${k}=${v}\n`;
    let len = Buffer.byteLength(rest) + 1;
    while (String(len).length + Buffer.byteLength(rest) !== len) len = String(len).length + Buffer.byteLength(rest);
    text += `${len}${rest}`;
  }
  return Buffer.from(text);
}

function header(name: string, flag: string, size: number, spec: Partial<TarSpec>, link = ''): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100);
  h.write(octal(spec.mode ?? (flag === '5' ? 0o755 : 0o644), 8), 100);
  h.write(octal(spec.uid ?? 0, 8), 108);
  h.write(octal(spec.gid ?? 0, 8), 116);
  h.write(octal(size, 12), 124);
  h.write(octal(0, 12), 136);
  h.write(flag, 156, 1);
  h.write(link, 157, 100);
  h.write('ustar\0', 257);
  h.write('00', 263);
  h.fill(' ', 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + ' ', 148);
  return h;
}

const pad = (b: Buffer) => (b.length % 512 ? Buffer.concat([b, Buffer.alloc(512 - (b.length % 512))]) : b);

/** A tar archive of `entries`, ended by two zero blocks unless `end` is false. */
export function tarOf(entries: TarSpec[], opts: { end?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const flag = TYPE_FLAGS[e.type as keyof typeof TYPE_FLAGS] ?? e.type ?? '0';
    const body = Buffer.from(e.body ?? '');
    const link = e.link ?? '';
    if (e.pax || Buffer.byteLength(e.path) > 100 || Buffer.byteLength(link) > 100) {
      const fields: Record<string, string> = { path: e.path };
      if (link) fields.linkpath = link;
      const records = paxRecords(fields);
      parts.push(header('PaxHeader', 'x', records.length, {}), pad(records));
    }
    parts.push(header(e.path.slice(0, 100), flag, e.size ?? body.length, e, link.slice(0, 100)));
    if (body.length) parts.push(pad(body));
  }
  if (opts.end !== false) parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** gzip of `data`. */
export const gzip = (data: Buffer): Buffer => gzipSync(data);

/** zstd of `data`, made by the real zstd tool. */
export function zstd(data: Buffer, args: string[] = []): Buffer {
  return execFileSync('/usr/bin/zstd', ['-q', '-c', ...args], { input: data, maxBuffer: 1024 ** 3 });
}

/** `sha256:<hex>` of bytes. */
export const sha256 = (b: Buffer | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** A descriptor for `bytes` (its true digest and size unless told otherwise). */
export function descriptor(bytes: Buffer, mediaType: string, over: Partial<LayerDescriptor> = {}): LayerDescriptor {
  return { digest: sha256(bytes), mediaType, size: bytes.length, ...over };
}

/** What a test blob did: bytes handed out and whether it was cancelled. */
export interface BlobProbe {
  read: number;
  cancelled: boolean;
  done: boolean;
}

/** A SourceBlob over bytes in memory, handed out in `chunk`-byte pieces, with a probe of what was read. */
export function memoryBlob(bytes: Buffer, chunk = 64 * 1024): { blob: SourceBlob; probe: BlobProbe } {
  const probe: BlobProbe = { read: 0, cancelled: false, done: false };
  async function* chunks(): AsyncGenerator<Buffer> {
    for (let at = 0; at < bytes.length && !probe.cancelled; at += chunk) {
      const piece = bytes.subarray(at, at + chunk);
      probe.read += piece.length;
      yield piece;
    }
    probe.done = !probe.cancelled;
  }
  const blob: SourceBlob = {
    size: bytes.length,
    chunks: chunks(),
    cancel: async () => {
      probe.cancelled = true;
    },
  };
  return { blob, probe };
}

/** A SourceBlob reading a file (as a registry's blob store would). */
export function fileBlob(path: string, size: number): SourceBlob {
  const stream = createReadStream(path);
  return { size, chunks: stream, cancel: async () => void stream.destroy() };
}

/** Writes `bytes` to `path` and returns a descriptor of them. */
export function writeLayer(path: string, bytes: Buffer, mediaType: string): LayerDescriptor {
  writeFileSync(path, bytes);
  return descriptor(bytes, mediaType);
}
