/**
 * The progress of one copy, reported through a callback at a bounded rate: byte counts at most
 * every `intervalMs`, and always on a phase change, a finished blob, a tick and the end. Events
 * carry the transfer rate of the last few seconds and the time left at that rate (copy/rate.ts).
 */
import type { CopyProgress } from '../contract';
import { etaSeconds, RateMeter } from './rate';

/** A progress event without the caller's operation id (the API layer adds it). */
export type CopyProgressEvent = Omit<CopyProgress, 'operationId'>;

/** Default gap between two byte-count events: at most 10 a second. */
export const PROGRESS_INTERVAL_MS = 100;

/**
 * Counts a copy's bytes and blobs. Totals cover only the blobs that must move (the ones the target
 * lacks); a blob mounted from another repository counts as done, whole, the moment it is mounted.
 * The rate counts only bytes that streamed across: a mount takes no time and would inflate it.
 */
export class ProgressTracker {
  private state: CopyProgressEvent = {
    phase: 'resolve',
    bytesDone: 0,
    bytesTotal: 0,
    blobsDone: 0,
    blobsTotal: 0,
    current: null,
    bytesPerSecond: null,
    etaSeconds: null,
  };
  private last = -Infinity;
  private streamed = 0;
  private readonly meter = new RateMeter();

  constructor(
    private readonly onProgress: ((p: CopyProgressEvent) => void) | undefined,
    private readonly intervalMs = PROGRESS_INTERVAL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** A snapshot of the counts. */
  get snapshot(): CopyProgressEvent {
    return { ...this.state };
  }

  /** Enters a phase (always reported). The rate is measured in the blob phase only. */
  phase(phase: CopyProgressEvent['phase']): void {
    this.state.phase = phase;
    if (phase !== 'blobs') this.state.current = null;
    this.meter.reset();
    if (phase === 'blobs') this.meter.sample(this.now(), this.streamed);
    this.emit(true);
  }

  /** Sets the totals once the source is read. */
  totals(bytesTotal: number, blobsTotal: number): void {
    this.state.bytesTotal = bytesTotal;
    this.state.blobsTotal = blobsTotal;
  }

  /** Bytes of `digest` have streamed across (reported at most every intervalMs). */
  bytes(digest: string, n: number): void {
    this.state.bytesDone += n;
    this.streamed += n;
    this.state.current = digest;
    this.emit(false);
  }

  /** A blob is done; `rest` are its bytes not yet counted (all of them for a mount). */
  blobDone(digest: string, rest: number): void {
    this.state.bytesDone += rest;
    this.state.blobsDone += 1;
    this.state.current = digest;
    this.emit(true);
  }

  /**
   * Reports the rate as of now even when no byte moved (called about once a second during the blob
   * phase): a stalled transfer's rate falls and its ETA goes, rather than freezing at the last value.
   */
  tick(): void {
    if (this.state.phase === 'blobs') this.emit(true);
  }

  private emit(force: boolean): void {
    if (!this.onProgress) return;
    const t = this.now();
    if (!force && t - this.last < this.intervalMs) return;
    this.last = t;
    if (this.state.phase === 'blobs') {
      this.meter.sample(t, this.streamed);
      const rate = this.meter.rate();
      this.state.bytesPerSecond = rate === null ? null : Math.round(rate);
      this.state.etaSeconds = etaSeconds(this.state.bytesTotal - this.state.bytesDone, rate);
    } else {
      this.state.bytesPerSecond = null;
      this.state.etaSeconds = null;
    }
    this.onProgress({ ...this.state });
  }
}
