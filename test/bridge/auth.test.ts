/**
 * The `/_berth/api` bridge's gate, against real `berth serve --ui` processes: logins (wrong
 * password, throttle, non-admin users, the --auth none token), cookie flags, cross-site refusal,
 * logout, and the bridge being absent without --ui.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { berthWorkspace, runBerth, spawnServe } from '../helpers/berth-server';
import { invoke, killUiServers, login, send, startUiServer, type Login } from './client';

const ws = berthWorkspace('berth-bridge-auth-');
afterAll(killUiServers);
const JSON_TYPE = { 'content-type': 'application/json' };

describe('berth serve --ui --auth basic', () => {
  it('refuses calls without a session, wrong passwords, then throttles', async () => {
    const { berth, password } = await startUiServer(ws.fresh());
    const anon = await invoke(berth.url, undefined, 'registry:status', undefined);
    expect(anon.status).toBe(401);
    expect(anon.json).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    expect(anon.headers['cache-control']).toBe('no-store');
    expect(anon.headers['x-content-type-options']).toBe('nosniff');

    // A made-up cookie is no session either.
    const forged = await invoke(berth.url, { cookie: 'berth_session=AAAA', csrf: 'x', answer: anon }, 'registry:status', undefined);
    expect(forged.status).toBe(401);

    const wrong = () => send(berth.url, 'POST', '/_berth/api/session', { headers: JSON_TYPE, body: JSON.stringify({ username: 'admin', password: 'nope' }) });
    const first = await wrong();
    expect(first.status).toBe(401);
    expect(first.json.error.code).toBe('UNAUTHORIZED');
    expect(first.headers['set-cookie']).toBeUndefined();
    let last = first;
    for (let i = 0; i < 12 && last.status !== 429; i++) last = await wrong();
    expect(last.status).toBe(429);
    expect(last.json.error.code).toBe('TOOMANYREQUESTS');
    expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
    // Blocked now even with the right password: a guesser must not learn it guessed right.
    const right = await send(berth.url, 'POST', '/_berth/api/session', { headers: JSON_TYPE, body: JSON.stringify({ username: 'admin', password }) });
    expect(right.status).toBe(429);
  });

  it('logs an admin in with a strict cookie, a user with rights as such, refuses one without any, and ends sessions on logout', async () => {
    const dir = ws.fresh();
    const { berth, password } = await startUiServer(dir);
    const add = await runBerth(['user', 'add', 'puller', '--data', dir, '--password-stdin', '--access', 'pull@*'], { input: 'puller-password\n' });
    expect(add.code, add.stderr).toBe(0);
    const none = await runBerth(['user', 'add', 'nobody', '--data', dir, '--password-stdin'], { input: 'nobody-password\n' });
    expect(none.code, none.stderr).toBe(0);
    // The server looks at the user files at most once a second.
    await new Promise((r) => setTimeout(r, 1200));
    const denied = await send(berth.url, 'POST', '/_berth/api/session', { headers: JSON_TYPE, body: JSON.stringify({ username: 'nobody', password: 'nobody-password' }) });
    expect(denied.status).toBe(403);
    expect(denied.json.error.code).toBe('DENIED');
    expect(denied.json.error.message).toContain('nobody has no rights in this registry yet');
    expect(denied.headers['set-cookie']).toBeUndefined();
    const puller = await login(berth.url, { username: 'puller', password: 'puller-password' });
    expect(puller.answer.json).toEqual({ user: 'puller', csrfToken: puller.csrf, admin: false, mayPush: false });

    const admin = await login(berth.url, { username: 'admin', password });
    expect(admin.answer.json).toEqual({ user: 'admin', csrfToken: admin.csrf, admin: true, mayPush: true });
    const cookie = String(admin.answer.headers['set-cookie']![0]);
    expect(cookie).toMatch(/^berth_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Path=/');
    // Plain HTTP: a Secure cookie would be dropped by the browser.
    expect(cookie).not.toContain('Secure');

    const who = await send(berth.url, 'GET', '/_berth/api/session', { headers: { cookie: admin.cookie } });
    expect(who.json).toEqual({ user: 'admin', csrfToken: admin.csrf, admin: true, mayPush: true });
    const ok = await invoke(berth.url, admin, 'registry:status', undefined);
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ ok: true, result: { running: true, controllable: true, url: berth.url } });

    const out = await send(berth.url, 'DELETE', '/_berth/api/session', { headers: { cookie: admin.cookie, 'x-berth-csrf': admin.csrf } });
    expect(out.status).toBe(200);
    expect(String(out.headers['set-cookie']![0])).toMatch(/^berth_session=;.*Max-Age=0/);
    expect((await invoke(berth.url, admin, 'registry:status', undefined)).status).toBe(401);
    expect((await send(berth.url, 'GET', '/_berth/api/session', { headers: { cookie: admin.cookie } })).status).toBe(401);
  });

  it('refuses cross-site calls before they reach a handler', async () => {
    const { berth, password } = await startUiServer(ws.fresh());
    const admin = await login(berth.url, { username: 'admin', password });
    // users:add would change something: none of these may reach it.
    const args = { name: 'intruder', password: 'intruder-pw', rules: 'admin@*' };
    const cases: Array<[string, Login, Record<string, string>]> = [
      ['Origin of another site', admin, { origin: 'https://evil.example' }],
      ['Origin on another port', admin, { origin: 'http://127.0.0.1:1' }],
      ['Sec-Fetch-Site: cross-site', admin, { 'sec-fetch-site': 'cross-site' }],
      ['text/plain body', admin, { 'content-type': 'text/plain' }],
      ['form body', admin, { 'content-type': 'application/x-www-form-urlencoded' }],
      ['missing CSRF header', { ...admin, csrf: '' }, { 'x-berth-csrf': '' }],
      ['wrong CSRF header', { ...admin, csrf: `${admin.csrf.slice(0, -2)}xx` }, {}],
    ];
    for (const [desc, who, headers] of cases) {
      const r = await invoke(berth.url, who, 'users:add', args, headers);
      expect(r.status, desc).toBe(403);
      expect(r.json, desc).toMatchObject({ ok: false, error: { code: 'CSRF' } });
    }
    // The same origin and same-site fetch metadata pass.
    const same = await invoke(berth.url, admin, 'users:list', undefined, { origin: berth.url, 'sec-fetch-site': 'same-origin' });
    expect(same.json.ok).toBe(true);
    expect(same.json.result.users.map((u: { name: string }) => u.name)).toEqual(['admin']);

    // A login from another site is refused too (login CSRF).
    const cross = await send(berth.url, 'POST', '/_berth/api/session', {
      headers: { ...JSON_TYPE, origin: 'https://evil.example' },
      body: JSON.stringify({ username: 'admin', password }),
    });
    expect(cross.status).toBe(403);
    // The event stream needs the token too.
    const ev = await send(berth.url, 'GET', '/_berth/api/events?csrf=wrong', { headers: { cookie: admin.cookie } });
    expect(ev.status).toBe(403);
  });

  it('answers bad bodies with the envelope, never a crash', async () => {
    const { berth, password } = await startUiServer(ws.fresh());
    const admin = await login(berth.url, { username: 'admin', password });
    const headers = { ...JSON_TYPE, cookie: admin.cookie, 'x-berth-csrf': admin.csrf };
    const bad = await send(berth.url, 'POST', '/_berth/api/invoke/users:list', { headers, body: '{not json' });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ ok: false, error: { code: 'ARGS_INVALID' } });
    const big = await send(berth.url, 'POST', '/_berth/api/invoke/users:list', { headers, body: Buffer.alloc(1024 * 1024 + 10, 0x20) });
    expect(big.status).toBe(413);
    const unknown = await invoke(berth.url, admin, 'no:such', undefined);
    expect(unknown.json).toMatchObject({ ok: false, error: { code: 'CHANNEL_UNKNOWN' } });
    const wrongArgs = await invoke(berth.url, admin, 'users:add', { name: 5 });
    expect(wrongArgs.json).toMatchObject({ ok: false, error: { code: 'ARGS_INVALID' } });
    expect(bad.text + big.text + unknown.text).not.toMatch(/at .*\.ts:\d+/);
  });
});

describe('without --ui, and with --auth none', () => {
  it('has no bridge and no GUI without --ui', async () => {
    const berth = await ws.serve(ws.fresh(), ['--auth', 'basic']);
    for (const path of ['/_berth/api/session', '/']) {
      const r = await send(berth.url, 'GET', path);
      expect(r.status, path).toBe(404);
    }
    const post = await send(berth.url, 'POST', '/_berth/api/session', { headers: JSON_TYPE, body: '{}' });
    expect(post.status).toBe(404);
  });

  it('refuses --ui --auth none on an address the network reaches', async () => {
    const r = await runBerth(['serve', '--data', ws.fresh(), '--listen', '0.0.0.0:0', '--auth', 'none', '--allow-open-network', '--ui']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--ui with --auth none only on a loopback address/);
  });

  it('logs in with the token printed at start', async () => {
    const berth = await spawnServe(['serve', '--data', ws.fresh(), '--listen', '127.0.0.1:0', '--auth', 'none', '--ui']);
    try {
      const deadline = Date.now() + 5000;
      while (!/#token=/.test(berth.output()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const m = new RegExp(`Berth UI: ${berth.url.replace(/\./g, '\\.')}/#token=([A-Za-z0-9_-]+)`).exec(berth.output());
      expect(m, berth.output()).not.toBeNull();
      const wrong = await send(berth.url, 'POST', '/_berth/api/session', { headers: JSON_TYPE, body: JSON.stringify({ token: 'guess' }) });
      expect(wrong.status).toBe(401);
      const local = await login(berth.url, { token: m![1]! });
      expect(local.answer.json.user).toBe('local');
      const r = await invoke(berth.url, local, 'users:list', undefined);
      expect(r.json).toMatchObject({ ok: true, result: { authMode: 'none' } });
    } finally {
      await berth.kill();
    }
  });
});
