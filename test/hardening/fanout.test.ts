/**
 * Issue 15, point 1: a manifest that lists one layer 1,500 times, pushed while other users pull,
 * check and upload blobs, against a `berth serve` whose file descriptors are limited to 1024 (as on
 * many Linux machines). The fan-out is refused with MANIFEST_INVALID naming the limit, and nobody,
 * the attacker included, ever sees a 500 or EMFILE.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Agent, fetch, type RequestInit, type Response } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapLimit } from '../../src-server/core/concurrency';
import { fdBudgetSizes } from '../../src-server/core/fd-budget';
import { berthWorkspace, runBerth, type RunningBerth } from '../helpers/berth-server';
import { containersSandbox, openOciLayout, writeOciLayout, type ContainersSandbox, type Descriptor } from '../helpers/images';
import { MT } from '../helpers/oci-content';
import { pushBlob, sha256 } from '../helpers/push';

const ws = berthWorkspace('berth-fanout-');
const NOFILE = 1024;
/** Distinct layers the attacker's manifests under the limit list (each checked on every PUT). */
const DISTINCT = 64;

/**
 * The users' connections together: what Berth accepts at this limit, less room for skopeo's and the
 * CLI's (connections beyond Berth's share are closed at once, see http/server.ts).
 */
const users = new Agent({ connections: fdBudgetSizes(NOFILE).connections - 40 });
afterAll(() => users.close());

let berth: RunningBerth;
let sandbox: ContainersSandbox | undefined;
afterAll(() => sandbox?.cleanup());
/** The victims' image, pushed by skopeo: its big layer, what other users download. */
let victimLayer: { digest: string; bytes: Buffer };
let attackerLayers: Descriptor[];
let attackerConfig: Descriptor;

const times = <T>(n: number, fn: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => fn(i));

function manifest(layers: Descriptor[], annotations: Record<string, string> = {}): string {
  return JSON.stringify({ schemaVersion: 2, mediaType: MT.ociManifest, config: attackerConfig, layers, annotations });
}

beforeAll(async () => {
  berth = await ws.serve(ws.fresh(), [], {}, { nofile: NOFILE });
  sandbox = containersSandbox(join(ws.dir, 'sandbox'));
  const { layout, images } = writeOciLayout(join(ws.dir, 'oci'));
  await sandbox.skopeo(['copy', '--quiet', '--dest-tls-verify=false', `oci:${layout.dir}:latest`, `docker://${berth.host}/victims/app:v1`]);
  const big = images[0]!.layers[1]!;
  victimLayer = { digest: big.digest, bytes: layout.blob(big.digest) };

  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
  attackerConfig = { mediaType: MT.ociConfig, digest: await pushBlob(berth.url, 'attacker/app', config), size: config.length };
  attackerLayers = await mapLimit(times(DISTINCT, (i) => Buffer.from(`layer ${i} ${randomBytes(8).toString('hex')}`)), 16, async (b) => ({
    mediaType: MT.ociLayer,
    digest: await pushBlob(berth.url, 'attacker/app', b),
    size: b.length,
  }));
});

/** A response, or null after noting why there is none. */
async function request(problems: string[], what: string, url: string, init: RequestInit = {}): Promise<Response | null> {
  try {
    return await fetch(`${berth.url}${url}`, { ...init, dispatcher: users });
  } catch (err) {
    problems.push(`${what}: ${(err as Error).message} ${String((err as { cause?: unknown }).cause ?? '')}`);
    return null;
  }
}

async function expectStatus(problems: string[], what: string, res: Response | null, status: number): Promise<string | null> {
  if (!res) return null;
  const text = await res.text();
  if (/EMFILE/.test(text)) problems.push(`${what}: body mentions EMFILE`);
  if (res.status === status) return text;
  problems.push(`${what}: expected ${status}, got ${res.status} ${text.slice(0, 300)}`);
  return null;
}

/**
 * Everyone at once: the attacker's fan-outs, manifests under the limit (one repeating a layer, many
 * listing distinct ones), other users' downloads, checks and uploads.
 */
async function burst(round: number, problems: string[]): Promise<void> {
  const put = (tag: string, body: string) =>
    request(problems, `PUT ${tag}`, `/v2/attacker/app/manifests/${tag}`, { method: 'PUT', body, headers: { 'Content-Type': MT.ociManifest } });
  const fanOut = manifest(times(1500, () => attackerLayers[0]!));
  expect(Buffer.byteLength(fanOut)).toBeGreaterThan(200_000);
  const repeated = manifest(times(900, () => attackerLayers[1]!), { round: String(round) });
  await Promise.all([
    ...times(10, async (i) => {
      const res = await put(`fan-${round}-${i}`, fanOut);
      const text = await expectStatus(problems, 'fan-out PUT', res, 400);
      if (text === null) return;
      const error = JSON.parse(text).errors[0];
      if (error.code !== 'MANIFEST_INVALID' || !/1000/.test(error.message) || error.detail?.limit !== 1000) {
        problems.push(`fan-out PUT: error does not name the limit: ${text.slice(0, 300)}`);
      }
    }),
    (async () => expectStatus(problems, 'repeated-layer PUT', await put(`repeated-${round}`, repeated), 201))(),
    ...times(100, async (i) =>
      expectStatus(problems, 'distinct-layers PUT', await put(`wide-${round}-${i}`, manifest(attackerLayers, { n: `${round}-${i}` })), 201),
    ),
    ...times(60, async () => {
      const res = await request(problems, 'blob GET', `/v2/victims/app/blobs/${victimLayer.digest}`);
      if (!res) return;
      if (res.status !== 200) return void (await expectStatus(problems, 'blob GET', res, 200));
      const body = Buffer.from(await res.arrayBuffer());
      if (sha256(body) !== victimLayer.digest) problems.push(`blob GET: ${body.length} bytes that do not match the digest`);
    }),
    ...times(30, async () =>
      expectStatus(problems, 'blob HEAD', await request(problems, 'blob HEAD', `/v2/victims/app/blobs/${victimLayer.digest}`, { method: 'HEAD' }), 200),
    ),
    ...times(20, async () => {
      const data = randomBytes(256 * 1024);
      const start = await request(problems, 'upload POST', '/v2/victims/uploads/blobs/uploads/', { method: 'POST' });
      if ((await expectStatus(problems, 'upload POST', start, 202)) === null) return;
      const loc = new URL(start!.headers.get('location')!, berth.url);
      const patch = await request(problems, 'upload PATCH', loc.pathname, { method: 'PATCH', body: data, headers: { 'Content-Type': 'application/octet-stream' } });
      if ((await expectStatus(problems, 'upload PATCH', patch, 202)) === null) return;
      const done = new URL(patch!.headers.get('location')!, berth.url);
      done.searchParams.set('digest', sha256(data));
      await expectStatus(problems, 'upload PUT', await request(problems, 'upload PUT', `${done.pathname}${done.search}`, { method: 'PUT' }), 201);
    }),
  ]);
}

describe(`a fan-out manifest under ulimit -n ${NOFILE}`, () => {
  it('is refused with MANIFEST_INVALID naming the limit while every other request succeeds', async () => {
    const problems: string[] = [];
    // A real client pulls while the rounds go on; the rounds go on until it is done.
    const pulled = join(ws.dir, 'pulled');
    let pulling = true;
    const pull = sandbox!
      .skopeo(['copy', '--quiet', '--src-tls-verify=false', `docker://${berth.host}/victims/app:v1`, `oci:${pulled}:v1`], { allowFailure: true })
      .finally(() => (pulling = false));
    // Usage and a GC preview walk the storage inside the server meanwhile.
    const walks = Promise.all([runBerth(['usage', '--json', '--data', berth.dataDir]), runBerth(['gc', '--dry-run', '--json', '--data', berth.dataDir])]);
    let round = 0;
    do await burst(round++, problems);
    while ((pulling || round < 2) && round < 8);
    const pullResult = await pull;
    expect(pullResult.code, pullResult.stderr).toBe(0);
    expect(openOciLayout(pulled).blob(victimLayer.digest).equals(victimLayer.bytes)).toBe(true);
    for (const w of await walks) expect(w.code, w.stderr).toBe(0);
    expect(problems.slice(0, 20)).toEqual([]);
    expect(berth.output()).not.toMatch(/EMFILE|failed:/);
  });

  it('stores and serves a manifest under the limit that repeats one layer', async () => {
    const body = manifest(times(999, () => attackerLayers[2]!));
    const put = await fetch(`${berth.url}/v2/attacker/app/manifests/repeated`, {
      method: 'PUT',
      body,
      headers: { 'Content-Type': MT.ociManifest },
      dispatcher: users,
    });
    expect(put.status, await put.text()).toBe(201);
    const res = await fetch(`${berth.url}/v2/attacker/app/manifests/repeated`, { headers: { Accept: MT.ociManifest }, dispatcher: users });
    expect(res.status).toBe(200);
    const got = await res.text();
    expect(got).toBe(body);
    expect(new Set(JSON.parse(got).layers.map((l: Descriptor) => l.digest))).toEqual(new Set([attackerLayers[2]!.digest]));
  });
});
