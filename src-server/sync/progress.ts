/**
 * A run's progress: images done of the total, copied / skipped / failed, bytes and the rate,
 * reported at most every 250 ms, and always when an image ends.
 */
import type { SyncProgress } from '../contract';
import { RateMeter } from '../copy/rate';

/** Gap between two byte-count events. */
export const SYNC_PROGRESS_INTERVAL_MS = 250;

/** Counts a run and reports it. */
export class SyncProgressTracker {
  readonly state: SyncProgress;
  private last = -Infinity;
  private readonly meter = new RateMeter();
  private readonly current = new Set<string>();

  constructor(
    operationId: string | null,
    runId: string,
    private readonly onProgress: (p: SyncProgress) => void,
    private readonly now: () => number = Date.now,
    private readonly intervalMs = SYNC_PROGRESS_INTERVAL_MS,
  ) {
    this.state = { operationId, runId, job: '', imagesDone: 0, imagesTotal: null, copied: 0, skipped: 0, failed: 0, bytesDone: 0, bytesPerSecond: null, current: [] };
    this.meter.sample(this.now(), 0);
  }

  /** The job being worked on, and the total once known. */
  job(name: string, imagesTotal: number | null = this.state.imagesTotal): void {
    this.state.job = name;
    this.state.imagesTotal = imagesTotal;
    this.emit(true);
  }

  /** An image started moving. */
  started(image: string): void {
    this.current.add(image);
    this.emit(false);
  }

  /** `n` more bytes moved. */
  bytes(n: number): void {
    this.state.bytesDone += n;
    this.emit(false);
  }

  /** An image ended. */
  ended(image: string, how: 'copied' | 'skipped' | 'failed'): void {
    this.current.delete(image);
    this.state.imagesDone++;
    this.state[how]++;
    this.emit(true);
  }

  /** A snapshot. */
  snapshot(): SyncProgress {
    return { ...this.state, current: [...this.current] };
  }

  private emit(force: boolean): void {
    const t = this.now();
    if (!force && t - this.last < this.intervalMs) return;
    this.last = t;
    this.meter.sample(t, this.state.bytesDone);
    const rate = this.meter.rate();
    this.state.bytesPerSecond = rate === null ? null : Math.round(rate);
    this.onProgress(this.snapshot());
  }
}
