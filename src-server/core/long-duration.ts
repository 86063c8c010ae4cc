/**
 * Durations as users write them for retention and the trash: Go's units (`90s`, `30m`, `1h30m`)
 * plus days and weeks (`7d`, `2w`, `1d12h`), which Go's syntax lacks and which retention needs.
 */

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g;

/** The longest duration accepted: 100 years (a longer one is a typo, and overflows dates). */
export const MAX_LONG_DURATION_MS = 100 * 365 * 86_400_000;

/** Parses `7d`, `168h`, `2w`, `1d12h`, `0` into milliseconds; null when it is not such a duration or too long. */
export function parseLongDuration(value: string): number | null {
  const v = value.trim();
  if (/^0+$/.test(v)) return 0;
  if (v.length > 64 || !WHOLE.test(v)) return null;
  let ms = 0;
  for (const m of v.matchAll(PART)) ms += Number(m[1]) * UNITS[m[2]!]!;
  ms = Math.round(ms);
  return ms <= MAX_LONG_DURATION_MS ? ms : null;
}

/** Writes milliseconds back in the largest whole units: `7d`, `1d12h`, `90m` → `1h30m`, `0` → `0s`. */
export function formatLongDuration(ms: number): string {
  if (ms <= 0) return '0s';
  let rest = Math.round(ms);
  let out = '';
  for (const unit of ['w', 'd', 'h', 'm', 's', 'ms'] as const) {
    const n = Math.floor(rest / UNITS[unit]!);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * UNITS[unit]!;
    }
  }
  return out;
}
