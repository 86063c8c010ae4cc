/**
 * `browse:referrer` through the `/_berth/api` bridge of a real `berth serve --ui`: referrers skopeo
 * pushed by digest from a hand-made OCI layout (SPDX, CycloneDX, a cosign signature, an in-toto
 * attestation, each with the image as `subject`) come back with their manifest, their content as
 * text and a summary of the format; hostile content (over the size limit, binary, nested beyond
 * printing, markup in strings) is bounded and stays text.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CONNECTION_ID, type ReferrerContent } from '../../src-server/contract';
import { invoke, killUiServers, login, startUiServer, type Login } from '../bridge/client';
import { referrerLayout, type WrittenReferrer } from '../copy/referrers';
import { berthWorkspace, type RunningBerth } from '../helpers/berth-server';
import { containersSandbox, type ContainersSandbox } from '../helpers/images';
import { MT, sha256 } from '../helpers/oci-content';
import { pushBlob, pushManifest, pushRandomImage, type PushedImage } from '../helpers/push';

const ws = berthWorkspace('berth-referrer-viewer-');
afterAll(killUiServers);
let berth: RunningBerth;
let admin: Login;
let basic: Record<string, string>;
let password: string;
let sandbox: ContainersSandbox;
let image: PushedImage;
let written: WrittenReferrer[];
const local = LOCAL_CONNECTION_ID;

beforeAll(async () => {
  const started = await startUiServer(ws.fresh());
  berth = started.berth;
  password = started.password;
  admin = await login(berth.url, { username: 'admin', password });
  basic = { authorization: `Basic ${Buffer.from(`admin:${password}`).toString('base64')}` };
  image = await pushRandomImage(berth.url, 'team/app', 'v1', [4096], undefined, basic);
  sandbox = containersSandbox(join(ws.dir, 'sandbox'));
  const subject = { mediaType: MT.ociManifest, digest: image.digest, size: image.size };
  const layout = join(ws.dir, 'referrers');
  written = referrerLayout(layout, `${berth.host}/team/app`, subject);
  for (const r of written) {
    await sandbox.skopeo(['copy', '--quiet', '--preserve-digests', '--dest-tls-verify=false', '--dest-creds', `admin:${password}`, `oci:${layout}:${r.kind}`, `docker://${berth.host}/team/app@${r.digest}`]);
  }
}, 120_000);

afterAll(() => sandbox?.cleanup());

async function call<T>(channel: string, args: unknown): Promise<T> {
  const r = await invoke(berth.url, admin, channel, args);
  expect(r.json.ok, r.text).toBe(true);
  return r.json.result as T;
}

const open = (digest: string) => call<ReferrerContent>('browse:referrer', { connection: local, repository: 'team/app', digest });

/** Pushes an artifact referring to the image whose one layer holds `data`; returns its digest. */
async function pushOdd(data: Buffer, mediaType: string): Promise<string> {
  const layer = await pushBlob(berth.url, 'team/app', data, basic);
  const empty = await pushBlob(berth.url, 'team/app', Buffer.from('{}'), basic);
  const manifest = {
    schemaVersion: 2,
    mediaType: MT.ociManifest,
    artifactType: 'application/vnd.example.odd',
    config: { mediaType: MT.empty, digest: empty, size: 2 },
    layers: [{ mediaType, digest: layer, size: data.length }],
    subject: { mediaType: MT.ociManifest, digest: image.digest, size: image.size },
  };
  const body = JSON.stringify(manifest);
  return pushManifest(berth.url, 'team/app', sha256(body), manifest, MT.ociManifest, basic);
}

describe('browse:referrer', () => {
  it('the image lists the four referrers skopeo pushed', async () => {
    const details = await call<{ referrers: Array<{ digest: string; artifactType: string }> }>('browse:image', { connection: local, repository: 'team/app', reference: 'v1' });
    expect(new Set(details.referrers.map((r) => r.digest))).toEqual(new Set(written.map((r) => r.digest)));
  });

  it('an SPDX SBOM: manifest, pretty JSON, and name, package count and creators', async () => {
    const r = written.find((w) => w.kind === 'spdx')!;
    const c = await open(r.digest);
    expect(c).toMatchObject({ digest: r.digest, mediaType: MT.ociManifest, artifactType: 'application/spdx+json', size: r.size, subject: image.digest, limit: 1 << 20 });
    expect(JSON.parse(c.manifest!)).toEqual(JSON.parse(r.body.toString()));
    expect(c.manifest).toContain('\n  "artifactType": "application/spdx+json"');
    expect(c.blobs).toHaveLength(1);
    expect(c.blobs[0]).toMatchObject({ mediaType: 'application/spdx+json', json: true, notShown: null });
    expect(c.blobs[0]!.text).toContain('"spdxVersion": "SPDX-2.3"');
    expect(c.blobs[0]!.summary).toEqual({
      format: 'spdx',
      spdxVersion: 'SPDX-2.3',
      name: `${berth.host}/team/app`,
      packages: 3,
      creators: ['Tool: syft-1.0.0', 'Organization: Berth tests'],
      created: '2026-01-03T00:00:00Z',
    });
  });

  it('CycloneDX, a cosign signature and an in-toto attestation in a DSSE envelope', async () => {
    const cdx = await open(written.find((w) => w.kind === 'cyclonedx')!.digest);
    expect(cdx.blobs[0]!.summary).toEqual({ format: 'cyclonedx', bomFormat: 'CycloneDX', specVersion: '1.5', components: 2, serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79', describes: `${berth.host}/team/app` });
    const sig = await open(written.find((w) => w.kind === 'cosign')!.digest);
    expect(sig.blobs[0]!.annotations).toHaveProperty('dev.cosignproject.cosign/signature');
    expect(sig.blobs[0]!.summary).toEqual({
      format: 'cosign-signature',
      type: 'cosign container image signature',
      dockerReference: `${berth.host}/team/app`,
      manifestDigest: image.digest,
      optional: { creator: 'berth-tests' },
      signed: true,
    });
    const att = await open(written.find((w) => w.kind === 'in-toto')!.digest);
    expect(att.blobs[0]!.summary).toEqual({
      format: 'in-toto',
      statementType: 'https://in-toto.io/Statement/v1',
      predicateType: 'https://slsa.dev/provenance/v1',
      subjects: [{ name: `${berth.host}/team/app`, digest: { sha256: image.digest.slice(7) } }],
      subjectCount: 1,
      envelope: true,
      signatures: 1,
    });
  });

  it('content over 1 MiB is not read, binary content is not shown, JSON too deep to print is shown as it came', async () => {
    const big = await open(await pushOdd(Buffer.alloc((1 << 20) + 1, 'a'), 'text/plain'));
    expect(big.blobs[0]).toMatchObject({ size: (1 << 20) + 1, text: null, notShown: 'too-large', summary: null });
    const binary = await open(await pushOdd(randomBytes(2048), 'application/octet-stream'));
    expect(binary.blobs[0]).toMatchObject({ text: null, notShown: 'binary' });
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    const nested = await open(await pushOdd(Buffer.from(deep), 'application/json'));
    expect(nested.blobs[0]).toMatchObject({ notShown: null, json: false, summary: null });
    expect(nested.blobs[0]!.text).toBe(deep);
    const markup = await open(await pushOdd(Buffer.from('<script>alert(1)</script>'), 'text/html'));
    expect(markup.blobs[0]).toMatchObject({ text: '<script>alert(1)</script>', json: false });
  });

  it('an unknown digest is MANIFEST_UNKNOWN; bad arguments are ARGS_INVALID', async () => {
    const missing = await invoke(berth.url, admin, 'browse:referrer', { connection: local, repository: 'team/app', digest: `sha256:${'0'.repeat(64)}` });
    expect(missing.json).toMatchObject({ ok: false, error: { code: 'MANIFEST_UNKNOWN' } });
    for (const args of [{ connection: local, repository: 'team/app', digest: 'latest' }, { connection: local, repository: '../x', digest: image.digest }, { connection: local, repository: 'team/app' }]) {
      const r = await invoke(berth.url, admin, 'browse:referrer', args);
      expect(r.json).toMatchObject({ ok: false, error: { code: 'ARGS_INVALID' } });
    }
  });
});
