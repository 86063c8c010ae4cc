/**
 * The app core through the HTTP bridge as the GUI uses it: a remote registry (a second, real
 * `berth serve` with Basic auth) added as a connection, its password kept out of SQLite, an image
 * copied to it with progress events, browsed, its tag deleted safely, and the connection removed.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CONNECTION_ID } from '../../src-server/contract';
import { berthWorkspace, runBerth, type RunningBerth } from '../helpers/berth-server';
import { pushRandomImage } from '../helpers/push';
import { invoke, login, openEvents, startUiServer, type Login } from './client';

const ws = berthWorkspace('berth-appcore-');
const REMOTE_USER = 'bob';
const REMOTE_PASSWORD = 'bob-remote-secret-7d1f';

let ui: RunningBerth;
let uiData: string;
let admin: Login;
let remote: RunningBerth;
let pushed: { digest: string };

beforeAll(async () => {
  uiData = ws.fresh('ui');
  const started = await startUiServer(uiData);
  ui = started.berth;
  admin = await login(ui.url, { username: 'admin', password: started.password });
  const basic = { authorization: `Basic ${Buffer.from(`admin:${started.password}`).toString('base64')}` };
  pushed = await pushRandomImage(ui.url, 'app', 'v1', [300_000, 4096], undefined, basic);

  const remoteData = ws.fresh('remote');
  const added = await runBerth(['user', 'add', REMOTE_USER, '--password-stdin', '--access', 'pull@*,push@*,delete@*', '--data', remoteData], { input: `${REMOTE_PASSWORD}\n` });
  expect(added.code, added.stderr).toBe(0);
  remote = await ws.serve(remoteData, ['--auth', 'basic']);
}, 60_000);

afterAll(async () => {
  await ui?.kill();
});

async function call<T = any>(channel: string, args?: unknown): Promise<T> {
  const r = await invoke(ui.url, admin, channel, args);
  if (!r.json?.ok) throw new Error(`${channel}: ${r.text}`);
  return r.json.result as T;
}

describe('a remote connection through the bridge', () => {
  let id: string;

  it('tests a draft: a wrong password is AUTH_FAILED, the right one works', async () => {
    const draft = { name: 'team', kind: 'registry', url: remote.url, username: REMOTE_USER };
    const bad = await call('connections:test', { draft: { ...draft, password: 'wrong' } });
    expect(bad.ok).toBe(false);
    expect(bad.error.code).toBe('AUTH_FAILED');
    const good = await call('connections:test', { draft: { ...draft, password: REMOTE_PASSWORD } });
    expect(good).toMatchObject({ ok: true, authScheme: 'basic', catalog: true });
  });

  it('saves it with the password in the 0600 secrets file, never in SQLite or an answer', async () => {
    const info = await call('connections:add', { name: 'team', kind: 'registry', url: remote.url, username: REMOTE_USER, password: REMOTE_PASSWORD });
    id = info.id;
    expect(info).toMatchObject({ name: 'team', hasSecret: true, username: REMOTE_USER });
    const list = await invoke(ui.url, admin, 'connections:list', undefined);
    expect(list.json.result.map((c: { id: string }) => c.id)).toEqual([LOCAL_CONNECTION_ID, id]);
    expect(list.text).not.toContain(REMOTE_PASSWORD);
    const berthDir = join(uiData, 'berth');
    for (const f of ['app.db', 'app.db-wal']) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(join(berthDir, f));
      } catch {
        continue;
      }
      expect(bytes.includes(Buffer.from(REMOTE_PASSWORD)), f).toBe(false);
    }
    const secrets = join(berthDir, 'secrets.json');
    expect(statSync(secrets).mode & 0o777).toBe(0o600);
    expect(readFileSync(secrets, 'utf8')).toContain(REMOTE_PASSWORD);
    expect(ui.output()).not.toContain(REMOTE_PASSWORD);
  });

  it('copies the local image to it, with copy:progress events for the call', async () => {
    const events = await openEvents(ui.url, admin);
    const report = await call('image:copy', {
      from: { connection: LOCAL_CONNECTION_ID, repository: 'app', reference: 'v1' },
      to: { connection: id, repository: 'team/app', reference: 'v1' },
      operationId: 'op-1',
    });
    expect(report).toMatchObject({ digest: pushed.digest, target: 'team/app:v1', blobsCopied: 3 });
    const last = (await events.waitFor((e) => e.event === 'copy:progress' && (e.data as { phase: string }).phase === 'done')).data as Record<string, number | string>;
    expect(last.operationId).toBe('op-1');
    expect(last.bytesDone).toBe(last.bytesTotal);
    expect(last.bytesTotal).toBeGreaterThan(300_000);
    events.close();
  });

  it('browses it: repositories, tags with sizes, image details', async () => {
    const repos = await call('browse:repositories', { connection: id });
    expect(repos.items.map((r: { name: string }) => r.name)).toContain('team/app');
    const tags = await call('browse:tags', { connection: id, repository: 'team/app' });
    expect(tags.items).toHaveLength(1);
    expect(tags.items[0]).toMatchObject({ name: 'v1', digest: pushed.digest, platforms: ['linux/amd64'] });
    const image = await call('browse:image', { connection: id, repository: 'team/app', reference: 'v1' });
    expect(image.platforms[0].layers.map((l: { size: number }) => l.size)).toEqual([300_000, 4096]);
    expect(image.pullByDigest).toBe(`${new URL(remote.url).host}/team/app@${pushed.digest}`);
  });

  it('deletes its tag after a preview, guarded by the digest', async () => {
    const plan = await call('tag:delete-preview', { connection: id, repository: 'team/app', tag: 'v1' });
    expect(plan).toMatchObject({ digest: pushed.digest, siblings: [] });
    const moved = await invoke(ui.url, admin, 'tag:delete', { connection: id, repository: 'team/app', tag: 'v1', digest: `sha256:${'1'.repeat(64)}` });
    expect(moved.json.error.code).toBe('TAG_MOVED');
    const done = await call('tag:delete', { connection: id, repository: 'team/app', tag: 'v1', digest: pushed.digest });
    expect(done.removedTags).toEqual(['v1']);
    const tags = await call('browse:tags', { connection: id, repository: 'team/app', refresh: true });
    expect(tags.items).toEqual([]);
  });

  it('removes the connection and its secret', async () => {
    await call('connections:remove', { id });
    expect(readFileSync(join(uiData, 'berth', 'secrets.json'), 'utf8')).not.toContain(REMOTE_PASSWORD);
    const gone = await invoke(ui.url, admin, 'browse:repositories', { connection: id });
    expect(gone.json.error.code).toBe('CONNECTION_UNKNOWN');
  });
});
