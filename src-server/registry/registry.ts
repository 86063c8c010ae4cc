import type { Readable } from 'node:stream';
import { looksLikeDigest, parseDigest, type ParsedDigest } from '../core/digest';
import { NotFoundError, RegistryError } from '../core/errors';
import { parseManifest, type ManifestInfo } from '../core/manifest';
import type { OriginStore } from '../index/origin-store';
import type { RegistryIndex, ReferrerRow } from '../index/registry-index';
import { BlobStore } from '../storage/blobs';
import type { ByteRange, HeldFile, StorageDriver } from '../storage/driver';
import { paths } from '../storage/layout';
import { ManifestStore } from '../storage/manifests';
import { UploadStore } from '../storage/uploads';
import { BlobClaims } from './blob-claims';
import { CollectionLease, LeaseHeldError, type LeaseTimings } from './collection-lease';
import { ManifestCache } from './manifest-cache';
import { assertBlobsPresent, assertNameable, checkPushedManifest, referencedBlobs } from './manifest-checks';
import { refreshRepository } from './reconcile';
import { WriteGate } from './write-gate';

/** The manifest size limit and the reference-check fan-out, importable from here as before (see manifest-checks.ts). */
export { MAX_MANIFEST_BYTES, PARALLEL_REFERENCE_CHECKS } from './manifest-checks';

/** A manifest ready to serve. */
export interface ServedManifest {
  digest: string;
  mediaType: string;
  body: Buffer;
}

/** Options of the registry service. */
export interface RegistryOptions {
  driver: StorageDriver;
  index: RegistryIndex;
  /** registry:2's `storage.delete.enabled`: when false, deletes answer 405 UNSUPPORTED. */
  deleteEnabled: boolean;
  /** Where blobs, manifests and tags came from (pushed, or cached from an upstream). */
  origins: OriginStore;
  /**
   * Storage other registry processes write too (a bucket shared by several instances): the index
   * is then only this instance's cache, checked against storage where a stale answer would be wrong.
   */
  sharedStorage?: boolean;
  /** Timing of the collection lease on shared storage (tests shorten it). */
  leaseTimings?: Partial<LeaseTimings>;
}

/** How long a repository's tag list may be served from the index on shared storage before a re-read. */
export const SHARED_TAGS_TTL_MS = 5000;

/**
 * Content the registry lacks, from elsewhere: the pull-through cache's upstream. The registry asks
 * it before serving a manifest; the blob routes ask it for blobs the registry does not hold.
 */
export interface ContentFallback {
  /** Called before a manifest is served by tag or digest: may fetch it, or refresh a cached tag. */
  prepareManifest(repo: string, ref: string): Promise<void>;
  /** Size of a blob the registry lacks, or null when the upstream lacks it too. */
  statBlob(repo: string, d: ParsedDigest): Promise<number | null>;
  /**
   * Streams a blob the registry lacks, storing it while it streams (verified against its digest
   * before it becomes visible); null when the upstream lacks it too.
   */
  openBlob(repo: string, d: ParsedDigest, range?: ByteRange): Promise<{ size: number; stream: Readable } | null>;
}

/** How a manifest arrives: pushed by a client (verified), or cached from an upstream. */
export interface PutManifestOptions {
  /** The upstream URL when the pull-through cache stores it; its blobs are fetched later, on demand. */
  cachedFrom?: string;
}

/**
 * The registry's operations over storage and index: every write goes to disk first and then to the
 * index, so that the index can always be rebuilt from what is on disk.
 */
export class Registry {
  readonly driver: StorageDriver;
  readonly index: RegistryIndex;
  readonly blobs: BlobStore;
  readonly uploads: UploadStore;
  readonly manifests: ManifestStore;
  readonly deleteEnabled: boolean;
  readonly origins: OriginStore;
  /** Orders writes against an online garbage collection. */
  readonly gate = new WriteGate();
  /** The pull-through cache's upstream, when one is configured. */
  fallback: ContentFallback | null = null;
  private readonly cache = new ManifestCache();
  /** When a client last uploaded, checked (HEAD) or mounted each blob: a manifest naming it may follow. */
  private readonly claims = new BlobClaims();

  readonly sharedStorage: boolean;
  /** On shared storage, the garbage-collection lease the instances hold their writes back for. */
  readonly lease: CollectionLease | null;
  /** repository -> when its rows were last re-read from shared storage. */
  private readonly refreshed = new Map<string, number>();

  constructor(opts: RegistryOptions) {
    this.sharedStorage = opts.sharedStorage ?? false;
    this.lease = this.sharedStorage ? new CollectionLease(opts.driver, opts.leaseTimings) : null;
    this.driver = opts.driver;
    this.index = opts.index;
    this.deleteEnabled = opts.deleteEnabled;
    this.origins = opts.origins;
    this.blobs = new BlobStore(this.driver);
    this.uploads = new UploadStore(this.driver, this.blobs, (digest, place) => this.write([digest], place));
    this.manifests = new ManifestStore(this.driver, this.blobs);
  }

  /** Size of a blob in a repository; NotFoundError when the repository does not hold it. */
  async statBlob(repo: string, d: ParsedDigest): Promise<number> {
    const [linked, size] = await Promise.all([this.blobs.isLinked(repo, d), this.blobs.size(d)]);
    if ((!linked && !this.index.hasManifest(repo, d.digest)) || size === null) throw new NotFoundError('blob');
    return size;
  }

  /**
   * `statBlob` for a client checking whether it must upload a blob (HEAD): the answer and the claim
   * are one write through the gate, so a collection either keeps the blob or has removed it first.
   */
  async claimBlob(repo: string, d: ParsedDigest): Promise<number> {
    return this.gate.write([d.digest], async () => {
      const size = await this.statBlob(repo, d);
      this.claims.note(d.digest);
      return size;
    });
  }

  /** True when a client checked or mounted the blob at or after `since` (ms since the epoch). */
  claimedSince(digest: string, since: number): boolean {
    return this.claims.since(digest, since);
  }

  /**
   * Runs a write that makes content referenced or visible through the write gate, after waiting
   * out another instance's garbage collection on shared storage (see CollectionLease).
   */
  private write<T>(digests: string[], fn: () => Promise<T>): Promise<T> {
    // Without a lease the gate is entered at once, as callers ordering against a collection expect.
    return this.lease ? this.writeShared(this.lease, digests, fn) : this.gate.write(digests, fn);
  }

  private async writeShared<T>(lease: CollectionLease, digests: string[], fn: () => Promise<T>): Promise<T> {
    try {
      await lease.waitUntilClear();
    } catch (err) {
      if (!(err instanceof LeaseHeldError)) throw err;
      throw new RegistryError('UNAVAILABLE', { message: `writes are held: ${err.message}; try again when it ends` });
    }
    return this.gate.write(digests, fn);
  }

  /** Streams a blob (callers stat it first). */
  openBlob(d: ParsedDigest, range?: ByteRange): Readable {
    return this.blobs.open(d, range);
  }

  /**
   * Opens a blob on local disk for a zero-allocation send, when the storage driver has local files
   * (null otherwise); NotFoundError when it is gone. Close it to give its descriptor back.
   */
  async openLocalBlob(d: ParsedDigest): Promise<HeldFile | null> {
    if (!this.driver.openFile) return null;
    const file = await this.driver.openFile(paths.blobData(d));
    if (!file) throw new NotFoundError('blob');
    return file;
  }

  /** Unlinks a blob from a repository. */
  async deleteBlob(repo: string, d: ParsedDigest): Promise<void> {
    this.assertDeletable();
    if (!(await this.blobs.isLinked(repo, d))) throw new NotFoundError('blob');
    await this.blobs.unlink(repo, d);
  }

  /**
   * Links an existing blob into `repo`: from `from` when named (cross-repository mount), or from
   * anywhere in the registry when not. Resolves false when there is nothing to mount.
   */
  async mountBlob(repo: string, d: ParsedDigest, from?: string): Promise<boolean> {
    if (from !== undefined && !(await this.blobs.isLinked(from, d))) return false;
    return this.write([d.digest], async () => {
      if ((await this.blobs.size(d)) === null) return false;
      if (!(await this.blobs.isLinked(repo, d))) await this.blobs.link(repo, d);
      this.claims.note(d.digest);
      return true;
    });
  }

  /**
   * Finishes an upload (see UploadStore.commit) and records the blob as pushed. `cachedFrom` names
   * the upstream when the pull-through cache stored it.
   */
  async commitUpload(repo: string, uuid: string, d: ParsedDigest, source?: AsyncIterable<Buffer>, cachedFrom?: string): Promise<number> {
    const size = await this.uploads.commit(repo, uuid, d, source);
    this.claims.note(d.digest);
    this.origins.recordBlob(d.digest, cachedFrom ? 'cached' : 'pushed', cachedFrom ?? null);
    return size;
  }

  /** Repository names for `_catalog`. */
  catalog(n: number, last?: string): string[] {
    return this.index.catalog(n, last);
  }

  /** Tags of a repository, or NotFoundError for an unknown repository. */
  tags(repo: string, n: number, last?: string): string[] {
    const tags = this.index.tags(repo, n, last);
    if (tags === null) throw new NotFoundError('repository');
    return tags;
  }

  /**
   * Resolves a tag or digest to a stored manifest; NotFoundError when missing, and for a reference
   * that is neither a valid tag nor a valid digest (see {@link assertNameable}).
   */
  async getManifest(repo: string, ref: string): Promise<ServedManifest> {
    assertNameable(ref);
    if (this.fallback) await this.fallback.prepareManifest(repo, ref);
    const digest = this.sharedStorage ? await this.resolveShared(repo, ref) : this.resolveRef(repo, ref);
    const cached = this.cache.get(digest);
    if (cached) return { digest, ...cached };
    const d = parseDigest(digest)!;
    const body = await this.manifests.get(repo, d);
    if (!body) throw new NotFoundError('manifest');
    const mediaType = this.index.manifestMediaType(digest) ?? parseManifest(body, undefined).mediaType;
    this.cache.set(digest, { body, mediaType });
    return { digest, mediaType, body };
  }

  /**
   * Validates and stores a manifest under a tag or digest reference. Referenced blobs must be in the
   * repository (MANIFEST_BLOB_UNKNOWN) and child manifests too (MANIFEST_UNKNOWN), except for a
   * manifest the pull-through cache stores, whose content is fetched when asked for.
   */
  async putManifest(
    repo: string,
    ref: string,
    body: Buffer,
    contentType: string | undefined,
    opts: PutManifestOptions = {},
  ): Promise<{ digest: string; subject: string | null }> {
    const { byDigest, digest, info } = checkPushedManifest(ref, body, contentType);
    // Each digest once: a manifest may list one layer many times.
    const touched = [...new Set([digest, ...info.manifests.map((m) => m.digest), ...referencedBlobs(info)])];
    const source = opts.cachedFrom ? 'cached' : 'pushed';
    const upstream = opts.cachedFrom ?? null;
    await this.write(touched, async () => {
      if (!opts.cachedFrom) await this.verifyReferences(repo, info);
      const d = parseDigest(digest)!;
      await this.manifests.put(repo, d, body);
      if (!byDigest) await this.manifests.tag(repo, ref, d);
      this.index.addManifest(repo, { digest, size: body.length, info });
      if (!byDigest) this.index.setTag(repo, ref, digest);
    });
    // The manifest now references what was claimed for it; the claims have done their job.
    for (const t of touched) this.claims.forget(t);
    this.origins.recordManifest(repo, digest, source, upstream);
    if (!byDigest) {
      this.origins.markTagged(repo, digest);
      this.origins.recordTag(repo, ref, digest, source, upstream);
    }
    this.cache.set(digest, { body, mediaType: info.mediaType });
    return { digest, subject: info.subject?.digest ?? null };
  }

  /**
   * Deletes a tag (by tag) or a manifest and every tag pointing at it (by digest); NotFoundError
   * when missing, and for a reference that is neither (see {@link assertNameable}).
   */
  async deleteManifest(repo: string, ref: string): Promise<void> {
    this.assertDeletable();
    assertNameable(ref);
    if (this.sharedStorage) await this.resolveShared(repo, ref).catch(() => undefined);
    if (!looksLikeDigest(ref)) {
      if (this.index.resolveTag(repo, ref) === null) throw new NotFoundError('manifest');
      await this.manifests.untag(repo, ref);
      this.index.deleteTag(repo, ref);
      this.origins.forgetTag(repo, ref);
      return;
    }
    const d = parseDigest(ref)!;
    if (!this.index.hasManifest(repo, d.digest)) throw new NotFoundError('manifest');
    const tags = this.index.tagsOf(repo, d.digest);
    for (const tag of tags) await this.manifests.untag(repo, tag);
    await this.manifests.deleteRevision(repo, d);
    this.index.deleteManifest(repo, d.digest);
    for (const tag of tags) this.origins.forgetTag(repo, tag);
    this.origins.forgetManifest(repo, d.digest);
  }

  /**
   * Deletes a repository: its tags, manifests, blob links and uploads go from disk and it leaves
   * the catalog; its blobs stay until garbage collection finds them unreferenced.
   */
  async deleteRepository(repo: string): Promise<{ tags: number; manifests: number }> {
    this.assertDeletable();
    // Another instance may have pushed to it since this one last looked: count what the bucket holds.
    if (this.sharedStorage) await this.refresh(repo);
    if (!this.index.hasRepo(repo) && !(await this.manifests.exists(repo))) throw new NotFoundError('repository');
    const tags = this.index.tags(repo, Number.MAX_SAFE_INTEGER)?.length ?? 0;
    const manifests = this.index.revisionCount(repo);
    await this.manifests.deleteRepository(repo);
    this.index.deleteRepo(repo);
    this.origins.forgetRepository(repo);
    return { tags, manifests };
  }

  /** Manifests in `repo` that name `digest` as their subject. */
  referrers(repo: string, digest: string, artifactType?: string): ReferrerRow[] {
    return this.index.referrers(repo, digest, artifactType);
  }

  /**
   * Resolves a reference on shared storage: a tag is read from storage on every request (another
   * instance may have moved or removed it), and so is a digest's revision link; when the index
   * disagrees, the repository's rows are re-read first. (Sharing one read among concurrent requests
   * was tried: against a store with a fixed ~50 ms per GET it halved throughput at 32 connections.)
   */
  private async resolveShared(repo: string, ref: string): Promise<string> {
    if (looksLikeDigest(ref)) await this.holdsManifest(repo, parseDigest(ref)!);
    else await this.currentTag(repo, ref);
    return this.resolveRef(repo, ref);
  }

  /**
   * The digest a tag points at, or null. On shared storage it is read from storage (another
   * instance may have pushed, moved or removed it) and the index follows when it disagrees.
   */
  async currentTag(repo: string, tag: string): Promise<string | null> {
    const indexed = this.index.resolveTag(repo, tag);
    if (!this.sharedStorage) return indexed;
    const stored = (await this.manifests.resolveTag(repo, tag))?.digest ?? null;
    if (stored !== indexed) await this.refresh(repo);
    return stored;
  }

  /**
   * Whether the repository holds a manifest. On shared storage its revision link is read from
   * storage (one small read, as for a tag) and the index follows when it disagrees.
   */
  async holdsManifest(repo: string, d: ParsedDigest): Promise<boolean> {
    const indexed = this.index.hasManifest(repo, d.digest);
    if (!this.sharedStorage) return indexed;
    const stored = await this.manifests.has(repo, d);
    if (stored !== indexed) await this.refresh(repo);
    return stored;
  }

  /** Re-reads a repository's tags and revisions from storage into the index. */
  private async refresh(repo: string): Promise<void> {
    await refreshRepository(this, repo);
    this.refreshed.set(repo, Date.now());
  }

  /**
   * On shared storage, re-reads a repository whose rows are older than {@link SHARED_TAGS_TTL_MS}
   * (before its tags are listed); a no-op otherwise.
   */
  async freshen(repo: string): Promise<void> {
    if (!this.sharedStorage) return;
    if (Date.now() - (this.refreshed.get(repo) ?? 0) < SHARED_TAGS_TTL_MS) return;
    await this.refresh(repo);
  }

  /** The digest a reference (checked by {@link assertNameable}) names in the index. */
  private resolveRef(repo: string, ref: string): string {
    if (looksLikeDigest(ref)) {
      const d = parseDigest(ref)!;
      if (!this.index.hasManifest(repo, d.digest)) throw new NotFoundError('manifest');
      return d.digest;
    }
    const digest = this.index.resolveTag(repo, ref);
    if (!digest) throw new NotFoundError('manifest');
    return digest;
  }

  /**
   * Checks that the blobs (see {@link assertBlobsPresent}) and then the child manifests a pushed
   * manifest lists are in the repository.
   */
  private async verifyReferences(repo: string, info: ManifestInfo): Promise<void> {
    await assertBlobsPresent(this.blobs, repo, info);
    let children = [...new Set(info.manifests.map((m) => m.digest))].filter((c) => !this.index.hasManifest(repo, c));
    // Behind a load balancer, another instance on the bucket may have taken the children.
    if (children.length && this.sharedStorage) {
      await this.refresh(repo);
      children = children.filter((c) => !this.index.hasManifest(repo, c));
    }
    if (children.length) throw new RegistryError('MANIFEST_UNKNOWN', { detail: { missing: children } });
  }

  private assertDeletable(): void {
    if (!this.deleteEnabled) throw new RegistryError('UNSUPPORTED', { message: 'deletes are disabled (storage.delete.enabled)' });
  }
}
