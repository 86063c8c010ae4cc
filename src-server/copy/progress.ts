/**
 * The progress of one copy, reported through a callback at a bounded rate: byte counts at most
 * every `intervalMs`, and always on a phase change, a finished blob and the end.
 */
import type { CopyProgress } from '../contract';

/** A progress event without the caller's operation id (the API layer adds it). */
export type CopyProgressEvent = Omit<CopyProgress, 'operationId'>;

/** Default gap between two byte-count events: at most 10 a second. */
export const PROGRESS_INTERVAL_MS = 100;

/**
 * Counts a copy's bytes and blobs. Totals cover only the blobs that must move (the ones the target
 * lacks); a blob mounted from another repository counts as done, whole, the moment it is mounted.
 */
export class ProgressTracker {
  private state: CopyProgressEvent = { phase: 'resolve', bytesDone: 0, bytesTotal: 0, blobsDone: 0, blobsTotal: 0, current: null };
  private last = -Infinity;

  constructor(
    private readonly onProgress: ((p: CopyProgressEvent) => void) | undefined,
    private readonly intervalMs = PROGRESS_INTERVAL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** A snapshot of the counts. */
  get snapshot(): CopyProgressEvent {
    return { ...this.state };
  }

  /** Enters a phase (always reported). */
  phase(phase: CopyProgressEvent['phase']): void {
    this.state.phase = phase;
    if (phase !== 'blobs') this.state.current = null;
    this.emit(true);
  }

  /** Sets the totals once the source is read. */
  totals(bytesTotal: number, blobsTotal: number): void {
    this.state.bytesTotal = bytesTotal;
    this.state.blobsTotal = blobsTotal;
  }

  /** Bytes of `digest` have passed (reported at most every intervalMs). */
  bytes(digest: string, n: number): void {
    this.state.bytesDone += n;
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

  private emit(force: boolean): void {
    if (!this.onProgress) return;
    const t = this.now();
    if (!force && t - this.last < this.intervalMs) return;
    this.last = t;
    this.onProgress({ ...this.state });
  }
}
