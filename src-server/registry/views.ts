/**
 * The narrow views of the local registry's stores that garbage collection, usage accounting and
 * browsing get: each names exactly what its user reads and removes, so the stores stay private to
 * registry/.
 */
import { parseDigest, type ParsedDigest } from '../core/digest';
import type { OriginRecord, OriginStore, TagOriginRecord } from '../index/origin-store';
import type { RegistryIndex } from '../index/registry-index';
import type { BlobStore, StoredBlob } from '../storage/blobs';
import type { StorageDriver } from '../storage/driver';
import { paths } from '../storage/layout';
import type { ManifestStore } from '../storage/manifests';
import type { CollectionLease } from './collection-lease';
import type { ReconcileReport } from './reconcile';
import type { WriteGate } from './write-gate';

/** The write gate as a collection uses it: its own sections, never a write. */
export type CollectionGate = Pick<WriteGate, 'collecting' | 'beginCollection' | 'endCollection' | 'claim' | 'isProtected'>;

/**
 * What one trash item holds back from a collection (issue 19): its manifest stays in its repository
 * while the revision exists, and every blob it needs stays in storage, until the item leaves the trash.
 */
export interface TrashHold {
  repository: string;
  /** The manifest the item holds: a root of the mark in `repository`. */
  digest: string;
  /** Every blob digest the item needs (manifests, configs, layers), kept whatever the index says. */
  blobs: readonly string[];
}

/** What a garbage collection reads (the index, storage listings) and removes (blobs, links, manifests). */
export interface CollectionAccess {
  /** The index the mark reads (it agrees with storage; see reconcile). */
  readonly index: RegistryIndex;
  /** Orders the sweep against writes. */
  readonly gate: CollectionGate;
  /** On shared storage, the lease the other instances hold their writes back for; null otherwise. */
  readonly lease: CollectionLease | null;
  /** Digests of every blob in storage, from folder names alone (no stat per blob). */
  listBlobDigests(): Promise<ParsedDigest[]>;
  /** A blob's size and modification time, or null when it is gone. */
  statBlob(d: ParsedDigest): Promise<StoredBlob | null>;
  /** Every repository in storage. */
  listRepositories(): Promise<string[]>;
  /** The blobs linked into a repository. */
  listLinkedBlobs(repo: string): Promise<ParsedDigest[]>;
  /** Removes a blob's data and forgets its origin. */
  removeBlob(d: ParsedDigest): Promise<void>;
  /** Removes a repository's link to a blob. */
  unlinkBlob(repo: string, d: ParsedDigest): Promise<void>;
  /** digest -> tags whose history holds it (see ManifestStore.tagHistory). */
  tagHistory(repo: string): Promise<Map<string, string[]>>;
  /** Removes an untagged manifest from storage as registry:2's vacuum does (revision link, tag history). */
  removeRevision(repo: string, d: ParsedDigest, historyTags: readonly string[]): Promise<void>;
  /** Drops removed manifests from the index and their origins, in one transaction. */
  forgetManifests(rows: ReadonlyArray<{ repository: string; digest: string }>): void;
  /** Whether a tag ever pointed at the manifest. */
  wasTagged(repo: string, digest: string): boolean;
  /** When a manifest's revision link was written, or null when it is gone. */
  revisionModified(repo: string, digest: string): Promise<Date | null>;
  /** True when a client checked or mounted the blob at or after `since` (ms since the epoch). */
  claimedSince(digest: string, since: number): boolean;
  /** Whether other instances write the same storage. */
  readonly sharedStorage: boolean;
  /** Makes the index agree with storage. */
  reconcile(): Promise<ReconcileReport>;
  /** What the unexpired trash items hold (read at the start of every collection). */
  trashHolds(): Promise<TrashHold[]>;
}

/** What usage accounting reads: the index, the origins and the blobs in storage. */
export interface UsageAccess {
  readonly index: RegistryIndex;
  /** Origins of a repository's manifests and tags. */
  readonly origins: Pick<OriginStore, 'manifestsOf' | 'tagsOf'>;
  listBlobDigests(): Promise<ParsedDigest[]>;
  /** A blob's size in storage, or null when it is gone. */
  blobSize(d: ParsedDigest): Promise<number | null>;
  /** What the unexpired trash items hold (none when absent). */
  trashHolds?(): Promise<TrashHold[]>;
}

/** What browsing reads about the local registry: index queries, origins, blob sizes (nothing it writes). */
export interface BrowseAccess {
  /** The index, for listings, search and the content graph (read only). */
  readonly index: RegistryIndex;
  /** Where a tag came from, or null when nothing was recorded. */
  tagOrigin(repo: string, tag: string): TagOriginRecord | null;
  /** Where a manifest came from, or null when nothing was recorded. */
  manifestOrigin(repo: string, digest: string): OriginRecord | null;
  /** A blob's size in storage, or null when it is gone. */
  blobSize(d: ParsedDigest): Promise<number | null>;
}

/** A registry a collection can run over: the local one gives its view on demand. */
export interface Collectable {
  forCollection(): CollectionAccess;
}

/** A registry whose usage can be measured: the local one gives its view on demand. */
export interface Measurable {
  forUsage(): UsageAccess;
}

/** The stores and hooks a {@link CollectionAccess} is made of (the local registry's own). */
export interface CollectionParts {
  index: RegistryIndex;
  blobs: BlobStore;
  manifests: ManifestStore;
  driver: StorageDriver;
  origins: OriginStore;
  gate: WriteGate;
}

/** The registry's hooks a collection needs beyond its stores. */
export interface CollectionHooks {
  lease: CollectionLease | null;
  claimedSince(digest: string, since: number): boolean;
  reconcile(): Promise<ReconcileReport>;
  /** The trash's holds (none when the registry keeps no trash). */
  trashHolds?: () => Promise<TrashHold[]>;
}

/** Builds the collection's view of the registry's stores. */
export function collectionAccess(parts: CollectionParts, hooks: CollectionHooks): CollectionAccess {
  const { index, blobs, manifests, driver, origins, gate } = parts;
  return {
    index,
    gate,
    lease: hooks.lease,
    sharedStorage: hooks.lease !== null,
    listBlobDigests: () => blobs.listDigests(),
    statBlob: (d) => blobs.stat(d),
    listRepositories: () => manifests.listRepositories(),
    listLinkedBlobs: (repo) => blobs.listLinked(repo),
    removeBlob: async (d) => {
      await blobs.remove(d);
      origins.forgetBlob(d.digest);
    },
    unlinkBlob: (repo, d) => blobs.unlink(repo, d),
    tagHistory: (repo) => manifests.tagHistory(repo),
    removeRevision: async (repo, d, historyTags) => {
      await manifests.deleteRevision(repo, d);
      await manifests.forgetTagHistory(repo, d, historyTags);
    },
    forgetManifests: (rows) =>
      index.db.transaction(() => {
        for (const { repository, digest } of rows) {
          index.deleteManifest(repository, digest);
          origins.forgetManifest(repository, digest);
        }
      })(),
    wasTagged: (repo, digest) => origins.wasTagged(repo, digest),
    revisionModified: async (repo, digest) => (await driver.stat(paths.revisionLink(repo, parseDigest(digest)!)))?.modified ?? null,
    claimedSince: hooks.claimedSince,
    reconcile: hooks.reconcile,
    trashHolds: hooks.trashHolds ?? (async () => []),
  };
}
