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

/** Starts an attempt and lets it fail. */
const failAttempt = (th: Throttle, ip: string, user: string) => th.begin(ip, user).failed();

describe('Throttle', () => {
  it('blocks a user name at one address after maxFailures, with Retry-After, and never that name at other addresses', () => {
    let now = 100_000;
    const th = new Throttle({ maxFailures: 3, windowMs: 10_000, now: () => now });
    failAttempt(th, '1.1.1.1', 'alice');
    now += 2000;
    failAttempt(th, '1.1.1.1', 'alice');
    failAttempt(th, '1.1.1.1', 'alice');
    const err = thrown(() => th.begin('1.1.1.1', 'alice'));
    expect(err).toBeInstanceOf(RegistryError);
    expect(err?.code).toBe('TOOMANYREQUESTS');
    expect(err?.status).toBe(429);
    expect(err?.headers['Retry-After']).toBe('8');
    // The same name from another address, and another name from the same address, go on.
    expect(thrown(() => th.begin('2.2.2.2', 'alice').succeeded())).toBeUndefined();
    expect(thrown(() => th.begin('1.1.1.1', 'bob').succeeded())).toBeUndefined();
    now += 8000;
    expect(thrown(() => th.begin('1.1.1.1', 'alice'))).toBeUndefined();
  });

  it('blocks an address after maxAddressFailures, whatever the names', () => {
    const th = new Throttle({ maxFailures: 3, maxAddressFailures: 5, maxNameFailures: 100, windowMs: 60_000, now: () => 0 });
    for (let i = 0; i < 5; i++) failAttempt(th, '1.1.1.1', `user${i}`);
    expect(thrown(() => th.begin('1.1.1.1', 'fresh'))?.code).toBe('TOOMANYREQUESTS');
    expect(thrown(() => th.check('1.1.1.1'))?.code).toBe('TOOMANYREQUESTS');
    expect(thrown(() => th.begin('2.2.2.2', 'fresh'))).toBeUndefined();
  });

  it('counts an attempt from its start, so concurrent guesses cannot outrun the count; success and abandonment take it back', () => {
    const th = new Throttle({ maxFailures: 3, windowMs: 60_000, now: () => 0 });
    const pending = [th.begin('1.1.1.1', 'alice'), th.begin('1.1.1.1', 'alice'), th.begin('1.1.1.1', 'alice')];
    expect(thrown(() => th.begin('1.1.1.1', 'alice'))?.code).toBe('TOOMANYREQUESTS');
    pending[0]!.abandoned();
    pending[1]!.succeeded();
    // A success forgets the pair's failures; what was abandoned never counted.
    expect(thrown(() => th.begin('1.1.1.1', 'alice'))).toBeUndefined();
    expect(thrown(() => th.begin('1.1.1.1', 'alice'))).toBeUndefined();
  });

  it('slows a name guessed at from many addresses to one try per window/maxNameFailures for new addresses, never for addresses it logged in from', () => {
    let now = 0;
    const th = new Throttle({ maxFailures: 10, maxNameFailures: 4, windowMs: 60_000, now: () => now });
    // The real user logged in from home before the attack.
    th.begin('10.0.0.1', 'alice').succeeded();
    for (const ip of ['1', '2', '3', '4']) failAttempt(th, ip, 'alice');
    // Over budget: the next new address gets one try, then waits for the next slot (60 s / 4).
    expect(thrown(() => failAttempt(th, '5', 'alice'))).toBeUndefined();
    const slowed = thrown(() => th.begin('6', 'alice'));
    expect(slowed?.code).toBe('TOOMANYREQUESTS');
    expect(slowed?.headers['Retry-After']).toBe('15');
    // Home is never slowed, other names are not affected.
    for (let i = 0; i < 3; i++) expect(thrown(() => th.begin('10.0.0.1', 'alice').succeeded())).toBeUndefined();
    expect(thrown(() => th.begin('6', 'bob').succeeded())).toBeUndefined();
    now += 15_000;
    expect(thrown(() => failAttempt(th, '6', 'alice'))).toBeUndefined();
    expect(thrown(() => th.begin('7', 'alice'))?.code).toBe('TOOMANYREQUESTS');
    // Once the failures leave the window, new addresses are free again.
    now += 60_000;
    expect(thrown(() => th.begin('7', 'alice').succeeded())).toBeUndefined();
    expect(thrown(() => th.begin('8', 'alice').succeeded())).toBeUndefined();
  });

  it('keeps check/fail for logins without a name (the GUI login token), per address', () => {
    const th = new Throttle({ maxFailures: 2, maxAddressFailures: 2, now: () => 0 });
    th.fail('1.1.1.1');
    th.fail('1.1.1.1');
    expect(thrown(() => th.check('1.1.1.1'))?.code).toBe('TOOMANYREQUESTS');
    expect(thrown(() => th.check('2.2.2.2'))).toBeUndefined();
  });

  it('keeps memory bounded under a flood of names and addresses, and long names cost no more than short ones', () => {
    const th = new Throttle({ maxFailures: 3, maxKeys: 100, now: () => 0 });
    for (let i = 0; i < 1000; i++) failAttempt(th, `10.0.${i >> 8}.${i & 255}`, `user${i}${'x'.repeat(i % 2 ? 10_000 : 0)}`);
    expect(th.size).toBeLessThanOrEqual(300);
    expect(th.heldChars).toBeLessThan(300 * 100);
    // The newest are kept.
    for (let i = 0; i < 3; i++) failAttempt(th, '10.9.9.9', 'user999');
    expect(thrown(() => th.begin('10.9.9.9', 'user999'))?.code).toBe('TOOMANYREQUESTS');
  });
});
