import { randomUUID, type Hash } from 'node:crypto';
import { streamedBuffers } from '../core/buffer-release';
import { DigestMismatchError, NotFoundError, UploadOffsetError } from '../core/errors';
import { createDigester, type DigestAlgorithm, type ParsedDigest } from '../core/digest';
import type { BlobStore } from './blobs';
import type { StorageDriver } from './driver';
import { paths } from './layout';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Writes are coalesced into buffers of this size: fewer syscalls for a stream of small chunks. */
const WRITE_BATCH = 1 << 20;

/** In-memory state of an upload: the running hash, so a commit never re-reads the data. */
interface UploadState {
  size: number;
  algorithm: DigestAlgorithm;
  hash: Hash | null;
  busy: boolean;
}

/** An upload's identity and progress. */
export interface UploadStatus {
  uuid: string;
  size: number;
}

/**
 * Runs the step of a commit that makes a blob visible. The registry passes its write gate here, so
 * that a garbage collection running meanwhile never deletes what a commit just placed.
 */
export type PlaceGuard = (digest: string, place: () => Promise<void>) => Promise<void>;

/**
 * Blob uploads in registry:2's `_uploads/<uuid>` layout. Bytes are hashed while they stream to disk;
 * a commit verifies the digest, then renames the data into `blobs/` atomically, so a failed or
 * killed upload never becomes a visible blob. After a restart the hash is rebuilt from the data file.
 */
export class UploadStore {
  private readonly state = new Map<string, UploadState>();

  constructor(
    private readonly driver: StorageDriver,
    private readonly blobs: BlobStore,
    private readonly guard: PlaceGuard = (_digest, place) => place(),
  ) {}

  /** True for a string shaped like an upload id (anything else is unknown without touching disk). */
  static isUuid(value: string): boolean {
    return UUID_RE.test(value);
  }

  /** Starts an upload; `algorithm` is the digest it will be verified against, when known. */
  async start(repo: string, algorithm: DigestAlgorithm = 'sha256'): Promise<UploadStatus> {
    const uuid = randomUUID();
    await this.driver.writeFile(paths.uploadStartedAt(repo, uuid), new Date().toISOString());
    const w = await this.driver.openAppend(paths.uploadData(repo, uuid));
    await w.close();
    this.state.set(`${repo}/${uuid}`, { size: 0, algorithm, hash: createDigester(algorithm), busy: false });
    return { uuid, size: 0 };
  }

  /** Current size of an upload. */
  async status(repo: string, uuid: string): Promise<UploadStatus> {
    const st = this.state.get(`${repo}/${uuid}`);
    if (st?.busy) return { uuid, size: st.size };
    const info = UploadStore.isUuid(uuid) ? await this.driver.stat(paths.uploadData(repo, uuid)) : null;
    if (!info) throw new NotFoundError('upload');
    return { uuid, size: info.size };
  }

  /**
   * Appends a stream of bytes. `offset`, when given, must equal the current size (Content-Range).
   * Returns the new size. A broken stream keeps what was written; the upload can be resumed.
   */
  async append(repo: string, uuid: string, source: AsyncIterable<Buffer>, offset?: number): Promise<UploadStatus> {
    const st = await this.acquire(repo, uuid);
    try {
      if (offset !== undefined && offset !== st.size) throw new UploadOffsetError(st.size);
      await this.write(repo, uuid, st, source);
      return { uuid, size: st.size };
    } finally {
      st.busy = false;
    }
  }

  /**
   * Appends a final stream (may be empty), verifies the digest and makes the blob visible, linked
   * into the repository. On a digest mismatch the upload is deleted and nothing is stored.
   */
  async commit(repo: string, uuid: string, digest: ParsedDigest, source?: AsyncIterable<Buffer>): Promise<number> {
    const key = `${repo}/${uuid}`;
    const st = await this.acquire(repo, uuid);
    try {
      if (source) await this.write(repo, uuid, st, source);
      if (st.algorithm !== digest.algorithm || !st.hash) {
        st.algorithm = digest.algorithm;
        st.hash = await this.rehash(repo, uuid, digest.algorithm);
      }
      const actual = `${digest.algorithm}:${st.hash.copy().digest('hex')}`;
      if (actual !== digest.digest) {
        await this.cancel(repo, uuid);
        throw new DigestMismatchError(digest.digest, actual);
      }
      await this.guard(digest.digest, async () => {
        await this.driver.moveIfAbsent(paths.uploadData(repo, uuid), paths.blobData(digest));
        await this.blobs.link(repo, digest);
      });
      await this.driver.delete(paths.uploadDir(repo, uuid));
      this.state.delete(key);
      return st.size;
    } finally {
      st.busy = false;
    }
  }

  /** Deletes an upload and its data. */
  async cancel(repo: string, uuid: string): Promise<void> {
    if (!UploadStore.isUuid(uuid)) throw new NotFoundError('upload');
    this.state.delete(`${repo}/${uuid}`);
    await this.driver.delete(paths.uploadDir(repo, uuid));
  }

  /**
   * The upload's state, checked against storage: the upload may have been purged, cancelled by a
   * repository delete, or continued by another instance on the same bucket since this one saw it.
   */
  private async acquire(repo: string, uuid: string): Promise<UploadState> {
    const key = `${repo}/${uuid}`;
    const cached = this.state.get(key);
    // One request at a time per upload: a second concurrent PATCH is told where the upload is.
    if (cached?.busy) throw new UploadOffsetError(cached.size);
    let size: number;
    try {
      ({ size } = await this.status(repo, uuid));
    } catch (err) {
      if (this.state.get(key) === cached && !cached?.busy) this.state.delete(key);
      throw err;
    }
    const st = this.state.get(key) ?? { size, algorithm: 'sha256', hash: null, busy: false };
    if (st.busy) throw new UploadOffsetError(st.size);
    if (st.size !== size) {
      st.size = size;
      st.hash = null;
    }
    this.state.set(key, st);
    st.busy = true;
    return st;
  }

  /**
   * Streams `source` to the upload's data file. Hashing runs on this thread while the previous batch
   * is being written by the thread pool, so receiving, hashing and disk writes overlap.
   */
  private async write(repo: string, uuid: string, st: UploadState, source: AsyncIterable<Buffer>): Promise<void> {
    if (!st.hash && st.size > 0) st.hash = await this.rehash(repo, uuid, st.algorithm);
    const hash = (st.hash ??= createDigester(st.algorithm));
    const writer = await this.driver.openAppend(paths.uploadData(repo, uuid));
    let batch: Buffer[] = [];
    let batchBytes = 0;
    let hashed = st.size;
    let inflight: Promise<void> | null = null;
    const flush = async () => {
      if (batchBytes === 0) return;
      const chunks = batch;
      const bytes = batchBytes;
      batch = [];
      batchBytes = 0;
      for (const c of chunks) hash.update(c);
      hashed += bytes;
      streamedBuffers.streamed(bytes);
      if (inflight) await inflight;
      inflight = writer.write(chunks).then(() => {
        st.size += bytes;
      });
    };
    try {
      for await (const chunk of source) {
        batch.push(chunk);
        batchBytes += chunk.length;
        if (batchBytes >= WRITE_BATCH) await flush();
      }
      await flush();
      if (inflight) await inflight;
      await writer.close();
    } catch (err) {
      // Keep what reached the disk; forget the hash unless it covers exactly the bytes written.
      await flushQuietly(async () => {
        if (inflight) await inflight;
        await flush();
        if (inflight) await inflight;
      });
      if (hashed !== st.size) st.hash = null;
      // On S3 abort completes the multipart upload, and that can fail too: then the stored object
      // is shorter than st.size, and only resync may say where the upload stands.
      await flushQuietly(() => writer.abort());
      await this.resync(repo, uuid, st).catch(() => this.state.delete(`${repo}/${uuid}`));
      throw err;
    }
  }

  /** After a failure, trust only the file: its size, and a hash rebuilt lazily from it. */
  private async resync(repo: string, uuid: string, st: UploadState): Promise<void> {
    const info = await this.driver.stat(paths.uploadData(repo, uuid));
    if (info && info.size !== st.size) {
      st.size = info.size;
      st.hash = null;
    }
  }

  private async rehash(repo: string, uuid: string, algorithm: DigestAlgorithm): Promise<Hash> {
    const hash = createDigester(algorithm);
    const info = await this.driver.stat(paths.uploadData(repo, uuid));
    if (!info || info.size === 0) return hash;
    for await (const chunk of this.driver.createReadStream(paths.uploadData(repo, uuid))) hash.update(chunk as Buffer);
    return hash;
  }
}

async function flushQuietly(flush: () => Promise<void>): Promise<void> {
  try {
    await flush();
  } catch {
    /* the original error is the one to report */
  }
}

