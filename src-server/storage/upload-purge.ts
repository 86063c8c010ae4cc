/**
 * Purging of abandoned uploads, as registry:2's `storage.maintenance.uploadpurging` does
 * (distribution's registry/storage/purgeuploads.go): every `_uploads/<uuid>` folder whose `startedat`
 * is older than the age is deleted, with its data. On S3 deleting the folder also aborts the
 * unfinished multipart uploads under it, and multipart uploads left under `_uploads/` by a folder
 * that is gone (an upload cancelled or committed while a killed writer's parts were still open)
 * are aborted once they are older than the age, so nothing keeps costing storage.
 */
import type { Logger } from '../logger';
import type { StorageDriver } from './driver';
import { paths } from './layout';
import type { S3Driver } from './s3-driver';

/** One upload the purge removed (or, in a dry run, would remove). */
export interface PurgedUpload {
  repo: string;
  uuid: string;
  /** From `startedat`, or the data's last change when `startedat` is missing or unreadable. */
  startedAt: Date;
  /** Size of the upload's data so far. */
  bytes: number;
}

/** What one purge did. */
export interface PurgeReport {
  removed: PurgedUpload[];
  /** Uploads younger than the age, left alone. */
  kept: number;
  /** Unfinished S3 multipart uploads aborted (those of removed uploads and orphans); 0 elsewhere. */
  multipartAborted: number;
  dryRun: boolean;
  /** Uploads or multipart uploads that could not be handled; the purge went on with the others. */
  errors: string[];
}

/** Options of one purge. */
export interface PurgeOptions {
  /** Uploads started longer ago than this are removed. */
  olderThanMs: number;
  /** Report what would be removed, remove nothing. */
  dryRun?: boolean;
  /** The current time (tests). */
  now?: Date;
}

/** `startedat` as registry:2 (Go's time.RFC3339) and Berth (Date.toISOString) write it. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;
/** A `startedat` further ahead than this is not believed (a clock skew between instances is far less). */
const FUTURE_SLACK_MS = 24 * 3600 * 1000;

function parseStartedAt(text: string | undefined, now: number): Date | null {
  const v = text?.trim().toUpperCase();
  if (!v || !RFC3339.test(v)) return null;
  const t = Date.parse(v);
  return Number.isNaN(t) || t > now + FUTURE_SLACK_MS ? null : new Date(t);
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Names of the repositories that have an `_uploads` folder: a walk of `repositories/` that, like
 * ManifestStore.listRepositories, never enters `_`/`.` folders. Listing a file yields nothing on
 * both drivers, so no stat per entry is needed.
 */
async function repositoriesWithUploads(driver: StorageDriver): Promise<string[]> {
  const found: string[] = [];
  const walk = async (prefix: string): Promise<void> => {
    const entries = await driver.list(prefix ? `${paths.repositoriesRoot()}/${prefix}` : paths.repositoriesRoot());
    if (prefix && entries.includes('_uploads')) found.push(prefix);
    for (const e of entries.sort()) {
      if (!e.startsWith('_') && !e.startsWith('.')) await walk(prefix ? `${prefix}/${e}` : e);
    }
  };
  await walk('');
  return found;
}

/** When an upload started: its `startedat`, else the last change of its data, else of the folder. */
async function startedAtOf(driver: StorageDriver, repo: string, uuid: string, now: number): Promise<{ startedAt: Date; bytes: number }> {
  const data = await driver.stat(paths.uploadData(repo, uuid));
  const bytes = data && !data.isDirectory ? data.size : 0;
  const text = (await driver.readFile(paths.uploadStartedAt(repo, uuid)))?.toString('utf8');
  const parsed = parseStartedAt(text, now);
  if (parsed) return { startedAt: parsed, bytes };
  // The data's last change is the upload's last activity; without data, the marker's or the
  // folder's time (S3 has no folder times: epoch, old, as registry:2's zero time is).
  let info = data && !data.isDirectory ? data : null;
  if (!info && text !== undefined) info = await driver.stat(paths.uploadStartedAt(repo, uuid));
  info ??= await driver.stat(paths.uploadDir(repo, uuid));
  return { startedAt: info?.modified ?? new Date(0), bytes };
}

/**
 * Removes uploads started longer ago than `olderThanMs` in every repository (nested names too);
 * on S3 also aborts orphaned multipart uploads under `_uploads/` older than that. Never throws for
 * one upload: its error goes into the report and the purge goes on.
 */
export async function purgeUploads(driver: StorageDriver, opts: PurgeOptions): Promise<PurgeReport> {
  const now = (opts.now ?? new Date()).getTime();
  const cutoff = now - opts.olderThanMs;
  const dryRun = opts.dryRun === true;
  const report: PurgeReport = { removed: [], kept: 0, multipartAborted: 0, dryRun, errors: [] };
  const s3 = asS3(driver);

  for (const repo of await repositoriesWithUploads(driver)) {
    for (const uuid of (await driver.list(paths.uploadsRoot(repo))).sort()) {
      try {
        const { startedAt, bytes } = await startedAtOf(driver, repo, uuid, now);
        if (startedAt.getTime() >= cutoff) {
          report.kept++;
          continue;
        }
        const dir = paths.uploadDir(repo, uuid);
        // Counted before the delete, which aborts them (S3Driver.delete).
        const multipart = s3 ? (await s3.multipartUploads(`${s3.key(dir)}/`)).length : 0;
        if (!dryRun) await driver.delete(dir);
        report.removed.push({ repo, uuid, startedAt, bytes });
        report.multipartAborted += multipart;
      } catch (err) {
        report.errors.push(`${repo} upload ${uuid}: ${message(err)}`);
      }
    }
  }
  if (s3) await abortOrphans(s3, cutoff, report);
  return report;
}

/** Aborts multipart uploads under some `_uploads/<uuid>/` whose folder has no `startedat` any more. */
async function abortOrphans(s3: S3Driver, cutoff: number, report: PurgeReport): Promise<void> {
  const root = `${s3.key(paths.repositoriesRoot())}/`;
  // Folders already handled (their multipart uploads were counted with them) are no orphans.
  const checked = new Map<string, boolean>(report.removed.map((u) => [`${u.repo}/${u.uuid}`, false]));
  for (const u of await s3.multipartUploads(root)) {
    const m = /^(.+?)\/_uploads\/([^/]+)\//.exec(u.key.slice(root.length));
    if (!m || u.initiated.getTime() >= cutoff) continue;
    const repo = m[1]!;
    const uuid = m[2]!;
    try {
      const folder = `${repo}/${uuid}`;
      let orphan = checked.get(folder);
      if (orphan === undefined) {
        orphan = (await s3.stat(paths.uploadStartedAt(repo, uuid))) === null;
        checked.set(folder, orphan);
      }
      if (!orphan) continue;
      if (!report.dryRun) await s3.abortMultipart(u.key, u.uploadId);
      report.multipartAborted++;
    } catch (err) {
      report.errors.push(`multipart upload of ${u.key}: ${message(err)}`);
    }
  }
}

/**
 * The driver as the S3 driver, told by what it can do rather than by its class: importing the class
 * would load the AWS SDK into every registry, on the filesystem too.
 */
function asS3(driver: StorageDriver): S3Driver | null {
  return typeof (driver as Partial<S3Driver>).multipartUploads === 'function' ? (driver as S3Driver) : null;
}

/** registry:2's `storage.maintenance.uploadpurging`, with durations in milliseconds. */
export interface UploadPurgeSettings {
  enabled: boolean;
  /** Uploads started longer ago than this are removed (`age`). */
  ageMs: number;
  /** Time between the end of one purge and the start of the next (`interval`). */
  intervalMs: number;
  /** Log what would be removed, remove nothing (`dryrun`). */
  dryRun: boolean;
}

/** Scheduling knobs of the purger (tests). */
export interface PurgerTiming {
  /** Delay before the first purge; default a random 10 to 60 s (at most the interval), so instances on one bucket spread out. */
  firstDelayMs?: number;
  /** Called after each purge that completed. */
  onReport?: (report: PurgeReport) => void;
}

/**
 * Runs `purgeUploads` after a short jittered delay and then `intervalMs` after each run ends (one
 * run at a time). Failures are logged as warnings, never thrown; the timers never keep the process
 * alive. `stop` cancels what has not started (a run in progress finishes).
 */
export function startUploadPurging(driver: StorageDriver, settings: UploadPurgeSettings, log: Logger, timing: PurgerTiming = {}): { stop(): void } {
  if (!settings.enabled) return { stop() {} };
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(run, ms);
    timer.unref();
  };
  const run = async () => {
    timer = null;
    try {
      const report = await purgeUploads(driver, { olderThanMs: settings.ageMs, dryRun: settings.dryRun });
      logReport(log, report);
      timing.onReport?.(report);
    } catch (err) {
      log.warn(`upload purge failed: ${message(err)}`);
    }
    schedule(settings.intervalMs);
  };
  // Never later than one interval, so a short interval (a test's, or an impatient user's) applies from the start.
  schedule(timing.firstDelayMs ?? Math.min(settings.intervalMs, 10_000 + Math.floor(Math.random() * 50_000)));
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}

function logReport(log: Logger, r: PurgeReport): void {
  const verb = r.dryRun ? 'would remove' : 'removed';
  for (const u of r.removed) {
    log.info(`upload purge: ${verb} upload ${u.uuid} of ${u.repo}, started ${u.startedAt.toISOString()} (${u.bytes} bytes)`);
  }
  for (const e of r.errors) log.warn(`upload purge: ${e}`);
  const aborted = r.multipartAborted ? `, ${r.dryRun ? 'would abort' : 'aborted'} ${r.multipartAborted} multipart uploads` : '';
  const line = `upload purge: ${verb} ${r.removed.length} uploads, kept ${r.kept}${aborted}`;
  if (r.removed.length > 0 || r.multipartAborted > 0) log.info(line);
  else log.debug(line);
}
