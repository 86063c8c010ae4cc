/**
 * Garbage collection of the local registry (`gc:run` and the `gc:progress` event): its options,
 * progress and report.
 */

/** Options of a garbage collection. */
export interface GcOptions {
  /** Report what would be removed, remove nothing. */
  dryRun?: boolean;
  /** Also remove manifests no tag reaches (kept: children of tagged indexes, and referrers of kept manifests). */
  deleteUntagged?: boolean;
  /**
   * Grace period in seconds (default {@link DEFAULT_GC_GRACE_SECONDS}): blobs that arrived within it
   * and that no manifest has referenced yet, never-tagged manifests stored within it, and blobs a
   * client checked or mounted within it stay, so that pushes in progress complete. 0 collects all.
   */
  graceSeconds?: number;
}

/** The default grace period of a garbage collection: an hour, as zot's gcDelay. */
export const DEFAULT_GC_GRACE_SECONDS = 3600;

/** Progress of a running garbage collection. `total` is 0 while unknown. */
export interface GcProgress {
  phase: 'mark' | 'manifests' | 'blobs' | 'links';
  done: number;
  total: number;
}

/** What a garbage collection removed, or would remove on a dry run. */
export interface GcReport {
  dryRun: boolean;
  deleteUntagged: boolean;
  /** ISO 8601. */
  startedAt: string;
  durationMs: number;
  /** Manifests (repository and digest) removed from their repositories (only with deleteUntagged). */
  manifestsRemoved: Array<{ repository: string; digest: string }>;
  /** Blobs removed from storage (layers, configs and manifest contents), with their sizes. */
  blobsRemoved: Array<{ digest: string; size: number }>;
  /** Sum of the sizes of the blobs removed. */
  bytesRemoved: number;
  /** Blobs and manifests left in place. */
  blobsKept: number;
  manifestsKept: number;
  /** Unreferenced blobs kept because a write touched them while the collection ran, or within the grace period. */
  blobsProtected: number;
}
