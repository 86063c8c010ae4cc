import { Readable } from 'node:stream';
import { looksLikeDigest, parseDigest, type DigestAlgorithm, type ParsedDigest } from '../core/digest';
import { DeletesDisabledError, MissingReferencesError, NotFoundError } from '../core/errors';
import { parseManifest, type ManifestInfo } from '../core/manifest';
import type { OriginStore, TagOriginRecord } from '../index/origin-store';
import type { RegistryIndex, ReferrerRow } from '../index/registry-index';
import { BlobStore } from '../storage/blobs';
import type { StorageDriver } from '../storage/driver';
import { paths } from '../storage/layout';
import { ManifestStore } from '../storage/manifests';
import { UploadStore, type UploadStatus } from '../storage/uploads';
import { BlobClaims } from './blob-claims';
import { collectionAccess, type BrowseAccess, type CollectionAccess, type UsageAccess } from './views';
import type { LeaseTimings } from './collection-lease';
import { ManifestCache } from './manifest-cache';
import { assertBlobsPresent, assertNameable, checkPushedManifest, referencedBlobs } from './manifest-checks';
import { reconcileIndex, type ReconcileReport } from './reconcile';
import { restoreItem, type RestorableItem, type RestoreOutcome } from './restore';
import { trashDelete, trashHolds, trashRepository } from './trash-closure';
import type { TrashStore } from '../trash/trash-store';
import type { BlobContent, BlobRequest, CacheTarget, DeleteContext, PutManifestOptions, PutManifestResult, ServedManifest } from './service';
import { SharedBucket } from './shared-bucket';
import { WriteGate } from './write-gate';

/** The manifest size limit and the reference-check fan-out, importable from here as before (see manifest-checks.ts). */
export { MAX_MANIFEST_BYTES, PARALLEL_REFERENCE_CHECKS } from './manifest-checks';
/** The service's types, importable from here too. */
export type { BlobContent, BlobRequest, CacheTarget, DeleteContext, PutManifestOptions, RegistryService, ServedManifest } from './service';
export { SHARED_TAGS_TTL_MS } from './shared-bucket';

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
  /** Where deletes go first (issue 19); absent or off (trash.keep 0): deletes are final at once. */
  trash?: TrashStore;
}

/**
 * The local registry: the {@link RegistryService} over storage and the index. Every write goes to
 * disk first and then to the index, so that the index can always be rebuilt from what is on disk.
 * Its stores are its own; garbage collection and usage accounting get narrow views of them.
 */
export class Registry implements CacheTarget {
  readonly deleteEnabled: boolean;
  private readonly driver: StorageDriver;
  private readonly index: RegistryIndex;
  private readonly origins: OriginStore;
  private readonly blobs: BlobStore;
  private readonly uploads: UploadStore;
  private readonly manifests: ManifestStore;
  /** Orders writes against an online garbage collection. */
  private readonly gate = new WriteGate();
  private readonly cache = new ManifestCache();
  /** When a client last uploaded, checked (HEAD) or mounted each blob: a manifest naming it may follow. */
  private readonly claims = new BlobClaims();
  /** The coherence rules of a bucket other instances write too; null on storage of one's own. */
  private readonly shared: SharedBucket | null;
  /** The trash deletes go to first; null when the registry keeps none. */
  readonly trash: TrashStore | null;

  constructor(opts: RegistryOptions) {
    this.driver = opts.driver;
    this.index = opts.index;
    this.deleteEnabled = opts.deleteEnabled;
    this.origins = opts.origins;
    this.trash = opts.trash ?? null;
    this.blobs = new BlobStore(this.driver);
    this.uploads = new UploadStore(this.driver, this.blobs, (digest, place) => this.write([digest], place));
    this.manifests = new ManifestStore(this.driver, this.blobs);
    this.shared = opts.sharedStorage ? new SharedBucket(this.storeView(), this.driver, opts.leaseTimings) : null;
  }

  /** Whether other instances write the same storage (see SharedBucket). */
  get sharedStorage(): boolean {
    return this.shared !== null;
  }

  /** Makes the index agree with storage (at start, and periodically on shared storage). */
  reconcile(): Promise<ReconcileReport> {
    return reconcileIndex(this.storeView());
  }

  /** What garbage collection may see and do (see CollectionAccess). */
  forCollection(): CollectionAccess {
    return collectionAccess({ ...this.storeView(), driver: this.driver, origins: this.origins, gate: this.gate }, {
      lease: this.shared?.lease ?? null,
      claimedSince: (digest, since) => this.claims.since(digest, since),
      reconcile: () => this.reconcile(),
      trashHolds: () => trashHolds(this.trash),
    });
  }

  /** What usage accounting reads (see UsageAccess). */
  forUsage(): UsageAccess {
    return { index: this.index, origins: this.origins, listBlobDigests: () => this.blobs.listDigests(), blobSize: (d) => this.blobs.size(d), trashHolds: () => trashHolds(this.trash) };
  }

  /** What browsing reads (see BrowseAccess). */
  forBrowsing(): BrowseAccess {
    return {
      index: this.index,
      tagOrigin: (repo, tag) => this.origins.tag(repo, tag),
      manifestOrigin: (repo, digest) => this.origins.manifest(repo, digest),
      blobSize: (d) => this.blobs.size(d),
    };
  }

  /** The stores a reconcile reads and writes (ReconcileStores). */
  private storeView(): { index: RegistryIndex; blobs: BlobStore; manifests: ManifestStore } {
    return { index: this.index, blobs: this.blobs, manifests: this.manifests };
  }

  async statBlob(repo: string, d: ParsedDigest): Promise<number> {
    const [linked, size] = await Promise.all([this.blobs.isLinked(repo, d), this.blobs.size(d)]);
    if ((!linked && !this.index.hasManifest(repo, d.digest)) || size === null) throw new NotFoundError('blob');
    return size;
  }

  /** The answer and the claim are one write through the gate: a collection keeps the blob or removed it first. */
  async claimBlob(repo: string, d: ParsedDigest): Promise<number> {
    return this.gate.write([d.digest], async () => {
      const size = await this.statBlob(repo, d);
      this.claims.note(d.digest);
      return size;
    });
  }

  async openBlob(repo: string, d: ParsedDigest, request: BlobRequest): Promise<BlobContent> {
    const size = await this.statBlob(repo, d);
    const range = request.range(size);
    if (request.redirect && this.driver.redirectUrl) return { size, range, redirect: await this.driver.redirectUrl(paths.blobData(d)) };
    // The hot path for local storage: reused buffers instead of a stream of fresh ones. Opened
    // before any header goes out, so a blob deleted meanwhile is still a clean "not found".
    const length = range ? range.end - range.start + 1 : size;
    if (length === 0) return { size, range, stream: Readable.from([]) };
    if (request.file && this.driver.openFile) {
      const file = await this.driver.openFile(paths.blobData(d));
      if (!file) throw new NotFoundError('blob');
      return { size, range, file };
    }
    return { size, range, stream: this.blobs.open(d, range) };
  }

  async hasBlobData(d: ParsedDigest): Promise<boolean> {
    return (await this.blobs.size(d)) !== null;
  }

  tagOrigin(repo: string, tag: string): TagOriginRecord | null {
    return this.origins.tag(repo, tag);
  }

  markTagChecked(repo: string, tag: string, at: number): void {
    this.origins.markTagChecked(repo, tag, at);
  }

  /**
   * Runs a write that makes content referenced or visible through the write gate, after waiting
   * out another instance's garbage collection on shared storage (see SharedBucket).
   */
  private async write<T>(digests: string[], fn: () => Promise<T>): Promise<T> {
    // Without a shared bucket the gate is entered at once, as callers ordering against a collection expect.
    if (this.shared) await this.shared.beforeWrite();
    return this.gate.write(digests, fn);
  }

  async deleteBlob(repo: string, d: ParsedDigest): Promise<void> {
    this.assertDeletable();
    if (!(await this.blobs.isLinked(repo, d))) throw new NotFoundError('blob');
    await this.blobs.unlink(repo, d);
  }

  async mountBlob(repo: string, d: ParsedDigest, from?: string): Promise<boolean> {
    if (from !== undefined && !(await this.blobs.isLinked(from, d))) return false;
    return this.write([d.digest], async () => {
      if ((await this.blobs.size(d)) === null) return false;
      if (!(await this.blobs.isLinked(repo, d))) await this.blobs.link(repo, d);
      this.claims.note(d.digest);
      return true;
    });
  }

  async putBlob(repo: string, d: ParsedDigest, source: AsyncIterable<Buffer>, opts: PutManifestOptions = {}): Promise<number> {
    const { uuid } = await this.uploads.start(repo, d.algorithm);
    try {
      return await this.commitUpload(repo, uuid, d, source, opts);
    } catch (err) {
      await this.uploads.cancel(repo, uuid).catch(() => {});
      throw err;
    }
  }

  startUpload(repo: string, algorithm?: DigestAlgorithm): Promise<UploadStatus> {
    return this.uploads.start(repo, algorithm);
  }

  appendUpload(repo: string, uuid: string, chunk: AsyncIterable<Buffer>, offset?: number): Promise<UploadStatus> {
    return this.uploads.append(repo, uuid, chunk, offset);
  }

  uploadStatus(repo: string, uuid: string): Promise<UploadStatus> {
    return this.uploads.status(repo, uuid);
  }

  /** Records the blob as pushed, or as cached from the upstream named in `opts.cachedFrom`. */
  async commitUpload(repo: string, uuid: string, d: ParsedDigest, source?: AsyncIterable<Buffer>, opts: PutManifestOptions = {}): Promise<number> {
    const size = await this.uploads.commit(repo, uuid, d, source);
    this.claims.note(d.digest);
    this.origins.recordBlob(d.digest, opts.cachedFrom ? 'cached' : 'pushed', opts.cachedFrom ?? null);
    return size;
  }

  cancelUpload(repo: string, uuid: string): Promise<void> {
    return this.uploads.cancel(repo, uuid);
  }

  catalog(n: number, last?: string): string[] {
    return this.index.catalog(n, last);
  }

  tags(repo: string, n: number, last?: string): string[] {
    const tags = this.index.tags(repo, n, last);
    if (tags === null) throw new NotFoundError('repository');
    return tags;
  }

  allTags(repo: string): string[] | null {
    return this.index.tags(repo, Number.MAX_SAFE_INTEGER);
  }

  tagsOf(repo: string, digest: string): string[] {
    return this.index.tagsOf(repo, digest);
  }

  /** Checks a reference with {@link assertNameable}: one that is neither a tag nor a digest is not found. */
  async getManifest(repo: string, ref: string): Promise<ServedManifest> {
    assertNameable(ref);
    if (this.shared) await this.shared.checkRef(repo, ref);
    const digest = this.resolveRef(repo, ref);
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
   * Referenced blobs must be in the repository (MANIFEST_BLOB_UNKNOWN) and child manifests too
   * (MANIFEST_UNKNOWN), except for a manifest the pull-through cache stores, whose content is
   * fetched when asked for.
   */
  async putManifest(repo: string, ref: string, body: Buffer, contentType: string | undefined, opts: PutManifestOptions = {}): Promise<PutManifestResult> {
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

  /** Checks a reference with {@link assertNameable}, as getManifest does. */
  async deleteManifest(repo: string, ref: string, context?: DeleteContext): Promise<void> {
    this.assertDeletable();
    assertNameable(ref);
    if (this.shared) await this.shared.checkRef(repo, ref).catch(() => undefined);
    if (!looksLikeDigest(ref)) {
      const digest = this.index.resolveTag(repo, ref);
      if (digest === null) throw new NotFoundError('manifest');
      await trashDelete(this.trash, this.index, { repo, digest, kind: 'tag', tags: [ref] }, context);
      await this.manifests.untag(repo, ref);
      this.index.deleteTag(repo, ref);
      this.origins.forgetTag(repo, ref);
      return;
    }
    const d = parseDigest(ref)!;
    if (!this.index.hasManifest(repo, d.digest)) throw new NotFoundError('manifest');
    const tags = this.index.tagsOf(repo, d.digest);
    await trashDelete(this.trash, this.index, { repo, digest: d.digest, kind: 'manifest', tags }, context);
    for (const tag of tags) await this.manifests.untag(repo, tag);
    await this.manifests.deleteRevision(repo, d);
    this.index.deleteManifest(repo, d.digest);
    for (const tag of tags) this.origins.forgetTag(repo, tag);
    this.origins.forgetManifest(repo, d.digest);
  }

  async deleteRepository(repo: string, context?: DeleteContext): Promise<{ tags: number; manifests: number }> {
    this.assertDeletable();
    // Another instance may have pushed to it since this one last looked: count what the bucket holds.
    if (this.shared) await this.shared.refresh(repo);
    if (!this.index.hasRepo(repo) && !(await this.manifests.exists(repo))) throw new NotFoundError('repository');
    const tags = this.index.tags(repo, Number.MAX_SAFE_INTEGER)?.length ?? 0;
    const manifests = this.index.revisionCount(repo);
    await trashRepository(this.trash, this.index, repo, context);
    await this.manifests.deleteRepository(repo);
    this.index.deleteRepo(repo);
    this.origins.forgetRepository(repo);
    return { tags, manifests };
  }

  referrers(repo: string, digest: string, artifactType?: string): ReferrerRow[] {
    return this.index.referrers(repo, digest, artifactType);
  }

  /**
   * Puts a trash item's manifests and tags back (see restoreItem), inside the write gate so that
   * no collection sweeps meanwhile, every digest it needs protected from one already running.
   */
  async restoreFromTrash(item: RestorableItem): Promise<RestoreOutcome> {
    const digests = [...new Set([...item.manifests, ...item.blobs.map((b) => b.digest)])];
    const stores = { ...this.storeView(), origins: this.origins, currentTag: (r: string, t: string) => this.currentTag(r, t) };
    return this.write(digests, () => restoreItem(stores, item));
  }

  /** On shared storage read from storage, the index following when it disagrees (see SharedBucket). */
  async currentTag(repo: string, tag: string): Promise<string | null> {
    return this.shared ? this.shared.currentTag(repo, tag) : this.index.resolveTag(repo, tag);
  }

  /** On shared storage read from storage, the index following when it disagrees (see SharedBucket). */
  async holdsManifest(repo: string, d: ParsedDigest): Promise<boolean> {
    return this.shared ? this.shared.holdsManifest(repo, d) : this.index.hasManifest(repo, d.digest);
  }

  async freshen(repo: string): Promise<void> {
    await this.shared?.freshen(repo);
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
    if (children.length && this.shared) {
      await this.shared.refresh(repo);
      children = children.filter((c) => !this.index.hasManifest(repo, c));
    }
    if (children.length) throw new MissingReferencesError('manifest', children);
  }

  private assertDeletable(): void {
    if (!this.deleteEnabled) throw new DeletesDisabledError();
  }
}
