import type { Readable } from 'node:stream';
import { parseDigest, type ParsedDigest } from '../core/digest';
import type { ByteRange, StorageDriver } from './driver';
import { paths } from './layout';

/** Runs `fn` over items with at most `limit` calls in flight. */
async function eachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
}

/** Content-addressed blobs and their links into repositories. */
export class BlobStore {
  constructor(private readonly driver: StorageDriver) {}

  /** Size of a stored blob, or null when the registry does not hold it. */
  async size(d: ParsedDigest): Promise<number | null> {
    const info = await this.driver.stat(paths.blobData(d));
    return info && !info.isDirectory ? info.size : null;
  }

  /** Streams a blob or a range of it. */
  open(d: ParsedDigest, range?: ByteRange): Readable {
    return this.driver.createReadStream(paths.blobData(d), range);
  }

  /** Reads a small blob (a manifest or config) whole. */
  read(d: ParsedDigest): Promise<Buffer | null> {
    return this.driver.readFile(paths.blobData(d));
  }

  /** True when the blob is linked into the repository (registry:2's `_layers` link). */
  async isLinked(repo: string, d: ParsedDigest): Promise<boolean> {
    const link = await this.driver.readFile(paths.layerLink(repo, d));
    return link !== null && link.toString('utf8').trim() === d.digest;
  }

  /** Links a stored blob into a repository. */
  link(repo: string, d: ParsedDigest): Promise<void> {
    return this.driver.writeFile(paths.layerLink(repo, d), d.digest);
  }

  /** Removes a blob's link from a repository (the content stays until garbage collection). */
  async unlink(repo: string, d: ParsedDigest): Promise<void> {
    await this.driver.delete(paths.layerLink(repo, d).replace(/\/link$/, ''));
  }

  /** Stores small, already verified content (a manifest) under its digest unless present. */
  async putVerified(d: ParsedDigest, data: Buffer): Promise<void> {
    if ((await this.size(d)) === data.length) return;
    await this.driver.writeFile(paths.blobData(d), data);
  }

  /** Digests of the blobs linked into a repository. */
  async listLinked(repo: string): Promise<ParsedDigest[]> {
    const out: ParsedDigest[] = [];
    for (const alg of await this.driver.list(paths.layersRoot(repo))) {
      for (const hex of await this.driver.list(`${paths.layersRoot(repo)}/${alg}`)) {
        const d = parseDigest(`${alg}:${hex}`);
        if (d) out.push(d);
      }
    }
    return out;
  }

  /**
   * Every blob on disk (`blobs/<alg>/<xx>/<hex>/data`) with its size and modification time, listed
   * with at most `concurrency` folder reads or stats in flight. Folders without a `data` file and
   * names that are not digests are skipped.
   */
  async listAll(concurrency = 32): Promise<StoredBlob[]> {
    const root = paths.blobsRoot();
    const prefixes: string[] = [];
    for (const alg of await this.driver.list(root)) {
      for (const xx of await this.driver.list(`${root}/${alg}`)) prefixes.push(`${alg}/${xx}`);
    }
    const candidates: ParsedDigest[] = [];
    await eachLimit(prefixes, concurrency, async (prefix) => {
      const [alg, xx] = prefix.split('/') as [string, string];
      for (const hex of await this.driver.list(`${root}/${prefix}`)) {
        const d = parseDigest(`${alg}:${hex}`);
        // A digest under the wrong two-character folder is not where registry:2 would look for it.
        if (d && d.hex.startsWith(xx)) candidates.push(d);
      }
    });
    const out: StoredBlob[] = [];
    await eachLimit(candidates, concurrency, async (d) => {
      const info = await this.driver.stat(paths.blobData(d));
      if (info && !info.isDirectory) out.push({ digest: d, size: info.size, modified: info.modified });
    });
    return out;
  }

  /** Deletes a blob's folder from storage (garbage collection only: nothing may reference it). */
  remove(d: ParsedDigest): Promise<void> {
    return this.driver.delete(paths.blobDir(d));
  }
}

/** A blob found on disk by {@link BlobStore.listAll}. */
export interface StoredBlob {
  digest: ParsedDigest;
  size: number;
  modified: Date;
}
