import { createPrivateKey } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startContainerd, type Containerd } from '../clients/containerd';
import { tempDir } from '../helpers/berth-server';
import { containersSandbox, writeOciLayout, type ContainersSandbox, type Descriptor } from '../helpers/images';
import {
  basicAuth,
  bearerChallenge,
  berthOk,
  CONTAINERD_CERTS_D,
  ctrOnTarget,
  httpsCall,
  installBundle,
  startSecuredBerth,
  type InstalledTrust,
  type SecuredBerth,
} from './trust-setup';

// The "what it must show": Berth over HTTPS with auth, its client bundle's install-linux.sh
// run into a test prefix, then skopeo, podman and ctr pushing and pulling using only what that script
// installed (digests compared), each client refusing Berth's certificate without it, and wrong
// password, missing right, anonymous and expired token each refused with the right status.

const MANIFEST_ACCEPT = 'application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json';
const CERT_ERROR = /x509|certificate/i;

let tmp: ReturnType<typeof tempDir>;
let dataDir: string;
let sandbox: ContainersSandbox;
let image: Descriptor;
let layoutDir: string;
let n = 0;
/** Users made with `berth user add`: name to password. */
const pw: Record<string, string> = {};
const fresh = (name: string) => join(tmp.dir, `${name}-${++n}`);

beforeAll(async () => {
  tmp = tempDir('berth-trust-');
  dataDir = join(tmp.dir, 'data');
  sandbox = containersSandbox(join(tmp.dir, 'containers'));
  layoutDir = join(tmp.dir, 'layout');
  image = writeOciLayout(layoutDir, { tag: 'v1' }).top;

  const init = await berthOk(['init', '--data', dataDir]);
  pw.admin = /password:\s+(\S+)/.exec(init)?.[1] ?? '';
  expect(pw.admin).not.toBe('');
  for (const [name, rules] of [['reader', 'pull@*'], ['pusher', 'push@*'], ['deleter', 'delete@*']] as const) {
    pw[name] = `${name}-${Math.random().toString(36).slice(2)}-Secret1`;
    await berthOk(['user', 'add', name, '--password-stdin', '--access', rules, '--data', dataDir], `${pw[name]}\n`);
  }
}, 60_000);

afterAll(() => {
  sandbox?.cleanup();
  tmp?.cleanup();
});

/** skopeo copy with the installed cert dir on the registry side; returns the digest it wrote. */
async function skopeoCopy(src: string, dest: string, flags: string[]): Promise<string> {
  const digestFile = fresh('digest');
  await sandbox.skopeo(['copy', '--quiet', '--digestfile', digestFile, ...flags, src, dest]);
  return readFileSync(digestFile, 'utf8').trim();
}

/** The digest the registry serves for repo:ref, asked over HTTPS trusting only the bundle's CA. */
async function servedDigest(s: SecuredBerth, trust: InstalledTrust, repo: string, ref: string, authorization: string) {
  const r = await httpsCall(`${s.httpsUrl}/v2/${repo}/manifests/${ref}`, trust.caPem, { method: 'HEAD', headers: { Accept: MANIFEST_ACCEPT, Authorization: authorization } });
  expect(r.status).toBe(200);
  return r.headers['docker-content-digest'];
}

describe('Basic auth over HTTPS, trusting only what install-linux.sh installed', () => {
  let s: SecuredBerth;
  let trust: InstalledTrust;
  let containerd: Containerd;
  const certDir = () => trust.containersCertDir;

  beforeAll(async () => {
    s = await startSecuredBerth(dataDir, 'basic');
    trust = await installBundle(dataDir, s.host, join(tmp.dir, 'trust-basic'));
    containerd = await startContainerd(join(tmp.dir, 'containerd'));
    // The image every pull below reads, pushed by the push user.
    const pushed = await skopeoCopy(`oci:${layoutDir}:v1`, `docker://${s.host}/trust/app:v1`, ['--dest-cert-dir', certDir(), '--dest-creds', `pusher:${pw.pusher}`]);
    expect(pushed).toBe(image.digest);
  }, 120_000);

  afterAll(async () => {
    await containerd?.stop();
    await s?.berth.stop();
  });

  it('without the installed CA, skopeo, podman and ctr all refuse the certificate', async () => {
    const ref = `${s.host}/trust/app:v1`;
    const sk = await sandbox.skopeo(['inspect', '--creds', `reader:${pw.reader}`, `docker://${ref}`], { allowFailure: true });
    expect(sk.code).not.toBe(0);
    expect(sk.stderr).toMatch(CERT_ERROR);
    const pod = await sandbox.podman(['pull', '--quiet', '--creds', `reader:${pw.reader}`, ref], { allowFailure: true }, 'pull');
    expect(pod.code).not.toBe(0);
    expect(pod.stderr).toMatch(CERT_ERROR);
    // ctr speaks plain HTTP to 127.0.0.1 unless a hosts.toml says https: this one does, naming no CA.
    const noCa = join(tmp.dir, 'hosts-without-ca');
    mkdirSync(join(noCa, s.host), { recursive: true });
    writeFileSync(join(noCa, s.host, 'hosts.toml'), `server = "https://${s.host}"\n\n[host."https://${s.host}"]\n  capabilities = ["pull", "resolve", "push"]\n`);
    const ctr = await containerd.ctr(['images', 'pull', '--hosts-dir', noCa, '--user', `reader:${pw.reader}`, ref], { allowFailure: true, namespace: 'noca' });
    expect(ctr.code).not.toBe(0);
    expect(`${ctr.stdout}${ctr.stderr}`).toMatch(CERT_ERROR);
  }, 120_000);

  it('skopeo: a push user pushes, a pull-only user pulls the same digests back', async () => {
    const out = fresh('skopeo-out');
    const pulled = await skopeoCopy(`docker://${s.host}/trust/app:v1`, `oci:${out}:v1`, ['--src-cert-dir', certDir(), '--src-creds', `reader:${pw.reader}`]);
    expect(pulled).toBe(image.digest);
    const info = JSON.parse((await sandbox.skopeo(['inspect', '--cert-dir', certDir(), '--creds', `reader:${pw.reader}`, `docker://${s.host}/trust/app:v1`])).stdout);
    expect(info.Digest).toBe(image.digest);
    expect(await servedDigest(s, trust, 'trust/app', 'v1', basicAuth('reader', pw.reader!))).toBe(image.digest);
  }, 120_000);

  it('podman: pulls as the pull-only user and pushes as the push user with --cert-dir', async () => {
    const ref = `${s.host}/trust/app:v1`;
    await sandbox.podman(['pull', '--quiet', '--cert-dir', certDir(), '--creds', `reader:${pw.reader}`, ref], {}, 'pull');
    const repoDigests = JSON.parse((await sandbox.podman(['image', 'inspect', '--format', '{{json .RepoDigests}}', ref], {}, 'pull')).stdout) as string[];
    expect(repoDigests).toContain(`${s.host}/trust/app@${image.digest}`);

    const digestFile = fresh('podman-digest');
    await sandbox.podman(['push', '--quiet', '--cert-dir', certDir(), '--creds', `pusher:${pw.pusher}`, '--digestfile', digestFile, ref, `docker://${s.host}/trust/podman:v1`], {}, 'pull');
    const pushed = readFileSync(digestFile, 'utf8').trim();
    expect(pushed).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await servedDigest(s, trust, 'trust/podman', 'v1', basicAuth('reader', pw.reader!))).toBe(pushed);

    const refused = await sandbox.podman(['push', '--quiet', '--cert-dir', certDir(), '--creds', `reader:${pw.reader}`, ref, `docker://${s.host}/trust/podman-denied:v1`], { allowFailure: true }, 'pull');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/denied|403/i);
  }, 180_000);

  it('ctr: pulls and pushes with the installed hosts.toml and --user', async () => {
    // The hosts.toml names the CA at its path on the target system: ctr runs where that is true.
    const toml = readFileSync(join(trust.containerdHostsDir, s.host, 'hosts.toml'), 'utf8');
    expect(toml).toContain(`ca = "${CONTAINERD_CERTS_D}/${s.host}/ca.crt"`);
    expect(toml).not.toContain(trust.prefix);
    const ref = `${s.host}/trust/app:v1`;
    await ctrOnTarget(containerd, trust, 'pull', ['--user', `reader:${pw.reader}`, ref]);
    const listed = (await containerd.ctr(['images', 'ls'])).stdout;
    expect(listed).toMatch(new RegExp(`${ref.replace(/[.:/]/g, '\\$&')}\\s+\\S+\\s+${image.digest}`));

    const target = `${s.host}/trust/ctr:v1`;
    await containerd.ctr(['images', 'tag', ref, target]);
    await ctrOnTarget(containerd, trust, 'push', ['--user', `pusher:${pw.pusher}`, target]);
    expect(await servedDigest(s, trust, 'trust/ctr', 'v1', basicAuth('reader', pw.reader!))).toBe(image.digest);

    // A new repository: ctr skips a push whose manifest is already there, which needs only pull.
    const deniedTarget = `${s.host}/trust/ctr-denied:v1`;
    await containerd.ctr(['images', 'tag', ref, deniedTarget]);
    const refused = await ctrOnTarget(containerd, trust, 'push', ['--user', `reader:${pw.reader}`, deniedTarget], { allowFailure: true });
    expect(refused.code).not.toBe(0);
    expect(`${refused.stdout}${refused.stderr}`).toMatch(/403|forbidden|denied/i);
  }, 180_000);

  it('refuses a wrong password (401), anonymous callers (401) and a pull-only user pushing (403 DENIED)', async () => {
    const ref = `docker://${s.host}/trust/app:v1`;
    const wrong = await sandbox.skopeo(['inspect', '--cert-dir', certDir(), '--creds', `reader:not-${pw.reader}`, ref], { allowFailure: true });
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/401|unauthorized|authentication required/i);
    const wrongRaw = await httpsCall(`${s.httpsUrl}/v2/`, trust.caPem, { headers: { Authorization: basicAuth('reader', 'nope') } });
    expect(wrongRaw.status).toBe(401);
    expect(String(wrongRaw.headers['www-authenticate'])).toMatch(/^Basic realm=/);

    const anon = await sandbox.skopeo(['inspect', '--cert-dir', certDir(), '--no-creds', ref], { allowFailure: true });
    expect(anon.code).not.toBe(0);
    expect(anon.stderr).toMatch(/401|unauthorized|authentication required/i);
    const anonRaw = await httpsCall(`${s.httpsUrl}/v2/trust/app/manifests/v1`, trust.caPem, { headers: { Accept: MANIFEST_ACCEPT } });
    expect(anonRaw.status).toBe(401);
    expect(JSON.parse(anonRaw.body).errors[0].code).toBe('UNAUTHORIZED');

    const denied = await sandbox.skopeo(
      ['copy', '--quiet', '--dest-cert-dir', certDir(), '--dest-creds', `reader:${pw.reader}`, `oci:${layoutDir}:v1`, `docker://${s.host}/trust/denied:v1`],
      { allowFailure: true },
    );
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toMatch(/denied|403/i);
    expect(s.berth.output()).toMatch(/ACCESS \S+ reader "POST \/v2\/trust\/denied\/blobs\/uploads\/[^"]*" 403/);
    const deniedRaw = await httpsCall(`${s.httpsUrl}/v2/trust/denied/blobs/uploads/`, trust.caPem, { method: 'POST', headers: { Authorization: basicAuth('reader', pw.reader!) } });
    expect(deniedRaw.status).toBe(403);
    expect(JSON.parse(deniedRaw.body).errors[0].code).toBe('DENIED');
    // Nothing of the refused push landed.
    const after = await httpsCall(`${s.httpsUrl}/v2/trust/denied/tags/list`, trust.caPem, { headers: { Authorization: basicAuth('admin', pw.admin!) } });
    expect(after.status).toBe(404);
  }, 120_000);

  it('deletes only with the delete right: the push user is denied, the delete user succeeds', async () => {
    await skopeoCopy(`oci:${layoutDir}:v1`, `docker://${s.host}/trust/doomed:v1`, ['--dest-cert-dir', certDir(), '--dest-creds', `pusher:${pw.pusher}`]);
    const ref = `docker://${s.host}/trust/doomed@${image.digest}`;
    const refused = await sandbox.skopeo(['delete', '--cert-dir', certDir(), '--creds', `pusher:${pw.pusher}`, ref], { allowFailure: true });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/denied|403/i);
    await sandbox.skopeo(['delete', '--cert-dir', certDir(), '--creds', `deleter:${pw.deleter}`, ref]);
    const gone = await httpsCall(`${s.httpsUrl}/v2/trust/doomed/manifests/${image.digest}`, trust.caPem, { method: 'HEAD', headers: { Authorization: basicAuth('reader', pw.reader!) } });
    expect(gone.status).toBe(404);
  }, 120_000);
});

describe('Bearer tokens from /token over HTTPS (--auth token)', () => {
  let s: SecuredBerth;
  let trust: InstalledTrust;
  const certDir = () => trust.containersCertDir;

  beforeAll(async () => {
    s = await startSecuredBerth(dataDir, 'token');
    trust = await installBundle(dataDir, s.host, join(tmp.dir, 'trust-token'));
  }, 120_000);

  afterAll(async () => {
    await s?.berth.stop();
  });

  /** A token from the challenge's realm for `scope`, logged in as user:password. */
  async function token(user: string, password: string, scope: string): Promise<string> {
    const ping = await httpsCall(`${s.httpsUrl}/v2/`, trust.caPem);
    expect(ping.status).toBe(401);
    const { realm, service } = bearerChallenge(ping.headers['www-authenticate']);
    const url = new URL(realm!);
    expect(url.origin).toBe(s.httpsUrl);
    url.searchParams.set('service', service!);
    url.searchParams.set('scope', scope);
    const r = await httpsCall(url.href, trust.caPem, { headers: { Authorization: basicAuth(user, password) } });
    expect(r.status).toBe(200);
    return (JSON.parse(r.body) as { token: string }).token;
  }

  it('skopeo and podman go through the token flow: push as the push user, pull as the pull-only user', async () => {
    const pushed = await skopeoCopy(`oci:${layoutDir}:v1`, `docker://${s.host}/token/app:v1`, ['--dest-cert-dir', certDir(), '--dest-creds', `pusher:${pw.pusher}`]);
    expect(pushed).toBe(image.digest);
    const pulled = await skopeoCopy(`docker://${s.host}/token/app:v1`, `oci:${fresh('token-out')}:v1`, ['--src-cert-dir', certDir(), '--src-creds', `reader:${pw.reader}`]);
    expect(pulled).toBe(image.digest);
    const ref = `${s.host}/token/app:v1`;
    await sandbox.podman(['pull', '--quiet', '--cert-dir', certDir(), '--creds', `reader:${pw.reader}`, ref], {}, 'pull');
    const repoDigests = JSON.parse((await sandbox.podman(['image', 'inspect', '--format', '{{json .RepoDigests}}', ref], {}, 'pull')).stdout) as string[];
    expect(repoDigests).toContain(`${s.host}/token/app@${image.digest}`);

    const denied = await sandbox.skopeo(
      ['copy', '--quiet', '--dest-cert-dir', certDir(), '--dest-creds', `reader:${pw.reader}`, `oci:${layoutDir}:v1`, `docker://${s.host}/token/denied:v1`],
      { allowFailure: true },
    );
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toMatch(/denied|403|unauthorized|401/i);
  }, 180_000);

  it('answers a valid token, and refuses the same token once expired, anonymous callers and a wrong password (401)', async () => {
    const url = `${s.httpsUrl}/v2/token/app/manifests/v1`;
    const valid = await token('reader', pw.reader!, 'repository:token/app:pull');
    const ok = await httpsCall(url, trust.caPem, { headers: { Accept: MANIFEST_ACCEPT, Authorization: `Bearer ${valid}` } });
    expect(ok.status).toBe(200);
    expect(ok.headers['docker-content-digest']).toBe(image.digest);

    // The same claims, signed with Berth's own key, but issued 10 minutes ago and expired a minute ago
    // (beyond the verifier's 10 s clock tolerance): what a client holding an old token sends.
    const [, payloadPart] = valid.split('.');
    const claims = JSON.parse(Buffer.from(payloadPart!, 'base64url').toString('utf8')) as Record<string, unknown>;
    const header = JSON.parse(Buffer.from(valid.split('.')[0]!, 'base64url').toString('utf8')) as { kid: string };
    const key = createPrivateKey(readFileSync(join(dataDir, 'berth/token-key.pem')));
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT({ ...claims, iat: now - 600, nbf: now - 610, exp: now - 60 })
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: header.kid })
      .sign(key);
    const late = await httpsCall(url, trust.caPem, { headers: { Accept: MANIFEST_ACCEPT, Authorization: `Bearer ${expired}` } });
    expect(late.status).toBe(401);
    expect(String(late.headers['www-authenticate'])).toMatch(/^Bearer .*error="invalid_token"/);
    expect(JSON.parse(late.body).errors[0].code).toBe('UNAUTHORIZED');

    const anon = await httpsCall(url, trust.caPem, { headers: { Accept: MANIFEST_ACCEPT } });
    expect(anon.status).toBe(401);
    expect(bearerChallenge(anon.headers['www-authenticate']).scope).toBe('repository:token/app:pull');

    const { realm, service } = bearerChallenge(anon.headers['www-authenticate']);
    const badLogin = await httpsCall(`${realm}?service=${encodeURIComponent(service!)}&scope=repository:token/app:pull`, trust.caPem, {
      headers: { Authorization: basicAuth('reader', 'wrong-password') },
    });
    expect(badLogin.status).toBe(401);
    const wrongClient = await sandbox.skopeo(['inspect', '--cert-dir', certDir(), '--creds', `reader:wrong-${pw.reader}`, `docker://${s.host}/token/app:v1`], { allowFailure: true });
    expect(wrongClient.code).not.toBe(0);
    expect(wrongClient.stderr).toMatch(/401|unauthorized|authentication required/i);
  }, 120_000);
});
