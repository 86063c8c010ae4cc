/**
 * A local copy of a registry's tree in a bucket, so that the filesystem checkers of the crash test
 * (test/crash/consistency.ts, test/helpers/verify.ts) judge what is in S3: every key under
 * `<root>/docker/registry/v2/` becomes a file under the mirror directory, read through the AWS SDK.
 * Blob `data` objects are downloaded again only when their ETag changed; objects under `_uploads`
 * are written empty (only their names are checked).
 */
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync, createWriteStream } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { S3Driver } from '../../src-server/storage/s3-driver';

const V2 = 'docker/registry/v2';

/** Every object key below `prefix`, with its ETag. */
export async function listKeys(drv: S3Driver, prefix: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let token: string | undefined;
  do {
    const page = await drv.s3.send(new ListObjectsV2Command({ Bucket: drv.bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) if (o.Key) out.set(o.Key, o.ETag ?? '');
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

function localFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let entries: string[];
    try {
      entries = readdirSync(d);
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out;
}

/** A mirror directory kept in step with a bucket by {@link BucketMirror.sync}. */
export class BucketMirror {
  private readonly etags = new Map<string, string>();

  constructor(
    private readonly drv: S3Driver,
    /** The mirror: it holds `docker/registry/v2/...` as a data directory would. */
    readonly dir: string,
  ) {}

  /** Brings the mirror in step with the bucket; resolves the number of objects downloaded. */
  async sync(): Promise<number> {
    const root = this.drv.key(V2);
    const keys = await listKeys(this.drv, `${root}/`);
    const wanted = new Map<string, string>();
    for (const [key, etag] of keys) wanted.set(`${V2}/${key.slice(root.length + 1)}`, etag);
    for (const f of localFiles(this.dir)) {
      if (!wanted.has(f)) {
        rmSync(join(this.dir, f));
        this.etags.delete(f);
      }
    }
    this.pruneEmptyFolders(join(this.dir, V2));
    let fetched = 0;
    for (const [rel, etag] of wanted) {
      const file = join(this.dir, rel);
      if (this.etags.get(rel) === etag) continue;
      mkdirSync(dirname(file), { recursive: true });
      if (rel.includes('/_uploads/')) {
        writeFileSync(file, '');
      } else {
        const res = await this.drv.s3.send(new GetObjectCommand({ Bucket: this.drv.bucket, Key: this.drv.key(rel) }));
        await pipeline(res.Body as Readable, createWriteStream(file));
        fetched++;
      }
      this.etags.set(rel, etag);
    }
    return fetched;
  }

  /** Folders left empty by removed files (S3 has no folders: an empty one is not in the bucket). */
  private pruneEmptyFolders(dir: string): boolean {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return false;
    }
    let empty = true;
    for (const e of entries) {
      const p = join(dir, e);
      if (statSync(p).isDirectory() && this.pruneEmptyFolders(p)) rmSync(p, { recursive: true });
      else empty = false;
    }
    return empty;
  }
}
