/**
 * The storage driver for S3-compatible stores (AWS S3, Ceph RGW, MinIO), with registry:2's S3 key
 * layout: a driver path `docker/registry/v2/...` is the key `<rootdirectory>/docker/registry/v2/...`,
 * so registry:2 and Berth serve one bucket. Folders do not exist in S3: a folder is the common
 * prefix of the keys below it.
 *
 * Appending (blob uploads) is a multipart upload, as in registry:2's driver: bytes are buffered up to
 * one part (`chunksize`) and sent as parts while they stream; closing the writer completes the
 * multipart upload into the object, so an upload survives between PATCH requests and a restart of
 * Berth. Reopening an object to append starts a new multipart upload whose first part is a
 * server-side copy of the object (or, when it is smaller than S3's 5 MiB minimum part, its bytes
 * read back into the buffer). A writer killed before closing leaves an unfinished multipart upload;
 * it is aborted when its object is opened again, or by `prepare` once it is older than a day, and
 * the object keeps what the last close wrote.
 */
import { Readable, PassThrough } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
  type CompletedPart,
} from '@aws-sdk/client-s3';
import type { AppendWriter, ByteRange, FileInfo, StorageDriver } from './driver';
import { DEFAULT_CHUNK_SIZE, MIN_CHUNK_SIZE, type S3Options } from './s3-options';

/** Largest part a single UploadPartCopy may copy (S3's limit). */
const MAX_COPY_PART = 5 * 1024 ** 3;
/** Unfinished multipart uploads older than this are aborted at start (another instance's are younger). */
const STALE_UPLOAD_MS = 24 * 3600 * 1000;

/** Builds the SDK client for the options (path style, endpoint, credentials, no trailing checksums). */
export function createS3Client(opts: S3Options): S3Client {
  // The SDK warns on every start under Node 20 that its releases after January 2027 need Node 22;
  // the version in package-lock.json does not, and Berth's users cannot act on it.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let endpoint = opts.regionEndpoint;
  if (endpoint && !/^https?:\/\//.test(endpoint)) endpoint = `${opts.secure === false ? 'http' : 'https'}://${endpoint}`;
  return new S3Client({
    region: opts.region,
    endpoint,
    forcePathStyle: opts.forcePathStyle ?? false,
    credentials: opts.accessKey && opts.secretKey ? { accessKeyId: opts.accessKey, secretAccessKey: opts.secretKey } : undefined,
    // Ceph RGW 16 and older MinIO do not understand the SDK's default flexible checksums
    // (x-amz-checksum-* and aws-chunked trailers): send and check them only where S3 requires them.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

const isNotFound = (err: unknown): boolean => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
};

/** The S3 driver. */
export class S3Driver implements StorageDriver {
  readonly s3: S3Client;
  readonly bucket: string;
  private readonly prefix: string;
  private readonly chunkSize: number;

  constructor(opts: S3Options, client?: S3Client) {
    this.s3 = client ?? createS3Client(opts);
    this.bucket = opts.bucket;
    const root = (opts.rootDirectory ?? '').replace(/^\/+|\/+$/g, '');
    this.prefix = root ? `${root}/` : '';
    this.chunkSize = Math.max(opts.chunkSize ?? DEFAULT_CHUNK_SIZE, MIN_CHUNK_SIZE);
  }

  /** The object key of a driver path; refuses paths that would leave the root. */
  key(path: string): string {
    const parts = path.split('/').filter((p) => p !== '' && p !== '.');
    if (parts.includes('..')) throw new Error(`path escapes the storage root: ${path}`);
    return this.prefix + parts.join('/');
  }

  async stat(path: string): Promise<FileInfo | null> {
    const key = this.key(path);
    try {
      const head = await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: head.ContentLength ?? 0, isDirectory: false, modified: head.LastModified ?? new Date(0) };
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    const below = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${key}/`, MaxKeys: 1 }));
    return (below.KeyCount ?? 0) > 0 ? { size: 0, isDirectory: true, modified: new Date(0) } : null;
  }

  async readFile(path: string): Promise<Buffer | null> {
    try {
      const res = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(path) }));
      return Buffer.from(await res.Body!.transformToByteArray());
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  createReadStream(path: string, range?: ByteRange): Readable {
    const out = new PassThrough();
    const Range = range ? `bytes=${range.start}-${range.end}` : undefined;
    this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(path), Range })).then(
      (res) => {
        const body = res.Body as Readable;
        body.on('error', (err) => out.destroy(err));
        // A reader that goes away stops the download too.
        out.on('close', () => body.destroy());
        body.pipe(out);
      },
      (err: unknown) => out.destroy(isNotFound(err) ? Object.assign(new Error(`no such file: ${path}`), { code: 'ENOENT' }) : (err as Error)),
    );
    return out;
  }

  async writeFile(path: string, data: Buffer | string): Promise<void> {
    // A PUT replaces the object at once: readers see the old or the new content, never a part.
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.key(path), Body: typeof data === 'string' ? Buffer.from(data) : data }));
  }

  async openAppend(path: string): Promise<AppendWriter> {
    const key = this.key(path);
    await this.abortUploadsOf(key);
    const existing = await this.stat(path);
    const writer = new MultipartAppender(this, key, this.chunkSize, existing && !existing.isDirectory ? existing.size : 0);
    await writer.init();
    return writer;
  }

  async list(path: string): Promise<string[]> {
    const key = this.key(path);
    const prefix = key === '' ? '' : `${key}/`;
    const names = new Set<string>();
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, Delimiter: '/', ContinuationToken: token }),
      );
      for (const p of page.CommonPrefixes ?? []) if (p.Prefix) names.add(p.Prefix.slice(prefix.length).replace(/\/$/, ''));
      for (const o of page.Contents ?? []) if (o.Key && o.Key !== prefix) names.add(o.Key.slice(prefix.length));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return [...names];
  }

  async moveIfAbsent(from: string, to: string): Promise<boolean> {
    const target = await this.stat(to);
    if (target && !target.isDirectory) {
      await this.delete(from);
      return false;
    }
    const source = await this.stat(from);
    if (!source || source.isDirectory) throw Object.assign(new Error(`no such file: ${from}`), { code: 'ENOENT' });
    await this.copy(this.key(from), this.key(to), source.size);
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(from) }));
    return true;
  }

  /** Server-side copy; objects over 5 GiB go part by part (CopyObject's limit). */
  private async copy(from: string, to: string, size: number): Promise<void> {
    const CopySource = encodeURI(`${this.bucket}/${from}`);
    if (size <= MAX_COPY_PART) {
      await this.s3.send(new CopyObjectCommand({ Bucket: this.bucket, Key: to, CopySource }));
      return;
    }
    const { UploadId } = await this.s3.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: to }));
    try {
      const parts = await this.copyParts(from, to, UploadId!, size, 1);
      await this.s3.send(new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: to, UploadId, MultipartUpload: { Parts: parts } }));
    } catch (err) {
      await this.s3.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: to, UploadId })).catch(() => undefined);
      throw err;
    }
  }

  /**
   * Copies `from` (of `size` bytes, at least 5 MiB) into a multipart upload as equal parts of at most
   * 5 GiB, numbered from `first`: equal, so that none but the last is under S3's 5 MiB minimum.
   */
  async copyParts(from: string, to: string, uploadId: string, size: number, first: number): Promise<CompletedPart[]> {
    const parts: CompletedPart[] = [];
    const CopySource = encodeURI(`${this.bucket}/${from}`);
    const step = Math.ceil(size / Math.ceil(size / MAX_COPY_PART));
    for (let start = 0, n = first; start < size; start += step, n++) {
      const end = Math.min(start + step, size) - 1;
      const res = await this.s3.send(
        new UploadPartCopyCommand({ Bucket: this.bucket, Key: to, UploadId: uploadId, PartNumber: n, CopySource, CopySourceRange: `bytes=${start}-${end}` }),
      );
      parts.push({ PartNumber: n, ETag: res.CopyPartResult?.ETag });
    }
    return parts;
  }

  async delete(path: string): Promise<void> {
    const key = this.key(path);
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
    let token: string | undefined;
    do {
      const page = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${key}/`, ContinuationToken: token }));
      const keys = (page.Contents ?? []).map((o) => ({ Key: o.Key! }));
      if (keys.length > 0) await this.s3.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys, Quiet: true } }));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    await this.abortUploadsOf(key, { below: true });
  }

  /** Aborts unfinished multipart uploads older than a day (a killed writer's; never a live one). */
  async prepare(): Promise<void> {
    const cutoff = Date.now() - STALE_UPLOAD_MS;
    for (const u of await this.multipartUploads(this.prefix)) {
      if (u.initiated.getTime() < cutoff) await this.abortMultipart(u.key, u.uploadId);
    }
  }

  /** Unfinished multipart uploads whose key starts with `prefix`. */
  async multipartUploads(prefix: string): Promise<{ key: string; uploadId: string; initiated: Date }[]> {
    const out: { key: string; uploadId: string; initiated: Date }[] = [];
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    for (;;) {
      const page = await this.s3.send(
        new ListMultipartUploadsCommand({ Bucket: this.bucket, Prefix: prefix, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }),
      );
      for (const u of page.Uploads ?? []) if (u.Key && u.UploadId) out.push({ key: u.Key, uploadId: u.UploadId, initiated: u.Initiated ?? new Date(0) });
      if (!page.IsTruncated) return out;
      keyMarker = page.NextKeyMarker;
      uploadIdMarker = page.NextUploadIdMarker;
    }
  }

  private async abortUploadsOf(key: string, opts: { below?: boolean } = {}): Promise<void> {
    const uploads = await this.multipartUploads(opts.below ? `${key}/` : key);
    for (const u of uploads) if (opts.below || u.key === key) await this.abortMultipart(u.key, u.uploadId);
  }

  /** Aborts one multipart upload; no error when it is already completed or aborted. */
  async abortMultipart(key: string, uploadId: string): Promise<void> {
    await this.s3.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId })).catch((err: unknown) => {
      // Already completed or aborted (by another instance): nothing left to do.
      if (!isNotFound(err) && (err as { name?: string }).name !== 'NoSuchUpload') throw err;
    });
  }
}

/**
 * Appends to one object through a multipart upload: at most one part is held in memory. The
 * multipart upload is created with the first full part; a writer that never fills one writes the
 * object with a single PUT on close.
 */
class MultipartAppender implements AppendWriter {
  private buffer: Buffer[] = [];
  private buffered = 0;
  private uploadId: string | null = null;
  private parts: CompletedPart[] = [];
  private nextPart = 1;
  /** Bytes of the existing object still to be copied in as the first parts (0 when read into the buffer). */
  private base = 0;
  private closed = false;
  private changed = false;
  /** A part was lost (its upload failed after its bytes left the buffer): completing would leave a gap. */
  private broken = false;

  constructor(
    private readonly drv: S3Driver,
    private readonly key: string,
    private readonly chunkSize: number,
    private readonly existing: number,
  ) {}

  /** Takes the existing object in: small ones into the buffer, larger ones by server-side copy later. */
  async init(): Promise<void> {
    if (this.existing === 0) {
      // The object exists from the start, even before the first byte (as a file would).
      this.changed = true;
      return;
    }
    if (this.existing >= MIN_CHUNK_SIZE) {
      this.base = this.existing;
      return;
    }
    const res = await this.drv.s3.send(new GetObjectCommand({ Bucket: this.drv.bucket, Key: this.key }));
    const bytes = Buffer.from(await res.Body!.transformToByteArray());
    this.buffer = [bytes];
    this.buffered = bytes.length;
  }

  async write(chunks: Buffer[]): Promise<void> {
    if (this.closed) throw new Error('write after close');
    if (this.broken) throw new Error('write after a failed part');
    for (const c of chunks) {
      if (c.length === 0) continue;
      this.buffer.push(c);
      this.buffered += c.length;
      this.changed = true;
      while (this.buffered >= this.chunkSize) await this.sendPart(this.take(this.chunkSize));
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.broken) {
      await this.discard();
      throw new Error(`append to ${this.key} failed: a part was lost, the object keeps what the last close wrote`);
    }
    if (!this.changed) return;
    if (this.uploadId === null && this.base === 0) {
      // Never a full part: one PUT of everything (S3 cannot complete a multipart upload of 0 parts).
      await this.drv.s3.send(new PutObjectCommand({ Bucket: this.drv.bucket, Key: this.key, Body: this.take(this.buffered) }));
      return;
    }
    if (this.buffered > 0) await this.sendPart(this.take(this.buffered));
    else await this.ensureUpload();
    await this.drv.s3.send(
      new CompleteMultipartUploadCommand({ Bucket: this.drv.bucket, Key: this.key, UploadId: this.uploadId!, MultipartUpload: { Parts: this.parts } }),
    );
  }

  /**
   * Keeps what was written, as close does (the contract: a failed upload can be resumed), unless a
   * part was lost: then the object keeps what the last close wrote.
   */
  async abort(): Promise<void> {
    if (this.closed) return;
    if (!this.broken) return this.close();
    this.closed = true;
    await this.discard();
  }

  /** Aborts the multipart upload, if one was started; the object stays as it was. */
  private async discard(): Promise<void> {
    if (this.uploadId === null) return;
    await this.drv.s3
      .send(new AbortMultipartUploadCommand({ Bucket: this.drv.bucket, Key: this.key, UploadId: this.uploadId }))
      // Left behind, it is aborted when the object is opened again, or by prepare after a day.
      .catch(() => undefined);
  }

  private take(n: number): Buffer {
    const all = Buffer.concat(this.buffer, this.buffered);
    const part = all.subarray(0, n);
    const rest = all.subarray(n);
    this.buffer = rest.length > 0 ? [Buffer.from(rest)] : [];
    this.buffered = rest.length;
    return part;
  }

  private async ensureUpload(): Promise<string> {
    if (this.uploadId !== null) return this.uploadId;
    const { UploadId } = await this.drv.s3.send(new CreateMultipartUploadCommand({ Bucket: this.drv.bucket, Key: this.key }));
    this.uploadId = UploadId!;
    if (this.base > 0) {
      // The object as it is becomes the first parts; it stays readable until the upload completes.
      const copied = await this.drv.copyParts(this.key, this.key, this.uploadId, this.base, this.nextPart);
      this.parts.push(...copied);
      this.nextPart += copied.length;
      this.base = 0;
    }
    return this.uploadId;
  }

  /** Sends `body`, already taken out of the buffer: if that fails, its bytes are lost to this writer. */
  private async sendPart(body: Buffer): Promise<void> {
    try {
      const UploadId = await this.ensureUpload();
      const PartNumber = this.nextPart++;
      const res = await this.drv.s3.send(new UploadPartCommand({ Bucket: this.drv.bucket, Key: this.key, UploadId, PartNumber, Body: body }));
      this.parts.push({ PartNumber, ETag: res.ETag });
    } catch (err) {
      this.broken = true;
      throw err;
    }
  }
}
