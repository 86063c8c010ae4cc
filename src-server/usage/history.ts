/**
 * The registry's stored bytes over time: one point per UTC day in {@link UsageHistoryStore}, taken
 * by whichever process serves the registry (`berth serve`, the desktop's registry process) when it
 * starts and the day has no point yet, at the start of every UTC day while it runs, and after every
 * garbage collection (so the drop shows the same day). A later point of the same day replaces the
 * earlier one; points older than the retention are deleted as new ones come.
 */
import type { UsageHistoryPoint, UsageHistorySeries, UsageReport } from '../contract';
import type { Logger } from '../logger';
import { addDays, dayOf, msUntilNextDay } from './days';
import type { HistoryRow, UsageHistoryStore } from './history-store';

/** Days of history kept: two years, one point a day. */
export const HISTORY_RETENTION_DAYS = 731;

/** The registry's totals, as a measurement gives them. */
export type UsageTotals = UsageReport['totals'];

/** Time as the history sees it: the system clock, or a test's. */
export interface HistoryClock {
  now(): number;
  /** Calls `fn` once after `ms`; the timer must not keep the process alive. */
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The system clock, with unref'd timers. */
export const systemClock: HistoryClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** What {@link UsageHistory} works with. */
export interface UsageHistoryOptions {
  store: UsageHistoryStore;
  /** Measures the registry now. */
  measure: () => Promise<UsageTotals>;
  clock?: HistoryClock;
  log?: Logger;
  /** Days kept (default {@link HISTORY_RETENTION_DAYS}). */
  retentionDays?: number;
}

/** Daily sampling running in a serving process. */
export interface DailySampling {
  stop(): void;
}

/** Samples the registry's usage into the store and reads the series back. */
export class UsageHistory {
  readonly retentionDays: number;
  private readonly clock: HistoryClock;
  private readonly inFlight = new Set<Promise<unknown>>();
  private closed = false;

  constructor(private readonly opts: UsageHistoryOptions) {
    this.clock = opts.clock ?? systemClock;
    this.retentionDays = opts.retentionDays ?? HISTORY_RETENTION_DAYS;
  }

  /**
   * Measures now and records the point of today (replacing an earlier one of the day), then deletes
   * points past the retention. Resolves to the row, or null when the history was closed meanwhile.
   */
  sample(): Promise<HistoryRow | null> {
    return this.track(this.measureAndRecord());
  }

  /** {@link sample}, logging a failure instead of throwing (a point missed is not worth an error). */
  async trySample(why: string): Promise<HistoryRow | null> {
    try {
      return await this.sample();
    } catch (err) {
      if (!this.closed) this.opts.log?.warn(`usage history: cannot measure storage (${why}): ${(err as Error).message}`);
      return null;
    }
  }

  /** The points of the last `days` days (today included), oldest first. */
  series(days: number): UsageHistorySeries {
    const from = addDays(dayOf(this.clock.now()), -(Math.max(1, days) - 1));
    return { retentionDays: this.retentionDays, points: this.opts.store.since(from).map(toPoint) };
  }

  /**
   * Takes a point now unless today has one, then one at the start of every UTC day, until stopped.
   * The timers never keep the process alive.
   */
  startDaily(): DailySampling {
    let timer: unknown = null;
    let stopped = false;
    const tick = async () => {
      if (!this.closed && !this.opts.store.has(dayOf(this.clock.now()))) await this.trySample('daily');
    };
    const schedule = () => {
      // Re-armed after each tick from the clock's time then, so a timer that fires early (the
      // wall clock moved) only waits again for the day to change.
      timer = this.clock.setTimeout(() => {
        void this.track(
          tick().finally(() => {
            if (!stopped) schedule();
          }),
        );
      }, msUntilNextDay(this.clock.now()));
    };
    void this.track(tick());
    schedule();
    return {
      stop: () => {
        stopped = true;
        if (timer !== null) this.clock.clearTimeout(timer);
      },
    };
  }

  /** Resolves once no measurement (nor the re-arming of the daily timer after one) is under way. */
  async settled(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  /** Stops writing: a measurement still running is dropped. The store is closed by its owner. */
  close(): void {
    this.closed = true;
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inFlight.add(p);
    const done = () => this.inFlight.delete(p);
    p.then(done, done);
    return p;
  }

  private async measureAndRecord(): Promise<HistoryRow | null> {
    if (this.closed) return null;
    // The time the measurement starts is the time it describes: a slower one started earlier
    // cannot replace it (see UsageHistoryStore.record).
    const at = this.clock.now();
    const totals = await this.opts.measure();
    if (this.closed) return null;
    const day = dayOf(at);
    const row: HistoryRow = { day, at, stored: totals.stored, repositories: totals.repositories, manifests: totals.manifests, blobs: totals.blobs };
    this.opts.store.record(row);
    this.opts.store.pruneBefore(addDays(day, -(this.retentionDays - 1)));
    this.opts.log?.debug(`usage history: ${day}: ${totals.stored} bytes in ${totals.repositories} repositories, ${totals.blobs} blobs`);
    return row;
  }
}

function toPoint(r: HistoryRow): UsageHistoryPoint {
  return { day: r.day, at: new Date(r.at).toISOString(), stored: r.stored, repositories: r.repositories, manifests: r.manifests, blobs: r.blobs };
}
