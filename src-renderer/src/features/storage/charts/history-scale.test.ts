import { describe, expect, it } from 'vitest';
import { byteTicks, dayNumber, dayOfNumber, dayTicks, linear, nearestIndex, niceStep } from './history-scale';

describe('history scales', () => {
  it('numbers days and back', () => {
    expect(dayNumber('1970-01-02')).toBe(1);
    expect(dayOfNumber(dayNumber('2028-02-29'))).toBe('2028-02-29');
    expect(dayNumber('2026-03-01') - dayNumber('2026-02-01')).toBe(28);
  });

  it('picks round steps', () => {
    expect(niceStep(0.9)).toBe(1);
    expect(niceStep(1.5)).toBe(2);
    expect(niceStep(2.2)).toBe(2.5);
    expect(niceStep(3)).toBe(5);
    expect(niceStep(7)).toBe(10);
    expect(niceStep(230_000_000)).toBe(250_000_000);
    expect(niceStep(0)).toBe(1);
  });

  it('ticks bytes from 0 to a round value at or above the largest', () => {
    expect(byteTicks(1_000_000_000)).toEqual([0, 250_000_000, 500_000_000, 750_000_000, 1_000_000_000]);
    expect(byteTicks(920_000)).toEqual([0, 250_000, 500_000, 750_000, 1_000_000]);
    expect(byteTicks(4_100)).toEqual([0, 2_000, 4_000, 6_000]);
    expect(byteTicks(0)).toEqual([0, 1]);
  });

  it('ticks days evenly, always naming the first and the last', () => {
    expect(dayTicks(0, 10, 6)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(dayTicks(0, 1)).toEqual([0, 1]);
    expect(dayTicks(5, 5)).toEqual([5]);
    const t = dayTicks(100, 830, 6);
    expect(t[0]).toBe(100);
    expect(t.at(-1)).toBe(830);
    expect(t.length).toBeLessThanOrEqual(6);
  });

  it('maps linearly and finds the nearest point', () => {
    const x = linear(10, 20, 0, 200);
    expect(x(10)).toBe(0);
    expect(x(15)).toBe(100);
    expect(linear(5, 5, 0, 100)(5)).toBe(0);
    expect(nearestIndex([0, 10, 30], 4)).toBe(0);
    expect(nearestIndex([0, 10, 30], 6)).toBe(1);
    expect(nearestIndex([0, 10, 30], 25)).toBe(2);
    expect(nearestIndex([0, 10, 30], -5)).toBe(0);
    expect(nearestIndex([0, 10, 30], 99)).toBe(2);
    expect(nearestIndex([7], 99)).toBe(0);
  });
});
