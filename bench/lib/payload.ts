import { createHash, randomBytes, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { once } from 'node:events';

/** Bytes at the end of each blob that make every upload unique (so no server can skip the work). */
const NONCE = 32;
const MiB = 1024 * 1024;

/** One unique blob: a shared random file plus its own trailing nonce. */
export interface Blob {
  digest: string;
  size: number;
  /** Streams bytes [start, end) of the blob. */
  stream(start?: number, end?: number): Readable;
}

/**
 * A random file written once, from which any number of distinct blobs of the same size are made
 * without rewriting it: the file's first `size - 32` bytes are hashed once, each blob only adds a nonce.
 */
export class Payload {
  private constructor(
    readonly path: string,
    readonly size: number,
    private readonly prefixHash: Hash,
  ) {}

  /** Writes `size` random bytes to `path` and hashes them. */
  static async create(path: string, size: number): Promise<Payload> {
    if (size <= NONCE) throw new Error(`payload of ${size} bytes is too small`);
    const out = createWriteStream(path);
    for (let left = size; left > 0; left -= MiB) {
      if (!out.write(randomBytes(Math.min(MiB, left)))) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(path, { end: size - NONCE - 1, highWaterMark: MiB })) hash.update(chunk as Buffer);
    return new Payload(path, size, hash);
  }

  /** A new blob with a random nonce and its digest. */
  blob(): Blob {
    const nonce = randomBytes(NONCE);
    const digest = `sha256:${this.prefixHash.copy().update(nonce).digest('hex')}`;
    const { path, size } = this;
    const prefix = size - NONCE;
    return {
      digest,
      size,
      stream(start = 0, end = size) {
        async function* parts() {
          if (start < prefix) yield* createReadStream(path, { start, end: Math.min(end, prefix) - 1, highWaterMark: MiB });
          if (end > prefix) yield nonce.subarray(Math.max(start, prefix) - prefix, end - prefix);
        }
        return Readable.from(parts(), { objectMode: false });
      },
    };
  }
}
