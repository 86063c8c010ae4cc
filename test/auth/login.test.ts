/**
 * Logging in, over real HTTP against the real app: wrong passwords, unknown users (who pay the same
 * bcrypt cost), the failure throttle, the /token endpoint's two forms, expired, forged and
 * misdirected tokens, and users removed while their token lives.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, raw } from '../api/harness';
import { type AuthRegistry, basicHeader, parseChallenge, REALM, send, SERVICE, startAuthRegistry } from './auth-server';

const USERS = { alice: 'alice-pw', bob: 'bob-pw', carol: 'carol-pw' };
const ACCESS = `users:
  alice: "pull@team/*"
  bob: "push@team/*"
  carol: "admin@*"
anonymous: "pull@public/*"
`;
const registries: AuthRegistry[] = [];
afterAll(async () => {
  for (const r of registries) await r.close();
});
async function start(opts: Partial<Parameters<typeof startAuthRegistry>[0]> & { mode: 'basic' | 'token' }): Promise<AuthRegistry> {
  const r = await startAuthRegistry({ users: USERS, accessYaml: ACCESS, ...opts });
  registries.push(r);
  return r;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('Basic login', () => {
  let reg: AuthRegistry;
  beforeAll(async () => {
    // Cost 10 makes bcrypt's share of a failure clearly measurable.
    reg = await start({ mode: 'basic', bcryptCost: 10, throttle: { maxFailures: 1000 } });
  });

  it('answers 401 with the Basic challenge for a wrong password and for an unknown user', async () => {
    for (const auth of [basicHeader('alice', 'wrong'), basicHeader('mallory', 'alice-pw'), basicHeader('alice', '')]) {
      const res = await raw(reg.port, 'GET', '/v2/', { headers: { Authorization: auth } });
      expectError(res, 'UNAUTHORIZED', 401);
      expect(res.header('www-authenticate')).toBe(`Basic realm="${REALM}"`);
    }
    expect((await raw(reg.port, 'GET', '/v2/', { headers: { Authorization: basicHeader('alice', 'alice-pw') } })).status).toBe(200);
  });

  it('takes as long for an unknown user as for a known user with a wrong password (bcrypt ran)', async () => {
    const time = async (user: string) => {
      const t = performance.now();
      const res = await raw(reg.port, 'GET', '/v2/', { headers: { Authorization: basicHeader(user, `guess-${Math.random()}`) } });
      expect(res.status).toBe(401);
      return performance.now() - t;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 5; i++) {
      known.push(await time('bob'));
      unknown.push(await time(`nobody${i}`));
    }
    // A cached success answers in well under a millisecond; bcrypt at cost 10 takes tens of them.
    expect(median(known)).toBeGreaterThan(15);
    expect(median(unknown)).toBeGreaterThan(median(known) * 0.5);
    expect(median(unknown)).toBeLessThan(median(known) * 2);
  });
});

describe('failure throttle', () => {
  it('answers 429 TOOMANYREQUESTS with Retry-After after repeated failures of a name, on /v2 and on /token, even for the right password', async () => {
    const reg = await start({ mode: 'token', throttle: { maxFailures: 3, windowMs: 60_000 } });
    for (let i = 0; i < 3; i++) {
      const res = await raw(reg.port, 'GET', '/token?service=x', { headers: { Authorization: basicHeader('alice', `wrong${i}`) } });
      expectError(res, 'UNAUTHORIZED', 401);
      expect(res.header('www-authenticate')).toBe(`Basic realm="${REALM}"`);
    }
    // A guesser must not learn that it guessed right.
    const res = await raw(reg.port, 'GET', '/token?service=x', { headers: { Authorization: basicHeader('alice', 'alice-pw') } });
    expectError(res, 'TOOMANYREQUESTS', 429);
    const retry = Number(res.header('retry-after'));
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(60);
    // Another name at the same address is not blocked by alice's failures.
    expect((await raw(reg.port, 'GET', '/token?service=x', { headers: { Authorization: basicHeader('bob', 'bob-pw') } })).status).toBe(200);
  });

  it('blocks Basic logins on /v2 after repeated failures from one address, except credentials already verified', async () => {
    const reg = await start({ mode: 'basic', throttle: { maxFailures: 2, maxAddressFailures: 2, windowMs: 60_000 } });
    const carol = { headers: { Authorization: basicHeader('carol', 'carol-pw') } };
    expect((await raw(reg.port, 'GET', '/v2/', carol)).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await raw(reg.port, 'GET', '/v2/', { headers: { Authorization: basicHeader('mallory', 'x') } })).status).toBe(401);
    const res = await raw(reg.port, 'GET', '/v2/', { headers: { Authorization: basicHeader('bob', 'bob-pw') } });
    expectError(res, 'TOOMANYREQUESTS', 429);
    expect(Number(res.header('retry-after'))).toBeGreaterThan(0);
    expect((await raw(reg.port, 'GET', '/v2/', carol)).status).toBe(200);
  });
});

describe('token endpoint and bearer tokens', () => {
  let reg: AuthRegistry;
  let clock = Date.now();
  beforeAll(async () => {
    reg = await start({ mode: 'token', tokenTtlSeconds: 300, now: () => clock });
  });
  const token = async (user: keyof typeof USERS | undefined, scopes: string[]) => {
    const q = new URLSearchParams({ service: SERVICE });
    for (const s of scopes) q.append('scope', s);
    const res = await raw(reg.port, 'GET', `/token?${q}`, { headers: user ? { Authorization: basicHeader(user, USERS[user]) } : {} });
    expect(res.status, res.text).toBe(200);
    return res.json();
  };
  const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString());
  const bearer = (t: string) => ({ headers: { Authorization: `Bearer ${t}` } });

  it('issues the requested actions the user holds, and only those', async () => {
    const body = await token('bob', ['repository:team/app:pull,push,delete', 'repository:secret/x:pull', 'registry:catalog:*']);
    expect(body.access_token).toBe(body.token);
    expect(body.expires_in).toBe(300);
    expect(Date.parse(body.issued_at)).toBeGreaterThan(0);
    const c = claims(body.token);
    expect(c).toMatchObject({ iss: SERVICE, aud: SERVICE, sub: 'bob' });
    expect(c.exp - c.iat).toBe(300);
    expect(c.access).toEqual([
      { type: 'repository', name: 'team/app', actions: ['pull', 'push'] },
      { type: 'registry', name: 'catalog', actions: ['*'] },
    ]);
    const anon = claims((await token(undefined, ['repository:public/app:pull,push', 'repository:team/app:pull', 'registry:catalog:*'])).token);
    expect(anon.sub).toBe('');
    expect(anon.access).toEqual([{ type: 'repository', name: 'public/app', actions: ['pull'] }]);
  });

  it('answers the OAuth2 password grant form with an access token, and refuses other grants and bad passwords', async () => {
    const form = (fields: Record<string, string>) => ({
      body: new URLSearchParams(fields).toString(),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    const ok = await raw(reg.port, 'POST', '/token', form({ grant_type: 'password', username: 'alice', password: 'alice-pw', service: SERVICE, scope: 'repository:team/app:pull,push', client_id: 'docker' }));
    expect(ok.status, ok.text).toBe(200);
    const body = ok.json();
    expect(body.refresh_token).toBeUndefined();
    expect(body.scope).toBe('repository:team/app:pull');
    expect(claims(body.access_token).access).toEqual([{ type: 'repository', name: 'team/app', actions: ['pull'] }]);
    const refresh = await raw(reg.port, 'POST', '/token', form({ grant_type: 'refresh_token', refresh_token: 'x', service: SERVICE }));
    expect(refresh.status).toBe(400);
    expect(refresh.json().error).toBe('unsupported_grant_type');
    const bad = await raw(reg.port, 'POST', '/token', form({ grant_type: 'password', username: 'alice', password: 'nope', service: SERVICE }));
    expectError(bad, 'UNAUTHORIZED', 401);
  });

  it('answers empty Basic credentials and an empty password form with an anonymous token, never counted as failures', async () => {
    const anon = new URLSearchParams({ service: SERVICE, scope: 'repository:public/app:pull' });
    const form = { body: new URLSearchParams({ grant_type: 'password', username: '', password: '', service: SERVICE, scope: 'repository:public/app:pull' }).toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } };
    // More than the throttle lets fail from one address.
    for (let i = 0; i < 12; i++) {
      const get = await raw(reg.port, 'GET', `/token?${anon}`, { headers: { Authorization: 'Basic Og==' } });
      expect(get.status, get.text).toBe(200);
      expect(claims(get.json().token)).toMatchObject({ sub: '', access: [{ type: 'repository', name: 'public/app', actions: ['pull'] }] });
      const post = await raw(reg.port, 'POST', '/token', form);
      expect(post.status, post.text).toBe(200);
      expect(claims(post.json().access_token).sub).toBe('');
    }
    await token('alice', ['repository:team/app:pull']);
  });

  it('refuses an expired token with invalid_token', async () => {
    const t = (await token('alice', ['repository:team/app:pull'])).token;
    expect((await raw(reg.port, 'GET', '/v2/team/app/tags/list', bearer(t))).status).toBe(404); // allowed; the repository is empty
    clock += 301_000;
    const res = await raw(reg.port, 'GET', '/v2/team/app/tags/list', bearer(t));
    expectError(res, 'UNAUTHORIZED', 401);
    const ch = parseChallenge(res.header('www-authenticate'));
    expect(ch?.params).toMatchObject({ realm: `${reg.base}/token`, service: SERVICE, scope: 'repository:team/app:pull', error: 'invalid_token' });
  });

  it('refuses forged and foreign tokens with invalid_token', async () => {
    const t = (await token('alice', ['repository:team/app:pull'])).token;
    const [h, , s] = t.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims(t), sub: 'carol', access: [{ type: 'repository', name: 'team/app', actions: ['*'] }] })).toString('base64url')}.${s}`;
    for (const bad of [forged, 'abc.def.ghi', 'x']) {
      const res = await raw(reg.port, 'DELETE', '/v2/team/app/manifests/v1', bearer(bad));
      expectError(res, 'UNAUTHORIZED', 401);
      expect(parseChallenge(res.header('www-authenticate'))?.params.error).toBe('invalid_token');
    }
    // Basic credentials are not accepted in token mode: clients are sent to /token.
    const basic = await raw(reg.port, 'GET', '/v2/', { headers: { Authorization: basicHeader('carol', 'carol-pw') } });
    expect(basic.status).toBe(401);
    expect(parseChallenge(basic.header('www-authenticate'))?.scheme).toBe('Bearer');
  });

  it('refuses a token for repository A on repository B: 403 when the user lacks the right there, 401 insufficient_scope when only the token does', async () => {
    const alice = (await token('alice', ['repository:team/app:pull'])).token;
    const denied = await raw(reg.port, 'GET', '/v2/secret/x/tags/list', bearer(alice));
    expectError(denied, 'DENIED', 403);
    expect(denied.json().errors[0].detail).toEqual({ repository: 'secret/x', right: 'pull' });
    const narrow = await raw(reg.port, 'GET', '/v2/team/other/tags/list', bearer(alice));
    expectError(narrow, 'UNAUTHORIZED', 401);
    expect(parseChallenge(narrow.header('www-authenticate'))?.params).toMatchObject({ scope: 'repository:team/other:pull', error: 'insufficient_scope' });
    // A pull token does not push.
    const push = await raw(reg.port, 'POST', '/v2/team/app/blobs/uploads/', bearer((await token('bob', ['repository:team/app:pull'])).token));
    expectError(push, 'UNAUTHORIZED', 401);
    // Following the challenge gets a token that works.
    expect((await send(reg, 'token', { user: 'bob', password: 'bob-pw' }, 'POST', '/v2/team/app/blobs/uploads/')).status).toBe(202);
  });

  it('stops honouring a live token once its user is removed from the htpasswd file', async () => {
    const t = (await token('alice', ['repository:team/app:pull'])).token;
    expect((await raw(reg.port, 'GET', '/v2/', bearer(t))).status).toBe(200);
    writeFileSync(reg.htpasswdPath, execFileSync('htpasswd', ['-nbB', '-C', '5', 'bob', 'bob-pw']).toString() + '# alice removed\n');
    clock += 1500;
    await new Promise((r) => setTimeout(r, 1100)); // the file is re-read at most once a second (real clock)
    const res = await raw(reg.port, 'GET', '/v2/', bearer(t));
    expectError(res, 'UNAUTHORIZED', 401);
    expect(parseChallenge(res.header('www-authenticate'))?.params.error).toBe('invalid_token');
  });
});
