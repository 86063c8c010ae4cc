/**
 * What a GUI user who is not an administrator sees in the local registry's list and search, against
 * a real `berth serve --ui --auth basic` with images pushed: exactly the repositories their pull
 * rules allow, with counts, sorting and pages over those alone. The names around `team/*` are
 * chosen to catch a filter that is a prefix, a substring or a wildcard too many (`teamx/a`,
 * `other/team/a`, `team`), and `pull@?` (one character, which also "covers" the name `*`) must
 * not open the whole list.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CONNECTION_ID } from '../../src-server/contract';
import type { RunningBerth } from '../helpers/berth-server';
import { berthWorkspace } from '../helpers/berth-server';
import { pushRandomImage, type PushedImage } from '../helpers/push';
import { invoke, killUiServers, login, startUiServer, type Login } from './client';

const ws = berthWorkspace('berth-bridge-listing-scope-');
afterAll(killUiServers);
const local = LOCAL_CONNECTION_ID;
let berth: RunningBerth;
let admin: Login;
let team: Login;
let single: Login;
const pushed = new Map<string, PushedImage>();

/** Repository → its tags; team/c has the most tags of the team, other/x more than any. */
const CONTENT: Record<string, string[]> = {
  'team/a': ['1.0'],
  'team/b': ['1.0', '1.1'],
  'team/c': ['1.0', '1.1', '1.2'],
  'other/x': ['1.0', '1.1', '1.2', '1.3', '1.4'],
  'teamx/a': ['1.0'],
  'other/team/a': ['1.0'],
  team: ['1.0'],
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function call(who: Login, channel: string, args: unknown): Promise<any> {
  const r = await invoke(berth.url, who, channel, args);
  expect(r.json?.ok, `${channel}: ${r.text}`).toBe(true);
  return r.json.result;
}
const names = (page: { items: Array<{ name: string }> }) => page.items.map((r) => r.name);
const hitsOf = (result: { items: Array<{ repository: string; tag: string | null }> }) => result.items.map((h) => `${h.repository}:${h.tag}`);

beforeAll(async () => {
  const started = await startUiServer(ws.fresh());
  berth = started.berth;
  const basic = { authorization: `Basic ${Buffer.from(`admin:${started.password}`).toString('base64')}` };
  for (const [repo, tags] of Object.entries(CONTENT)) {
    for (const tag of tags) pushed.set(`${repo}:${tag}`, await pushRandomImage(berth.url, repo, tag, [512], undefined, basic));
  }
  admin = await login(berth.url, { username: 'admin', password: started.password });
  for (const [name, rules] of [
    ['teamreader', 'pull@team/*'],
    ['single', 'pull@?'],
  ]) {
    const r = await invoke(berth.url, admin, 'users:add', { name, password: `${name}-password-1`, rules });
    expect(r.json?.ok, r.text).toBe(true);
  }
  team = await login(berth.url, { username: 'teamreader', password: 'teamreader-password-1' });
  single = await login(berth.url, { username: 'single', password: 'single-password-1' });
});

describe('browse:repositories for a user with pull@team/* only', () => {
  it('lists exactly team/a, team/b and team/c, by cursor and by page', async () => {
    expect(team.answer.json.admin).toBe(false);
    const all = await call(team, 'browse:repositories', { connection: local });
    expect(names(all)).toEqual(['team/a', 'team/b', 'team/c']);
    expect(all.total).toBe(3);
    // The administrator sees every repository: the filter is the caller's, not the registry's.
    expect((await call(admin, 'browse:repositories', { connection: local })).total).toBe(Object.keys(CONTENT).length);

    const first = await call(team, 'browse:repositories', { connection: local, n: 2 });
    expect(names(first)).toEqual(['team/a', 'team/b']);
    expect(first.next).toBe('team/b');
    const rest = await call(team, 'browse:repositories', { connection: local, n: 2, last: first.next });
    expect(names(rest)).toEqual(['team/c']);
    expect(rest).toMatchObject({ next: null, total: 3 });
  });

  it('sorts and pages over its repositories alone, and counts them', async () => {
    const page1 = await call(team, 'browse:repositories', { connection: local, sort: 'tags', dir: 'desc', n: 2, page: 1 });
    expect(page1.items.map((r: { name: string; tagCount: number }) => [r.name, r.tagCount])).toEqual([
      ['team/c', 3],
      ['team/b', 2],
    ]);
    expect(page1.total).toBe(3);
    const page2 = await call(team, 'browse:repositories', { connection: local, sort: 'tags', dir: 'desc', n: 2, page: 2 });
    expect(names(page2)).toEqual(['team/a']);
    const bySize = await call(team, 'browse:repositories', { connection: local, sort: 'size', dir: 'asc', n: 50, page: 1 });
    expect(names(bySize).sort()).toEqual(['team/a', 'team/b', 'team/c']);
    expect(bySize.total).toBe(3);
    const beyond = await call(team, 'browse:repositories', { connection: local, n: 2, page: 3 });
    expect(beyond).toMatchObject({ items: [], total: 3 });
  });

  it('a name filter narrows within its repositories and never beyond them', async () => {
    const a = await call(team, 'browse:repositories', { connection: local, query: '/a', sort: 'name', page: 1 });
    expect(names(a)).toEqual(['team/a']);
    expect(a.total).toBe(1);
    expect(await call(team, 'browse:repositories', { connection: local, query: 'x', page: 1 })).toMatchObject({ items: [], total: 0 });
  });
});

describe('browse:search for a user with pull@team/* only', () => {
  it('finds tags in team/* only, counting the repositories it may search', async () => {
    const r = await call(team, 'browse:search', { connection: local, kind: 'tag', query: '1.' });
    expect(hitsOf(r)).toEqual(['team/a:1.0', 'team/b:1.0', 'team/b:1.1', 'team/c:1.0', 'team/c:1.1', 'team/c:1.2']);
    expect(r).toMatchObject({ total: 6, searched: { repositories: 3, of: 3 }, complete: true });
    expect(r.items[0].digest).toBe(pushed.get('team/a:1.0')!.digest);
    const page2 = await call(team, 'browse:search', { connection: local, kind: 'tag', query: '1.', n: 4, page: 2 });
    expect(hitsOf(page2)).toEqual(['team/c:1.1', 'team/c:1.2']);
    expect(page2.total).toBe(6);
  });

  it('finds a digest of team/* and nothing of the repositories it may not pull', async () => {
    const mine = pushed.get('team/b:1.1')!.digest;
    expect(hitsOf(await call(team, 'browse:search', { connection: local, kind: 'digest', query: mine }))).toEqual(['team/b:1.1']);
    for (const key of ['other/x:1.3', 'teamx/a:1.0', 'other/team/a:1.0', 'team:1.0']) {
      const theirs = pushed.get(key)!.digest;
      const r = await call(team, 'browse:search', { connection: local, kind: 'digest', query: theirs });
      expect(r, key).toMatchObject({ items: [], total: 0 });
      // The administrator finds it: the digest is there.
      expect(hitsOf(await call(admin, 'browse:search', { connection: local, kind: 'digest', query: theirs }))).toEqual([key]);
    }
  });
});

describe('a rule whose pattern would match the name "*"', () => {
  it('pull@? lists and searches only one-character names: none here, not everything', async () => {
    expect(await call(single, 'browse:repositories', { connection: local })).toMatchObject({ items: [], total: 0 });
    expect(await call(single, 'browse:repositories', { connection: local, sort: 'size', page: 1 })).toMatchObject({ items: [], total: 0 });
    expect(await call(single, 'browse:search', { connection: local, kind: 'tag', query: '1' })).toMatchObject({ items: [], total: 0, searched: { repositories: 0 } });
  });
});

describe('remote connections', () => {
  it('stay the administrator’s for search as for listing', async () => {
    const added = await invoke(berth.url, admin, 'connections:add', { name: 'elsewhere', kind: 'registry', url: 'http://127.0.0.1:9' });
    expect(added.json?.ok, added.text).toBe(true);
    const r = await invoke(berth.url, team, 'browse:search', { connection: added.json.result.id, kind: 'tag', query: '1' });
    expect(r.json).toMatchObject({ ok: false, error: { code: 'DENIED' } });
  });
});
