/**
 * The failure throttle with clients at different addresses (127.0.0.x source addresses, over real
 * HTTP against the real app): failures at one address never lock a name out elsewhere, an address
 * failing for many names is still blocked, and credentials the server verified are never refused.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { expectError, raw, type RawResponse } from '../api/harness';
import { type AuthRegistry, basicHeader, startAuthRegistry } from './auth-server';

const USERS = { alice: 'alice-pw', bob: 'bob-pw' };
const registries: AuthRegistry[] = [];
afterAll(async () => {
  for (const r of registries) await r.close();
});
async function start(mode: 'basic' | 'token'): Promise<AuthRegistry> {
  const r = await startAuthRegistry({ mode, users: USERS, accessYaml: 'users:\n  alice: "pull@*"\n  bob: "pull@*"\n' });
  registries.push(r);
  return r;
}

/** A login from `from`: GET /v2/ (basic mode) or GET /token (token mode) with Basic credentials. */
function login(reg: AuthRegistry, mode: 'basic' | 'token', from: string, user: string, password: string): Promise<RawResponse> {
  const path = mode === 'basic' ? '/v2/' : '/token?service=berth-test&scope=repository:team/app:pull';
  return raw(reg.port, 'GET', path, { localAddress: from, headers: { Authorization: basicHeader(user, password) } });
}

describe.each(['basic', 'token'] as const)('failed logins at one address (%s auth)', (mode) => {
  it('never lock the name out at other addresses, nor keep out credentials already verified', async () => {
    const reg = await start(mode);
    const attacker = '127.0.0.2';
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await login(reg, mode, attacker, 'alice', `guess-${i}`)).status);
    expect(statuses).toEqual([...Array(10).fill(401), 429, 429]);
    const blocked = await login(reg, mode, attacker, 'alice', 'guess-x');
    expectError(blocked, 'TOOMANYREQUESTS', 429);
    expect(Number(blocked.header('retry-after'))).toBeGreaterThan(0);

    // The real user elsewhere logs in as ever.
    expect((await login(reg, mode, '127.0.0.3', 'alice', USERS.alice)).status).toBe(200);
    // Those credentials are verified now: never refused, even at the blocked address...
    expect((await login(reg, mode, attacker, 'alice', USERS.alice)).status).toBe(200);
    // ...while guesses from there still are.
    expectError(await login(reg, mode, attacker, 'alice', 'guess-y'), 'TOOMANYREQUESTS', 429);
    // Other names at the attacker's address are not blocked by alice's failures.
    expect((await login(reg, mode, attacker, 'bob', USERS.bob)).status).toBe(200);
  });

  it('still block an address that fails for many names, for every name not yet verified there', async () => {
    const reg = await start(mode);
    const sprayer = '127.0.0.4';
    for (let i = 0; i < 30; i++) expect((await login(reg, mode, sprayer, `user${i}`, 'password1')).status).toBe(401);
    expectError(await login(reg, mode, sprayer, 'bob', USERS.bob), 'TOOMANYREQUESTS', 429);
    expectError(await login(reg, mode, sprayer, 'user99', 'password1'), 'TOOMANYREQUESTS', 429);
    expect((await login(reg, mode, '127.0.0.5', 'bob', USERS.bob)).status).toBe(200);
  });
});
