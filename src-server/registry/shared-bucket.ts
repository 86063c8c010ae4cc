/**
 * The coherence rules of storage that several Berth instances write (one S3 bucket behind a load
 * balancer): this instance's index is then only a cache, checked against storage wherever a stale
 * answer would be wrong, and writes wait out another instance's garbage collection.
 */
import { looksLikeDigest, parseDigest, type ParsedDigest } from '../core/digest';
import { WritesHeldError } from '../core/errors';
import { CollectionLease, LeaseHeldError, type LeaseTimings } from './collection-lease';
import type { StorageDriver } from '../storage/driver';
import { refreshRepository, type ReconcileStores } from './reconcile';

/** How long a repository's tag list may be served from the index on shared storage before a re-read. */
export const SHARED_TAGS_TTL_MS = 5000;

/** One instance's view of a shared bucket: when to re-read storage, and the collection lease. */
export class SharedBucket {
  /** The garbage-collection lease the instances hold their writes back for. */
  readonly lease: CollectionLease;
  /** repository -> when its rows were last re-read from storage. */
  private readonly refreshed = new Map<string, number>();

  constructor(
    private readonly stores: ReconcileStores,
    driver: StorageDriver,
    leaseTimings?: Partial<LeaseTimings>,
  ) {
    this.lease = new CollectionLease(driver, leaseTimings);
  }

  /**
   * Waits until no other instance collects, before a write that makes content referenced or
   * visible; refused (WritesHeldError) while a collection holds the lease too long.
   */
  async beforeWrite(): Promise<void> {
    try {
      await this.lease.waitUntilClear();
    } catch (err) {
      if (!(err instanceof LeaseHeldError)) throw err;
      throw new WritesHeldError(err.message);
    }
  }

  /**
   * Checks a reference against storage before it is resolved from the index: a tag is read on
   * every request (another instance may have moved or removed it), and so is a digest's revision
   * link; when the index disagrees, the repository's rows are re-read first. (Sharing one read
   * among concurrent requests was tried: against a store with a fixed ~50 ms per GET it halved
   * throughput at 32 connections.)
   */
  async checkRef(repo: string, ref: string): Promise<void> {
    if (looksLikeDigest(ref)) await this.holdsManifest(repo, parseDigest(ref)!);
    else await this.currentTag(repo, ref);
  }

  /** The digest a tag points at in storage, or null; the index follows when it disagrees. */
  async currentTag(repo: string, tag: string): Promise<string | null> {
    const indexed = this.stores.index.resolveTag(repo, tag);
    const stored = (await this.stores.manifests.resolveTag(repo, tag))?.digest ?? null;
    if (stored !== indexed) await this.refresh(repo);
    return stored;
  }

  /** Whether storage holds the repository's revision link (one small read); the index follows. */
  async holdsManifest(repo: string, d: ParsedDigest): Promise<boolean> {
    const indexed = this.stores.index.hasManifest(repo, d.digest);
    const stored = await this.stores.manifests.has(repo, d);
    if (stored !== indexed) await this.refresh(repo);
    return stored;
  }

  /** Re-reads a repository's tags and revisions from storage into the index. */
  async refresh(repo: string): Promise<void> {
    await refreshRepository(this.stores, repo);
    this.refreshed.set(repo, Date.now());
  }

  /** Re-reads a repository whose rows are older than {@link SHARED_TAGS_TTL_MS} (before its tags are listed). */
  async freshen(repo: string): Promise<void> {
    if (Date.now() - (this.refreshed.get(repo) ?? 0) < SHARED_TAGS_TTL_MS) return;
    await this.refresh(repo);
  }
}
