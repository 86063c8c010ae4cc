/**
 * Sync jobs (issue 20): mirror repositories from one registry into another by rules, incrementally
 * and on an interval. Jobs live in `<data>/berth/sync.yml`; `berth sync` and the GUI's Sync screen
 * run them, and image-syncer's `auth` + `images` files run as one-off jobs.
 * Channels: `sync:list`, `sync:save`, `sync:remove`, `sync:run`, `sync:cancel`, `sync:history`;
 * progress as `sync:progress`.
 */
import type { HostAccess } from './transfer';

/**
 * One side of a job: the local registry (`connection: 'local'`), a saved connection (its name or
 * id), or a registry host (`HOST[:PORT]`), reached with its saved connection's password when one
 * names the host. `access` is taken only for one-off runs (image-syncer's auth file): sync.yml
 * never holds a password.
 */
export type SyncEndpoint = { connection: string } | { host: string; insecure?: boolean; access?: HostAccess };

/** Which tags of a source repository a job takes. Every rule given must hold. */
export interface SyncTagFilter {
  /** Exactly these tags (image-syncer's `repo:t1,t2`); a missing one is a failure of the job. */
  tags?: string[];
  /** Digests to copy (image-syncer's `repo@sha256:...`); written to the destination by digest. */
  digests?: string[];
  /** Take tags matching any of these regular expressions (JavaScript syntax, unanchored unless written `^...$`). */
  include?: string[];
  /** Leave out tags matching any of these. */
  exclude?: string[];
  /** A semver range (`>=1.2 <2`, `^3`); tags that are not versions (after an optional `v`) are left out. */
  semver?: string;
  /** Only the newest N of what remains: by version when the tags are versions, else in natural order (`v10` after `v9`). */
  newest?: number;
}

/** One job, as sync.yml spells it. */
export interface SyncJob {
  /** Unique; letters, digits, `.`, `_` and `-`. */
  name: string;
  source: SyncEndpoint & {
    /** Repositories: names, or globs (`*` any characters, slashes included; `?` one) listed through the source's catalog. */
    repositories: string[];
  };
  tags?: SyncTagFilter;
  /** Platforms of multi-platform images to take (`linux/amd64`); omitted: every platform, the index unchanged (same digest). */
  platforms?: string[];
  /** Also copy referrers (signatures, SBOMs). Default false. */
  referrers?: boolean;
  destination: SyncEndpoint & {
    /**
     * Where a source repository lands: `namespace` is put before its path after `stripPrefix` is
     * taken off (`team/app/x`, strip `team/`, namespace `mirror` → `mirror/app/x`). `repository`
     * names the destination exactly, for a job whose source is one repository.
     */
    namespace?: string;
    stripPrefix?: string;
    repository?: string;
    /**
     * The tag to write, for a job that takes exactly one tag (image-syncer's `SRC:v1: DST:v2`);
     * omitted: each image keeps its tag.
     */
    tag?: string;
  };
  /** How often the server runs the job (`30m`, `6h`, `1d`); omitted: only on demand. At least one minute. */
  interval?: string;
}

/** One run of one or more jobs, as the history keeps it. */
export interface SyncRunRecord {
  id: string;
  /** The jobs it ran (names; `image-syncer` for a one-off run from image-syncer's files). */
  jobs: string[];
  trigger: 'schedule' | 'cli' | 'gui';
  dryRun: boolean;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  copied: number;
  skipped: number;
  failed: number;
  bytes: number;
  /** How the run ended: `done` (failures may be counted), `cancelled`, or `error` (it could not start: a bad file, an unknown connection). */
  outcome: 'done' | 'cancelled' | 'error';
  /** The first failures in words (at most 20). */
  failures: SyncFailure[];
}

/** One image that could not be synced, in words. */
export interface SyncFailure {
  job: string;
  /** `HOST/REPO:TAG` (or the job's entry when the failure is the entry's: an unreachable host, a bad pattern). */
  image: string;
  code: string;
  message: string;
}

/** A job with its schedule and last run. */
export interface SyncJobView {
  job: SyncJob;
  /** When the server runs it next; null without an interval or when the server does not run here. */
  nextRun: string | null;
  lastRun: SyncRunRecord | null;
}

/** What `sync:list` answers. */
export interface SyncListing {
  /** The file the jobs are kept in. */
  file: string;
  jobs: SyncJobView[];
  /** The runs going on now. */
  running: SyncProgress[];
}

/** `sync:save`: adds a job, or with `replace` replaces the one of that name. */
export interface SyncSaveArgs {
  job: SyncJob;
  replace?: boolean;
}

/** `sync:run`: runs sync.yml's jobs (all, or `job`), or the one-off `jobs` given (image-syncer's files, converted). */
export interface SyncRunArgs {
  job?: string;
  jobs?: SyncJob[];
  /** Say what would be copied and skipped; copy nothing. */
  dryRun?: boolean;
  /** Images copied at once (image-syncer's --proc; default 4, at most 32). */
  proc?: number;
  /** Attempts per image after the first (default 2); 429 answers wait their Retry-After. */
  retries?: number;
  operationId?: string;
  /** Who started it (the history's `trigger`; default `cli`). */
  trigger?: 'cli' | 'gui';
}

/** One image of a run (in the summary of a dry run, or failed). */
export interface SyncImage {
  job: string;
  /** `HOST/REPO:TAG`. */
  source: string;
  /** `HOST/REPO:TAG`. */
  destination: string;
  /** `copy`: it would be (or was) copied; `skip`: the destination holds the same digest. */
  action: 'copy' | 'skip';
}

/** What `sync:run` did (what `berth sync --json` prints). */
export interface SyncSummary {
  runId: string;
  dryRun: boolean;
  copied: number;
  skipped: number;
  failed: number;
  bytes: number;
  durationMs: number;
  /** Every failure, in words. */
  failures: SyncFailure[];
  /** Per job: its counts. */
  jobs: { name: string; copied: number; skipped: number; failed: number; bytes: number }[];
  /** With `dryRun`: every image and what a run would do with it (at most 10,000). */
  images?: SyncImage[];
}

/** `sync:history`: the last runs, newest first. */
export interface SyncHistoryArgs {
  job?: string;
  /** Default 50, at most 500. */
  limit?: number;
}

/** Progress of a run (event `sync:progress`). */
export interface SyncProgress {
  operationId: string | null;
  runId: string;
  /** The job running now. */
  job: string;
  imagesDone: number;
  /** Known once the jobs' tags are listed; null before. */
  imagesTotal: number | null;
  copied: number;
  skipped: number;
  failed: number;
  bytesDone: number;
  bytesPerSecond: number | null;
  /** Images being copied now (`HOST/REPO:TAG`). */
  current: string[];
}
