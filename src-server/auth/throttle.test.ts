import { describe, expect, it } from 'vitest';
import { RegistryError } from '../core/errors';
import { Throttle } from './throttle';

function thrown(fn: () => void): RegistryError | undefined {
  try {
    fn();
  } catch (err) {
    return err as RegistryError;
  }
  return undefined;
}

describe('Throttle', () => {
  it('blocks an address after maxFailures in the window with Retry-After, and lets it in once the oldest failure leaves', () => {
    let now = 100_000;
    const th = new Throttle({ maxFailures: 3, windowMs: 10_000, now: () => now });
    th.fail('1.1.1.1', 'a');
    now += 2000;
    th.fail('1.1.1.1', 'b');
    th.fail('1.1.1.1', 'c');
    const err = thrown(() => th.check('1.1.1.1', 'zed'));
    expect(err?.code).toBe('TOOMANYREQUESTS');
    expect(err?.status).toBe(429);
    expect(err?.headers['Retry-After']).toBe('8');
    expect(thrown(() => th.check('2.2.2.2', 'zed'))).toBeUndefined();
    now += 8000;
    expect(thrown(() => th.check('1.1.1.1', 'zed'))).toBeUndefined();
  });

  it('blocks a user name attacked from many addresses, but not other users', () => {
    let now = 0;
    const th = new Throttle({ maxFailures: 3, windowMs: 60_000, now: () => now });
    for (const ip of ['1', '2', '3']) th.fail(ip, 'alice');
    expect(thrown(() => th.check('9', 'alice'))?.code).toBe('TOOMANYREQUESTS');
    expect(thrown(() => th.check('9', 'bob'))).toBeUndefined();
    expect(thrown(() => th.check('9'))).toBeUndefined();
    now = 60_001;
    expect(th.retryAfter('9', 'alice')).toBe(0);
  });

  it('keeps memory bounded under a flood of names', () => {
    const th = new Throttle({ maxFailures: 3, maxKeys: 100, now: () => 0 });
    for (let i = 0; i < 1000; i++) th.fail(`10.0.${i >> 8}.${i & 255}`, `user${i}`);
    expect(th.size).toBeLessThanOrEqual(100);
    // The newest are kept.
    th.fail('10.9.9.9', 'user999');
    th.fail('10.9.9.8', 'user999');
    expect(th.retryAfter('1.1.1.1', 'user999')).toBeGreaterThan(0);
  });
});
