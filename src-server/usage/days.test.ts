import { describe, expect, it } from 'vitest';
import { addDays, DAY_MS, dayOf, msUntilNextDay } from './days';

describe('UTC days', () => {
  it('names the UTC day of a time, whatever the local zone', () => {
    expect(dayOf(Date.parse('2026-03-01T00:00:00Z'))).toBe('2026-03-01');
    expect(dayOf(Date.parse('2026-03-01T23:59:59.999Z'))).toBe('2026-03-01');
    expect(dayOf(Date.parse('2026-03-01T23:30:00-05:00'))).toBe('2026-03-02');
  });

  it('counts days across months, leap days and years', () => {
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-01-10', -730)).toBe('2024-01-11');
  });

  it('measures the time to the next midnight, a whole day at midnight itself', () => {
    const midnight = Date.parse('2026-03-01T00:00:00Z');
    expect(msUntilNextDay(midnight)).toBe(DAY_MS);
    expect(msUntilNextDay(midnight + 1)).toBe(DAY_MS - 1);
    expect(msUntilNextDay(midnight - 1)).toBe(1);
    expect(dayOf(midnight + 5_000 + msUntilNextDay(midnight + 5_000))).toBe('2026-03-02');
  });
});
