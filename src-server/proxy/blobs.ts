import { PassThrough, type Writable } from 'node:stream';
import type { ParsedDigest } from '../core/digest';
import type { Logger } from '../logger';
import type { BlobContent, BlobRequest, CacheTarget } from '../registry/service';
import type { RemoteBlob, RemoteRegistry } from '../remote/client';
import { RemoteProtocolError, RemoteUnavailableError } from '../remote/errors';
import type { ByteRange } from '../storage/driver';
import { upstreamError } from './upstream-error';

/**
 * Blobs the registry lacks, from the upstream. A GET streams the upstream's bytes to the client
 * while writing them through an upload, so the blob becomes visible only once its digest is
 * verified. The client's last bytes are held back until then: a client never receives a complete
 * body that turned out wrong (it sees a cut connection instead). If the client goes away, the
 * download still finishes into the cache. A Range request fetches the whole blob (caching it) and
 * sends only the range. Concurrent GETs of one blob use separate uploads; the later commit finds
 * the blob in place and only links it.
 */
export class BlobPuller {
  constructor(
    private readonly registry: CacheTarget,
    private readonly remote: RemoteRegistry,
    private readonly log: Logger,
  ) {}

  /**
   * The blob's size at the upstream (a client's HEAD, nothing cached), or null when it lacks it or
   * cannot be reached: a pushing client HEADs every blob before uploading it, and a 502 there would
   * stop pushes to the cache whenever the upstream is down.
   */
  async stat(repo: string, d: ParsedDigest): Promise<number | null> {
    try {
      return await this.remote.headBlob(repo, d.digest);
    } catch (err) {
      if (!(err instanceof RemoteUnavailableError)) throw upstreamError(err);
      this.log.debug(`pull-through: ${err.message}; blob ${d.digest} of ${repo} answered as unknown`);
      return null;
    }
  }

  /**
   * Opens the blob from the upstream, caching it while it streams (or, when its bytes are already
   * here for another repository, links them once the upstream confirms this one has them); null
   * when the upstream lacks it.
   */
  async open(repo: string, d: ParsedDigest, request: BlobRequest): Promise<BlobContent | null> {
    if (await this.registry.hasBlobData(d)) {
      let size: number | null;
      try {
        size = await this.remote.headBlob(repo, d.digest);
      } catch (err) {
        throw upstreamError(err);
      }
      if (size === null) return null;
      if (await this.registry.mountBlob(repo, d)) return this.registry.openBlob(repo, d, request);
    }
    let blob: RemoteBlob | null = null;
    let size: number | null;
    let range: ByteRange | undefined;
    try {
      blob = await this.remote.getBlob(repo, d.digest);
      if (blob === null) return null;
      size = blob.size ?? (await this.remote.headBlob(repo, d.digest));
      if (size === null) throw new RemoteProtocolError(`${this.remote.url} sent blob ${d.digest} without a size`, this.remote.url);
    } catch (err) {
      await blob?.cancel();
      throw upstreamError(err);
    }
    try {
      range = request.range(size);
    } catch (err) {
      await blob.cancel();
      throw err;
    }
    const out = new PassThrough();
    void this.cacheWhileStreaming(repo, d, blob, out, range ?? { start: 0, end: size - 1 });
    return { size, range, stream: out };
  }

  private async cacheWhileStreaming(repo: string, d: ParsedDigest, blob: RemoteBlob, out: PassThrough, range: ByteRange): Promise<void> {
    let held: Buffer | null = null;
    async function* source(): AsyncIterable<Buffer> {
      let pos = 0;
      for await (const chunk of blob.chunks) {
        const from = Math.max(range.start - pos, 0);
        const to = Math.min(range.end + 1 - pos, chunk.length);
        pos += chunk.length;
        yield chunk;
        if (from < to) {
          if (held) await sendTo(out, held);
          held = chunk.subarray(from, to);
        }
      }
    }
    try {
      await this.registry.putBlob(repo, d, source(), { cachedFrom: this.remote.url });
      if (held) await sendTo(out, held);
      out.end();
    } catch (err) {
      this.log.warn(`pull-through: blob ${d.digest} of ${repo} from ${this.remote.url} not cached: ${(err as Error).message}`);
      out.destroy(err as Error);
    }
  }
}

/** Writes to the client with backpressure; a client that went away is skipped, not waited for. */
async function sendTo(out: Writable, buf: Buffer): Promise<void> {
  if (out.destroyed || out.writableEnded) return;
  if (out.write(buf)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
  });
}
