/**
 * The audit log end to end: a real `berth serve --ui` with Basic auth, changed through /v2 (pushes,
 * deletes, a refused push), the GUI's bridge (users, settings) and the CLI through the control
 * listener (gc, repo rm); then read back with `berth audit` and `audit:list`. No secret may reach it.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src-server/contract/audit';
import { osUserName } from '../../src-server/audit/actor';
import { invoke, killUiServers, login, send, startUiServer, type Login } from '../bridge/client';
import { berthWorkspace, runBerth, type RunningBerth } from '../helpers/berth-server';
import { pushManifest, pushRandomImage } from '../helpers/push';

const ws = berthWorkspace('berth-audit-');
afterAll(killUiServers);

let berth: RunningBerth;
let data: string;
let admin: Login;
let adminPassword: string;
const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
const BOB_PASSWORD = 'bob-Secret-91f2';

beforeAll(async () => {
  data = ws.fresh();
  const started = await startUiServer(data);
  berth = started.berth;
  adminPassword = started.password;
  admin = await login(berth.url, { username: 'admin', password: adminPassword });
});

/** `berth audit ARGS --json` as entries; fails the test on a non-zero exit. */
async function auditJson(...args: string[]): Promise<AuditEntry[]> {
  const r = await runBerth(['audit', '--json', '--data', data, ...args]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim() ? r.stdout.trim().split('\n').map((l) => JSON.parse(l) as AuditEntry) : [];
}

const logText = () => readFileSync(join(data, 'berth', 'audit.log'), 'utf8');

describe('the audit log of a running server', () => {
  it('records pushes and deletes on /v2 with the user and address, and a refused push with its code', async () => {
    const pushed = await pushRandomImage(berth.url, 'team/app', '1.0', [512], undefined, basic('admin', adminPassword));
    const del = await send(berth.url, 'DELETE', '/v2/team/app/manifests/1.0', { headers: basic('admin', adminPassword) });
    expect(del.status).toBe(202);

    // bob may pull only: his push is refused, and the refusal is on record.
    const added = await invoke(berth.url, admin, 'users:add', { name: 'bob', password: BOB_PASSWORD, rules: 'pull@*' });
    expect(added.json.ok, added.text).toBe(true);
    await expect(pushManifest(berth.url, 'team/app', '2.0', pushed.manifest, undefined, basic('bob', BOB_PASSWORD))).rejects.toThrow(/403/);

    const entries = await auditJson();
    const push = entries.find((e) => e.action === 'tag.push');
    expect(push).toMatchObject({ user: 'admin', address: '127.0.0.1', via: 'registry', target: 'team/app:1.0', result: 'ok', detail: { digest: pushed.digest } });
    expect(entries.find((e) => e.action === 'tag.delete')).toMatchObject({ user: 'admin', via: 'registry', target: 'team/app:1.0', result: 'ok' });
    expect(entries.find((e) => e.action === 'user.add')).toMatchObject({ user: 'admin', via: 'gui', address: '127.0.0.1', target: 'bob', detail: { rules: 'pull@*' } });
    expect(entries.find((e) => e.user === 'bob')).toMatchObject({ action: 'tag.push', target: 'team/app:2.0', result: 'DENIED' });
    // Uploads and reads are not changes worth a line; the 401 of each first, credential-less try neither.
    expect(entries.map((e) => e.result)).not.toContain('UNAUTHORIZED');
    expect(entries.filter((e) => e.via === 'registry').map((e) => e.action).sort()).toEqual(['tag.delete', 'tag.push', 'tag.push']);
    expect(statSync(join(data, 'berth', 'audit.log')).mode & 0o777).toBe(0o600);
  });

  it('records commands run through the control listener as the OS user, and the GUI settings change without its password', async () => {
    // The deletes above went to the trash: let them go, so that the collection has something to free.
    const emptied = await runBerth(['trash', 'empty', '--data', data]);
    expect(emptied.code, emptied.stderr).toBe(0);
    const gc = await runBerth(['gc', '--grace', '0', '--delete-untagged', '--data', data]);
    expect(gc.code, gc.stderr).toBe(0);
    const dry = await runBerth(['gc', '--dry-run', '--data', data]);
    expect(dry.code, dry.stderr).toBe(0);
    // Refused (proxy credentials belong in the config file), and on record as refused, without the password.
    const refused = await invoke(berth.url, admin, 'settings:set', { proxy: { remoteUrl: 'http://127.0.0.1:9', username: 'mirror', password: 'proxy-Secret-77aa' } });
    expect(refused.json.error.code, refused.text).toBe('SETTINGS_INVALID');
    const set = await invoke(berth.url, admin, 'settings:set', { proxy: { remoteUrl: 'http://127.0.0.1:9' }, deleteEnabled: true });
    expect(set.json.ok, set.text).toBe(true);
    const pw = await invoke(berth.url, admin, 'users:set-password', { name: 'bob', password: 'bob-Next-Secret-3c' });
    expect(pw.json.ok, pw.text).toBe(true);

    const gcRuns = await auditJson('--action', 'gc.run');
    // The dry run changed nothing: one entry, for the real run.
    expect(gcRuns).toHaveLength(1);
    expect(gcRuns[0]).toMatchObject({ user: osUserName(), address: 'local', via: 'cli', target: 'registry', result: 'ok' });
    expect(gcRuns[0]!.detail).toMatchObject({ blobs: expect.any(Number), bytes: expect.any(Number) });
    expect((gcRuns[0]!.detail!.blobs as number) > 0).toBe(true);

    const empties = await auditJson('--action', 'trash.empty');
    expect(empties).toHaveLength(1);
    expect(empties[0]).toMatchObject({ user: osUserName(), via: 'cli', target: 'trash', result: 'ok', detail: { removed: expect.any(Number), heldBytes: expect.any(Number) } });
    expect((empties[0]!.detail!.removed as number) > 0).toBe(true);

    const settings = await auditJson('--action', 'settings.');
    expect(settings).toHaveLength(2);
    expect(settings[0]).toMatchObject({ user: 'admin', via: 'gui', target: 'proxy', result: 'SETTINGS_INVALID', detail: { proxyUsername: 'mirror', proxyPassword: 'set' } });
    expect(settings[1]).toMatchObject({ user: 'admin', via: 'gui', target: 'deleteEnabled,proxy', result: 'ok', detail: { proxy: 'http://127.0.0.1:9', deleteEnabled: true } });
    expect((await auditJson('--action', 'user.password'))[0]).toMatchObject({ user: 'admin', target: 'bob' });

    const text = logText();
    for (const secret of [adminPassword, BOB_PASSWORD, 'bob-Next-Secret-3c', 'proxy-Secret-77aa']) expect(text).not.toContain(secret);
  });

  it('reads back filtered: --user, --since, --action areas, --limit, the table', async () => {
    const all = await auditJson();
    expect(all.length).toBeGreaterThanOrEqual(7);
    // Oldest first, as a log reads.
    expect(all.map((e) => e.time)).toEqual([...all.map((e) => e.time)].sort());
    expect((await auditJson('--user', 'bob')).every((e) => e.user === 'bob')).toBe(true);
    expect(await auditJson('--since', '2999-01-01')).toEqual([]);
    expect(await auditJson('--since', '1h')).toEqual(all);
    expect((await auditJson('--action', 'user.')).map((e) => e.action).sort()).toEqual(['user.add', 'user.password']);
    expect(await auditJson('--limit', '2')).toEqual(all.slice(-2));

    const table = await runBerth(['audit', '--data', data, '--user', 'admin']);
    expect(table.code).toBe(0);
    const rows = table.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^TIME \(UTC\)\s+USER\s+ADDRESS\s+ACTION\s+TARGET$/);
    expect(rows.find((r) => r.includes('tag.push'))).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}admin\s+127\.0\.0\.1\s+tag\.push\s+team\/app:1\.0 {2}digest=sha256:/);

    for (const [args, message] of [
      [['--since', 'yesterday'], /--since: "yesterday" is neither a duration/],
      [['--action', 'rm'], /--action: unknown action "rm"/],
      [['--limit', '0'], /--limit: "0" is not a positive whole number/],
    ] as const) {
      const r = await runBerth(['audit', '--data', data, ...args]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(message);
    }
  });

  it('pages audit:list newest first for the Activity screen, and refuses a forged cursor', async () => {
    const all = (await auditJson()).reverse();
    const seen: AuditEntry[] = [];
    let cursor: string | undefined;
    for (;;) {
      const r = await invoke(berth.url, admin, 'audit:list', { limit: 3, ...(cursor ? { cursor } : {}) });
      expect(r.json.ok, r.text).toBe(true);
      seen.push(...r.json.result.entries);
      if (!r.json.result.next) break;
      cursor = r.json.result.next;
    }
    // What happened during the paging (none here) would only add at the front.
    expect(seen).toEqual(all);
    const bad = await invoke(berth.url, admin, 'audit:list', { cursor: 'AAAA' });
    expect(bad.json.error.code).toBe('ARGS_INVALID');
    const unknown = await invoke(berth.url, admin, 'audit:list', { actions: ['drop.table'] });
    expect(unknown.json.error.code).toBe('ARGS_INVALID');
  });

  it('records user and group changes made with berth commands as the OS user, refusals with their reason', async () => {
    const before = (await auditJson()).length;
    const run = async (args: string[], input?: string) => runBerth([...args, '--data', data], { input });
    expect((await run(['user', 'add', 'dave', '--password-stdin', '--access', 'pull@*'], 'dave-Secret-Pw-5\n')).code).toBe(0);
    expect((await run(['group', 'add', 'ci', '--access', 'push@ci/*'])).code).toBe(0);
    expect((await run(['user', 'groups', 'dave', 'ci'])).code).toBe(0);
    const refused = await run(['user', 'rm', 'admin']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/only user with admin@\*/);
    const viaGui = await invoke(berth.url, admin, 'groups:set-access', { name: 'ci', rules: 'push@ci/*,pull@*' });
    expect(viaGui.json.ok, viaGui.text).toBe(true);

    const added = (await auditJson()).slice(before);
    const me = { user: osUserName(), address: 'local', via: 'cli' };
    expect(added).toMatchObject([
      { ...me, action: 'user.add', target: 'dave', result: 'ok', detail: { rules: 'pull@*' } },
      { ...me, action: 'group.add', target: 'ci', result: 'ok', detail: { rules: 'push@ci/*' } },
      { ...me, action: 'user.groups', target: 'dave', result: 'ok', detail: { groups: 'ci' } },
      { ...me, action: 'user.remove', target: 'admin', result: 'LAST_ADMIN' },
      { user: 'admin', via: 'gui', action: 'group.access', target: 'ci', result: 'ok', detail: { rules: 'push@ci/*,pull@*' } },
    ]);
    expect(logText()).not.toContain('dave-Secret-Pw-5');
  });

  it('records failed logins on /v2 and in the GUI under the name tried, never the password', async () => {
    const before = (await auditJson()).length;
    const v2 = await send(berth.url, 'GET', '/v2/_catalog', { headers: basic('mallory', 'Guess-Nr-1-abc') });
    expect(v2.status).toBe(401);
    const gui = await send(berth.url, 'POST', '/_berth/api/session', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'Guess-Nr-2-def' }),
    });
    expect(gui.status).toBe(401);
    // Empty Basic credentials are an anonymous client, not a failed login.
    expect((await send(berth.url, 'GET', '/v2/_catalog', { headers: { authorization: 'Basic Og==' } })).status).toBe(401);

    const added = (await auditJson()).slice(before);
    expect(added).toMatchObject([
      { user: 'mallory', address: '127.0.0.1', via: 'registry', action: 'login.fail', target: 'mallory', result: 'UNAUTHORIZED' },
      { user: 'admin', address: '127.0.0.1', via: 'gui', action: 'login.fail', target: 'admin', result: 'UNAUTHORIZED' },
    ]);
    expect(added).toHaveLength(2);
    expect(logText()).not.toMatch(/Guess-Nr/);
  });

  it('records certificate changes made with berth cert, refusals too', async () => {
    const before = (await auditJson()).length;
    const regen = await runBerth(['cert', 'regenerate', '--data', data]);
    expect(regen.code, regen.stderr).toBe(0);
    const bad = await runBerth(['cert', 'names', 'add', 'exa_mple..com', '--data', data]);
    expect(bad.code).toBe(1);
    const added = (await auditJson()).slice(before);
    const me = { user: osUserName(), address: 'local', via: 'cli' };
    expect(added).toMatchObject([
      { ...me, action: 'cert.regenerate', target: 'server certificate', result: 'ok', detail: { newCa: false } },
      { ...me, action: 'cert.names', target: 'exa_mple..com', result: 'CERTIFICATE_INVALID', detail: { change: 'add' } },
    ]);
  });
});
