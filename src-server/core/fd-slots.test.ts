import { describe, expect, it } from 'vitest';
import { Slots } from './fd-slots';

/** Lets queued promise callbacks run. */
const settle = () => new Promise<void>((r) => setImmediate(r));

describe('Slots', () => {
  it('hands out at most `size` slots and grants waiters in arrival order', async () => {
    const slots = new Slots(2);
    const a = await slots.acquire();
    const b = await slots.acquire();
    const order: string[] = [];
    const c = slots.acquire().then((r) => (order.push('c'), r));
    const d = slots.acquire().then((r) => (order.push('d'), r));
    await settle();
    expect(order).toEqual([]);
    expect(slots.waiting).toBe(2);
    // A newcomer that tries without waiting does not overtake the queue.
    expect(slots.tryAcquire()).toBeNull();
    b();
    await settle();
    expect(order).toEqual(['c']);
    a();
    await settle();
    expect(order).toEqual(['c', 'd']);
    expect(slots.inUse).toBe(2);
    (await c)();
    (await d)();
    expect(slots.inUse).toBe(0);
    expect(slots.waiting).toBe(0);
  });

  it('counts a release once however often it is called', async () => {
    const slots = new Slots(1);
    const a = await slots.acquire();
    const waiter = slots.acquire();
    a();
    a();
    const b = await waiter;
    expect(slots.inUse).toBe(1);
    // The doubled release of `a` must not have freed `b`'s slot for a third caller.
    expect(slots.tryAcquire()).toBeNull();
    b();
    expect(slots.inUse).toBe(0);
  });

  it('gives the slot back when the work run under it throws', async () => {
    const slots = new Slots(1);
    await expect(slots.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(slots.inUse).toBe(0);
    expect(await slots.run(async () => 'ok')).toBe('ok');
  });

  it('an aborted waiter leaves the queue; the others keep their turn and nothing leaks', async () => {
    const slots = new Slots(1);
    const held = await slots.acquire();
    const ctl = new AbortController();
    const aborted = slots.acquire(ctl.signal);
    const next = slots.acquire();
    ctl.abort(new Error('client went away'));
    await expect(aborted).rejects.toThrow('client went away');
    expect(slots.waiting).toBe(1);
    held();
    const r = await next;
    expect(slots.inUse).toBe(1);
    r();
    expect(slots.inUse).toBe(0);
    await expect(slots.acquire(AbortSignal.abort(new Error('already')))).rejects.toThrow('already');
    expect(slots.inUse).toBe(0);
  });

  it('keeps thousands of waiters and serves every one of them', async () => {
    const slots = new Slots(3);
    let running = 0;
    let most = 0;
    const done = await Promise.all(
      Array.from({ length: 5000 }, (_, i) =>
        slots.run(async () => {
          running++;
          most = Math.max(most, running);
          await settle();
          running--;
          return i;
        }),
      ),
    );
    expect(done).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    expect(most).toBe(3);
    expect(slots.inUse).toBe(0);
  });

  it('refuses a size that is not a whole number from 1', () => {
    expect(() => new Slots(0)).toThrow(RangeError);
    expect(() => new Slots(1.5)).toThrow(RangeError);
  });
});
