import { describe, expect, it } from 'vitest';
import { etaSeconds, RateMeter } from './rate';

describe('RateMeter', () => {
  it('says nothing until the samples span a second', () => {
    const m = new RateMeter(5000, 1000);
    expect(m.rate()).toBeNull();
    m.sample(0, 0);
    m.sample(400, 4_000_000);
    m.sample(999, 9_000_000);
    expect(m.rate()).toBeNull();
    m.sample(1000, 10_000_000);
    expect(m.rate()).toBe(10_000_000);
  });

  it('is the slope over the last window, not the average since the start', () => {
    const m = new RateMeter(5000, 1000);
    // 10 s at 1 MB/s, then 5 s at 4 MB/s: the rate is 4 MB/s, the overall average would be 2.
    let bytes = 0;
    for (let t = 0; t <= 10_000; t += 500) {
      m.sample(t, bytes);
      bytes += 500_000;
    }
    bytes -= 500_000;
    for (let t = 10_500; t <= 15_000; t += 500) {
      bytes += 2_000_000;
      m.sample(t, bytes);
    }
    expect(m.rate()).toBe(4_000_000);
  });

  it('interpolates the window start between samples far apart', () => {
    const m = new RateMeter(5000, 1000);
    m.sample(0, 0);
    m.sample(10_000, 10_000_000); // 1 MB/s throughout
    expect(m.rate()).toBe(1_000_000);
  });

  it('falls to 0 when nothing moves for a whole window (a stall), and ignores a clock going back', () => {
    const m = new RateMeter(5000, 1000);
    m.sample(0, 0);
    m.sample(2000, 2_000_000);
    expect(m.rate()).toBe(1_000_000);
    m.sample(4500, 2_000_000);
    expect(m.rate()).toBeCloseTo(2_000_000 / 4.5, 3);
    m.sample(7000, 2_000_000);
    expect(m.rate()).toBe(0);
    m.sample(6000, 9_000_000);
    expect(m.rate()).toBe(0);
  });

  it('starts over after reset', () => {
    const m = new RateMeter(5000, 1000);
    m.sample(0, 0);
    m.sample(2000, 2_000_000);
    m.reset();
    m.sample(3000, 2_000_000);
    expect(m.rate()).toBeNull();
  });
});

describe('etaSeconds', () => {
  it('is the bytes left over the rate, rounded up; null without a rate or when stalled', () => {
    expect(etaSeconds(40_000_000, 1_000_000)).toBe(40);
    expect(etaSeconds(1, 1_000_000)).toBe(1);
    expect(etaSeconds(0, 1_000_000)).toBe(0);
    expect(etaSeconds(40_000_000, null)).toBeNull();
    expect(etaSeconds(40_000_000, 0)).toBeNull();
  });
});
