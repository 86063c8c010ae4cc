/**
 * Storage usage of the local registry (`usage:registry`, `usage:repository`, `usage:repositories`,
 * `usage:history`): bytes stored, shared and unique per repository, image and platform, and over time.
 */
import type { ContentOrigin } from './envelope';

/** Byte counts of a repository, image or platform. */
export interface UsageBytes {
  /** Sizes of the distinct blobs it references (manifests, configs, layers). */
  stored: number;
  /** The part of `stored` that something else also references. */
  shared: number;
  /** `stored - shared`: what deleting it (then collecting garbage) frees. */
  unique: number;
}

/** One platform of a multi-arch image. */
export interface PlatformUsage extends UsageBytes {
  /** `os/architecture[/variant]`, or `unknown`. */
  platform: string;
  digest: string;
}

/** One image: a manifest of a repository and the tags pointing at it. */
export interface ImageUsage extends UsageBytes {
  digest: string;
  mediaType: string;
  /** Tags pointing at it (empty for an untagged manifest). */
  tags: string[];
  /** Per platform for an index or manifest list; empty for a single image. */
  platforms: PlatformUsage[];
  origin: ContentOrigin;
  /** For a referrer (a signature, SBOM or attestation): the digest of the manifest it refers to. */
  subject?: string;
}

/** One repository's usage. */
export interface RepositoryUsage extends UsageBytes {
  name: string;
  tags: number;
  manifests: number;
  /** Bytes only untagged manifests hold: what `gc --delete-untagged` would free. */
  untagged: number;
}

/** Usage of the whole registry. */
export interface UsageReport {
  totals: {
    repositories: number;
    manifests: number;
    /** Blobs in storage, referenced or not, and their bytes. */
    blobs: number;
    stored: number;
    /** Bytes a garbage collection would free now, and with deleteUntagged. */
    reclaimable: number;
    reclaimableUntagged: number;
    /** Items in the trash, and the distinct bytes only they hold back from GC (see TrashListing). */
    trashItems: number;
    trashHeldBytes: number;
  };
  repositories: RepositoryUsage[];
}

/** One repository in detail: its usage and every image in it. */
export interface RepositoryUsageDetail {
  repository: RepositoryUsage;
  images: ImageUsage[];
}

/** How `usage:repositories` orders repositories. */
export type UsageSortKey = 'name' | 'stored' | 'unique' | 'shared' | 'untagged' | 'tags';

/** Which repositories `usage:repositories` returns. */
export interface UsagePageArgs {
  /** Default `stored`. Ties are broken by name. */
  sort?: UsageSortKey;
  /** Default: largest first for numbers, A to Z for names. */
  descending?: boolean;
  /** Default 0. */
  offset?: number;
  /** Default 50, at most 500. */
  limit?: number;
}

/** One page of repositories by usage, the registry's totals, and the rest of the order summed. */
export interface UsagePage {
  totals: UsageReport['totals'];
  offset: number;
  repositories: RepositoryUsage[];
  /** The repositories after this page in this order, summed (what a treemap draws as one group). */
  rest: UsageBytes & { repositories: number };
}

/** The local registry's storage on one day. */
export interface UsageHistoryPoint {
  /** `YYYY-MM-DD`, a UTC day. */
  day: string;
  /** When it was measured (ISO 8601): the latest measurement of the day. */
  at: string;
  /** Bytes of every blob in storage, as `usage:registry`'s totals. */
  stored: number;
  repositories: number;
  manifests: number;
  blobs: number;
}

/** The stored bytes over time, one point per day, oldest first. */
export interface UsageHistorySeries {
  points: UsageHistoryPoint[];
  /** How many days of points are kept. */
  retentionDays: number;
}
