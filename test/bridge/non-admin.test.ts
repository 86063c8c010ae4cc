/**
 * GUI users without admin@*, against a real `berth serve --ui --auth basic` with images pushed:
 * a reader browses the local registry read-only, a team member deletes and copies only where
 * their rights say, nobody reaches remote connections or administration, and every refusal
 * leaves the registry as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CONNECTION_ID } from '../../src-server/contract';
import { berthWorkspace, runBerth, type RunningBerth } from '../helpers/berth-server';
import { pushRandomImage } from '../helpers/push';
import { invoke, killUiServers, login, startUiServer, type Login } from './client';

const ws = berthWorkspace('berth-bridge-non-admin-');
afterAll(killUiServers);
const local = LOCAL_CONNECTION_ID;
let berth: RunningBerth;
let admin: Login;
let reader: Login;
let member: Login;

beforeAll(async () => {
  const dir = ws.fresh();
  const started = await startUiServer(dir);
  berth = started.berth;
  const basic = { authorization: `Basic ${Buffer.from(`admin:${started.password}`).toString('base64')}` };
  await pushRandomImage(berth.url, 'team/app', '1.0', [1024], undefined, basic);
  await pushRandomImage(berth.url, 'team/app', '2.0', [1024], { os: 'linux', architecture: 'arm64' }, basic);
  await pushRandomImage(berth.url, 'other/x', 'v1', [1024], undefined, basic);
  for (const [name, rules] of [
    ['reader', 'pull@*'],
    ['member', 'push@team/*,delete@team/*'],
  ]) {
    const r = await runBerth(['user', 'add', name!, '--data', dir, '--password-stdin', '--access', rules!], { input: `${name}-password-1\n` });
    expect(r.code, r.stderr).toBe(0);
  }
  // The server re-reads the user files at most once a second.
  await new Promise((r) => setTimeout(r, 1200));
  admin = await login(berth.url, { username: 'admin', password: started.password });
  reader = await login(berth.url, { username: 'reader', password: 'reader-password-1' });
  member = await login(berth.url, { username: 'member', password: 'member-password-1' });
  // A remote connection the administrator saved: its credentials are the administrator's.
  const added = await invoke(berth.url, admin, 'connections:add', { name: 'team registry', kind: 'registry', url: 'http://127.0.0.1:9', username: 'ci', password: 'ci-secret' });
  expect(added.json.ok, added.text).toBe(true);
});

const code = async (who: Login, channel: string, args: unknown) => {
  const r = await invoke(berth.url, who, channel, args);
  return r.json.ok ? 'ok' : (r.json.error.code as string);
};

describe('a GUI user with pull rights only', () => {
  it('logs in as a user, browses the local registry, and sees only the local connection', async () => {
    expect(reader.answer.json.admin).toBe(false);
    expect(await code(reader, 'registry:status', undefined)).toBe('ok');
    const conns = await invoke(berth.url, reader, 'connections:list', undefined);
    expect(conns.json.result.map((c: { id: string }) => c.id)).toEqual([local]);
    const repos = await invoke(berth.url, reader, 'browse:repositories', { connection: local });
    expect(repos.json.result.items.map((r: { name: string }) => r.name)).toEqual(['other/x', 'team/app']);
    const tags = await invoke(berth.url, reader, 'browse:tags', { connection: local, repository: 'team/app' });
    expect(tags.json.result.items.map((t: { name: string }) => t.name)).toEqual(['1.0', '2.0']);
    expect(await code(reader, 'browse:image', { connection: local, repository: 'team/app', reference: '1.0' })).toBe('ok');
    const rights = await invoke(berth.url, reader, 'access:repository', { repository: 'team/app' });
    expect(rights.json.result).toEqual({ pull: true, push: false, delete: false, admin: false });
  });

  it('is refused every change and administration, and nothing changes', async () => {
    const tags = await invoke(berth.url, admin, 'browse:tags', { connection: local, repository: 'team/app' });
    const digest = tags.json.result.items[0].digest as string;
    for (const [channel, args] of [
      ['tag:delete', { connection: local, repository: 'team/app', tag: '1.0', digest }],
      ['tags:delete-plan', { connection: local, repository: 'team/app', tags: ['1.0'] }],
      ['repository:delete', { name: 'team/app' }],
      ['image:copy', { from: { connection: local, repository: 'team/app', reference: '1.0' }, to: { connection: local, repository: 'team/copy', reference: '1.0' } }],
      ['users:list', undefined],
      ['users:add', { name: 'eve', password: 'eve-password-1', rules: 'admin@*' }],
      ['groups:add', { name: 'ops', rules: 'admin@*' }],
      ['settings:get', undefined],
      ['gc:run', { dryRun: true }],
      ['usage:registry', undefined],
      ['audit:list', {}],
      ['cert:regenerate', {}],
      ['registry:stop', undefined],
      ['connections:add', { name: 'mine', kind: 'registry', url: 'http://127.0.0.1:9' }],
    ] as const) {
      const r = await invoke(berth.url, reader, channel, args);
      expect(r.json.ok, `${channel}: ${r.text}`).toBe(false);
      expect(r.json.error.code, channel).toBe('DENIED');
      expect(r.json.error.message, channel).toMatch(/^reader may not /);
    }
    // The administrator's saved connection cannot be browsed or tested with its credentials.
    const saved = (await invoke(berth.url, admin, 'connections:list', undefined)).json.result.find((c: { name: string }) => c.name === 'team registry');
    expect(await code(reader, 'browse:repositories', { connection: saved.id })).toBe('DENIED');
    expect(await code(reader, 'connections:test', { id: saved.id })).toBe('DENIED');
    // Nothing happened: the tag, the users and the registry are as they were.
    const after = await invoke(berth.url, admin, 'browse:tags', { connection: local, repository: 'team/app', refresh: true });
    expect(after.json.result.items.map((t: { name: string }) => t.name)).toEqual(['1.0', '2.0']);
    expect((await invoke(berth.url, admin, 'users:list', undefined)).json.result.users.map((u: { name: string }) => u.name)).not.toContain('eve');
    expect((await invoke(berth.url, admin, 'registry:status', undefined)).json.result.running).toBe(true);
  });
});

describe('a GUI user with push and delete rights on team/*', () => {
  it('reads, copies and deletes in team/* only', async () => {
    expect(await code(member, 'browse:tags', { connection: local, repository: 'team/app' })).toBe('ok');
    expect(await code(member, 'browse:tags', { connection: local, repository: 'other/x' })).toBe('DENIED');
    const rights = await invoke(berth.url, member, 'access:repository', { repository: 'other/x' });
    expect(rights.json.result).toEqual({ pull: false, push: false, delete: false, admin: false });

    const copied = await invoke(berth.url, member, 'image:copy', {
      from: { connection: local, repository: 'team/app', reference: '2.0' },
      to: { connection: local, repository: 'team/copy', reference: '2.0' },
    });
    expect(copied.json.ok, copied.text).toBe(true);
    expect(
      await code(member, 'image:copy', { from: { connection: local, repository: 'other/x', reference: 'v1' }, to: { connection: local, repository: 'team/x', reference: 'v1' } }),
    ).toBe('DENIED');
    expect(
      await code(member, 'image:copy', { from: { connection: local, repository: 'team/app', reference: '1.0' }, to: { connection: local, repository: 'other/y', reference: '1.0' } }),
    ).toBe('DENIED');

    const plan = await invoke(berth.url, member, 'tags:delete-plan', { connection: local, repository: 'team/copy', tags: ['2.0'] });
    expect(plan.json.ok, plan.text).toBe(true);
    expect(await code(member, 'tags:delete-plan', { connection: local, repository: 'other/x', tags: ['v1'] })).toBe('DENIED');
    const tags = (await invoke(berth.url, member, 'browse:tags', { connection: local, repository: 'team/copy' })).json.result.items;
    const deleted = await invoke(berth.url, member, 'tag:delete', { connection: local, repository: 'team/copy', tag: '2.0', digest: tags[0].digest });
    expect(deleted.json.ok, deleted.text).toBe(true);
    const otherDigest = (await invoke(berth.url, admin, 'browse:tags', { connection: local, repository: 'other/x' })).json.result.items[0].digest;
    expect(await code(member, 'tag:delete', { connection: local, repository: 'other/x', tag: 'v1', digest: otherDigest })).toBe('DENIED');
    expect((await invoke(berth.url, admin, 'browse:tags', { connection: local, repository: 'other/x', refresh: true })).json.result.items).toHaveLength(1);
  });

  it('loses what an administrator takes away on the very next call', async () => {
    const changed = await invoke(berth.url, admin, 'users:set-rights', { name: 'member', rules: 'pull@team/*' });
    expect(changed.json.ok, changed.text).toBe(true);
    // Still a user with a right: the session stays, the delete right is gone.
    expect(await code(member, 'browse:tags', { connection: local, repository: 'team/app' })).toBe('ok');
    const tags = (await invoke(berth.url, member, 'browse:tags', { connection: local, repository: 'team/app' })).json.result.items;
    expect(await code(member, 'tag:delete', { connection: local, repository: 'team/app', tag: '1.0', digest: tags[0].digest })).toBe('DENIED');
    // No right at all: the session ends.
    const none = await invoke(berth.url, admin, 'users:set-rights', { name: 'member', rules: '' });
    expect(none.json.ok, none.text).toBe(true);
    expect((await invoke(berth.url, member, 'registry:status', undefined)).status).toBe(401);
  });
});
