/**
 * The pull-through cache in front of another `berth serve` with Basic auth, with real processes
 * and skopeo: cold and warm pulls (the upstream stopped), blobs streamed while cached (concurrent,
 * cut off, ranged), local pushes beside cached content, tag refresh by tagttl, and clean errors.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningBerth, tempDir } from '../helpers/berth-server';
import { ALL_MANIFEST_TYPES, containersSandbox, digestOf, getManifest, writeOciLayout, type ContainersSandbox, type OciLayout } from '../helpers/images';
import { errorOf, leftoverUploads, pull, push, startCache, startUpstream, UP_PASSWORD, UP_USER, withOrigins } from './harness';

let tmp: ReturnType<typeof tempDir>;
let sandbox: ContainersSandbox;
let up: RunningBerth;
/** tagttl 0: asks the upstream on every pull. */
let fresh: RunningBerth;
/** tagttl 1h: serves cached tags without asking. */
let lazy: RunningBerth;
/** Wrong upstream password. */
let badCreds: RunningBerth;
const layouts: Record<'v1' | 'v2' | 'v3' | 'big', { dir: string; layout: OciLayout; digest: string; blobs: string[] }> = {} as never;
const upCreds = `${UP_USER}:${UP_PASSWORD}`;

beforeAll(async () => {
  tmp = tempDir('berth-proxy-');
  sandbox = containersSandbox(join(tmp.dir, 'containers'));
  for (const name of ['v1', 'v2', 'v3', 'big'] as const) {
    const dir = join(tmp.dir, `layout-${name}`);
    const layers = name === 'big' ? [1, 2, 3].map((i) => [{ path: `data/big-${i}.bin`, data: randomBytes(3 << 20) }]) : undefined;
    const { layout, top } = writeOciLayout(dir, { layers });
    layouts[name] = { dir, layout, digest: top.digest, blobs: layout.reachable('latest').filter((d) => d !== top.digest) };
  }
  up = await startUpstream(join(tmp.dir, 'upstream'), 'basic');
  await Promise.all([
    push(sandbox, layouts.v1.dir, up.host, 'lib/app:1', upCreds),
    push(sandbox, layouts.v1.dir, up.host, 'lib/app:latest', upCreds),
    push(sandbox, layouts.big.dir, up.host, 'lib/big:1', upCreds),
    push(sandbox, layouts.v3.dir, up.host, 'lib/other:1', upCreds),
  ]);
  const proxy = { remoteurl: up.url, username: UP_USER, password: UP_PASSWORD };
  [fresh, lazy, badCreds] = await Promise.all([
    startCache(join(tmp.dir, 'fresh'), { ...proxy, tagttl: '0' }),
    startCache(join(tmp.dir, 'lazy'), { ...proxy, tagttl: '1h' }),
    startCache(join(tmp.dir, 'bad'), { ...proxy, password: 'not-the-password' }),
  ]);
});

afterAll(async () => {
  await Promise.all([up, fresh, lazy, badCreds].map((b) => b?.stop()));
  sandbox?.cleanup();
  tmp?.cleanup();
});

const layerOf = (name: keyof typeof layouts, i: number) => {
  const m = layouts[name].layout.json(layouts[name].digest) as { layers: Array<{ digest: string; size: number }> };
  return m.layers[i]!;
};
const blobUrl = (b: RunningBerth, repo: string, digest: string) => `${b.url}/v2/${repo}/blobs/${digest}`;
const sha = (b: ArrayBuffer) => digestOf(Buffer.from(b));

describe('pull-through cache of a berth serve with Basic auth', () => {
  it('pulls cold through the cache: the upstream image, byte for byte', async () => {
    for (const cache of [fresh, lazy]) {
      const img = await pull(sandbox, cache.host, 'lib/app:1', tmp.dir);
      expect(img.digest).toBe(layouts.v1.digest);
      expect([...img.blobs.keys()].sort()).toEqual([...layouts.v1.blobs].sort());
    }
    expect(fresh.output()).toMatch(/pull-through cache of http:\/\/127\.0\.0\.1:\d+ as mirror/);
    expect(fresh.output()).not.toContain(UP_PASSWORD);
  });

  it('streams uncached blobs while caching them: a client that goes away, two at once, a Range, a HEAD', async () => {
    const m = await getManifest(fresh.url, 'lib/big', '1');
    expect(m.digest).toBe(layouts.big.digest);
    const [l0, l1, l2] = [layerOf('big', 0), layerOf('big', 1), layerOf('big', 2)];

    // A client that reads one chunk and leaves: nothing corrupt becomes visible, the blob is whole later.
    const ac = new AbortController();
    const cut = await fetch(blobUrl(fresh, 'lib/big', l0.digest), { signal: ac.signal });
    expect(cut.status).toBe(200);
    await cut.body!.getReader().read();
    ac.abort();
    const again = await fetch(blobUrl(fresh, 'lib/big', l0.digest));
    expect(sha(await again.arrayBuffer())).toBe(l0.digest);

    const both = await Promise.all([0, 1].map(() => fetch(blobUrl(fresh, 'lib/big', l1.digest))));
    for (const res of both) {
      expect(res.status).toBe(200);
      expect(res.headers.get('content-length')).toBe(String(l1.size));
      expect(res.headers.get('docker-content-digest')).toBe(l1.digest);
      expect(sha(await res.arrayBuffer())).toBe(l1.digest);
    }

    const ranged = await fetch(blobUrl(fresh, 'lib/big', l2.digest), { headers: { Range: 'bytes=1000-1999' } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-range')).toBe(`bytes 1000-1999/${l2.size}`);
    const whole = layouts.big.layout.blob(l2.digest);
    expect(Buffer.from(await ranged.arrayBuffer()).equals(whole.subarray(1000, 2000))).toBe(true);

    // HEAD asks the upstream and caches nothing.
    const config = (layouts.big.layout.json(layouts.big.digest) as { config: { digest: string; size: number } }).config;
    const head = await fetch(blobUrl(fresh, 'lib/big', config.digest), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(config.size));
    const hex = config.digest.slice('sha256:'.length);
    expect(existsSync(join(fresh.dataDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data'))).toBe(false);

    // Every upload of those streams finishes (committed or cancelled); what is stored is right.
    const deadline = Date.now() + 20_000;
    while (leftoverUploads(fresh.dataDir, 'lib/big').length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(leftoverUploads(fresh.dataDir, 'lib/big')).toEqual([]);
    for (const l of [l0, l1, l2]) {
      const h = l.digest.slice('sha256:'.length);
      const stored = readFileSync(join(fresh.dataDir, 'docker/registry/v2/blobs/sha256', h.slice(0, 2), h, 'data'));
      expect(digestOf(stored)).toBe(l.digest);
    }
  });

  it('answers unknown content and refused credentials with the spec JSON errors, never a 500', async () => {
    const missing = await fetch(`${fresh.url}/v2/lib/nope/manifests/1`, { headers: { Accept: ALL_MANIFEST_TYPES } });
    expect(missing.status).toBe(404);
    expect((await errorOf(missing)).code).toBe('MANIFEST_UNKNOWN');
    const noBlob = `sha256:${'0'.repeat(64)}`;
    const blob = await fetch(blobUrl(fresh, 'lib/app', noBlob));
    expect(blob.status).toBe(404);
    expect((await errorOf(blob)).code).toBe('BLOB_UNKNOWN');
    expect((await fetch(blobUrl(fresh, 'lib/app', noBlob), { method: 'HEAD' })).status).toBe(404);

    const denied = await fetch(`${badCreds.url}/v2/lib/app/manifests/1`, { headers: { Accept: ALL_MANIFEST_TYPES } });
    expect(denied.status).toBe(403);
    const err = await errorOf(denied);
    expect(err.code).toBe('DENIED');
    expect(err.message).toMatch(/upstream registry refused Berth's credentials/);
    const deniedBlob = await fetch(blobUrl(badCreds, 'lib/app', layerOf('v1', 0).digest));
    expect(deniedBlob.status).toBe(403);
    expect(badCreds.output()).not.toContain('not-the-password');
  });

  it('takes pushes beside cached content; a pushed tag wins over the upstream for good; lists stay local', async () => {
    await push(sandbox, layouts.v3.dir, fresh.host, 'mine/tool:1');
    expect((await pull(sandbox, fresh.host, 'mine/tool:1', tmp.dir)).digest).toBe(layouts.v3.digest);

    expect((await getManifest(fresh.url, 'lib/app', 'latest')).digest).toBe(layouts.v1.digest);
    await push(sandbox, layouts.v3.dir, fresh.host, 'lib/app:latest');
    await push(sandbox, layouts.v2.dir, up.host, 'lib/app:latest', upCreds);
    // tagttl is 0 here: the upstream would be asked on every pull, were the tag not pushed.
    for (let i = 0; i < 2; i++) expect((await pull(sandbox, fresh.host, 'lib/app:latest', tmp.dir)).digest).toBe(layouts.v3.digest);

    const catalog = (await (await fetch(`${fresh.url}/v2/_catalog`)).json()) as { repositories: string[] };
    expect(catalog.repositories).toEqual(['lib/app', 'lib/big', 'mine/tool']);
    const tags = (await (await fetch(`${fresh.url}/v2/lib/app/tags/list`)).json()) as { tags: string[] };
    expect(tags.tags).toEqual(['1', 'latest']);
    expect((await fetch(`${fresh.url}/v2/lib/other/tags/list`)).status).toBe(404);
  });

  it('refreshes a tag the upstream moved when tagttl has run out, and not before', async () => {
    await push(sandbox, layouts.v2.dir, up.host, 'lib/app:1', upCreds);
    const moved = await pull(sandbox, fresh.host, 'lib/app:1', tmp.dir);
    expect(moved.digest).toBe(layouts.v2.digest);
    expect((await getManifest(lazy.url, 'lib/app', '1')).digest).toBe(layouts.v1.digest);
  });

  it('serves cached images with the upstream stopped; what was never cached is a clean 502', async () => {
    await up.stop();
    expect((await pull(sandbox, lazy.host, 'lib/app:1', tmp.dir)).digest).toBe(layouts.v1.digest);
    // tagttl 0: the upstream cannot be asked, so the cached copy is served with a warning.
    expect((await pull(sandbox, fresh.host, 'lib/app:1', tmp.dir)).digest).toBe(layouts.v2.digest);
    expect(fresh.output()).toMatch(/WARN .*serving the cached lib\/app:1/);
    const gone = await fetch(`${fresh.url}/v2/lib/other/manifests/1`, { headers: { Accept: ALL_MANIFEST_TYPES } });
    expect(gone.status).toBe(502);
    expect((await errorOf(gone)).message).toMatch(/upstream registry is unavailable/);
  });

  it('records cached content as cached from the upstream, and pushes as pushed', async () => {
    await Promise.all([fresh.stop(), lazy.stop()]);
    for (const b of [fresh, lazy, badCreds]) expect(b.output()).not.toMatch(/ ERROR /);
    withOrigins(lazy.dataDir, (o) => {
      expect(o.tag('lib/app', '1')).toMatchObject({ source: 'cached', upstream: up.url, digest: layouts.v1.digest });
      expect(o.manifest('lib/app', layouts.v1.digest)).toMatchObject({ source: 'cached', upstream: up.url });
      for (const b of layouts.v1.blobs) expect(o.blob(b), b).toMatchObject({ source: 'cached', upstream: up.url });
    });
    withOrigins(fresh.dataDir, (o) => {
      expect(o.tag('lib/app', '1')).toMatchObject({ source: 'cached', digest: layouts.v2.digest });
      expect(o.tag('lib/app', 'latest')).toMatchObject({ source: 'pushed', upstream: null, digest: layouts.v3.digest });
      expect(o.tag('mine/tool', '1')).toMatchObject({ source: 'pushed' });
      expect(o.blob(layerOf('big', 1).digest)).toMatchObject({ source: 'cached' });
    });
  });
});
