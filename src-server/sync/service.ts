/**
 * Sync as the API, the CLI and the scheduler use it: the jobs of sync.yml (listed with their next
 * and last runs, saved, removed), runs of them or of one-off jobs (image-syncer's files), one run
 * per job at a time, cancelled by operation id, each recorded in the history.
 */
import { randomUUID } from 'node:crypto';
import type { SyncHistoryArgs, SyncJob, SyncListing, SyncProgress, SyncRunArgs, SyncRunRecord, SyncSaveArgs, SyncSummary } from '../contract';
import { RegistryError } from '../core/errors';
import type { Logger } from '../logger';
import type { PatternTester } from '../retention/pattern-guard';
import type { RegistryOpener } from '../transfer/endpoints';
import { SyncHistory, syncHistoryPath } from './history';
import { checkJob, jobInvalid } from './job-check';
import { SyncProgressTracker } from './progress';
import type { RetryOptions } from './retry';
import { runJobs } from './runner';
import { readSyncFile, syncFilePath, writeSyncFile } from './sync-file';
import { createSyncPatternTester } from './tag-filter';

/** What sync works on. */
export interface SyncDeps {
  dataDir: string;
  opener: RegistryOpener;
  log: Logger;
  now?: () => number;
  tester?: PatternTester;
  /** Backoff settings (tests shorten them). */
  retry?: Omit<RetryOptions, 'retries' | 'signal'>;
}

/** How a run is started. */
export interface SyncRunOptions {
  onProgress?: (p: SyncProgress) => void;
  /** Overrides args.trigger (the scheduler's runs). */
  trigger?: SyncRunRecord['trigger'];
}

/** The name a one-off run's jobs are recorded under. */
export const ONE_OFF_JOB = 'image-syncer';

interface Running {
  jobs: string[];
  controller: AbortController;
  progress: SyncProgressTracker;
}

/** The jobs, runs and history of one data directory. */
export class SyncService {
  readonly file: string;
  readonly history: SyncHistory;
  private readonly now: () => number;
  private readonly tester: PatternTester;
  private readonly runs = new Map<string, Running>();
  private readonly byOperation = new Map<string, string>();
  private readonly listeners = new Set<() => void>();
  /** Set by the scheduler of a serving process: when a job runs next (ms), or null. */
  nextRunAt: (job: string) => number | null = () => null;

  constructor(private readonly deps: SyncDeps) {
    this.file = syncFilePath(deps.dataDir);
    this.history = new SyncHistory(syncHistoryPath(deps.dataDir));
    this.now = deps.now ?? Date.now;
    this.tester = deps.tester ?? createSyncPatternTester();
  }

  /** sync.yml's jobs (SYNC_FILE_INVALID when it cannot be used). */
  read(): SyncJob[] {
    return readSyncFile(this.file);
  }

  /** Calls `fn` whenever the API changes the file. */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Whether a run of `job` goes on. */
  isRunning(job: string): boolean {
    for (const r of this.runs.values()) if (r.jobs.includes(job)) return true;
    return false;
  }

  /** The jobs with their schedule and last run, and the runs going on. */
  listing(): SyncListing {
    const jobs = this.read();
    const last = this.history.lastRuns();
    return {
      file: this.file,
      jobs: jobs.map((job) => {
        const next = job.interval !== undefined ? this.nextRunAt(job.name) : null;
        return { job, nextRun: next !== null ? new Date(next).toISOString() : null, lastRun: last.get(job.name) ?? null };
      }),
      running: [...this.runs.values()].map((r) => r.progress.snapshot()),
    };
  }

  /** Adds a job (or replaces the one of its name with `replace`). */
  save(args: SyncSaveArgs): SyncListing {
    try {
      checkJob(args.job, { allowAccess: false });
    } catch (err) {
      throw jobInvalid(err);
    }
    const jobs = this.read();
    const at = jobs.findIndex((j) => j.name === args.job.name);
    if (at >= 0 && !args.replace) throw new RegistryError('SYNC_JOB_EXISTS', { message: `a sync job named ${args.job.name} exists (replace it, or remove it first)` });
    if (at >= 0) jobs[at] = args.job;
    else jobs.push(args.job);
    return this.write(jobs);
  }

  /** Removes a job. */
  remove(name: string): SyncListing {
    const jobs = this.read();
    const at = jobs.findIndex((j) => j.name === name);
    if (at < 0) throw unknownJob(name);
    jobs.splice(at, 1);
    return this.write(jobs);
  }

  /** The last runs, newest first. */
  runHistory(args: SyncHistoryArgs): { runs: SyncRunRecord[] } {
    return { runs: this.history.list({ job: args.job, limit: Math.min(args.limit ?? 50, 500) }) };
  }

  /** Stops the run of `operationId`; false when none runs. */
  cancel(operationId: string): boolean {
    const runId = this.byOperation.get(operationId);
    const run = runId !== undefined ? this.runs.get(runId) : undefined;
    if (!run) return false;
    run.controller.abort(new RegistryError('CANCELLED', { message: 'the sync run was cancelled' }));
    return true;
  }

  /** Runs sync.yml's jobs (all, or `args.job`) or the one-off `args.jobs`; BUSY while one of them runs. */
  async run(args: SyncRunArgs, opts: SyncRunOptions = {}): Promise<SyncSummary> {
    const jobs = this.jobsOf(args);
    const names = args.jobs ? [ONE_OFF_JOB] : jobs.map((j) => j.name);
    const busy = names.find((n) => this.isRunning(n));
    if (busy) throw new RegistryError('BUSY', { message: `sync job ${busy} is running already; wait for it, or cancel it` });
    const runId = randomUUID();
    const started = this.now();
    const controller = new AbortController();
    const progress = new SyncProgressTracker(args.operationId ?? null, runId, opts.onProgress ?? (() => {}), this.now);
    this.runs.set(runId, { jobs: names, controller, progress });
    if (args.operationId) this.byOperation.set(args.operationId, runId);
    const trigger = opts.trigger ?? args.trigger ?? 'cli';
    const record = (r: Omit<SyncRunRecord, 'id' | 'jobs' | 'trigger' | 'dryRun' | 'startedAt' | 'endedAt' | 'durationMs'>) => {
      const ended = this.now();
      try {
        this.history.add({ id: runId, jobs: names, trigger, dryRun: args.dryRun === true, startedAt: new Date(started).toISOString(), endedAt: new Date(ended).toISOString(), durationMs: ended - started, ...r });
      } catch (err) {
        this.deps.log.warn(`sync: the history could not be written: ${(err as Error).message}`);
      }
    };
    try {
      const result = await runJobs(jobs, {
        opener: this.deps.opener,
        tester: this.tester,
        progress,
        dryRun: args.dryRun,
        proc: args.proc,
        retries: args.retries,
        signal: controller.signal,
        retry: this.deps.retry,
      });
      const { cancelled, ...summary } = result;
      record({ copied: summary.copied, skipped: summary.skipped, failed: summary.failed, bytes: summary.bytes, outcome: cancelled ? 'cancelled' : 'done', failures: summary.failures });
      if (cancelled) throw new RegistryError('CANCELLED', { message: `the sync run was cancelled: ${summary.copied} copied, ${summary.skipped} skipped, ${summary.failed} failed before it stopped`, detail: { runId } });
      return { runId, durationMs: this.now() - started, ...summary };
    } catch (err) {
      if (!(err instanceof RegistryError && err.code === 'CANCELLED')) {
        const message = err instanceof Error ? err.message : String(err);
        record({ copied: 0, skipped: 0, failed: 0, bytes: 0, outcome: 'error', failures: [{ job: names.join(','), image: names.join(','), code: err instanceof RegistryError ? err.code : 'INTERNAL', message }] });
      }
      throw err;
    } finally {
      this.runs.delete(runId);
      if (args.operationId) this.byOperation.delete(args.operationId);
    }
  }

  private jobsOf(args: SyncRunArgs): SyncJob[] {
    if (args.jobs) {
      for (const j of args.jobs) {
        try {
          checkJob(j, { allowAccess: true });
        } catch (err) {
          throw jobInvalid(err);
        }
      }
      return args.jobs;
    }
    const jobs = this.read();
    if (args.job === undefined) return jobs;
    const job = jobs.find((j) => j.name === args.job);
    if (!job) throw unknownJob(args.job);
    return [job];
  }

  private write(jobs: SyncJob[]): SyncListing {
    try {
      writeSyncFile(this.file, jobs);
    } catch (err) {
      throw new RegistryError('SYNC_FILE_INVALID', { message: `cannot write ${this.file}: ${(err as Error).message}` });
    }
    for (const fn of this.listeners) {
      try {
        fn();
      } catch (err) {
        this.deps.log.warn(`sync: ${(err as Error).message}`);
      }
    }
    return this.listing();
  }
}

function unknownJob(name: string): RegistryError {
  return new RegistryError('SYNC_JOB_UNKNOWN', { message: `no sync job named ${JSON.stringify(name)} (see sync.yml or the Sync screen)` });
}
