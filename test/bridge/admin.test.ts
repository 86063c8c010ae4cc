/**
 * Users and certificates through the bridge of a real `berth serve --ui --tls-listen`: a user
 * added from the GUI logs in to /v2 (HTTP Basic and skopeo), the first start's password is handed
 * out once, the client bundle carries the CA, and a regenerated certificate is served at once.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:tls';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { createHash, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { berthWorkspace, runBerth, type RunningBerth } from '../helpers/berth-server';
import { freePort } from '../helpers/registry2';
import { runTool } from '../helpers/images';
import { invoke, killUiServers, login, send, startUiServer, type Login } from './client';

const ws = berthWorkspace('berth-bridge-admin-');
afterAll(killUiServers);
let berth: RunningBerth;
let admin: Login;
let tlsPort: number;
let adminPassword: string;

beforeAll(async () => {
  tlsPort = await freePort();
  const started = await startUiServer(ws.fresh(), ['--tls-listen', `127.0.0.1:${tlsPort}`]);
  berth = started.berth;
  adminPassword = started.password;
  admin = await login(berth.url, { username: 'admin', password: started.password });
  const once = await invoke(berth.url, admin, 'users:initial-password', undefined);
  expect(once.json.result).toEqual({ user: 'admin', password: started.password });
  const twice = await invoke(berth.url, admin, 'users:initial-password', undefined);
  expect(twice.json).toEqual({ ok: true, result: null });
}, 40_000);

const basic = (user: string, pw: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}` });

/** The certificate the HTTPS listener presents now. */
function servedCertificate(port: number): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const raw = s.getPeerX509Certificate();
      s.end();
      if (!raw) reject(new Error('no certificate'));
      else resolve(raw);
    });
    s.on('error', reject);
  });
}

describe('users from the GUI', () => {
  it('adds a user who then logs in to /v2, with the rights given', async () => {
    const add = await invoke(berth.url, admin, 'users:add', { name: 'dev', password: 'dev-password', rules: 'pull@*,push@team/*' });
    expect(add.json).toEqual({ ok: true, result: { name: 'dev', rules: 'pull@*,push@team/*', groups: [], hasPassword: true } });
    // At once: the server re-reads the user files after a change made through the GUI.
    expect((await send(berth.url, 'GET', '/v2/', { headers: basic('dev', 'dev-password') })).status).toBe(200);
    expect((await send(berth.url, 'GET', '/v2/', { headers: basic('dev', 'wrong') })).status).toBe(401);
    // skopeo, a real client, logs in with it too.
    const auth = join(ws.dir, 'auth.json');
    const out = await runTool('skopeo', ['login', '--tls-verify=false', '--authfile', auth, '-u', 'dev', '-p', 'dev-password', berth.host]);
    expect(out.code, out.stderr).toBe(0);

    const again = await invoke(berth.url, admin, 'users:add', { name: 'dev', password: 'x-password-12' });
    expect(again.json.error.code).toBe('USER_EXISTS');
    const badRules = await invoke(berth.url, admin, 'users:add', { name: 'eve', password: 'eve-password', rules: 'fly@*' });
    expect(badRules.json.error.code).toBe('RULES_INVALID');
    const badName = await invoke(berth.url, admin, 'users:add', { name: 'a:b', password: 'a-b-password' });
    expect(badName.json.error.code).toBe('USER_NAME_INVALID');
    const emptyPw = await invoke(berth.url, admin, 'users:add', { name: 'eve', password: '' });
    expect(emptyPw.json.error.code).toBe('PASSWORD_INVALID');
    // Twelve characters at least, on every path that sets a password; the refusal says the minimum.
    const short = await invoke(berth.url, admin, 'users:add', { name: 'eve', password: 'abc' });
    expect(short.json.error).toEqual({ code: 'PASSWORD_INVALID', message: 'the password has 3 characters; use at least 12', detail: { minLength: 12 } });
    const shortChange = await invoke(berth.url, admin, 'users:set-password', { name: 'dev', password: 'eleven-char' });
    expect(shortChange.json.error).toMatchObject({ code: 'PASSWORD_INVALID', message: 'the password has 11 characters; use at least 12' });
    expect((await send(berth.url, 'GET', '/v2/', { headers: basic('dev', 'dev-password') })).status).toBe(200);
    expect((await invoke(berth.url, admin, 'users:list', undefined)).json.result.users.map((u: { name: string }) => u.name)).toEqual(['admin', 'dev']);

    const rights = await invoke(berth.url, admin, 'users:set-rights', { name: 'dev', rules: 'admin@*' });
    expect(rights.json.result.rules).toBe('admin@*');
    expect((await invoke(berth.url, admin, 'users:set-password', { name: 'dev', password: 'new-password' })).json.ok).toBe(true);
    expect((await send(berth.url, 'GET', '/v2/', { headers: basic('dev', 'new-password') })).status).toBe(200);
    const list = await invoke(berth.url, admin, 'users:list', undefined);
    expect(list.json.result).toMatchObject({ accessFileExists: true, authMode: 'basic' });
    expect(list.json.result.users.map((u: { name: string }) => u.name)).toEqual(['admin', 'dev']);
    expect((await invoke(berth.url, admin, 'users:remove', { name: 'dev' })).json.ok).toBe(true);
    expect((await send(berth.url, 'GET', '/v2/', { headers: basic('dev', 'new-password') })).status).toBe(401);
    expect((await invoke(berth.url, admin, 'users:remove', { name: 'dev' })).json.error.code).toBe('USER_UNKNOWN');
  }, 30_000);
});

describe('groups from the GUI', () => {
  /** The status of starting an upload, which needs push on the repository; the server answers from the files just written. */
  const upload = async (user: string, pw: string, repo: string) => (await send(berth.url, 'POST', `/v2/${repo}/blobs/uploads/`, { headers: basic(user, pw) })).status;
  const call = async (channel: string, args: unknown) => (await invoke(berth.url, admin, channel, args)).json;

  it('a user gets push through a group at once, changes to the group apply at once, and removing it takes the right away', async () => {
    expect(await call('groups:list', undefined)).toEqual({ ok: true, result: [] });
    expect(await call('groups:add', { name: 'ci', rules: 'push@team/*' })).toEqual({ ok: true, result: { name: 'ci', rules: 'push@team/*', members: [] } });
    expect(await call('users:add', { name: 'gus', password: 'gus-password', groups: ['ci'] })).toEqual({
      ok: true,
      result: { name: 'gus', rules: '', groups: ['ci'], hasPassword: true },
    });
    expect(await upload('gus', 'gus-password', 'team/app')).toBe(202);
    expect(await upload('gus', 'gus-password', 'other/app')).toBe(403);

    expect((await call('groups:set-access', { name: 'ci', rules: 'push@other/*' })).result).toEqual({ name: 'ci', rules: 'push@other/*', members: ['gus'] });
    expect(await upload('gus', 'gus-password', 'other/app')).toBe(202);
    expect(await upload('gus', 'gus-password', 'team/app')).toBe(403);

    expect((await call('users:set-groups', { name: 'gus', groups: [] })).result).toEqual({ name: 'gus', rules: '', groups: [], hasPassword: true });
    expect(await upload('gus', 'gus-password', 'other/app')).toBe(403);
    expect((await call('users:set-groups', { name: 'gus', groups: ['ci'] })).result.groups).toEqual(['ci']);
    expect(await upload('gus', 'gus-password', 'other/app')).toBe(202);

    expect(await call('groups:remove', { name: 'ci' })).toEqual({ ok: true, result: { members: ['gus'] } });
    expect(await upload('gus', 'gus-password', 'other/app')).toBe(403);
    expect((await call('users:list', undefined)).result.users.find((u: { name: string }) => u.name === 'gus').groups).toEqual([]);
    expect((await call('users:remove', { name: 'gus' })).ok).toBe(true);
  });

  it('refuses bad names, clashes, unknown groups, bad rules and malformed payloads with codes the GUI tells apart', async () => {
    await call('groups:add', { name: 'qa', rules: 'pull@*' });
    const code = async (channel: string, args: unknown) => (await call(channel, args)).error?.code;
    expect(await code('groups:add', { name: 'qa' })).toBe('GROUP_EXISTS');
    expect(await code('groups:add', { name: 'admin' })).toBe('NAME_TAKEN');
    expect(await code('users:add', { name: 'qa', password: 'qa-password-1' })).toBe('NAME_TAKEN');
    expect(await code('groups:add', { name: '../../etc' })).toBe('GROUP_NAME_INVALID');
    expect(await code('groups:add', { name: 'Q A' })).toBe('GROUP_NAME_INVALID');
    expect(await code('groups:add', { name: 'qb', rules: 'fly@*' })).toBe('RULES_INVALID');
    expect(await code('groups:set-access', { name: 'qa', rules: 'pull@UP' })).toBe('RULES_INVALID');
    expect(await code('groups:set-access', { name: 'nope', rules: 'pull@*' })).toBe('GROUP_UNKNOWN');
    expect(await code('groups:remove', { name: 'nope' })).toBe('GROUP_UNKNOWN');
    expect(await code('users:set-groups', { name: 'admin', groups: ['qa', 'nope'] })).toBe('GROUP_UNKNOWN');
    expect(await code('users:add', { name: 'eve', password: 'eve-password', groups: ['nope'] })).toBe('GROUP_UNKNOWN');
    expect(await code('users:set-groups', { name: 'ghost', groups: [] })).toBe('USER_UNKNOWN');
    expect(await code('users:set-groups', { name: 'admin', groups: 'qa' })).toBe('ARGS_INVALID');
    expect(await code('users:set-groups', { name: 'admin' })).toBe('ARGS_INVALID');
    expect(await code('users:set-groups', { name: 'admin', groups: [1] })).toBe('ARGS_INVALID');
    expect(await code('users:set-groups', { name: 'admin', groups: Array.from({ length: 101 }, () => 'qa') })).toBe('ARGS_INVALID');
    expect(await code('groups:add', { name: 'qc', members: ['admin'] })).toBe('ARGS_INVALID');
    expect(await code('groups:add', { name: 7 })).toBe('ARGS_INVALID');
    expect((await call('groups:list', undefined)).result).toEqual([{ name: 'qa', rules: 'pull@*', members: [] }]);
    expect((await call('users:list', undefined)).result.users.map((u: { name: string }) => u.name)).toEqual(['admin']);
    expect((await call('groups:remove', { name: 'qa' })).ok).toBe(true);
  });

  it('refuses LAST_ADMIN when the group is where the only admin has admin@* from', async () => {
    expect((await call('groups:add', { name: 'root', rules: 'admin@*' })).ok).toBe(true);
    expect((await call('users:set-groups', { name: 'admin', groups: ['root'] })).ok).toBe(true);
    // Dropping admin's own admin@* on the files: admin keeps it through root, and its session goes on.
    const own = await runBerth(['user', 'access', 'admin', '', '--data', berth.dataDir]);
    expect(own.code, own.stderr).toBe(0);
    const why = /^cannot (remove group root|change the rights of group root|change the groups of admin): admin \(through group root\) is the only user with admin@\*/;
    for (const [channel, args] of [
      ['groups:remove', { name: 'root' }],
      ['groups:set-access', { name: 'root', rules: 'pull@*' }],
      ['users:set-groups', { name: 'admin', groups: [] }],
    ] as const) {
      const r = await call(channel, args);
      expect(r.error?.code, channel).toBe('LAST_ADMIN');
      expect(r.error.message, channel).toMatch(why);
    }
    expect((await call('groups:list', undefined)).result).toEqual([{ name: 'root', rules: 'admin@*', members: ['admin'] }]);
    expect((await call('users:set-rights', { name: 'admin', rules: 'admin@*' })).ok).toBe(true);
    expect(await call('groups:remove', { name: 'root' })).toEqual({ ok: true, result: { members: ['admin'] } });
  });
});

describe('the last admin', () => {
  it('cannot be removed or lose admin@* from the GUI: LAST_ADMIN, and it still logs in and administers', async () => {
    const list = await invoke(berth.url, admin, 'users:list', undefined);
    expect(list.json.result.users.map((u: { name: string; rules: string }) => `${u.name}:${u.rules}`)).toEqual(['admin:admin@*']);
    const remove = await invoke(berth.url, admin, 'users:remove', { name: 'admin' });
    expect(remove.json.error).toMatchObject({ code: 'LAST_ADMIN', message: expect.stringMatching(/^cannot remove admin: admin is the only user with admin@\*/) });
    const rights = await invoke(berth.url, admin, 'users:set-rights', { name: 'admin', rules: 'pull@*' });
    expect(rights.json.error.code).toBe('LAST_ADMIN');
    expect((await send(berth.url, 'GET', '/v2/_catalog', { headers: basic('admin', adminPassword) })).status).toBe(200);
    expect((await invoke(berth.url, admin, 'users:list', undefined)).json.result.users).toEqual(list.json.result.users);
  });
});

describe('over HTTPS', () => {
  it('marks the session cookie Secure', async () => {
    const set = await new Promise<string>((resolve, reject) => {
      const req = httpsRequest(
        { host: '127.0.0.1', port: tlsPort, path: '/_berth/api/session', method: 'POST', rejectUnauthorized: false, headers: { 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          resolve(`${res.statusCode} ${String(res.headers['set-cookie']?.[0])}`);
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ username: 'admin', password: adminPassword }));
    });
    expect(set).toMatch(/^200 berth_session=.*; Secure$/);
  });
});

describe('certificates from the GUI', () => {
  it('exports a client bundle whose ca.crt is the CA', async () => {
    const info = await invoke(berth.url, admin, 'cert:info', undefined);
    expect(info.json.result).toMatchObject({ mode: 'generated', tlsUrl: `https://127.0.0.1:${tlsPort}` });
    const r = await invoke(berth.url, admin, 'cert:bundle', { host: `127.0.0.1:${tlsPort}` });
    expect(r.json.ok, r.text).toBe(true);
    const b = r.json.result as { fileName: string; base64: string; size: number; sha256: string; notCovered: string | null };
    const bytes = Buffer.from(b.base64, 'base64');
    expect(b.fileName).toBe(`berth-client-127.0.0.1-${tlsPort}.tar.gz`);
    expect(bytes.length).toBe(b.size);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(b.sha256);
    const dir = join(ws.dir, 'bundle');
    mkdirSync(dir);
    writeFileSync(join(dir, b.fileName), bytes);
    execFileSync('tar', ['xzf', b.fileName], { cwd: dir });
    const shipped = readFileSync(join(dir, `berth-client-127.0.0.1-${tlsPort}`, 'ca.crt'), 'utf8');
    const ca = readFileSync(join(berth.dataDir, 'berth', 'tls', 'ca.crt'), 'utf8');
    expect(new X509Certificate(shipped).fingerprint256).toBe(new X509Certificate(ca).fingerprint256);
    expect(new X509Certificate(shipped).fingerprint256).toBe(info.json.result.ca.fingerprintSha256);
    const bad = await invoke(berth.url, admin, 'cert:bundle', { host: 'no port' });
    expect(bad.json.error.code).toBe('CERTIFICATE_INVALID');
    // The certificate names 127.0.0.1: no warning, in the answer or the README.
    expect(b.notCovered).toBeNull();
    expect(readFileSync(join(dir, `berth-client-127.0.0.1-${tlsPort}`, 'README.md'), 'utf8')).not.toMatch(/does not name/);
  });

  it('says, in the answer and the README, when the bundle is for a host the server certificate does not name', async () => {
    const r = await invoke(berth.url, admin, 'cert:bundle', { host: 'registry.nowhere.test:5443' });
    expect(r.json.ok, r.text).toBe(true);
    const b = r.json.result as { fileName: string; base64: string; notCovered: string | null };
    expect(b.notCovered).toMatch(/^The server certificate does not name registry\.nowhere\.test, so clients dialing registry\.nowhere\.test:5443 will refuse it\. /);
    expect(b.notCovered).toContain('berth cert names add --new-ca registry.nowhere.test');
    const dir = join(ws.dir, 'bundle-uncovered');
    mkdirSync(dir);
    writeFileSync(join(dir, b.fileName), Buffer.from(b.base64, 'base64'));
    execFileSync('tar', ['xzf', b.fileName], { cwd: dir });
    const readme = readFileSync(join(dir, 'berth-client-registry.nowhere.test-5443', 'README.md'), 'utf8');
    expect(readme).toContain(b.notCovered!);
  });

  it('refuses every name that cannot go into a certificate, each by name, and changes nothing', async () => {
    const before = (await invoke(berth.url, admin, 'cert:info', undefined)).json.result;
    const r = await invoke(berth.url, admin, 'cert:regenerate', { extraNames: ['10.20.30.41', 'exa_mple..com', '999.1.1.1'] });
    expect(r.json.error.code).toBe('CERTIFICATE_INVALID');
    expect(r.json.error.message).toMatch(/^2 names cannot go into a certificate: exa_mple\.\.com \(.+\); 999\.1\.1\.1 \(neither an IPv4 address/);
    expect(r.json.error.detail).toEqual({
      invalid: [
        { name: 'exa_mple..com', problem: 'an empty label (two dots in a row, or a dot at the start)' },
        { name: '999.1.1.1', problem: 'neither an IPv4 address (four numbers 0 to 255) nor a DNS name (its last label is all digits)' },
      ],
    });
    // Even with a new CA asked for: validity first.
    const withCa = await invoke(berth.url, admin, 'cert:regenerate', { extraNames: ['999.1.1.1'], newCa: true });
    expect(withCa.json.error).toMatchObject({ code: 'CERTIFICATE_INVALID', detail: { invalid: [{ name: '999.1.1.1' }] } });
    expect((await invoke(berth.url, admin, 'cert:info', undefined)).json.result).toEqual(before);
  });

  it('gives install commands per client for the address', async () => {
    const r = await invoke(berth.url, admin, 'cert:install-commands', { host: 'reg.lan:5443' });
    const ids = r.json.result.map((c: { id: string }) => c.id);
    expect(ids).toEqual(['docker', 'containerd', 'podman', 'macos', 'windows', 'debian', 'rhel', 'alpine', 'arch', 'macos-system', 'windows-system', 'login', 'insecure']);
    const list = r.json.result as Array<{ id: string; label: string; command: string }>;
    for (const c of list.filter((x) => !x.id.endsWith('-system'))) expect(c.command, c.id).toContain('reg.lan');
    // The OS trust stores are entries of their own, said to be for every program; the others touch none.
    for (const c of list.filter((x) => ['debian', 'rhel', 'alpine', 'arch', 'macos-system', 'windows-system'].includes(x.id))) expect(c.label, c.id).toContain('every program');
    for (const c of list.filter((x) => ['docker', 'containerd', 'podman', 'macos', 'windows'].includes(x.id))) {
      expect(c.command, c.id).not.toMatch(/update-ca|security add-trusted-cert|Import-Certificate|ca-certificates|anchors/);
    }
    expect(r.json.result[0].command).toContain("/etc/docker/certs.d/reg.lan:5443/ca.crt");
    const bad = await invoke(berth.url, admin, 'cert:install-commands', { host: "x'; rm -rf /:1" });
    expect(bad.json.error.code).toBe('CERTIFICATE_INVALID');
  });

  it('regenerates with new names and the HTTPS listener serves the new certificate without a restart', async () => {
    const before = await servedCertificate(tlsPort);
    // A name outside what Berth's CA may vouch for needs a new CA: refused here, as on the command line.
    const outside = await invoke(berth.url, admin, 'cert:regenerate', { extraNames: ['registry.example.test'] });
    expect(outside.json.error.code).toBe('OUTSIDE_CA');
    expect(outside.json.error.detail).toEqual({ outside: ['registry.example.test'] });
    expect(outside.json.error.message).toContain('berth cert names add --new-ca registry.example.test');
    const scope = (await invoke(berth.url, admin, 'cert:info', undefined)).json.result;
    expect(scope.caUnconstrained).toBe(false);
    expect(scope.caScope.ip).toEqual(expect.arrayContaining(['127.0.0.0/8', '10.0.0.0/8', '192.168.0.0/16']));
    expect(scope.caScope.dns).toContain('localhost');
    expect(scope.caScope.dns).not.toContain('registry.example.test');
    const r = await invoke(berth.url, admin, 'cert:regenerate', { extraNames: ['10.20.30.40'] });
    expect(r.json.ok, r.text).toBe(true);
    expect(r.json.result.extraNames).toEqual(['10.20.30.40']);
    expect(r.json.result.server.names).toContain('10.20.30.40');
    const after = await servedCertificate(tlsPort);
    expect(after.fingerprint256).not.toBe(before.fingerprint256);
    expect(after.fingerprint256).toBe(r.json.result.server.fingerprintSha256);
    expect(after.subjectAltName).toContain('IP Address:10.20.30.40');
  }, 30_000);

  it('makes a new CA covering a name outside the old one only when asked, and serves a certificate it signed', async () => {
    const before = (await invoke(berth.url, admin, 'cert:info', undefined)).json.result;
    const r = await invoke(berth.url, admin, 'cert:regenerate', { extraNames: ['10.20.30.40', 'registry.example.test'], newCa: true });
    expect(r.json.ok, r.text).toBe(true);
    expect(r.json.result.ca.fingerprintSha256).not.toBe(before.ca.fingerprintSha256);
    expect(r.json.result.caScope.dns).toContain('registry.example.test');
    expect(r.json.result.outsideCa).toEqual([]);
    const served = await servedCertificate(tlsPort);
    expect(served.subjectAltName).toContain('DNS:registry.example.test');
    // Signed by the new CA on disk, which the GUI's info names.
    const ca = new X509Certificate(readFileSync(join(berth.dataDir, 'berth', 'tls', 'ca.crt'), 'utf8'));
    expect(ca.fingerprint256).toBe(r.json.result.ca.fingerprintSha256);
    expect(served.verify(ca.publicKey)).toBe(true);
    const bad = await invoke(berth.url, admin, 'cert:regenerate', { newCa: 'yes' });
    expect(bad.json.error.code).toBe('ARGS_INVALID');
  }, 30_000);
});
