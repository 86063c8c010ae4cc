/**
 * A bridge session lasts only while its user may administer, against a real `berth serve --ui
 * --auth basic`: removing a user, taking admin@* away or setting a password (from the GUI, or with
 * `berth user` on the files) ends that user's sessions and event streams.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { berthWorkspace, runBerth, type RunningBerth } from '../helpers/berth-server';
import { invoke, killUiServers, login, openEvents, send, startUiServer, type Login } from './client';

const ws = berthWorkspace('berth-bridge-revoke-');
afterAll(killUiServers);

/** Waits until the server has re-read changed user files (it looks at most once a second). */
const filesReread = () => new Promise((r) => setTimeout(r, 1200));

/** Starts a server, logs its admin in, and adds an admin `bob` through the bridge. */
async function withBob(): Promise<{ berth: RunningBerth; dir: string; admin: Login; adminPassword: string }> {
  const dir = ws.fresh();
  const { berth, password } = await startUiServer(dir);
  const admin = await login(berth.url, { username: 'admin', password });
  const add = await invoke(berth.url, admin, 'users:add', { name: 'bob', password: 'bob-password', rules: 'admin@*' });
  expect(add.json.ok, add.text).toBe(true);
  await filesReread();
  return { berth, dir, admin, adminPassword: password };
}

/** Invokes `users:list` as `who` until it answers `status` (the files are re-read within a second). */
async function statusBecomes(berth: RunningBerth, who: Login, status: number): Promise<number> {
  let got = 0;
  for (const deadline = Date.now() + 6000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
    got = (await invoke(berth.url, who, 'users:list', undefined)).status;
    if (got === status) break;
  }
  return got;
}

describe('changes made through the bridge end the sessions at once', () => {
  it('a password set for another user ends all of its sessions and event streams', async () => {
    const { berth, admin } = await withBob();
    const bob = await login(berth.url, { username: 'bob', password: 'bob-password' });
    const bob2 = await login(berth.url, { username: 'bob', password: 'bob-password' });
    const stream = await openEvents(berth.url, bob);
    expect(stream.status).toBe(200);
    expect((await invoke(berth.url, bob, 'users:list', undefined)).status).toBe(200);

    const set = await invoke(berth.url, admin, 'users:set-password', { name: 'bob', password: 'bob-new-password' });
    expect(set.json.ok, set.text).toBe(true);
    // The very next call: no waiting for the htpasswd file's re-read.
    const after = await invoke(berth.url, bob, 'users:list', undefined);
    expect(after.status).toBe(401);
    expect(after.json.error.code).toBe('UNAUTHORIZED');
    expect((await invoke(berth.url, bob2, 'users:list', undefined)).status).toBe(401);
    expect((await send(berth.url, 'GET', '/_berth/api/session', { headers: { cookie: bob.cookie } })).status).toBe(401);
    await Promise.race([stream.ended, new Promise((_, rej) => setTimeout(() => rej(new Error('event stream still open')), 5000))]);
    // The admin who made the change keeps working, and bob logs in with the new password.
    expect((await invoke(berth.url, admin, 'users:list', undefined)).status).toBe(200);
    await filesReread();
    const again = await login(berth.url, { username: 'bob', password: 'bob-new-password' });
    expect((await invoke(berth.url, again, 'users:list', undefined)).status).toBe(200);
  }, 30_000);

  it('changing your own password keeps the session it was changed from and ends your others', async () => {
    const { berth, admin, adminPassword } = await withBob();
    const elsewhere = await login(berth.url, { username: 'admin', password: adminPassword });
    const bob = await login(berth.url, { username: 'bob', password: 'bob-password' });
    const set = await invoke(berth.url, admin, 'users:set-password', { name: 'admin', password: 'admin-new-password' });
    expect(set.json.ok, set.text).toBe(true);
    expect((await invoke(berth.url, admin, 'users:list', undefined)).status).toBe(200);
    expect((await invoke(berth.url, elsewhere, 'users:list', undefined)).status).toBe(401);
    // Another user's sessions are not touched.
    expect((await invoke(berth.url, bob, 'users:list', undefined)).status).toBe(200);
  }, 30_000);

  it('removing a user, or taking admin@* away, ends its sessions on the next call', async () => {
    const { berth, admin } = await withBob();
    const add = await invoke(berth.url, admin, 'users:add', { name: 'carol', password: 'carol-password', rules: 'admin@*' });
    expect(add.json.ok, add.text).toBe(true);
    await filesReread();
    const bob = await login(berth.url, { username: 'bob', password: 'bob-password' });
    const carol = await login(berth.url, { username: 'carol', password: 'carol-password' });

    expect((await invoke(berth.url, admin, 'users:remove', { name: 'bob' })).json.ok).toBe(true);
    expect((await invoke(berth.url, bob, 'users:list', undefined)).status).toBe(401);

    const rights = await invoke(berth.url, admin, 'users:set-rights', { name: 'carol', rules: 'pull@*,push@*' });
    expect(rights.json.ok, rights.text).toBe(true);
    expect((await invoke(berth.url, carol, 'users:list', undefined)).status).toBe(401);
    // Not an admin any more: a new session is a user's, whose administration calls are refused.
    await filesReread();
    const again = await login(berth.url, { username: 'carol', password: 'carol-password' });
    expect(again.answer.json.admin).toBe(false);
    const refused = await invoke(berth.url, again, 'users:list', undefined);
    expect(refused.json.error.code).toBe('DENIED');
    expect((await invoke(berth.url, admin, 'users:list', undefined)).status).toBe(200);
  }, 30_000);
});

describe('admin@* through a group', () => {
  it('keeps the session while a group still grants admin@*, and ends it at once when the group goes', async () => {
    const { berth, admin } = await withBob();
    const group = await invoke(berth.url, admin, 'groups:add', { name: 'ops', rules: 'admin@*' });
    expect(group.json.ok, group.text).toBe(true);
    const member = await invoke(berth.url, admin, 'users:set-groups', { name: 'bob', groups: ['ops'] });
    expect(member.json.ok, member.text).toBe(true);
    await filesReread();
    const bob = await login(berth.url, { username: 'bob', password: 'bob-password' });

    // bob's own rules lose admin@*, the group's still grant it: the session stays.
    const narrowed = await invoke(berth.url, admin, 'users:set-rights', { name: 'bob', rules: 'pull@*' });
    expect(narrowed.json.ok, narrowed.text).toBe(true);
    expect((await invoke(berth.url, bob, 'users:list', undefined)).status).toBe(200);

    const removed = await invoke(berth.url, admin, 'groups:remove', { name: 'ops' });
    expect(removed.json.ok, removed.text).toBe(true);
    expect(removed.json.result.members).toEqual(['bob']);
    // The very next call: no waiting for the access file's re-read.
    expect((await invoke(berth.url, bob, 'users:list', undefined)).status).toBe(401);
    expect((await invoke(berth.url, admin, 'users:list', undefined)).status).toBe(200);
  }, 60_000);
});

describe('changes made on the files end the sessions too', () => {
  it('a user removed with `berth user rm` loses its session', async () => {
    const { berth, dir, admin } = await withBob();
    const bob = await login(berth.url, { username: 'bob', password: 'bob-password' });
    expect((await invoke(berth.url, bob, 'users:list', undefined)).status).toBe(200);
    const rm = await runBerth(['user', 'rm', 'bob', '--data', dir]);
    expect(rm.code, rm.stderr).toBe(0);
    expect(await statusBecomes(berth, bob, 401)).toBe(401);
    expect((await invoke(berth.url, admin, 'users:list', undefined)).status).toBe(200);
  }, 30_000);

  it('a user whose password `berth user passwd` changes loses its session', async () => {
    const { berth, dir, admin } = await withBob();
    const bob = await login(berth.url, { username: 'bob', password: 'bob-password' });
    expect((await invoke(berth.url, bob, 'users:list', undefined)).status).toBe(200);
    const passwd = await runBerth(['user', 'passwd', 'bob', '--password-stdin', '--data', dir], { input: 'bob-new-password\n' });
    expect(passwd.code, passwd.stderr).toBe(0);
    expect(await statusBecomes(berth, bob, 401)).toBe(401);
    expect((await invoke(berth.url, admin, 'users:list', undefined)).status).toBe(200);
    expect((await login(berth.url, { username: 'bob', password: 'bob-new-password' })).csrf).toBeTruthy();
  }, 30_000);

  it('a user whose rights `berth user access` narrows to pull@* loses its session, GET /session included', async () => {
    const { berth, dir, admin } = await withBob();
    const bob = await login(berth.url, { username: 'bob', password: 'bob-password' });
    const access = await runBerth(['user', 'access', 'bob', 'pull@*', '--data', dir]);
    expect(access.code, access.stderr).toBe(0);
    let got = 0;
    for (const deadline = Date.now() + 6000; Date.now() < deadline && got !== 401; await new Promise((r) => setTimeout(r, 200))) {
      got = (await send(berth.url, 'GET', '/_berth/api/session', { headers: { cookie: bob.cookie } })).status;
    }
    expect(got).toBe(401);
    // Ended, not just refused: admin@* given back does not revive it.
    const back = await runBerth(['user', 'access', 'bob', 'admin@*', '--data', dir]);
    expect(back.code, back.stderr).toBe(0);
    await filesReread();
    expect((await invoke(berth.url, bob, 'users:list', undefined)).status).toBe(401);
    expect((await invoke(berth.url, admin, 'users:list', undefined)).status).toBe(200);
  }, 30_000);
});
