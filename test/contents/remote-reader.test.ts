/**
 * The remote reader against registry:2 with htpasswd auth, over plain http and over TLS (a CA made
 * here by openssl), with --creds, a saved connection, no credentials, wrong ones, --ca,
 * --tls-verify=false, a missing tag or repository, a refused connection and a rate limit.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAppDatabase } from '../../src-server/connections/app-db';
import { ConnectionSecrets } from '../../src-server/connections/bound-secrets';
import { defaultSecretsPath, FileSecretStore } from '../../src-server/connections/secret-store';
import { ConnectionStore } from '../../src-server/connections/store';
import { openRemoteReader, type RemoteReaderOptions } from '../../src-server/contents/remote-reader';
import { appDatabasePath, findSavedRemote } from '../../src-server/contents/saved-connection';
import { fetchPeerCertificate } from '../../src-server/remote/trust';
import { tempDir } from '../helpers/berth-server';
import { pushLayout, sha256, writeContentsFixture, type ContentsFixture } from '../helpers/contents-images';
import { containersSandbox, type ContainersSandbox } from '../helpers/images';
import { freePort, registry2Config, startRegistry2, type RunningRegistry2 } from '../helpers/registry2';

const USER = 'alice';
const PASSWORD = 'alice-pw-7f3';
let tmp: ReturnType<typeof tempDir>;
let sandbox: ContainersSandbox;
let fx: ContentsFixture;
let plain: RunningRegistry2;
let secure: { url: string; host: string; proc: ChildProcess };
let caPem: string;
/** The digest of `base` as registry:2 stores it. */
let pushed: string;

function openssl(args: string[]): void {
  execFileSync('openssl', args, { cwd: tmp.dir, stdio: 'pipe' });
}

async function startTls(dataDir: string): Promise<{ url: string; host: string; proc: ChildProcess }> {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Contents Test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  openssl(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
  writeFileSync(join(tmp.dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'ext.cnf']);
  caPem = readFileSync(join(tmp.dir, 'ca.pem'), 'utf8');
  const port = await freePort();
  const file = join(tmp.dir, 'tls.yml');
  writeFileSync(file, registry2Config(dataDir, port, { tls: { certificate: join(tmp.dir, 'server.pem'), key: join(tmp.dir, 'server.key') }, htpasswd: join(tmp.dir, 'htpasswd') }));
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('REGISTRY_')));
  const proc = spawn('docker-registry', ['serve', file], { env, stdio: 'ignore' });
  const url = `https://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  while (!(await fetchPeerCertificate(url, 1000).then(() => true, () => false))) {
    if (Date.now() > deadline || proc.exitCode !== null) throw new Error('docker-registry (TLS) did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, host: `127.0.0.1:${port}`, proc };
}

beforeAll(async () => {
  tmp = tempDir('berth-remote-reader-');
  sandbox = containersSandbox(join(tmp.dir, 'containers'));
  fx = writeContentsFixture(join(tmp.dir, 'layout'));
  writeFileSync(join(tmp.dir, 'htpasswd'), execFileSync('htpasswd', ['-Bbn', '-C', '5', USER, PASSWORD]));
  const data = join(tmp.dir, 'r2');
  plain = await startRegistry2(data, tmp.dir, { htpasswd: join(tmp.dir, 'htpasswd') });
  await pushLayout(sandbox, fx.dir, 'base', `${plain.host}/team/app:base`, `${USER}:${PASSWORD}`);
  await pushLayout(sandbox, fx.dir, 'multi', `${plain.host}/team/app:multi`, `${USER}:${PASSWORD}`);
  pushed = (await fetch(`${plain.url}/v2/team/app/manifests/base`, { method: 'HEAD', headers: { Authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`, Accept: 'application/vnd.oci.image.manifest.v1+json' } })).headers.get('docker-content-digest')!;
  // A second registry:2 over TLS on the same storage.
  secure = await startTls(data);
}, 90_000);

afterAll(async () => {
  await plain?.stop();
  if (secure && secure.proc.exitCode === null) {
    const gone = new Promise((r) => secure.proc.once('exit', r));
    secure.proc.kill('SIGTERM');
    await gone;
  }
  sandbox?.cleanup();
  tmp?.cleanup();
});

async function readAll(chunks: AsyncIterable<Buffer>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of chunks) out.push(c);
  return Buffer.concat(out);
}

const creds = { username: USER, password: PASSWORD };

async function reads(opts: RemoteReaderOptions, tag = 'base'): Promise<string> {
  const r = await openRemoteReader(opts);
  try {
    const m = (await r.manifest(tag))!;
    expect(sha256(m.body)).toBe(m.digest);
    // skopeo may re-serialize the manifest; the layers' bytes are the layout's.
    const layer = (JSON.parse(m.body.toString()) as { layers: { digest: string }[] }).layers[1]!;
    expect(layer.digest).toBe(fx.base.layers[1]!.digest);
    const blob = (await r.blob(layer.digest))!;
    expect(sha256(await readAll(blob.chunks))).toBe(layer.digest);
    return m.digest;
  } finally {
    await r.close?.();
  }
}

describe('remote reader', () => {
  it('reads manifests and blobs over http with --tls-verify=false and --creds', async () => {
    expect(await reads({ host: plain.host, repository: 'team/app', credentials: creds, tlsVerify: false })).toBe(pushed);
  });

  it('reads over TLS with --ca, and with --tls-verify=false (any certificate)', async () => {
    expect(await reads({ host: secure.host, repository: 'team/app', credentials: creds, caPem })).toBe(pushed);
    const r = await openRemoteReader({ host: secure.host, repository: 'team/app', credentials: creds, tlsVerify: false });
    expect(r.url).toBe(secure.url);
    await r.close?.();
    expect(await reads({ host: secure.host, repository: 'team/app', credentials: creds, tlsVerify: false })).toBe(pushed);
  });

  it('says the certificate is not trusted without --ca', async () => {
    await expect(reads({ host: secure.host, repository: 'team/app', credentials: creds })).rejects.toThrow(
      /the certificate of 127\.0\.0\.1:\d+ is not trusted .*give its CA with --ca FILE, or skip the check with --tls-verify=false/,
    );
  });

  it('says https failed against a plain-http registry without --tls-verify=false', async () => {
    await expect(reads({ host: plain.host, repository: 'team/app', credentials: creds })).rejects.toThrow(/TLS with 127\.0\.0\.1:\d+ failed .*use --tls-verify=false/);
  });

  it('uses the saved connection of the host: its URL, trust and password', async () => {
    const dataDir = join(tmp.dir, 'berth-data');
    const db = openAppDatabase(appDatabasePath(dataDir));
    const id = randomUUID();
    new ConnectionStore(db).insert({
      id, name: 'secure r2', kind: 'registry', url: secure.url, username: USER, trust: { mode: 'ca', caPem }, repositories: [], namespaces: [], createdAt: new Date().toISOString(),
    });
    db.close();
    await new ConnectionSecrets(new FileSecretStore(defaultSecretsPath(dataDir))).set(id, secure.url, PASSWORD);
    const saved = await findSavedRemote(dataDir, secure.host);
    expect(saved).toMatchObject({ name: 'secure r2', url: secure.url, username: USER, password: PASSWORD });
    expect(await findSavedRemote(dataDir, plain.host)).toBeNull();
    const r = await openRemoteReader({ host: secure.host, repository: 'team/app', saved });
    expect(r.credentialsFrom).toEqual({ saved: 'secure r2' });
    await r.close?.();
    expect(await reads({ host: secure.host, repository: 'team/app', saved })).toBe(pushed);
  });

  it('says whether credentials were sent, and how to give them', async () => {
    await expect(reads({ host: plain.host, repository: 'team/app', tlsVerify: false })).rejects.toThrow(
      /requires credentials to read 127\.0\.0\.1:\d+\/team\/app:base \(401; no credentials sent\): give them with --creds USER:PASS/,
    );
    await expect(reads({ host: plain.host, repository: 'team/app', tlsVerify: false, credentials: { username: USER, password: 'wrong' } })).rejects.toThrow(
      /refused the credentials given with --creds .*\(401; the credentials given with --creds sent\): check the user name and password/,
    );
  });

  it('tells a missing tag from a missing repository', async () => {
    const r = await openRemoteReader({ host: plain.host, repository: 'team/app', credentials: creds, tlsVerify: false });
    expect(await r.manifest('v9')).toBeNull();
    expect(await r.explainMissing('v9')).toMatch(/team\/app has no tag v9; its tags: (base, multi|multi, base)/);
    await r.close?.();
    const none = await openRemoteReader({ host: plain.host, repository: 'team/none', credentials: creds, tlsVerify: false });
    expect(await none.explainMissing('v1')).toMatch(/has no repository team\/none$/);
    await none.close?.();
  });

  it('says when nothing listens, and when the registry rate limits', async () => {
    const port = await freePort();
    await expect(reads({ host: `127.0.0.1:${port}`, repository: 'a', tlsVerify: false })).rejects.toThrow(`cannot connect to 127.0.0.1:${port}: connection refused`);
    const limited = createServer((_req, res) => res.writeHead(429, { 'Retry-After': '17' }).end());
    await new Promise<void>((r) => limited.listen(0, '127.0.0.1', r));
    const host = `127.0.0.1:${(limited.address() as AddressInfo).port}`;
    try {
      await expect(reads({ host, repository: 'a', tlsVerify: false })).rejects.toThrow(`${host} is rate limiting requests (429) while reading ${host}/a:base: retry after 17 s`);
    } finally {
      limited.close();
    }
  });
});
