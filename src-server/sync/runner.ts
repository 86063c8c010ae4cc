/**
 * Running sync jobs: each job's endpoints opened, its images planned (expand.ts), then `proc`
 * images at a time: the source tag and the destination tag are asked for their digests (HEAD), an
 * image the destination already holds is skipped without reading anything else, and any other is
 * copied by copyImage, retried when the failure may pass. One image's failure never stops the
 * others; a cancel stops starting images and aborts the copies in flight.
 */
import type { RegistrySource } from '../browse/source';
import type { SyncFailure, SyncImage, SyncJob, SyncSummary } from '../contract';
import { copyImage } from '../copy/copy-image';
import { selectPlatforms } from '../copy/platforms';
import { mapLimit } from '../core/concurrency';
import { digestOf } from '../core/digest';
import { RegistryError } from '../core/errors';
import { parseManifest } from '../core/manifest';
import type { PatternTester } from '../retention/pattern-guard';
import type { OpenedRegistry, RegistryOpener } from '../transfer/endpoints';
import { expandJob, type PlannedImage } from './expand';
import { syncFailure } from './failure';
import type { SyncProgressTracker } from './progress';
import { withRetries, type RetryOptions } from './retry';

/** Images synced at once unless told otherwise. */
export const DEFAULT_PROC = 4;
/** Retries per image unless told otherwise. */
export const DEFAULT_RETRIES = 2;
/** Images a dry run lists at most. */
export const MAX_LISTED_IMAGES = 10_000;

/** How a run goes. */
export interface RunJobsOptions {
  opener: RegistryOpener;
  tester: PatternTester;
  progress: SyncProgressTracker;
  dryRun?: boolean;
  proc?: number;
  retries?: number;
  signal?: AbortSignal;
  /** Backoff settings (tests shorten them). */
  retry?: Omit<RetryOptions, 'retries' | 'signal'>;
}

/** What a run did (the summary without its id and duration). */
export type RunResult = Omit<SyncSummary, 'runId' | 'durationMs'> & { cancelled: boolean };

type JobCounts = SyncSummary['jobs'][number];

/** Runs `jobs` one after another, each job's images `proc` at a time. */
export async function runJobs(jobs: readonly SyncJob[], opts: RunJobsOptions): Promise<RunResult> {
  const result: RunResult = { dryRun: opts.dryRun === true, copied: 0, skipped: 0, failed: 0, bytes: 0, failures: [], jobs: [], cancelled: false };
  if (opts.dryRun) result.images = [];
  const fail = (counts: JobCounts, f: SyncFailure) => {
    counts.failed++;
    result.failed++;
    result.failures.push(f);
  };
  for (const job of jobs) {
    if (opts.signal?.aborted) break;
    const counts: JobCounts = { name: job.name, copied: 0, skipped: 0, failed: 0, bytes: 0 };
    result.jobs.push(counts);
    opts.progress.job(job.name);
    const opened: OpenedRegistry[] = [];
    try {
      let from: OpenedRegistry;
      let to: OpenedRegistry;
      try {
        from = await opts.opener.open(job.source);
        opened.push(from);
        to = await opts.opener.open(job.destination);
        opened.push(to);
      } catch (err) {
        const where = 'connection' in job.source ? job.source.connection : job.source.host;
        fail(counts, syncFailure(job.name, entryOf(job), where, err));
        continue;
      }
      const plan = await expandJob(job, from.source, from.host, opts.tester, opts.signal);
      for (const f of plan.failures) fail(counts, f);
      const total = (opts.progress.state.imagesTotal ?? 0) + plan.images.length + plan.failures.length;
      opts.progress.job(job.name, total);
      for (const _ of plan.failures) opts.progress.ended('', 'failed');
      await mapLimit(plan.images, Math.max(1, opts.proc ?? DEFAULT_PROC), async (img) => {
        if (opts.signal?.aborted) return;
        const label = `${from.host}/${img.fromRepository}${refSep(img.fromReference)}${img.fromReference}`;
        opts.progress.started(label);
        try {
          const r = await withRetries(() => syncImage(job, img, from, to, opts, (n) => {
            counts.bytes += n;
            result.bytes += n;
            opts.progress.bytes(n);
          }), { ...opts.retry, retries: opts.retries ?? DEFAULT_RETRIES, signal: opts.signal });
          if (r.action === 'skip') {
            counts.skipped++;
            result.skipped++;
          } else {
            counts.copied++;
            result.copied++;
          }
          if (result.images && result.images.length < MAX_LISTED_IMAGES) result.images.push({ job: job.name, source: label, destination: `${to.host}/${img.toRepository}${refSep(r.destinationRef)}${r.destinationRef}`, action: r.action });
          opts.progress.ended(label, r.action === 'skip' ? 'skipped' : 'copied');
        } catch (err) {
          if (opts.signal?.aborted) {
            opts.progress.ended(label, 'failed');
            return;
          }
          fail(counts, syncFailure(job.name, label, from.host, err));
          opts.progress.ended(label, 'failed');
        }
      });
    } catch (err) {
      if (!opts.signal?.aborted) throw err;
    } finally {
      for (const o of opened) await o.close().catch(() => undefined);
    }
  }
  result.cancelled = opts.signal?.aborted === true;
  return result;
}

function refSep(ref: string): string {
  return ref.includes(':') ? '@' : ':';
}

function entryOf(job: SyncJob): string {
  const host = 'connection' in job.source ? job.source.connection : job.source.host;
  return `${host}/${job.source.repositories.join(',')}`;
}

/** Syncs one image; `action` says whether it was (or in a dry run would be) copied. */
async function syncImage(
  job: SyncJob,
  img: PlannedImage,
  from: OpenedRegistry,
  to: OpenedRegistry,
  opts: RunJobsOptions,
  onBytes: (n: number) => void,
): Promise<{ action: SyncImage['action']; destinationRef: string }> {
  const head = await from.source.headManifest(img.fromRepository, img.fromReference);
  if (!head) {
    const what = img.fromReference.includes(':') ? `no manifest ${img.fromReference}` : `no tag ${img.fromReference}`;
    throw new RegistryError('MANIFEST_UNKNOWN', { message: `${from.host}/${img.fromRepository} has ${what}` });
  }
  const expected = job.platforms ? await platformDigest(from.source, img.fromRepository, head.digest, job.platforms) : head.digest;
  const destinationRef = img.toTag ?? expected;
  const there = await to.source.headManifest(img.toRepository, destinationRef);
  if (there?.digest === expected) return { action: 'skip', destinationRef };
  if (opts.dryRun) return { action: 'copy', destinationRef };
  let reported = 0;
  await copyImage(
    from.source,
    to.source,
    {
      fromRepository: img.fromRepository,
      // The digest just seen: a tag moved meanwhile does not change what this run copies.
      fromReference: head.digest,
      toRepository: img.toRepository,
      toReference: img.toTag,
      platforms: job.platforms,
      // A mirror overwrites the tag, but only what it saw there.
      expectDestination: img.toTag !== undefined ? (there?.digest ?? null) : undefined,
      referrers: job.referrers === true,
    },
    {
      signal: opts.signal,
      onProgress: (p) => {
        if (p.bytesDone > reported) {
          onBytes(p.bytesDone - reported);
          reported = p.bytesDone;
        }
      },
    },
  );
  return { action: 'copy', destinationRef };
}

/** The digest a copy of `platforms` writes: the chosen child, or the index built of the chosen entries. */
async function platformDigest(source: RegistrySource, repository: string, digest: string, platforms: string[]): Promise<string> {
  const m = await source.getManifest(repository, digest);
  if (!m) throw new RegistryError('MANIFEST_UNKNOWN', { message: `${repository}@${digest} vanished while it was read` });
  const info = parseManifest(m.body, m.mediaType);
  // A single image: copyImage refuses the platforms and says why.
  if (info.kind !== 'index') return m.digest;
  const entries = selectPlatforms(info.manifests, platforms, `${repository}@${digest}`);
  if (entries.length === 1) return entries[0]!.digest;
  const raw = JSON.parse(m.body.toString('utf8')) as Record<string, unknown>;
  return digestOf(Buffer.from(JSON.stringify({ ...raw, manifests: entries })));
}
