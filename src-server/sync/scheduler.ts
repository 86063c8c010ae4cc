/**
 * Runs the jobs with an `interval` in a serving process. A job is due one interval after its last
 * run that was not dry (from the history), or after the scheduler started when it never ran. The
 * file is read on every tick (at most a minute apart) and whenever the API changes it; a job already
 * running (started by hand) is skipped until its next interval. Timers never keep the process alive.
 */
import type { Logger } from '../logger';
import { systemSchedulerClock, type SchedulerClock } from '../retention/scheduler';
import { intervalMs } from './job-check';
import type { SyncService } from './service';

/** How often the jobs are looked at, at most. */
export const SYNC_CHECK_MS = 60_000;

/** A started schedule. */
export interface SyncSchedule {
  /** When `job` runs next (ms), or null. */
  nextRunAt(job: string): number | null;
  /** Resolves when the runs the ticks started have ended. */
  idle(): Promise<void>;
  stop(): void;
}

/** Starts running `service`'s jobs on their intervals. */
export function startSyncSchedule(service: SyncService, log: Logger, clock: SchedulerClock = systemSchedulerClock): SyncSchedule {
  const startedAt = clock.now();
  let stopped = false;
  let timer: unknown = null;
  let due = new Map<string, { at: number; every: number }>();
  const going = new Set<Promise<void>>();
  let warned = '';

  const plan = () => {
    const next = new Map<string, { at: number; every: number }>();
    try {
      const last = service.history.lastRuns();
      for (const job of service.read()) {
        if (job.interval === undefined) continue;
        const every = intervalMs(job.name, job.interval);
        const prev = due.get(job.name);
        const ran = last.get(job.name);
        const from = ran && !ran.dryRun ? Date.parse(ran.startedAt) || startedAt : startedAt;
        next.set(job.name, { every, at: prev && prev.every === every ? Math.max(prev.at, from + every) : from + every });
      }
      warned = '';
    } catch (err) {
      // A file that cannot be read runs nothing until it is fixed; said once per problem.
      const m = (err as Error).message;
      if (m !== warned) log.warn(`sync: schedule stopped: ${m}`);
      warned = m;
    }
    due = next;
  };

  const arm = () => {
    if (stopped) return;
    if (timer !== null) clock.clearTimeout(timer);
    const now = clock.now();
    let wait = SYNC_CHECK_MS;
    for (const d of due.values()) wait = Math.min(wait, Math.max(0, d.at - now));
    timer = clock.setTimeout(tick, wait);
  };

  const tick = () => {
    timer = null;
    if (stopped) return;
    plan();
    const now = clock.now();
    for (const [name, d] of due) {
      if (now < d.at) continue;
      d.at = now + d.every;
      if (service.isRunning(name)) {
        log.info(`sync: job ${name} is running already; its scheduled run is skipped`);
        continue;
      }
      const p: Promise<void> = service
        .run({ job: name }, { trigger: 'schedule' })
        .then((s) => {
          if (s.failed > 0) log.warn(`sync: job ${name}: ${s.failed} image(s) failed: ${s.failures[0]?.message ?? ''}`);
        })
        .catch((err: Error) => log.warn(`sync: the scheduled run of ${name} failed: ${err.message}`))
        .finally(() => going.delete(p));
      going.add(p);
    }
    arm();
  };

  const off = service.onChange(() => {
    plan();
    arm();
  });
  plan();
  arm();
  service.nextRunAt = (job) => (stopped ? null : (due.get(job)?.at ?? null));
  return {
    nextRunAt: (job) => due.get(job)?.at ?? null,
    idle: async () => {
      await Promise.all([...going]);
    },
    stop: () => {
      stopped = true;
      off();
      if (timer !== null) clock.clearTimeout(timer);
      timer = null;
      service.nextRunAt = () => null;
    },
  };
}
