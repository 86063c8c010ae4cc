/**
 * A layer blob as a stream of uncompressed tar bytes: the compression chosen by media type (or by
 * magic bytes for an odd one), the compressed bytes hashed and counted on the way, the expansion
 * metered against the bomb limits. Nothing is buffered beyond a chunk or two at each stage, and
 * the blob is read only as fast as the tar is consumed.
 */
import { createHash, getHashes, type Hash } from 'node:crypto';
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { FOREIGN_LAYER_TYPES } from '../core/mediatypes';
import type { SourceBlob } from '../browse/source';
import type { ExpansionMeter } from './limits';
import { LayerError, type LayerDescriptor } from './types';
import { ZstdStream } from './zstd-stream';

/** How a layer's tar is compressed. */
export type Compression = 'gzip' | 'zstd' | 'none';

const BY_MEDIA_TYPE: Record<string, Compression> = {
  'application/vnd.oci.image.layer.v1.tar+gzip': 'gzip',
  'application/vnd.docker.image.rootfs.diff.tar.gzip': 'gzip',
  'application/vnd.oci.image.layer.v1.tar+zstd': 'zstd',
  'application/vnd.oci.image.layer.v1.tar': 'none',
  'application/vnd.docker.image.rootfs.diff.tar': 'none',
};

/** Output chunk of the gzip decoder: big chunks keep the per-chunk work of the tar parser small. */
const GUNZIP_CHUNK = 512 * 1024;
/** Compressed bytes read ahead of the gzip decoder: small, so that a bomb stops the download early. */
const READ_AHEAD = 64 * 1024;

/**
 * The compression a media type names, or null when the type is unknown and the bytes must tell.
 * Throws LayerError('UNSUPPORTED') for a foreign (non-distributable) layer, which is never read.
 */
export function compressionOf(mediaType: string): Compression | null {
  if (FOREIGN_LAYER_TYPES.has(mediaType)) {
    throw new LayerError('UNSUPPORTED', `a foreign layer (${mediaType}) lives outside the registry and is not read`);
  }
  return BY_MEDIA_TYPE[mediaType] ?? null;
}

/** The compression the first bytes of a blob show: gzip `1f 8b`, zstd `28 b5 2f fd`, else tar. */
export function sniffCompression(head: Uint8Array): Compression {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return 'none';
}

/** The hash a digest names (`sha256:…`, `sha512:…`); UNSUPPORTED for one node:crypto lacks. */
function digestHash(layer: LayerDescriptor): { hash: Hash; algorithm: string; hex: string } {
  const at = layer.digest.indexOf(':');
  const algorithm = layer.digest.slice(0, at);
  const hex = layer.digest.slice(at + 1).toLowerCase();
  if (at <= 0 || !/^[a-z0-9]+$/.test(algorithm) || !getHashes().includes(algorithm)) {
    throw new LayerError('UNSUPPORTED', `layer ${layer.digest} has a digest algorithm Berth cannot check`);
  }
  return { hash: createHash(algorithm), algorithm, hex };
}

/**
 * The compressed bytes of the blob, hashed and counted; at the end, DIGEST_MISMATCH when they do
 * not match the descriptor (also as soon as more bytes arrive than its size).
 */
async function* verified(blob: SourceBlob, layer: LayerDescriptor, meter: ExpansionMeter, signal?: AbortSignal): AsyncGenerator<Buffer> {
  const { hash, hex } = digestHash(layer);
  for await (const chunk of blob.chunks) {
    signal?.throwIfAborted();
    hash.update(chunk);
    meter.addCompressed(chunk.length);
    if (meter.compressed > layer.size) {
      throw new LayerError('DIGEST_MISMATCH', `layer ${layer.digest} is longer than the ${layer.size} bytes its manifest gives`);
    }
    yield chunk;
  }
  signal?.throwIfAborted();
  if (meter.compressed !== layer.size) {
    throw new LayerError('DIGEST_MISMATCH', `layer ${layer.digest} has ${meter.compressed} bytes, not the ${layer.size} its manifest gives`);
  }
  const got = hash.digest('hex');
  if (got !== hex) {
    throw new LayerError('DIGEST_MISMATCH', `layer ${layer.digest} does not match its digest (its bytes hash to ${layer.digest.split(':')[0]}:${got})`);
  }
}

/** Puts back the first chunk read for sniffing in front of the rest. */
async function* prepend(first: Buffer, rest: AsyncGenerator<Buffer>): AsyncGenerator<Buffer> {
  yield first;
  yield* rest;
}

function corrupt(layer: LayerDescriptor, why: string): LayerError {
  return new LayerError('CORRUPT', `layer ${layer.digest} is corrupt: ${why}`);
}

async function* gunzip(input: AsyncIterable<Buffer>, layer: LayerDescriptor, isInputError: (e: unknown) => boolean): AsyncGenerator<Buffer> {
  const decoder = createGunzip({ chunkSize: GUNZIP_CHUNK });
  // pipeline() destroys both sides on an error or an early return, which ends the blob's read.
  const out = pipeline(Readable.from(input, { objectMode: false, highWaterMark: READ_AHEAD }), decoder, () => {});
  try {
    for await (const chunk of out as AsyncIterable<Buffer>) yield chunk;
  } catch (err) {
    if (err instanceof LayerError || isInputError(err)) throw err;
    throw corrupt(layer, `gzip: ${(err as Error).message}`);
  } finally {
    decoder.destroy();
  }
}

async function* unzstd(input: AsyncIterable<Buffer>, layer: LayerDescriptor): AsyncGenerator<Buffer> {
  const z = new ZstdStream(layer.digest);
  const asBuffer = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.length);
  for await (const chunk of input) {
    for (const pieces of z.write(chunk)) for (const p of pieces) yield asBuffer(p);
  }
  for (const p of z.end()) yield asBuffer(p);
}

/**
 * The uncompressed tar of a layer, chunk by chunk. Every compressed byte is hashed and `meter`
 * counts both sides, throwing TOO_LARGE at once when a limit is crossed; at the end of the blob
 * the digest and size are checked (DIGEST_MISMATCH). Corrupt or truncated compression is CORRUPT.
 * Ending the iteration early cancels the blob's read; then the digest is not checked.
 * Errors of the blob's own read (a network failure, `signal`'s abort) come through unchanged.
 */
export async function* layerTar(blob: SourceBlob, layer: LayerDescriptor, meter: ExpansionMeter, signal?: AbortSignal): AsyncGenerator<Buffer> {
  let completed = false;
  let inputError: unknown;
  const onAbort = () => void blob.cancel().catch(() => {});
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    signal?.throwIfAborted();
    const declared = compressionOf(layer.mediaType);
    const source = verified(blob, layer, meter, signal);
    const input = (async function* () {
      try {
        yield* source;
      } catch (err) {
        inputError = err;
        throw err;
      }
    })();
    let compression = declared;
    let stream: AsyncIterable<Buffer> = input;
    if (compression === null) {
      const first = await input.next();
      compression = first.done ? 'none' : sniffCompression(first.value);
      if (!first.done) stream = prepend(first.value, input);
    }
    const isInputError = (e: unknown) => e !== undefined && e === inputError;
    const out = compression === 'gzip' ? gunzip(stream, layer, isInputError) : compression === 'zstd' ? unzstd(stream, layer) : stream;
    for await (const chunk of out) {
      meter.addUncompressed(chunk.length);
      yield chunk;
    }
    completed = true;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (!completed) await blob.cancel().catch(() => {});
  }
}
