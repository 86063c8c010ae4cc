/**
 * Runs the policies on the file's `schedule` in a serving process. The next run is due one
 * schedule after the last run (the saved report's start), or after the scheduler started when
 * there was none. The file is read again on every tick (by its modification time) and whenever the
 * API changes it, so an edit by hand takes effect within a minute. A run already going on (started
 * by hand) makes the tick skip. Timers never keep the process alive; stop() ends them.
 */
import { statSync } from 'node:fs';
import type { Logger } from '../logger';
import { scheduleMs } from './policy-file';
import type { RetentionService } from './service';

/** Time as the scheduler sees it: the system clock, or a test's. */
export interface SchedulerClock {
  now(): number;
  /** Calls `fn` once after `ms`; the timer must not keep the process alive. */
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The system clock, with unref'd timers. */
export const systemSchedulerClock: SchedulerClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** How often the file is looked at for a changed schedule, at most. */
export const SCHEDULE_CHECK_MS = 60_000;

/** A started schedule. */
export interface RetentionSchedule {
  /** When the next run is due (ms since the epoch), or null without a schedule. */
  nextRunAt(): number | null;
  /** Resolves when the run a tick started (if any) ends; for tests and shutdown. */
  idle(): Promise<void>;
  stop(): void;
}

/** Starts running `service`'s policies on the file's schedule. */
export function startRetentionSchedule(service: RetentionService, log: Logger, clock: SchedulerClock = systemSchedulerClock): RetentionSchedule {
  const startedAt = clock.now();
  let stopped = false;
  let timer: unknown = null;
  let mtime = -1;
  let everyMs: number | null = null;
  let nextAt: number | null = null;
  let going: Promise<void> = Promise.resolve();

  const readSchedule = () => {
    let modified: number;
    try {
      modified = statSync(service.file).mtimeMs;
    } catch {
      modified = 0;
    }
    if (modified === mtime) return;
    mtime = modified;
    try {
      const schedule = service.read().schedule;
      everyMs = schedule === null ? null : scheduleMs(schedule);
    } catch (err) {
      // A file that cannot be read runs nothing until it is fixed; said once per change.
      everyMs = null;
      log.warn(`retention: schedule stopped: ${(err as Error).message}`);
    }
    const last = service.lastRun();
    const from = last && !last.dryRun ? Math.max(Date.parse(last.startedAt) || startedAt, 0) : startedAt;
    nextAt = everyMs === null ? null : from + everyMs;
  };

  const arm = () => {
    if (stopped) return;
    if (timer !== null) clock.clearTimeout(timer);
    const now = clock.now();
    const wait = nextAt === null ? SCHEDULE_CHECK_MS : Math.max(0, Math.min(nextAt - now, SCHEDULE_CHECK_MS));
    timer = clock.setTimeout(tick, wait);
  };

  const tick = () => {
    timer = null;
    if (stopped) return;
    readSchedule();
    const now = clock.now();
    if (nextAt !== null && everyMs !== null && now >= nextAt) {
      if (service.running) {
        log.info('retention: a run is already going on; the scheduled run is skipped');
      } else {
        going = service
          .run({ trigger: 'schedule' })
          .then(() => undefined)
          .catch((err: Error) => log.warn(`retention: the scheduled run failed: ${err.message}`));
      }
      nextAt = now + everyMs;
    }
    arm();
  };

  const off = service.onChange(() => {
    mtime = -1;
    readSchedule();
    arm();
  });
  readSchedule();
  arm();
  const schedule: RetentionSchedule = {
    nextRunAt: () => nextAt,
    idle: () => going,
    stop: () => {
      stopped = true;
      off();
      if (timer !== null) clock.clearTimeout(timer);
      timer = null;
    },
  };
  service.nextRunAt = () => (stopped ? null : nextAt);
  return schedule;
}
