/**
 * The remote reader against registry:2 with htpasswd auth, over plain http and over TLS (a CA made
 * here by openssl), with --creds, a saved connection, no credentials, wrong ones, --ca,
 * --tls-verify=false, a missing tag or repository, a refused connection and a rate limit.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
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
import { tempDir } from '../helpers/berth-server';
import { pushLayout, sha256, writeContentsFixture, type ContentsFixture } from '../helpers/contents-images';
import { containersSandbox, type ContainersSandbox } from '../helpers/images';
import { freePort, startRegistry2, type RunningRegistry2 } from '../helpers/registry2';
import { startTlsRegistry2, type TlsRegistry2 } from '../helpers/registry2-tls';

const USER = 'alice';
const PASSWORD = 'alice-pw-7f3';
let tmp: ReturnType<typeof tempDir>;
let sandbox: ContainersSandbox;
let fx: ContentsFixture;
let plain: RunningRegistry2;
let secure: TlsRegistry2;
let caPem: string;
/** The digest of `base` as registry:2 stores it. */
let pushed: string;

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
  secure = await startTlsRegistry2(tmp.dir, data, join(tmp.dir, 'htpasswd'));
  caPem = secure.caPem;
}, 90_000);

afterAll(async () => {
  await plain?.stop();
  await secure?.stop();
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
