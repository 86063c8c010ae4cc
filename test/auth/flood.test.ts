/**
 * Password checks run on a bounded pool of threads, never on the event loop. Guesses against a
 * user whose bcrypt compare takes minutes (a hash of cost 20 made by hand) hold the only thread and
 * fill the queue; meanwhile a user whose credentials were verified before is served on /v2, and new
 * logins on /v2, /token and the GUI's login get 429 TOOMANYREQUESTS with Retry-After.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { expectError, raw, type RawResponse } from '../api/harness';
import { type AuthRegistry, basicHeader, startAuthRegistry } from './auth-server';
import { slowBcryptHash } from './slow-hash';

const USERS = { alice: 'alice-pw', bob: 'bob-pw' };
const ACCESS = 'users:\n  alice: "admin@*"\n  bob: "admin@*"\n  slow: "pull@*"\n';
const registries: AuthRegistry[] = [];
afterAll(async () => {
  // Closing stops the threads still comparing against the slow hash.
  for (const r of registries) await r.close();
});

/** Sends guesses at the slow user, each from its own address; they stay pending until the registry closes. */
function holdThePool(reg: AuthRegistry, path: string, n: number): void {
  for (let i = 0; i < n; i++) {
    void raw(reg.port, 'GET', path, { localAddress: `127.0.1.${i + 1}`, headers: { Authorization: basicHeader('slow', `guess-${i}`) } }).catch(() => undefined);
  }
}

/** Resolves when the pool shows one busy thread and a full queue (the guesses have arrived). */
async function saturated(reg: AuthRegistry): Promise<void> {
  await expect.poll(() => reg.verifier.poolStats, { timeout: 10_000, interval: 20 }).toMatchObject({ running: 1, queued: 2 });
}

function expectBusy(res: RawResponse): void {
  expectError(res, 'TOOMANYREQUESTS', 429);
  expect(Number(res.header('retry-after'))).toBeGreaterThanOrEqual(1);
}

describe('a flood of password checks', () => {
  it('serves verified credentials on /v2 while the checks are saturated, and answers new Basic logins 429 with Retry-After', async () => {
    const reg = await startAuthRegistry({ mode: 'basic', users: USERS, accessYaml: ACCESS, extraHtpasswd: `slow:${slowBcryptHash()}\n`, pool: { workers: 1, maxQueued: 2 } });
    registries.push(reg);
    const alice = { headers: { Authorization: basicHeader('alice', USERS.alice) } };
    expect((await raw(reg.port, 'GET', '/v2/', alice)).status).toBe(200);

    holdThePool(reg, '/v2/', 3);
    await saturated(reg);
    for (const [path, status] of [['/v2/', 200], ['/v2/_catalog', 200], ['/v2/team/app/tags/list', 404]] as const) {
      expect((await raw(reg.port, 'GET', path, alice)).status, path).toBe(status);
    }
    // Served while the pool was still full: nothing of alice's waited in its queue.
    expect(reg.verifier.poolStats).toMatchObject({ running: 1, queued: 2 });
    expectBusy(await raw(reg.port, 'GET', '/v2/', { headers: { Authorization: basicHeader('bob', USERS.bob) } }));
  });

  it('answers new logins on /token 429 with Retry-After, and keeps serving valid tokens', async () => {
    const reg = await startAuthRegistry({ mode: 'token', users: USERS, accessYaml: ACCESS, extraHtpasswd: `slow:${slowBcryptHash()}\n`, pool: { workers: 1, maxQueued: 2 } });
    registries.push(reg);
    const tokenPath = '/token?service=berth-test&scope=repository:team/app:pull';
    const issued = await raw(reg.port, 'GET', tokenPath, { headers: { Authorization: basicHeader('alice', USERS.alice) } });
    expect(issued.status).toBe(200);
    const bearer = { headers: { Authorization: `Bearer ${issued.json().token}` } };

    holdThePool(reg, tokenPath, 3);
    await saturated(reg);
    expect((await raw(reg.port, 'GET', '/v2/team/app/tags/list', bearer)).status).toBe(404);
    expect((await raw(reg.port, 'GET', tokenPath, { headers: { Authorization: basicHeader('alice', USERS.alice) } })).status).toBe(200);
    expectBusy(await raw(reg.port, 'GET', tokenPath, { headers: { Authorization: basicHeader('bob', USERS.bob) } }));
    expect(reg.verifier.poolStats).toMatchObject({ running: 1, queued: 2 });
  });

  it('answers a GUI login 429 with Retry-After while the checks are saturated', async () => {
    const reg = await startAuthRegistry({ mode: 'basic', ui: true, users: USERS, accessYaml: ACCESS, extraHtpasswd: `slow:${slowBcryptHash()}\n`, pool: { workers: 1, maxQueued: 2 } });
    registries.push(reg);
    const gui = (user: string, password: string) =>
      raw(reg.port, 'POST', '/_berth/api/session', { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: user, password }) });
    expect((await gui('alice', USERS.alice)).status).toBe(200);
    holdThePool(reg, '/v2/', 3);
    await saturated(reg);
    const busy = await gui('bob', USERS.bob);
    expect(busy.status).toBe(429);
    expect(busy.json()).toMatchObject({ ok: false, error: { code: 'TOOMANYREQUESTS' } });
    expect(Number(busy.header('retry-after'))).toBeGreaterThanOrEqual(1);
    // Verified credentials log in at once.
    expect((await gui('alice', USERS.alice)).status).toBe(200);
  });
});
