import { describe, expect, it } from 'vitest';
import { WriteGate } from './write-gate';

/** A promise with its resolver, to hold a write or section open. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Lets every queued microtask and timer of this turn run. */
const settle = () => new Promise((r) => setTimeout(r, 5));

describe('WriteGate', () => {
  it('runs writes together but never during an exclusive section', async () => {
    const gate = new WriteGate();
    const log: string[] = [];
    const w1 = deferred();
    const w2 = deferred();
    const a = gate.write([], async () => {
      log.push('w1 start');
      await w1.promise;
      log.push('w1 end');
    });
    const b = gate.write([], async () => {
      log.push('w2 start');
      await w2.promise;
      log.push('w2 end');
    });
    await settle();
    // Both writes run at once.
    expect(log).toEqual(['w1 start', 'w2 start']);
    const ex = gate.exclusive(() => {
      log.push('exclusive');
    });
    await settle();
    expect(log).not.toContain('exclusive');
    w1.resolve();
    await settle();
    expect(log).not.toContain('exclusive');
    w2.resolve();
    await Promise.all([a, b, ex]);
    expect(log).toEqual(['w1 start', 'w2 start', 'w1 end', 'w2 end', 'exclusive']);

    // And a write waits for a running section.
    const hold = deferred();
    const log2: string[] = [];
    const ex2 = gate.exclusive(async () => {
      log2.push('section');
      await hold.promise;
      log2.push('section end');
    });
    const w = gate.write([], async () => {
      log2.push('write');
    });
    await settle();
    expect(log2).toEqual(['section']);
    hold.resolve();
    await Promise.all([ex2, w]);
    expect(log2).toEqual(['section', 'section end', 'write']);
  });

  it('prefers a waiting exclusive section over new writes, and lets queued writes run before the next section', async () => {
    const gate = new WriteGate();
    const log: string[] = [];
    const first = deferred();
    const w1 = gate.write([], async () => {
      await first.promise;
      log.push('w1');
    });
    await settle();
    const ex1 = gate.exclusive(() => {
      log.push('ex1');
    });
    // A stream of new writes must not starve the waiting section.
    const late = [1, 2, 3].map((i) => gate.write([], async () => void log.push(`late${i}`)));
    const ex2 = gate.exclusive(() => {
      log.push('ex2');
    });
    await settle();
    expect(log).toEqual([]);
    first.resolve();
    await Promise.all([w1, ex1, ...late, ex2]);
    // ex1 goes before the writes that came after it; those go before ex2 (no starvation either way).
    expect(log).toEqual(['w1', 'ex1', 'late1', 'late2', 'late3', 'ex2']);
  });

  it('protects the digests of writes only while a collection runs', async () => {
    const gate = new WriteGate();
    await gate.write(['sha256:before'], async () => undefined);
    expect(gate.collecting).toBe(false);
    expect(gate.isProtected('sha256:before')).toBe(false);
    await gate.beginCollection();
    expect(gate.collecting).toBe(true);
    expect(gate.isProtected('sha256:before')).toBe(false);
    await gate.write(['sha256:during', 'sha256:also'], async () => undefined);
    expect(gate.isProtected('sha256:during')).toBe(true);
    expect(gate.isProtected('sha256:also')).toBe(true);
    expect(gate.isProtected('sha256:other')).toBe(false);
    // A write that fails still protected what it named: it may have placed part of it.
    await expect(gate.write(['sha256:failed'], async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(gate.isProtected('sha256:failed')).toBe(true);
    gate.endCollection();
    expect(gate.collecting).toBe(false);
    expect(gate.isProtected('sha256:during')).toBe(false);
    await gate.write(['sha256:after'], async () => undefined);
    expect(gate.isProtected('sha256:after')).toBe(false);
  });

  it('beginCollection waits for writes in flight; a write queued meanwhile is protected', async () => {
    const gate = new WriteGate();
    const inFlight = deferred();
    let inFlightDone = false;
    const w = gate.write(['sha256:inflight'], async () => {
      await inFlight.promise;
      inFlightDone = true;
    });
    await settle();
    let begun = false;
    const begin = gate.beginCollection().then(() => (begun = true));
    const queued = gate.write(['sha256:queued'], async () => undefined);
    await settle();
    expect(begun).toBe(false);
    inFlight.resolve();
    await Promise.all([w, begin, queued]);
    expect(inFlightDone).toBe(true);
    expect(begun).toBe(true);
    // The in-flight write finished before the collection started (its result is in what the mark
    // reads); the queued one ran during it and is protected.
    expect(gate.isProtected('sha256:queued')).toBe(true);
    gate.endCollection();
  });

  it('refuses a second collection while one runs', async () => {
    const gate = new WriteGate();
    await gate.beginCollection();
    await expect(gate.beginCollection()).rejects.toThrow('a garbage collection is already running');
    // The refusal did not end or reset the running one.
    await gate.write(['sha256:x'], async () => undefined);
    expect(gate.isProtected('sha256:x')).toBe(true);
    gate.endCollection();
    await expect(gate.beginCollection()).resolves.toBeUndefined();
    gate.endCollection();
  });

  it('an exclusive section that throws releases the gate', async () => {
    const gate = new WriteGate();
    await expect(gate.exclusive(() => Promise.reject(new Error('sweep failed')))).rejects.toThrow('sweep failed');
    await expect(gate.write([], async () => 'ok')).resolves.toBe('ok');
    await expect(gate.exclusive(() => 'ok')).resolves.toBe('ok');
  });
});

describe('WriteGate claims (the sweep, per digest)', () => {
  it('a write to another digest runs while a claimed deletion is in progress; one to the claimed digest waits for it', async () => {
    const gate = new WriteGate();
    await gate.beginCollection();
    const claim = gate.claim(['sha256:doomed']);
    expect(claim.digests).toEqual(['sha256:doomed']);
    expect(gate.isClaimed('sha256:doomed')).toBe(true);
    const log: string[] = [];
    // The deletion of sha256:doomed is "in progress" until release: an unrelated write runs to the end.
    await gate.write(['sha256:other'], async () => void log.push('other'));
    expect(log).toEqual(['other']);
    const waiting = gate.write(['sha256:other2', 'sha256:doomed'], async () => void log.push('doomed write'));
    await Promise.resolve();
    await gate.write(['sha256:third'], async () => void log.push('third'));
    expect(log).toEqual(['other', 'third']);
    log.push('deleted');
    claim.release('sha256:doomed');
    await waiting;
    expect(log).toEqual(['other', 'third', 'deleted', 'doomed write']);
    // The write that waited touched the digest after its deletion: it is protected from now on.
    expect(gate.isProtected('sha256:doomed')).toBe(true);
    expect(gate.claim(['sha256:doomed']).digests).toEqual([]);
    gate.endCollection();
  });

  it('never claims a digest a write touched since the collection began, nor one already claimed', async () => {
    const gate = new WriteGate();
    await gate.beginCollection();
    const hold = deferred();
    // A write still running: its digests are protected from the moment it was called.
    const running = gate.write(['sha256:written'], () => hold.promise);
    const claim = gate.claim(['sha256:written', 'sha256:free', 'sha256:free', 'sha256:twice']);
    expect(claim.digests).toEqual(['sha256:free', 'sha256:twice']);
    expect(gate.claim(['sha256:twice', 'sha256:new']).digests).toEqual(['sha256:new']);
    hold.resolve();
    await running;
    claim.release();
    expect(gate.isClaimed('sha256:free')).toBe(false);
    expect(gate.isClaimed('sha256:twice')).toBe(false);
    gate.endCollection();
  });

  it('a write that waited for a claim is not lost when the claim is released all at once', async () => {
    const gate = new WriteGate();
    await gate.beginCollection();
    const claim = gate.claim(['sha256:a', 'sha256:b']);
    const results = Promise.all([gate.write(['sha256:a'], async () => 'a'), gate.write(['sha256:b'], async () => 'b')]);
    let settled = false;
    void results.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    claim.release();
    await expect(results).resolves.toEqual(['a', 'b']);
    // And a collection can still begin after writes that waited (the shared section was left).
    gate.endCollection();
    await expect(gate.beginCollection()).resolves.toBeUndefined();
    gate.endCollection();
  });
});
