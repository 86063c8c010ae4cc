/**
 * The transfer rate of a copy as a moving window over the last few seconds, and the time left at
 * that rate. Nothing is said before the window spans a second: a rate from the first chunks (or a
 * burst of mounted blobs) would promise an ETA the copy cannot keep.
 */

/** How far back the rate looks. */
export const RATE_WINDOW_MS = 5_000;
/** The shortest span a rate is computed over. */
export const MIN_RATE_SPAN_MS = 1_000;

/** Byte counts over time; the rate is the slope between the oldest sample in the window and now. */
export class RateMeter {
  private samples: Array<{ t: number; bytes: number }> = [];

  constructor(
    private readonly windowMs = RATE_WINDOW_MS,
    private readonly minSpanMs = MIN_RATE_SPAN_MS,
  ) {}

  /** Forgets every sample (a new transfer starts). */
  reset(): void {
    this.samples = [];
  }

  /** Records that `bytes` had passed in total at time `t` (milliseconds). */
  sample(t: number, bytes: number): void {
    const last = this.samples[this.samples.length - 1];
    if (last && t < last.t) return; // a clock that went back: keep what was measured
    this.samples.push({ t, bytes });
    // Keep one sample at or before the window's start, so the window is always fully spanned.
    const start = t - this.windowMs;
    let drop = 0;
    while (drop + 1 < this.samples.length && this.samples[drop + 1]!.t <= start) drop++;
    if (drop) this.samples.splice(0, drop);
  }

  /** Bytes a second as of the last sample, or null while the samples span less than the minimum. */
  rate(): number | null {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last) return null;
    const from = Math.max(first.t, last.t - this.windowMs);
    const span = last.t - from;
    if (span < this.minSpanMs) return null;
    // The oldest sample may lie before the window: its count at the window's start, on the line to the next.
    const next = this.samples[1];
    const bytesAtFrom = first.t >= from || !next ? first.bytes : first.bytes + ((next.bytes - first.bytes) * (from - first.t)) / (next.t - first.t);
    return Math.max(0, ((last.bytes - bytesAtFrom) * 1000) / span);
  }
}

/** Seconds to move `remaining` bytes at `rate` bytes a second; null without a rate (none yet, or stalled). */
export function etaSeconds(remaining: number, rate: number | null): number | null {
  if (rate === null || rate <= 0) return null;
  return Math.max(0, Math.ceil(remaining / rate));
}
