/**
 * registry:2's `storage.redirect` on a real Ceph RGW: with `storage.redirect.disable: false` a blob
 * GET is answered 307 with a presigned URL of the blob's object, after the auth and repository
 * checks; HEAD, unknown blobs and Berth without the key serve as before. skopeo follows the redirect.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBerth, startBerth, type RunningBerth } from '../helpers/berth-server';
import { containersSandbox, writeOciLayout, type ContainersSandbox, type Descriptor } from '../helpers/images';
import type { RunningRgw } from '../helpers/rgw';
import { rgwFixture, s3StorageYaml } from './s3-berth';

const BUCKET = 'berth-redirect';
const REPO = 's3/app';

/** Berth's config file: storage.s3 on the test's RGW, with `storage.redirect` when given. */
function berthConfig(rgw: RunningRgw, redirect: string | null, opts: { root?: string; upstream?: string } = {}): string {
  return [
    'version: 0.1',
    'storage:',
    ...s3StorageYaml(rgw, BUCKET, opts.root ?? 'reg'),
    ...(redirect === null ? [] : ['  redirect:', `    disable: ${redirect}`]),
    ...(opts.upstream ? ['proxy:', `  remoteurl: ${opts.upstream}`] : []),
    '',
  ].join('\n');
}

const sha256 = (data: Uint8Array) => `sha256:${createHash('sha256').update(data).digest('hex')}`;
const basic = (user: string, password: string) => ({ Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

describe('blob GETs redirected to presigned URLs on S3 (storage.redirect.disable: false)', () => {
  const fixture = rgwFixture('berth-s3-redirect-', BUCKET);
  let sandbox: ContainersSandbox;
  const berths: RunningBerth[] = [];
  /** Redirecting, open (--auth none): the image is pushed through it. */
  let open: RunningBerth;
  /** The random 1 MiB layer of the pushed image, and its bytes. */
  let layer: Descriptor;
  let layerBytes: Buffer;
  let manifestDigest: string;

  const serve = async (name: string, config: string, extra: string[]) => {
    const file = join(fixture.dir, `${name}.yml`);
    writeFileSync(file, config);
    const b = await startBerth(join(fixture.dir, name), ['--config', file, ...extra]);
    berths.push(b);
    return b;
  };
  const blobUrl = (b: RunningBerth, digest: string, repo = REPO) => `${b.url}/v2/${repo}/blobs/${digest}`;

  beforeAll(async () => {
    sandbox = containersSandbox(join(fixture.dir, 'sandbox'));
    const { images, top } = writeOciLayout(join(fixture.dir, 'layout'), { tag: 'v1' });
    layer = images[0]!.layers[1]!;
    layerBytes = readFileSync(join(fixture.dir, 'layout', 'blobs', 'sha256', layer.digest.slice('sha256:'.length)));
    manifestDigest = top.digest;
    open = await serve('open', berthConfig(fixture.rgw, 'false'), ['--auth', 'none']);
    await sandbox.skopeo(['copy', '--dest-tls-verify=false', `oci:${join(fixture.dir, 'layout')}:v1`, `docker://${open.host}/${REPO}:v1`]);
  }, 180_000);

  afterAll(async () => {
    for (const b of berths) await b.stop();
    sandbox?.cleanup();
  });

  it('answers a blob GET with 307 to a presigned URL on the bucket whose bytes are the blob', async () => {
    const res = await fetch(blobUrl(open, layer.digest), { redirect: 'manual' });
    expect(res.status).toBe(307);
    expect(res.headers.get('docker-content-digest')).toBe(layer.digest);
    expect(res.headers.get('content-length')).toBe('0');
    // The URL expires in 20 minutes: no cache may keep the answer for a year as it would the bytes.
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.text()).toBe('');
    const location = new URL(res.headers.get('location')!);
    expect(location.origin).toBe(fixture.rgw.endpoint);
    expect(location.pathname).toBe(`/${BUCKET}/reg/docker/registry/v2/blobs/sha256/${layer.digest.slice(7, 9)}/${layer.digest.slice(7)}/data`);
    // Only SigV4's parameters (and the SDK's x-id): no flexible-checksum parameter a store could refuse.
    expect([...location.searchParams.keys()].filter((k) => !k.startsWith('X-Amz-'))).toEqual(['x-id']);
    expect(location.searchParams.get('X-Amz-Expires')).toBe('1200');
    // A plain GET of the URL, without any credentials, downloads the blob.
    const direct = await fetch(location);
    expect(direct.status).toBe(200);
    expect(sha256(new Uint8Array(await direct.arrayBuffer()))).toBe(layer.digest);
  });

  it('answers HEAD itself (200 with the size, no Location)', async () => {
    const res = await fetch(blobUrl(open, layer.digest), { method: 'HEAD', redirect: 'manual' });
    expect(res.status).toBe(200);
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.get('content-length')).toBe(String(layer.size));
    expect(res.headers.get('docker-content-digest')).toBe(layer.digest);
  });

  it('redirects a Range GET too, and the followed redirect gives exactly the range', async () => {
    const range = { Range: 'bytes=1000-1999' };
    const manual = await fetch(blobUrl(open, layer.digest), { headers: range, redirect: 'manual' });
    expect(manual.status).toBe(307);
    expect(manual.headers.get('location')).toMatch(new RegExp(`^${fixture.rgw.endpoint}/`));
    const followed = await fetch(blobUrl(open, layer.digest), { headers: range });
    expect(followed.redirected).toBe(true);
    expect(followed.status).toBe(206);
    expect(followed.headers.get('content-range')).toBe(`bytes 1000-1999/${layer.size}`);
    expect(Buffer.from(await followed.arrayBuffer()).equals(layerBytes.subarray(1000, 2000))).toBe(true);
  });

  it('never redirects what it would not serve: unknown blobs, blobs of another repository, ranges outside the blob', async () => {
    const unknown = `sha256:${'0'.repeat(64)}`;
    const cases: { url: string; headers: Record<string, string>; status: number; code: string }[] = [
      { url: blobUrl(open, unknown), headers: {}, status: 404, code: 'BLOB_UNKNOWN' },
      // The bytes are in the bucket, but this repository never got the blob.
      { url: blobUrl(open, layer.digest, 'other/app'), headers: {}, status: 404, code: 'BLOB_UNKNOWN' },
      { url: blobUrl(open, layer.digest), headers: { Range: `bytes=${layer.size + 10}-` }, status: 416, code: 'RANGE_INVALID' },
    ];
    for (const c of cases) {
      const res = await fetch(c.url, { headers: c.headers, redirect: 'manual' });
      expect({ url: c.url, status: res.status, location: res.headers.get('location') }).toEqual({ url: c.url, status: c.status, location: null });
      const body = (await res.json()) as { errors: { code: string }[] };
      expect(body.errors[0]!.code).toBe(c.code);
    }
  });

  it('skopeo copies the image out of the redirecting Berth, following the redirects', async () => {
    const out = join(fixture.dir, 'pulled');
    await sandbox.skopeo(['copy', '--src-tls-verify=false', `docker://${open.host}/${REPO}:v1`, `oci:${out}:v1`]);
    const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')) as { manifests: Descriptor[] };
    expect(index.manifests[0]!.digest).toBe(manifestDigest);
    const pulled = readFileSync(join(out, 'blobs', 'sha256', layer.digest.slice(7)));
    expect(sha256(pulled)).toBe(layer.digest);
  });

  it('serves the bytes itself without the redirect key (the default) on the same bucket', async () => {
    const plain = await serve('plain', berthConfig(fixture.rgw, null), ['--auth', 'none']);
    const res = await fetch(blobUrl(plain, layer.digest), { redirect: 'manual' });
    expect(res.status).toBe(200);
    expect(res.headers.get('location')).toBeNull();
    expect(sha256(new Uint8Array(await res.arrayBuffer()))).toBe(layer.digest);
    const disabled = await serve('disabled', berthConfig(fixture.rgw, 'true'), ['--auth', 'none']);
    expect((await fetch(blobUrl(disabled, layer.digest), { redirect: 'manual' })).status).toBe(200);
  });

  it('never redirects a blob the pull-through cache fetches from its upstream; once cached in the bucket, it does', async () => {
    // The upstream is the redirecting Berth: the cache's client follows its redirect to the bucket.
    const cache = await serve('cache', berthConfig(fixture.rgw, 'false', { root: 'cache', upstream: open.url }), ['--auth', 'none']);
    const first = await fetch(blobUrl(cache, layer.digest), { redirect: 'manual' });
    expect(first.status).toBe(200);
    expect(first.headers.get('location')).toBeNull();
    expect(sha256(new Uint8Array(await first.arrayBuffer()))).toBe(layer.digest);
    // The cached copy is committed to the bucket once the stream ends; then GETs redirect to it.
    let status = 200;
    for (const until = Date.now() + 60_000; status !== 307 && Date.now() < until; ) {
      await new Promise((r) => setTimeout(r, 200));
      const res = await fetch(blobUrl(cache, layer.digest), { redirect: 'manual' });
      await res.arrayBuffer();
      status = res.status;
    }
    expect(status).toBe(307);
    const again = await fetch(blobUrl(cache, layer.digest), { redirect: 'manual' });
    expect(new URL(again.headers.get('location')!).pathname).toMatch(new RegExp(`^/${BUCKET}/cache/docker/registry/v2/blobs/`));
  });

  it('checks rights before redirecting: anonymous 401 and a user without pull on the repository 403, neither with a Location', async () => {
    const data = join(fixture.dir, 'auth');
    expect((await runBerth(['init', '--data', data])).code).toBe(0);
    const add = (user: string, access: string) => runBerth(['user', 'add', user, '--password-stdin', '--access', access, '--data', data], { input: 'pw-secret-1234\n' });
    expect((await add('puller', `pull@${REPO}`)).code).toBe(0);
    expect((await add('stranger', 'pull@other/*')).code).toBe(0);
    const file = join(fixture.dir, 'auth.yml');
    writeFileSync(file, berthConfig(fixture.rgw, 'false'));
    const guarded = await startBerth(data, ['--config', file, '--auth', 'basic']);
    berths.push(guarded);

    const anonymous = await fetch(blobUrl(guarded, layer.digest), { redirect: 'manual' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('location')).toBeNull();
    const stranger = await fetch(blobUrl(guarded, layer.digest), { headers: basic('stranger', 'pw-secret-1234'), redirect: 'manual' });
    expect(stranger.status).toBe(403);
    expect(stranger.headers.get('location')).toBeNull();
    const puller = await fetch(blobUrl(guarded, layer.digest), { headers: basic('puller', 'pw-secret-1234'), redirect: 'manual' });
    expect(puller.status).toBe(307);
    const direct = await fetch(puller.headers.get('location')!);
    expect(sha256(new Uint8Array(await direct.arrayBuffer()))).toBe(layer.digest);
    // skopeo with credentials: the redirect goes to another port of the same host (Basic auth must not spoil the presigned GET).
    const out = join(fixture.dir, 'pulled-auth');
    await sandbox.skopeo(['copy', '--src-tls-verify=false', '--src-creds', 'puller:pw-secret-1234', `docker://${guarded.host}/${REPO}:v1`, `oci:${out}:v1`]);
    expect(sha256(readFileSync(join(out, 'blobs', 'sha256', layer.digest.slice(7))))).toBe(layer.digest);
  });
});
