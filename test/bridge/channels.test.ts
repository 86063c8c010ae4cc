/**
 * Every invoke channel through the `/_berth/api` bridge of a real `berth serve --ui`, as a
 * logged-in admin; the event stream (gc:progress, registry:status-changed); start/stop of the
 * registry behind /v2; settings saved to settings.json.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INVOKE_CHANNELS, LOCAL_CONNECTION_ID, type InvokeChannel } from '../../src-server/contract';
import { berthWorkspace, type RunningBerth } from '../helpers/berth-server';
import { pushRandomImage } from '../helpers/push';
import { invoke, killUiServers, login, openEvents, send, startUiServer, type Login } from './client';

const ws = berthWorkspace('berth-bridge-channels-');
afterAll(killUiServers);
let berth: RunningBerth;
let admin: Login;
let basic: Record<string, string>;
let adminPassword: string;

beforeAll(async () => {
  const started = await startUiServer(ws.fresh());
  berth = started.berth;
  adminPassword = started.password;
  admin = await login(berth.url, { username: 'admin', password: started.password });
  basic = { authorization: `Basic ${Buffer.from(`admin:${started.password}`).toString('base64')}` };
  await pushRandomImage(berth.url, 'app', 'v1', [2048], undefined, basic);
});

const local = LOCAL_CONNECTION_ID;

/** A payload per channel, and the error code expected when success is not (missing things). */
const CALLS: Record<InvokeChannel, { args: unknown; error?: string }> = {
  'registry:status': { args: undefined },
  'registry:start': { args: undefined },
  'registry:stop': { args: undefined },
  'settings:get': { args: undefined },
  'settings:set': { args: { deleteEnabled: true } },
  'gc:run': { args: { dryRun: true } },
  'usage:registry': { args: undefined },
  'usage:repository': { args: { name: 'app' } },
  'repository:delete': { args: { name: 'missing' }, error: 'NAME_UNKNOWN' },
  'connections:list': { args: undefined },
  'connections:add': { args: { name: 'hub', kind: 'registry', url: 'http://127.0.0.1:1' } },
  'connections:update': { args: { id: 'nope', draft: { name: 'x' } }, error: 'CONNECTION_UNKNOWN' },
  'connections:remove': { args: { id: 'nope' }, error: 'CONNECTION_UNKNOWN' },
  'connections:test': { args: { id: 'nope' }, error: 'CONNECTION_UNKNOWN' },
  'browse:repositories': { args: { connection: local } },
  'browse:tags': { args: { connection: local, repository: 'app' } },
  'browse:image': { args: { connection: local, repository: 'app', reference: 'v1' } },
  'browse:repository-size': { args: { connection: local, repository: 'app' } },
  'browse:refresh': { args: { connection: local } },
  'tag:delete-preview': { args: { connection: local, repository: 'app', tag: 'v1' } },
  'tag:delete': { args: { connection: local, repository: 'app', tag: 'missing', digest: `sha256:${'0'.repeat(64)}` }, error: 'MANIFEST_UNKNOWN' },
  'image:copy': { args: { from: { connection: local, repository: 'app', reference: 'v1' }, to: { connection: local, repository: 'copy' } } },
  'users:list': { args: undefined },
  'users:add': { args: { name: 'carol', password: 'carol-password', rules: 'pull@*,push@team/*' } },
  'users:remove': { args: { name: 'carol' } },
  'users:set-password': { args: { name: 'ghost', password: 'ghost-password' }, error: 'USER_UNKNOWN' },
  'users:set-rights': { args: { name: 'ghost', rules: 'pull@*' }, error: 'USER_UNKNOWN' },
  'users:set-anonymous': { args: { rules: 'pull@public/*' } },
  'users:initial-password': { args: undefined },
  'users:set-groups': { args: { name: 'ghost', groups: [] }, error: 'USER_UNKNOWN' },
  'groups:list': { args: undefined },
  'groups:add': { args: { name: 'ci', rules: 'push@ci/*' } },
  'groups:remove': { args: { name: 'ci' } },
  'groups:set-access': { args: { name: 'ghost', rules: 'pull@*' }, error: 'GROUP_UNKNOWN' },
  'cert:info': { args: undefined },
  'cert:regenerate': { args: { extraNames: ['10.0.0.7'] } },
  'cert:bundle': { args: { host: 'registry.test:5443' } },
  'cert:install-commands': { args: { host: 'registry.test:5443' } },
  'audit:list': { args: { limit: 10 } },
  'secrets:info': { args: undefined },
  'browse:search': { args: { connection: local, query: 'v', kind: 'tag' } },
  'access:repository': { args: { repository: 'app' } },
  'tags:delete-plan': { args: { connection: local, repository: 'app', tags: ['v1'] } },
  'tags:delete': { args: { connection: local, repository: 'app', method: 'tag', images: [{ digest: `sha256:${'0'.repeat(64)}`, tags: ['missing'], alsoDeleted: [] }] } },
  'usage:repositories': { args: { sort: 'name', limit: 5 } },
  'usage:history': { args: { days: 30 } },
  'image:copy-preview': { args: { from: { connection: local, repository: 'app', reference: 'v1' }, to: { connection: local, repository: 'copy', reference: 'v1' } } },
  'image:copy-cancel': { args: { operationId: 'no-such-copy' } },
  'browse:referrer': { args: { connection: local, repository: 'app', digest: `sha256:${'0'.repeat(64)}` }, error: 'MANIFEST_UNKNOWN' },
  'contents:files': { args: { connection: local, repository: 'app', reference: 'missing' }, error: 'MANIFEST_UNKNOWN' },
  'contents:layers': { args: { connection: local, repository: 'app', reference: 'missing' }, error: 'MANIFEST_UNKNOWN' },
  'contents:preview': { args: { connection: local, repository: 'app', reference: 'missing', path: 'etc/hosts' }, error: 'MANIFEST_UNKNOWN' },
  'contents:save': { args: { connection: local, repository: 'app', reference: 'v1', path: 'etc/hosts', to: '/tmp/x' }, error: 'UNSUPPORTED' },
  'contents:diff': {
    args: { left: { connection: local, repository: 'app', reference: 'missing' }, right: { connection: local, repository: 'app', reference: 'v1' } },
    error: 'MANIFEST_UNKNOWN',
  },
  'retention:list': { args: undefined },
  'retention:add': { args: { policy: { name: 'keep-3', repos: 'app*', keepLast: 3 } } },
  'retention:remove': { args: { name: 'no-such-policy' }, error: 'POLICY_UNKNOWN' },
  'retention:schedule': { args: { schedule: null } },
  'retention:run': { args: { dryRun: true } },
  'trash:list': { args: undefined },
  'trash:restore': { args: { reference: 'app:never-deleted' }, error: 'TRASH_ITEM_UNKNOWN' },
  'trash:empty': { args: { ids: [] } },
  // The browser GUI never names files of the server's machine: it downloads and uploads archives.
  'transfer:copy': { args: { from: { transport: 'oci', path: '/tmp/berth-no-layout' }, to: { transport: 'registry', connection: local, repository: 'app', reference: 'x' } }, error: 'DENIED' },
  'transfer:cancel': { args: { operationId: 'nothing-runs' } },
  'archive:export': { args: { images: [{ transport: 'registry', connection: local, repository: 'app', reference: 'v1' }], out: '/tmp/berth-export.tar' }, error: 'DENIED' },
  'archive:import': { args: { path: '/tmp/berth-import.tar' }, error: 'DENIED' },
  'sync:list': { args: undefined },
  'sync:save': { args: { job: { name: 'copy-app', source: { connection: local, repositories: ['app'] }, destination: { connection: local, namespace: 'mirror' } } } },
  'sync:remove': { args: { name: 'no-such-job' }, error: 'SYNC_JOB_UNKNOWN' },
  'sync:run': { args: { job: 'no-such-job' }, error: 'SYNC_JOB_UNKNOWN' },
  'sync:history': { args: {} },
};

describe('every channel through the bridge', () => {
  it('reaches every channel in INVOKE_CHANNELS as an admin', async () => {
    expect(Object.keys(CALLS).sort()).toEqual([...INVOKE_CHANNELS].sort());
    for (const channel of INVOKE_CHANNELS) {
      const { args, error } = CALLS[channel];
      const r = await invoke(berth.url, admin, channel, args);
      expect(r.headers['content-type'], channel).toMatch(/^application\/json/);
      expect(typeof r.json?.ok, `${channel}: ${r.text}`).toBe('boolean');
      const code = r.json.ok ? null : r.json.error.code;
      expect(['UNAUTHORIZED', 'CSRF', 'CHANNEL_UNKNOWN', 'ARGS_INVALID', 'INTERNAL'], `${channel}: ${r.text}`).not.toContain(code);
      expect(code, `${channel}: ${r.text}`).toBe(error ?? null);
    }
    // registry:stop ran in the loop: start again for the other tests.
    expect((await invoke(berth.url, admin, 'registry:start', undefined)).json.result.running).toBe(true);
  }, 45_000);

  it('streams gc:progress of a collection to the session that ran it', async () => {
    const events = await openEvents(berth.url, admin);
    expect(events.status).toBe(200);
    const r = await invoke(berth.url, admin, 'gc:run', { graceSeconds: 0 });
    expect(r.json.ok).toBe(true);
    const p = await events.waitFor((e) => e.event === 'gc:progress');
    expect(p.data).toMatchObject({ phase: expect.any(String), done: expect.any(Number), total: expect.any(Number) });
    events.close();
  });

  it('stops and starts the registry: /v2 answers 503 UNAVAILABLE, the GUI stays, every session hears it', async () => {
    const events = await openEvents(berth.url, admin);
    const stopped = await invoke(berth.url, admin, 'registry:stop', undefined);
    expect(stopped.json.result).toMatchObject({ running: false, url: null, controllable: true });
    const v2 = await send(berth.url, 'GET', '/v2/', { headers: basic });
    expect(v2.status).toBe(503);
    expect(v2.json.errors[0]).toMatchObject({ code: 'UNAVAILABLE', message: 'the registry was stopped from Berth; start it again from the GUI' });
    expect((await send(berth.url, 'GET', '/v2/app/manifests/v1', { headers: basic })).status).toBe(503);
    await events.waitFor((e) => e.event === 'registry:status-changed' && (e.data as { running: boolean }).running === false);
    // The bridge keeps working while stopped.
    expect((await invoke(berth.url, admin, 'registry:status', undefined)).json.result.running).toBe(false);

    const started = await invoke(berth.url, admin, 'registry:start', undefined);
    expect(started.json.result).toMatchObject({ running: true, url: berth.url });
    expect((await send(berth.url, 'GET', '/v2/', { headers: basic })).status).toBe(200);
    await events.waitFor((e) => e.event === 'registry:status-changed' && (e.data as { running: boolean }).running === true);
    events.close();
  });

  it('ends the event streams of a session at logout', async () => {
    const other = await login(berth.url, { username: 'admin', password: adminPassword });
    const events = await openEvents(berth.url, other);
    expect(events.status).toBe(200);
    const out = await send(berth.url, 'DELETE', '/_berth/api/session', { headers: { cookie: other.cookie, 'x-berth-csrf': other.csrf } });
    expect(out.status).toBe(200);
    await events.ended;
    // The first session is untouched.
    expect((await invoke(berth.url, admin, 'registry:status', undefined)).json.ok).toBe(true);
  });

  it('saves settings to settings.json for the next start, and refuses bad ones', async () => {
    const file = join(berth.dataDir, 'berth', 'settings.json');
    const r = await invoke(berth.url, admin, 'settings:set', { tlsListen: '127.0.0.1:5999', proxy: { remoteUrl: 'https://mirror.example/' } });
    expect(r.json).toMatchObject({ ok: true, result: { restartRequired: true, settings: { tlsListen: '127.0.0.1:5999', proxy: { remoteUrl: 'https://mirror.example', username: null } } } });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ tlsListen: '127.0.0.1:5999', proxy: { remoteUrl: 'https://mirror.example' } });
    const got = await invoke(berth.url, admin, 'settings:get', undefined);
    expect(got.json.result).toMatchObject({ tlsListen: '127.0.0.1:5999', listen: '127.0.0.1:0', dataDir: berth.dataDir, authMode: 'basic' });

    // The server runs with --listen 127.0.0.1:0: a saved address would never apply, so none is taken.
    const fixed = await invoke(berth.url, admin, 'settings:set', { listen: '127.0.0.1:5998' });
    expect(fixed.json.error).toEqual({
      code: 'SETTINGS_INVALID',
      message: 'listen is set by the --listen flag: change it there, or start without it, to set it here',
      detail: { field: 'listen' },
    });
    expect(JSON.parse(readFileSync(file, 'utf8'))).not.toHaveProperty('listen');
    const badListen = await invoke(berth.url, admin, 'settings:set', { listen: 'nowhere' });
    expect(badListen.json.error).toMatchObject({ code: 'SETTINGS_INVALID', message: expect.stringMatching(/HOST:PORT/) });
    const badUrl = await invoke(berth.url, admin, 'settings:set', { proxy: { remoteUrl: 'ftp://x' } });
    expect(badUrl.json.error.code).toBe('SETTINGS_INVALID');
    const secret = await invoke(berth.url, admin, 'settings:set', { proxy: { remoteUrl: 'https://x.example', username: 'u', password: 'p' } });
    expect(secret.json.error).toMatchObject({ code: 'SETTINGS_INVALID', message: expect.stringMatching(/^proxy credentials: use the config file/) });
    expect(readFileSync(file, 'utf8')).not.toContain('"p"');
    // Back to what runs now, so a restart would change nothing.
    const reset = await invoke(berth.url, admin, 'settings:set', { listen: '127.0.0.1:0', tlsListen: null, proxy: null });
    expect(reset.json.result.restartRequired).toBe(false);
    expect(existsSync(file)).toBe(true);
  });
});
