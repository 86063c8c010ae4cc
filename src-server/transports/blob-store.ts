/**
 * Where a file source's bytes come from, whatever the file is: a blob by digest, streamed from a
 * folder's `blobs/<alg>/<hex>`, from a byte range of a tar, or from memory (a manifest made up for
 * a docker archive). Every read is checked against the digest while it streams.
 */
import { Readable } from 'node:stream';
import { createDigester, parseDigest, type ParsedDigest } from '../core/digest';
import { RegistryError } from '../core/errors';

/** Largest manifest, index.json or manifest.json read (the distribution spec's registries take 4 MiB manifests). */
export const MAX_MANIFEST_BYTES = 4 << 20;

/** A blob found in a store, not read yet. */
export interface StoredBlob {
  size: number;
  /** What messages call it when its bytes are wrong (`blob sha256:…`, `layer 2 of alpine:3`). */
  what: string;
  /** Its bytes, read once; `signal` aborts the read. */
  open(signal?: AbortSignal): Readable;
}

/** The blobs of one file, by digest. */
export interface BlobStore {
  /** The blob `digest` names, or null when the file has none. */
  find(digest: string): Promise<StoredBlob | null>;
  /** Frees open files. */
  close(): Promise<void>;
}

/** A blob held in memory (its digest computed by whoever put it there). */
export function memoryBlob(body: Buffer, what: string): StoredBlob {
  return { size: body.length, what, open: () => Readable.from([body]) };
}

/**
 * The stream's bytes, hashed as they pass: the read fails with DIGEST_INVALID, naming `what` and
 * `label`, when they are not `digest`'s or not `size` of them.
 */
export async function* verifiedChunks(stream: Readable, d: ParsedDigest, size: number, label: string, what: string): AsyncIterable<Buffer> {
  const hash = createDigester(d.algorithm);
  let n = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      n += chunk.length;
      if (n > size) throw digestInvalid(label, what, d.digest, `it has more than the ${size} bytes expected`);
      hash.update(chunk);
      yield chunk;
    }
  } finally {
    stream.destroy();
  }
  if (n !== size) throw digestInvalid(label, what, d.digest, `it ends after ${n} of ${size} bytes`);
  const actual = hash.digest('hex');
  if (actual !== d.hex) throw digestInvalid(label, what, d.digest, `its bytes hash to ${d.algorithm}:${actual}`);
}

/** Reads a whole blob (bounded by the caller) and checks its digest. */
export async function readVerified(blob: StoredBlob, digest: string, label: string, max: number): Promise<Buffer> {
  const d = parseDigest(digest);
  if (!d) throw new RegistryError('DIGEST_INVALID', { message: `${label}: ${JSON.stringify(digest)} is not a digest` });
  if (blob.size > max) {
    throw new RegistryError('ARCHIVE_INVALID', { message: `${label}: ${blob.what} has ${blob.size} bytes, more than the ${max} read for a manifest or config` });
  }
  const parts: Buffer[] = [];
  for await (const c of verifiedChunks(blob.open(), d, blob.size, label, blob.what)) parts.push(c);
  return Buffer.concat(parts);
}

function digestInvalid(label: string, what: string, digest: string, why: string): RegistryError {
  return new RegistryError('DIGEST_INVALID', {
    message: `${label}: ${what} does not match its digest ${digest}: ${why}`,
    detail: { digest },
  });
}

/** An ARCHIVE_INVALID error in words. */
export function archiveInvalid(message: string, detail?: unknown): RegistryError {
  return new RegistryError('ARCHIVE_INVALID', { message, detail });
}

/** Parses JSON of a file's index, or says which file is not JSON. */
export function parseJsonFile(body: Buffer, what: string): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw archiveInvalid(`${what} is not JSON`);
  }
}
