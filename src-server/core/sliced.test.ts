import { describe, expect, it } from 'vitest';
import { drain, runSliced, type Sliced } from './sliced';

function* count(n: number, log: string[]): Sliced<number> {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    sum += i;
    log.push(`step ${i}`);
    yield;
  }
  return sum;
}

describe('sliced work', () => {
  it('drain runs it at once and returns its value', () => {
    const log: string[] = [];
    expect(drain(count(5, log))).toBe(10);
    expect(log).toHaveLength(5);
  });

  it('runSliced lets other callbacks run between slices, and returns the same value', async () => {
    const log: string[] = [];
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    // A budget of 0 ms pauses at every yield: interval callbacks get turns in between.
    const result = await runSliced(count(50, log), 0);
    clearInterval(timer);
    expect(result).toBe(1225);
    expect(log).toHaveLength(50);
    expect(ticks).toBeGreaterThan(0);
  });

  it('runSliced with a long budget does not pause at all', async () => {
    let ticks = 0;
    const immediate = setImmediate(() => ticks++);
    const result = await runSliced(count(10, []), 60_000);
    expect(result).toBe(45);
    expect(ticks).toBe(0);
    clearImmediate(immediate);
  });
});
