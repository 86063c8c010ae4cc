/**
 * Berth's CA vouches only for what a registry on this machine can be called, checked with the
 * verifiers clients use: openssl, and Go (skopeo and containerd's ctr) over TLS. The CA a real
 * `berth serve --tls-listen` made carries critical name constraints (localhost, the host's names,
 * the LAN ranges, the host's addresses, configured names and wildcard bases); skopeo and ctr accept
 * the server's certificate at 127.0.0.1, localhost and the machine's own address; a certificate for
 * evil.example signed with the same CA key is refused by openssl, skopeo and ctr alike.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inRange, LOCAL_RANGES } from '../../src-server/tls/name-constraints';
import { createServerCertificate, generateRsaKey } from '../../src-server/tls/x509';
import { startContainerd, type Containerd } from '../clients/containerd';
import { berthWorkspace, type RunningBerth } from '../helpers/berth-server';
import { containersSandbox, writeOciLayout, type ContainersSandbox, type Descriptor } from '../helpers/images';
import { printed } from '../helpers/output';

const ws = berthWorkspace('berth-ca-constraints-');
const lan = Object.values(networkInterfaces()).flat().find((a) => a && !a.internal && a.family === 'IPv4')?.address;
let berth: RunningBerth;
let tlsHost: string;
let tlsPort: string;
let caPem: string;
let certDir: string;
let sandbox: ContainersSandbox;
let containerd: Containerd;
let image: Descriptor;
let rogue: Server;
let roguePort: number;

/** A certificate for `names`, signed with Berth's CA key, served on 127.0.0.1 (what a stolen ca.key would allow). */
async function rogueServer(dataDir: string, names: string[]): Promise<{ server: Server; port: number; pem: string }> {
  const tls = join(dataDir, 'berth', 'tls');
  const key = await generateRsaKey(2048);
  const pem = createServerCertificate({
    ca: { cert: readFileSync(join(tls, 'ca.crt'), 'utf8'), key: readFileSync(join(tls, 'ca.key'), 'utf8') },
    commonName: names[0]!,
    names,
    key,
    now: new Date(),
  });
  const server = createServer({ cert: pem, key: key.privateKey }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'docker-distribution-api-version': 'registry/2.0' }).end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port, pem };
}

beforeAll(async () => {
  if (!lan) throw new Error('this test needs a non-loopback IPv4 address on the machine (none found)');
  const data = ws.fresh();
  berth = await ws.serve(data, ['--tls-listen', '0.0.0.0:0', '--allow-open-network', '--tls-name', 'registry.test', '--tls-name', '*.wild.test']);
  tlsPort = (await printed(berth, /Berth registry listening on https:\/\/0\.0\.0\.0:(\d+)/))[1]!;
  tlsHost = `127.0.0.1:${tlsPort}`;
  caPem = readFileSync(join(data, 'berth/tls/ca.crt'), 'utf8');
  certDir = join(ws.dir, 'certs');
  mkdirSync(certDir);
  writeFileSync(join(certDir, 'ca.crt'), caPem);
  sandbox = containersSandbox(join(ws.dir, 'containers'));
  image = writeOciLayout(join(ws.dir, 'layout'), { tag: 'v1' }).top;
  await sandbox.skopeo(['copy', '--quiet', '--dest-cert-dir', certDir, `oci:${join(ws.dir, 'layout')}:v1`, `docker://${tlsHost}/nc/app:v1`]);
  const r = await rogueServer(data, ['evil.example', '127.0.0.1']);
  rogue = r.server;
  roguePort = r.port;
  writeFileSync(join(ws.dir, 'evil.crt'), r.pem);
  containerd = await startContainerd(join(ws.dir, 'containerd'));
}, 180_000);

afterAll(async () => {
  await containerd?.stop();
  rogue?.close();
  sandbox?.cleanup();
});

/** A containerd hosts dir for `host` trusting only the CA. */
function hostsDirFor(host: string): string {
  const dir = join(ws.dir, `hosts-${host.replace(/[^0-9a-z]/g, '-')}`);
  mkdirSync(join(dir, host), { recursive: true });
  writeFileSync(join(dir, host, 'hosts.toml'), `server = "https://${host}"\n\n[host."https://${host}"]\n  capabilities = ["pull", "resolve"]\n  ca = "${join(certDir, 'ca.crt')}"\n`);
  return dir;
}

describe("Berth's CA", () => {
  it('carries critical name constraints: its names, the LAN ranges, the host address and the configured names', () => {
    const text = execFileSync('openssl', ['x509', '-noout', '-text'], { input: caPem, encoding: 'utf8' });
    expect(text).toMatch(/X509v3 Name Constraints: critical\n\s+Permitted:\n/);
    const permitted = text.slice(text.indexOf('Permitted:')).split('\n').map((l) => l.trim());
    for (const entry of ['DNS:localhost', 'DNS:registry.test', 'DNS:wild.test', 'IP:127.0.0.0/255.0.0.0', 'IP:10.0.0.0/255.0.0.0',
      'IP:172.16.0.0/255.240.0.0', 'IP:192.168.0.0/255.255.0.0', 'IP:169.254.0.0/255.255.0.0', 'IP:100.64.0.0/255.192.0.0',
      'IP:0:0:0:0:0:0:0:1/FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF', 'IP:FC00:0:0:0:0:0:0:0/FE00:0:0:0:0:0:0:0', 'IP:FE80:0:0:0:0:0:0:0/FFC0:0:0:0:0:0:0:0']) {
      expect(permitted, entry).toContain(entry);
    }
    // This machine's own address: in one of the LAN ranges, or on its own.
    if (!LOCAL_RANGES.some((r) => inRange(lan!, r))) expect(permitted).toContain(`IP:${lan}/255.255.255.255`);
    expect(permitted).not.toContain('DNS:evil.example');
  });

  it('openssl verifies the server certificate, and refuses one for evil.example (permitted subtree violation)', () => {
    const ca = join(certDir, 'ca.crt');
    const server = join(berth.dataDir, 'berth/tls/server.crt');
    expect(spawnSync('openssl', ['verify', '-CAfile', ca, server], { encoding: 'utf8' }).status).toBe(0);
    const evil = spawnSync('openssl', ['verify', '-CAfile', ca, join(ws.dir, 'evil.crt')], { encoding: 'utf8' });
    expect(evil.status).not.toBe(0);
    expect(evil.stdout + evil.stderr).toMatch(/permitted subtree violation/);
  });

  it('skopeo accepts the server certificate at 127.0.0.1, localhost and the LAN address', async () => {
    for (const host of [tlsHost, `localhost:${tlsPort}`, `${lan}:${tlsPort}`]) {
      const r = await sandbox.skopeo(['inspect', '--raw', '--cert-dir', certDir, `docker://${host}/nc/app:v1`]);
      expect(JSON.parse(r.stdout).schemaVersion, host).toBe(2);
    }
  }, 120_000);

  it('skopeo refuses a certificate for evil.example the same CA key signed', async () => {
    const r = await sandbox.skopeo(['inspect', '--raw', '--cert-dir', certDir, `docker://127.0.0.1:${roguePort}/nc/app:v1`], { allowFailure: true });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/not (authorized|permitted) .*evil\.example|evil\.example.* not permitted/);
  }, 60_000);

  it('ctr pulls from the server with the CA, and refuses the evil.example certificate', async () => {
    const ref = `${tlsHost}/nc/app:v1`;
    await containerd.ctr(['images', 'pull', '--hosts-dir', hostsDirFor(tlsHost), ref]);
    expect((await containerd.ctr(['images', 'ls'])).stdout).toContain(image.digest);
    const evilHost = `127.0.0.1:${roguePort}`;
    const refused = await containerd.ctr(['images', 'pull', '--hosts-dir', hostsDirFor(evilHost), `${evilHost}/nc/app:v1`], { allowFailure: true, namespace: 'evil' });
    expect(refused.code).not.toBe(0);
    expect(`${refused.stdout}${refused.stderr}`).toMatch(/not (authorized|permitted) .*evil\.example|evil\.example.* not permitted/);
  }, 120_000);
});
