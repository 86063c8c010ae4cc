/**
 * The history chart's scales: days on x (gaps where the registry did not run stay gaps in time),
 * bytes on y from 0 to a round decimal value, with round ticks (1, 2, 2.5 or 5 times a power of
 * ten, so the labels read like `250 MB`).
 */

const DAY_MS = 86_400_000;

/** Days since the epoch of a `YYYY-MM-DD` (UTC) day. */
export function dayNumber(day: string): number {
  return Math.round(Date.parse(`${day}T00:00:00Z`) / DAY_MS);
}

/** The `YYYY-MM-DD` of a day number. */
export function dayOfNumber(n: number): string {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

/** A round step of about `raw`: 1, 2, 2.5 or 5 times a power of ten, at least `raw`. */
export function niceStep(raw: number): number {
  if (!(raw > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * power >= raw * (1 - 1e-12)) return m * power;
  return 10 * power;
}

/** Y ticks from 0 to a round top at or above `max`, about `count` steps. */
export function byteTicks(max: number, count = 4): number[] {
  // Whole bytes: a tiny registry's axis reads 0, 1, 2 B, never 0.25 B.
  const step = Math.max(1, niceStep(max / count));
  const steps = Math.max(1, Math.ceil(max / step - 1e-9));
  return Array.from({ length: steps + 1 }, (_, i) => i * step);
}

/** Day numbers for x ticks between `first` and `last` (both included), at most `max` of them, evenly spaced in whole days. */
export function dayTicks(first: number, last: number, max = 6): number[] {
  if (last <= first) return [first];
  const step = Math.max(1, Math.ceil((last - first) / Math.max(1, max - 1)));
  const ticks: number[] = [];
  for (let d = first; d < last; d += step) ticks.push(d);
  // The last day always has its tick; one too close before it gives way.
  if (ticks.length && last - ticks.at(-1)! < step / 2) ticks.pop();
  ticks.push(last);
  return ticks;
}

/** A linear map of [d0, d1] onto [r0, r1]. */
export function linear(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/** The index of the point whose x is nearest to `x` (xs ascending). */
export function nearestIndex(xs: number[], x: number): number {
  let lo = 0;
  let hi = xs.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! <= x) lo = mid;
    else hi = mid;
  }
  return Math.abs(xs[hi]! - x) < Math.abs(xs[lo]! - x) ? hi : lo;
}
