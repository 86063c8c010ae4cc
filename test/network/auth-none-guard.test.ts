/**
 * `berth serve --auth none` against web pages in the user's browser, as real processes: a blob
 * upload POSTed by a page of another origin and requests naming a foreign Host (DNS rebinding) are
 * refused on every path with 403 DENIED, while skopeo (no Origin; Host = what it dialed) pushes and
 * pulls as before, on loopback and, with --allow-open-network, on this machine's LAN address over
 * TLS. The same-origin requests a page of Berth's own GUI sends pass.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from '../bridge/client';
import { berthWorkspace, type RunningBerth } from '../helpers/berth-server';
import { printed } from '../helpers/output';
import { containersSandbox, writeOciLayout, type ContainersSandbox, type Descriptor } from '../helpers/images';

const ws = berthWorkspace('berth-auth-none-guard-');
let sandbox: ContainersSandbox;
let layoutDir: string;
let image: Descriptor;

beforeAll(() => {
  sandbox = containersSandbox(join(ws.dir, 'containers'));
  layoutDir = join(ws.dir, 'layout');
  image = writeOciLayout(layoutDir, { tag: 'v1' }).top;
});
afterAll(() => sandbox?.cleanup());

const port = (b: RunningBerth) => new URL(b.url).port;
const errorOf = (text: string) => JSON.parse(text).errors[0] as { code: string; message: string };

/** skopeo copy; returns the digest it wrote. */
async function skopeoCopy(src: string, dest: string, flags: string[]): Promise<string> {
  const digestFile = join(ws.dir, `digest-${Math.random().toString(36).slice(2)}`);
  await sandbox.skopeo(['copy', '--quiet', '--digestfile', digestFile, ...flags, src, dest]);
  return readFileSync(digestFile, 'utf8').trim();
}

describe('berth serve --auth none on loopback', () => {
  let berth: RunningBerth;
  beforeAll(async () => {
    berth = await ws.serve(ws.fresh(), ['--ui']);
  }, 60_000);

  it('refuses a blob upload POSTed by a page of another origin, and creates nothing', async () => {
    const r = await send(berth.url, 'POST', '/v2/evil/blobs/uploads/', { headers: { origin: 'http://evil.example' } });
    expect(r.status).toBe(403);
    expect(errorOf(r.text)).toMatchObject({ code: 'DENIED', message: expect.stringContaining('another origin (http://evil.example)') });
    const fetchMeta = await send(berth.url, 'POST', '/v2/evil/blobs/uploads/', { headers: { 'sec-fetch-site': 'cross-site' } });
    expect(fetchMeta.status).toBe(403);
    expect(existsSync(join(berth.dataDir, 'docker/registry/v2/repositories/evil'))).toBe(false);
    // A page of Berth's own origin (its GUI) may.
    const own = await send(berth.url, 'POST', '/v2/own/blobs/uploads/', { headers: { origin: berth.url, 'sec-fetch-site': 'same-origin' } });
    expect(own.status).toBe(202);
  });

  it('refuses a foreign Host on every path: /v2, the GUI and its API', async () => {
    const host = `attacker.example:${port(berth)}`;
    for (const [method, path] of [['GET', '/v2/'], ['GET', '/v2/_catalog'], ['GET', '/'], ['GET', '/_berth/api/session'], ['POST', '/_berth/api/session']] as const) {
      const r = await send(berth.url, method, path, { headers: { host, 'content-type': 'application/json' }, body: method === 'POST' ? '{}' : undefined });
      expect(r.status, `${method} ${path}`).toBe(403);
      expect(errorOf(r.text), `${method} ${path}`).toMatchObject({ code: 'DENIED', message: expect.stringContaining('attacker.example') });
    }
    for (const ok of [`localhost:${port(berth)}`, `127.0.0.1:${port(berth)}`, `[::1]:${port(berth)}`]) {
      expect((await send(berth.url, 'GET', '/v2/', { headers: { host: ok } })).status, ok).toBe(200);
    }
  });

  it('lets skopeo push and pull as before', async () => {
    const pushed = await skopeoCopy(`oci:${layoutDir}:v1`, `docker://${berth.host}/guarded/app:v1`, ['--dest-tls-verify=false']);
    expect(pushed).toBe(image.digest);
    const pulled = await skopeoCopy(`docker://${berth.host}/guarded/app:v1`, `oci:${join(ws.dir, 'pulled')}:v1`, ['--src-tls-verify=false']);
    expect(pulled).toBe(image.digest);
  }, 120_000);
});

describe('berth serve --auth none --allow-open-network', () => {
  const lan = Object.values(networkInterfaces()).flat().find((a) => a && !a.internal && a.family === 'IPv4')?.address;
  let berth: RunningBerth;
  let tlsPort: string;

  beforeAll(async () => {
    if (!lan) throw new Error('this test needs a non-loopback IPv4 address on the machine (none found)');
    berth = await ws.serve(ws.fresh(), ['--tls-listen', '0.0.0.0:0', '--allow-open-network', '--tls-name', 'registry.test', '--tls-name', '*.wild.test']);
    tlsPort = (await printed(berth, /Berth registry listening on https:\/\/0\.0\.0\.0:(\d+)/))[1]!;
  }, 60_000);

  it("answers the machine's address and names and the configured ones, and refuses others", async () => {
    const p = port(berth);
    for (const host of [`${lan}:${p}`, `${hostname()}:${p}`, `registry.test:${p}`, `a.wild.test:${p}`]) {
      expect((await send(berth.url, 'GET', '/v2/', { headers: { host } })).status, host).toBe(200);
    }
    for (const host of [`attacker.example:${p}`, `wild.test:${p}`, `a.b.wild.test:${p}`, `${hostname()}.attacker.example:${p}`]) {
      expect((await send(berth.url, 'GET', '/v2/', { headers: { host } })).status, host).toBe(403);
    }
  });

  it('lets skopeo push and pull over TLS at the LAN address', async () => {
    const certDir = join(ws.dir, 'certs');
    mkdirSync(certDir);
    copyFileSync(join(berth.dataDir, 'berth/tls/ca.crt'), join(certDir, 'ca.crt'));
    const ref = `docker://${lan}:${tlsPort}/lan/app:v1`;
    expect(await skopeoCopy(`oci:${layoutDir}:v1`, ref, ['--dest-cert-dir', certDir])).toBe(image.digest);
    expect(await skopeoCopy(ref, `oci:${join(ws.dir, 'lan-pulled')}:v1`, ['--src-cert-dir', certDir])).toBe(image.digest);
  }, 120_000);
});
