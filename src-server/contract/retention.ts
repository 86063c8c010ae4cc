/**
 * Retention policies of the local registry (issue 19): kept in `<data>/berth/retention.yml`, run on
 * its `schedule` by the server and on demand. A tag of a repository some policy's `repos` matches
 * survives when any matching policy keeps it; everything removed goes to the trash first.
 * Channels: `retention:list`, `retention:add`, `retention:remove`, `retention:run`.
 */

/** One policy, as retention.yml and `berth retention add` spell it. */
export interface RetentionPolicy {
  /** Unique; letters, digits, `.`, `_` and `-`. */
  name: string;
  /** Repository glob, as access rules write them: `*` any characters (slashes included), `?` one. */
  repos: string;
  /** Keep the N most recently pushed tags. */
  keepLast?: number;
  /** Keep tags pushed within this duration (`30d`, `12h`, `2w`, `1h30m`). */
  keepNewerThan?: string;
  /** Keep tags matching any of these regular expressions (JavaScript syntax, unanchored unless written `^...$`). */
  keepTags?: string[];
  /** Also remove manifests no tag reaches (never the children of a kept index, nor referrers of kept images). */
  untagged?: boolean;
}

/** Why a policy keeps a tag. */
export type RetentionKeepReason = 'last' | 'newer' | 'pattern' | 'no-keep-rule';

/** One tag a policy keeps, and why. */
export interface RetentionKept {
  repository: string;
  tag: string;
  reasons: RetentionKeepReason[];
}

/** A policy with what it matches and keeps now. */
export interface RetentionPolicyView extends RetentionPolicy {
  /** Repositories its `repos` matches now. */
  repositories: number;
  /** Tags it keeps now (at most {@link RETENTION_KEPT_LIMIT}; `keptCount` counts them all). */
  kept: RetentionKept[];
  keptCount: number;
}

/** At most this many kept tags are listed per policy (`keptCount` has the whole number). */
export const RETENTION_KEPT_LIMIT = 1000;

/** A tag or manifest a run removes (or, dry, would remove). */
export interface RetentionRemoval {
  repository: string;
  /** The tag removed; absent for an untagged manifest removed by `untagged`. */
  tag?: string;
  digest: string;
  /** The policies that matched the repository and none of which kept it. */
  policies: string[];
}

/** What a run did, or with `dryRun` would do. */
export interface RetentionReport {
  dryRun: boolean;
  /** `schedule` or `manual`. */
  trigger: 'schedule' | 'manual';
  /** ISO 8601. */
  startedAt: string;
  durationMs: number;
  /** Tags removed (into the trash). */
  tags: RetentionRemoval[];
  /** Untagged manifests removed (into the trash). */
  manifests: RetentionRemoval[];
  /**
   * Bytes the removals free once they leave the trash and a `berth gc` runs: blobs only removed
   * manifests need, each counted once however many manifests share it.
   */
  bytesFreed: number;
  /** Bytes only manifests the run leaves untagged hold: what `gc --delete-untagged` would also free. */
  bytesLeftUntagged: number;
  /** Removals that failed (the rest went on), in words. */
  errors: Array<{ repository: string; tag?: string; digest?: string; message: string }>;
}

/** `retention:list`: the file, its policies with what each keeps, and the schedule's state. */
export interface RetentionListing {
  /** Where the policies live. */
  file: string;
  /** The file's `schedule` (a duration such as `24h`), or null: runs only on demand. */
  schedule: string | null;
  policies: RetentionPolicyView[];
  /** ISO 8601, or null without a schedule (or while no server runs it). */
  nextRun: string | null;
  lastRun: RetentionReport | null;
  running: boolean;
}

/** `retention:add`. `force` allows a policy that keeps nothing (`keepLast: 0` with no other keep). */
export interface RetentionAddArgs {
  policy: RetentionPolicy;
  force?: boolean;
  /** Replace a policy of the same name instead of refusing. */
  replace?: boolean;
}

/** `retention:run`. */
export interface RetentionRunArgs {
  dryRun?: boolean;
}

/** `retention:schedule`: sets (a duration) or clears (null) the file's schedule. */
export interface RetentionScheduleArgs {
  schedule: string | null;
}
