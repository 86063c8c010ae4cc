import bcrypt from 'bcryptjs';
import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { RegistryError } from '../core/errors';
import { slowBcryptHash as slowHash } from '../../test/auth/slow-hash';
import { BcryptPool } from './bcrypt-pool';

const pools: BcryptPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});
const pool = (opts: ConstructorParameters<typeof BcryptPool>[0]) => {
  const p = new BcryptPool(opts);
  pools.push(p);
  return p;
};

describe('BcryptPool', () => {
  it('compares passwords with bcrypt hashes on worker threads', async () => {
    const p = pool({ workers: 2 });
    const hash = bcrypt.hashSync('right', 4);
    expect(await Promise.all([p.compare('right', hash), p.compare('wrong', hash), p.compare('right', hash.replace('$2b$', '$2y$'))])).toEqual([
      true,
      false,
      true,
    ]);
    expect(p.stats).toEqual({ workers: 2, running: 0, queued: 0, maxQueued: 64 });
  });

  it('queues up to maxQueued checks behind busy threads and refuses more with 429 and Retry-After', async () => {
    const p = pool({ workers: 1, maxQueued: 2 });
    const held = [p.compare('a', slowHash()), p.compare('b', slowHash()), p.compare('c', slowHash())];
    expect(p.stats).toMatchObject({ running: 1, queued: 2 });
    const refused = await p.compare('d', bcrypt.hashSync('d', 4)).then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(RegistryError);
    expect((refused as RegistryError).code).toBe('TOOMANYREQUESTS');
    expect(Number((refused as RegistryError).headers['Retry-After'])).toBeGreaterThanOrEqual(1);
    // Closing ends the held checks instead of leaving them hanging.
    const ended = Promise.allSettled(held);
    await p.close();
    expect((await ended).map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    await expect(p.compare('e', bcrypt.hashSync('e', 4))).rejects.toThrow(/shut down/);
  });

  it('runs its threads at a lower priority than the event loop (on Linux, where this runs: nice 10 on that thread only)', async () => {
    const niceOfThreads = () =>
      readdirSync(`/proc/${process.pid}/task`).map((tid) => {
        const stat = readFileSync(`/proc/${process.pid}/task/${tid}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
      });
    const before = niceOfThreads();
    const p = pool({ workers: 1 });
    expect(await p.compare('x', bcrypt.hashSync('x', 4))).toBe(true);
    const after = niceOfThreads();
    expect(after.filter((n) => n === 10).length).toBe(before.filter((n) => n === 10).length + 1);
    // The thread this test runs on (the process's first) keeps its priority.
    expect(after[0]).toBe(before[0]);
  });

  it('answers false for a malformed hash, and goes on', async () => {
    const p = pool({ workers: 1 });
    expect(await p.compare('x', '$2b$04$short')).toBe(false);
    expect(await p.compare('x', bcrypt.hashSync('x', 4))).toBe(true);
  });

  it('fails checks with a clear error when its worker cannot start, and never crashes', async () => {
    const errors: string[] = [];
    const p = pool({ workers: 1, workerUrl: new URL('./no-such-worker.mjs', import.meta.url), onError: (m) => errors.push(m) });
    const hash = bcrypt.hashSync('x', 4);
    const results = await Promise.allSettled([p.compare('x', hash), p.compare('y', hash)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/password check thread/);
    expect(errors.length).toBeGreaterThan(0);
  });
});
