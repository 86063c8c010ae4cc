/**
 * The remote client against registry:2 (`docker-registry`): over TLS with a certificate made here
 * by openssl and htpasswd auth, trusted through its CA, through a pin, and not at all (system
 * trust); a pin that does not match is refused before a byte of the request is sent. A second
 * registry with deletes disabled answers them 405, which the client reports as unsupported.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteSource } from '../../src-server/browse/remote-source';
import { RemoteRegistry, type RemoteRegistryOptions } from '../../src-server/remote/client';
import { RemoteTrustError } from '../../src-server/remote/errors';
import { testConnection } from '../../src-server/remote/probe';
import { fetchPeerCertificate } from '../../src-server/remote/trust';
import { tempDir } from '../helpers/berth-server';
import { freePort, registry2Config } from '../helpers/registry2';

const USER = 'bob';
const PASSWORD = `pw-${randomBytes(6).toString('hex')}`;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

let tmp: ReturnType<typeof tempDir>;
let caPem: string;
let serverPem: string;
let serverKey: string;
let fingerprint: string;
let secure: { url: string; proc: ChildProcess };
let noDelete: { url: string; proc: ChildProcess };
const clients: RemoteRegistry[] = [];

function openssl(args: string[]): void {
  execFileSync('openssl', args, { cwd: tmp.dir, stdio: 'pipe' });
}

/** A CA and a server certificate for 127.0.0.1 only (so `localhost` is a name mismatch). */
function makeCertificates(): void {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Remote Test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  openssl(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
  writeFileSync(join(tmp.dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'ext.cnf']);
  caPem = readFileSync(join(tmp.dir, 'ca.pem'), 'utf8');
  serverPem = readFileSync(join(tmp.dir, 'server.pem'), 'utf8');
  serverKey = readFileSync(join(tmp.dir, 'server.key'), 'utf8');
  fingerprint = new X509Certificate(serverPem).fingerprint256;
}

/** `docker-registry serve` with our config; resolves once its port accepts connections. */
async function startRegistry(name: string, opts: { tls: boolean; auth: boolean; deletes: boolean }) {
  const port = await freePort();
  const config = registry2Config(join(tmp.dir, name), port, {
    deleteEnabled: opts.deletes,
    secret: 'berth-remote-test',
    tls: opts.tls ? { certificate: join(tmp.dir, 'server.pem'), key: join(tmp.dir, 'server.key') } : undefined,
    htpasswd: opts.auth ? join(tmp.dir, 'htpasswd') : undefined,
  });
  const file = join(tmp.dir, `${name}.yml`);
  writeFileSync(file, config);
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('REGISTRY_')));
  const proc = spawn('docker-registry', ['serve', file], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const url = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const up = opts.tls
      ? await fetchPeerCertificate(url, 1000).then(() => true, () => false)
      : await fetch(`${url}/v2/`).then((r) => r.arrayBuffer().then(() => true), () => false);
    if (up) return { url, proc };
    if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`docker-registry did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function client(opts: Partial<RemoteRegistryOptions> = {}): RemoteRegistry {
  const c = new RemoteRegistry({ url: secure.url, credentials: { username: USER, password: PASSWORD }, trust: { mode: 'ca', caPem }, ...opts });
  clients.push(c);
  return c;
}

async function* once(b: Buffer): AsyncIterable<Buffer> {
  yield b;
}

/** Pushes a config, a layer and a manifest; returns the manifest's digest and body. */
async function pushImage(c: RemoteRegistry, repo: string, tag: string) {
  const config = Buffer.from(JSON.stringify({ architecture: 'arm64', os: 'linux', n: randomBytes(4).toString('hex') }));
  const layer = randomBytes(50_000);
  await c.putBlob(repo, sha256(config), config.length, once(config));
  await c.putBlob(repo, sha256(layer), layer.length, (async function* () {
    for (let i = 0; i < layer.length; i += 7000) yield layer.subarray(i, i + 7000);
  })());
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha256(layer), size: layer.length }],
  }));
  const digest = await c.putManifest(repo, tag, manifest, OCI_MANIFEST);
  return { digest, manifest, config, layer };
}

beforeAll(async () => {
  tmp = tempDir('berth-remote-r2-');
  makeCertificates();
  writeFileSync(join(tmp.dir, 'htpasswd'), execFileSync('htpasswd', ['-Bbn', '-C', '5', USER, PASSWORD]));
  [secure, noDelete] = await Promise.all([
    startRegistry('secure', { tls: true, auth: true, deletes: true }),
    startRegistry('nodelete', { tls: false, auth: false, deletes: false }),
  ]);
}, 40_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  for (const r of [secure, noDelete]) {
    if (r && r.proc.exitCode === null) {
      const gone = new Promise((res) => r.proc.once('exit', res));
      r.proc.kill('SIGKILL');
      await gone;
    }
  }
  tmp?.cleanup();
});

describe('docker-registry over TLS with htpasswd, trusted through its CA', () => {
  it('pushes, mounts, pages tags and catalog, and reads back', async () => {
    const c = client({ tagsPageSize: 2 });
    const img = await pushImage(c, 'r2/app', 'v1');
    for (const t of ['v2', 'v3', 'v4']) await c.putManifest('r2/app', t, img.manifest, OCI_MANIFEST);
    expect(img.digest).toBe(sha256(img.manifest));
    // registry:2 pages its tags in no particular order; every tag arrives once.
    expect((await c.tags('r2/app'))!.sort()).toEqual(['v1', 'v2', 'v3', 'v4']);
    expect(await c.tags('r2/none')).toBeNull();

    expect(await c.mountBlob('r2/other', sha256(img.layer), 'r2/app')).toBe(true);
    expect(await c.mountBlob('r2/other', sha256(img.config), 'r2/app')).toBe(true);
    await c.putManifest('r2/other', 'latest', img.manifest, OCI_MANIFEST);
    await c.putManifest('r2/third', 'latest', img.manifest, OCI_MANIFEST).catch(() => undefined);
    await c.mountBlob('r2/third', sha256(img.layer), 'r2/app');
    await c.mountBlob('r2/third', sha256(img.config), 'r2/app');
    await c.putManifest('r2/third', 'latest', img.manifest, OCI_MANIFEST);

    const first = await c.catalog(2);
    expect(first.names).toEqual(['r2/app', 'r2/other']);
    expect(first.next).toBe('r2/other');
    expect(await c.catalog(2, first.next!)).toEqual({ names: ['r2/third'], next: null });

    const source = new RemoteSource({ id: 'r2', client: c, kind: 'registry' });
    const blob = (await source.getBlob('r2/other', sha256(img.layer)))!;
    const parts: Buffer[] = [];
    for await (const p of blob.chunks) parts.push(p);
    expect(Buffer.concat(parts).equals(img.layer)).toBe(true);
    expect((await source.getManifest('r2/other', 'latest'))!.digest).toBe(img.digest);
  });

  it('falls back to the referrers tag where the registry has no referrers API', async () => {
    const c = client();
    const subject = await pushImage(c, 'r2/refs', 'v1');
    expect(await c.referrers('r2/refs', subject.digest)).toBeNull();
    const sig = await pushImage(c, 'r2/refs', 'sig');
    const index = Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [{ mediaType: OCI_MANIFEST, digest: sig.digest, size: sig.manifest.length, artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json', annotations: { 'org.example': 'yes' } }],
    }));
    await c.putManifest('r2/refs', subject.digest.replace(':', '-'), index, OCI_INDEX);
    expect(await new RemoteSource({ id: 'r2', client: c, kind: 'registry' }).referrers('r2/refs', subject.digest)).toEqual([
      { digest: sig.digest, mediaType: OCI_MANIFEST, artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json', size: sig.manifest.length, annotations: { 'org.example': 'yes' } },
    ]);
  });

  it('deletes by digest; a delete by tag is unsupported on registry:2', async () => {
    const c = client();
    const img = await pushImage(c, 'r2/del', 'v1');
    expect(await c.deleteManifest('r2/del', 'v1')).toBe('unsupported');
    expect(await c.deleteManifest('r2/del', img.digest)).toBe('deleted');
    expect(await c.getManifest('r2/del', img.digest)).toBeNull();
  });

  it('lists the saved repositories when the catalog is refused (no credentials)', async () => {
    const anon = client({ credentials: undefined });
    await expect(anon.catalog(10)).rejects.toMatchObject({ name: 'RemoteAuthError', status: 401 });
    const source = new RemoteSource({ id: 'r2', client: anon, kind: 'registry', repositories: ['b/two', 'a/one', 'b/two', 'c/three'] });
    const catalogRefusal = { code: 'AUTH_REQUIRED', message: `${secure.url} lists its repositories only to users who log in` };
    expect(await source.repositories(2)).toEqual({ names: ['a/one', 'b/two'], next: 'b/two', source: 'saved', catalogRefusal });
    expect(await source.repositories(2, 'b/two')).toEqual({ names: ['c/three'], next: null, source: 'saved', catalogRefusal });
  });

  it('tests the connection: trusted through the CA, with the certificate filled', async () => {
    const r = await testConnection({ url: secure.url, credentials: { username: USER, password: PASSWORD }, trust: { mode: 'ca', caPem } });
    expect(r).toMatchObject({ ok: true, authScheme: 'basic', catalog: true, apiVersion: 'registry/2.0' });
    expect(r.certificate).toMatchObject({ fingerprintSha256: fingerprint, names: ['127.0.0.1'], selfSigned: false });
    expect(r.certificate!.issuer).toContain('Remote Test CA');
  });
});

describe('certificate trust', () => {
  it('refuses the certificate under system trust, carrying it to be shown and pinned', async () => {
    const err = await client({ trust: { mode: 'system' } }).ping().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteTrustError);
    expect((err as RemoteTrustError).certificate).toMatchObject({ fingerprintSha256: fingerprint, subject: 'CN=127.0.0.1' });

    const r = await testConnection({ url: secure.url, credentials: { username: USER, password: PASSWORD } });
    expect(r).toMatchObject({ ok: false, error: { code: 'CERT_UNTRUSTED' }, certificate: { fingerprintSha256: fingerprint } });
    expect(r.error!.message).toContain(fingerprint);
    expect(r.error!.message).not.toContain(PASSWORD);
  });

  it('accepts exactly the pinned certificate, even for a name it does not carry', async () => {
    const url = secure.url.replace('127.0.0.1', 'localhost');
    const pinned = client({ url, trust: { mode: 'pin', pinSha256: fingerprint.toLowerCase() } });
    await pinned.ping();
    expect(await pinned.tags('r2/app')).toContain('v1');
    // The same name mismatch under the CA is refused.
    await expect(client({ url }).ping()).rejects.toBeInstanceOf(RemoteTrustError);
  });

  it('refuses another pin before sending a byte of the request', async () => {
    const wrongPin = fingerprint.replace(/^[0-9A-F]{2}/, (h) => (h === '00' ? '01' : '00'));
    await expect(client({ trust: { mode: 'pin', pinSha256: wrongPin } }).ping()).rejects.toMatchObject({
      name: 'RemoteTrustError',
      certificate: { fingerprintSha256: fingerprint },
    });

    // A bare TLS server with the same certificate counts connections and what arrives after the handshake.
    let received = 0;
    let connections = 0;
    const server: TlsServer = createTlsServer({ key: serverKey, cert: serverPem }, (socket) => {
      socket.on('data', (d) => (received += d.length));
      socket.on('error', () => {});
    });
    server.on('connection', () => connections++);
    server.on('tlsClientError', () => {});
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const url = `https://127.0.0.1:${port}`;
    try {
      await expect(client({ url, trust: { mode: 'pin', pinSha256: wrongPin }, timeouts: { headersMs: 1000 } }).ping()).rejects.toBeInstanceOf(RemoteTrustError);
      await new Promise((r) => setTimeout(r, 200));
      expect(connections).toBe(1);
      expect(received).toBe(0);
      // The right pin on the same server: the request arrives (the server never answers it).
      await expect(client({ url, trust: { mode: 'pin', pinSha256: fingerprint }, timeouts: { headersMs: 500 } }).ping()).rejects.toMatchObject({ name: 'RemoteUnavailableError' });
      expect(received).toBeGreaterThan(0);
    } finally {
      server.close();
    }
  });
});

describe('docker-registry with deletes disabled', () => {
  it('answers deletes 405, reported as unsupported', async () => {
    const c = new RemoteRegistry({ url: noDelete.url });
    clients.push(c);
    const img = await pushImage(c, 'plain/app', 'v1');
    expect(await c.deleteManifest('plain/app', img.digest)).toBe('unsupported');
    const source = new RemoteSource({ id: 'nd', client: c, kind: 'registry' });
    await expect(source.deleteManifest('plain/app', img.digest)).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    expect(await source.deleteTag('plain/app', 'v1')).toBe('unsupported');
    expect(await c.getManifest('plain/app', img.digest)).not.toBeNull();
  });
});
