import type { Readable } from 'node:stream';
import { mapLimit } from '../core/concurrency';
import { parseDigest, type ParsedDigest } from '../core/digest';
import type { ByteRange, StorageDriver } from './driver';
import { paths } from './layout';

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
    const folder = paths.layerLink(repo, d).replace(/\/link$/, '');
    await (this.driver.deleteLeaf ? this.driver.deleteLeaf(folder, 'link') : this.driver.delete(folder));
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
   * Digests of every blob folder on disk (`blobs/<alg>/<xx>/<hex>`), from folder names alone: a few
   * hundred folder reads, no stat per blob. Names that are not digests, or sit under the wrong
   * two-character folder (where registry:2 would not look), are skipped.
   */
  async listDigests(concurrency = 32): Promise<ParsedDigest[]> {
    const root = paths.blobsRoot();
    const prefixes: Array<[alg: string, xx: string]> = [];
    for (const alg of await this.driver.list(root)) {
      for (const xx of await this.driver.list(`${root}/${alg}`)) prefixes.push([alg, xx]);
    }
    const found = await mapLimit(prefixes, concurrency, async ([alg, xx]) => {
      const out: ParsedDigest[] = [];
      for (const hex of await this.driver.list(`${root}/${alg}/${xx}`)) {
        const d = parseDigest(`${alg}:${hex}`);
        if (d && d.hex.startsWith(xx)) out.push(d);
      }
      return out;
    });
    return found.flat();
  }

  /** A blob's size and modification time, or null when its folder holds no `data` file. */
  async stat(d: ParsedDigest): Promise<StoredBlob | null> {
    const info = await this.driver.stat(paths.blobData(d));
    return info && !info.isDirectory ? { digest: d, size: info.size, modified: info.modified } : null;
  }

  /**
   * Every blob on disk with its size and modification time ({@link listDigests}, then a stat each,
   * at most `concurrency` in flight). Folders without a `data` file are skipped.
   */
  async listAll(concurrency = 32): Promise<StoredBlob[]> {
    const infos = await mapLimit(await this.listDigests(concurrency), concurrency, (d) => this.stat(d));
    return infos.filter((b): b is StoredBlob => b !== null);
  }

  /** Deletes a blob's folder from storage (garbage collection only: nothing may reference it). */
  remove(d: ParsedDigest): Promise<void> {
    return this.driver.deleteLeaf ? this.driver.deleteLeaf(paths.blobDir(d), 'data') : this.driver.delete(paths.blobDir(d));
  }
}

/** A blob found on disk by {@link BlobStore.listAll}. */
export interface StoredBlob {
  digest: ParsedDigest;
  size: number;
  modified: Date;
}
