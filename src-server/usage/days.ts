/** UTC calendar days, written `YYYY-MM-DD`: the unit of the usage history. */

/** Milliseconds in a day. */
export const DAY_MS = 86_400_000;

/** The UTC day of a time (ms since the epoch). */
export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The day `n` days after `day` (before it for a negative `n`). */
export function addDays(day: string, n: number): string {
  return dayOf(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS);
}

/** Milliseconds from `ms` to the start of the next UTC day (never 0: at midnight, a whole day). */
export function msUntilNextDay(ms: number): number {
  return DAY_MS - (((ms % DAY_MS) + DAY_MS) % DAY_MS);
}
