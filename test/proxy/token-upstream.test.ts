/**
 * The pull-through cache in front of a `berth serve --auth token`: the cache answers the Bearer
 * challenge through the upstream's /token with its credentials, pulls cold with skopeo, and serves
 * warm pulls once the upstream is gone.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningBerth, tempDir } from '../helpers/berth-server';
import { containersSandbox, writeOciLayout, type ContainersSandbox } from '../helpers/images';
import { pull, push, startCache, startUpstream, UP_PASSWORD, UP_USER, withOrigins } from './harness';

let tmp: ReturnType<typeof tempDir>;
let sandbox: ContainersSandbox;
let up: RunningBerth;
let cache: RunningBerth;
let anonymous: RunningBerth;
let image: { dir: string; digest: string; blobs: string[] };

beforeAll(async () => {
  tmp = tempDir('berth-proxy-token-');
  sandbox = containersSandbox(join(tmp.dir, 'containers'));
  const dir = join(tmp.dir, 'layout');
  const { layout, top } = writeOciLayout(dir);
  image = { dir, digest: top.digest, blobs: layout.reachable('latest').filter((d) => d !== top.digest) };
  up = await startUpstream(join(tmp.dir, 'upstream'), 'token');
  await push(sandbox, dir, up.host, 'team/app:v1', `${UP_USER}:${UP_PASSWORD}`);
  [cache, anonymous] = await Promise.all([
    startCache(join(tmp.dir, 'cache'), { remoteurl: up.url, username: UP_USER, password: UP_PASSWORD, tagttl: '0' }),
    startCache(join(tmp.dir, 'anonymous'), { remoteurl: up.url }),
  ]);
});

afterAll(async () => {
  await Promise.all([up, cache, anonymous].map((b) => b?.stop()));
  sandbox?.cleanup();
  tmp?.cleanup();
});

describe('pull-through cache of a berth serve with token auth', () => {
  it('pulls cold through a Bearer token fetched with its credentials', async () => {
    const img = await pull(sandbox, cache.host, 'team/app:v1', tmp.dir);
    expect(img.digest).toBe(image.digest);
    expect([...img.blobs.keys()].sort()).toEqual([...image.blobs].sort());
  });

  it('tells a client that the upstream wants credentials when the cache has none', async () => {
    const res = await fetch(`${anonymous.url}/v2/team/app/manifests/v1`);
    expect(res.status).toBe(403);
    const body = (await res.json()) as { errors: Array<{ code: string; message: string }> };
    expect(body.errors[0]).toMatchObject({ code: 'DENIED', message: expect.stringMatching(/requires credentials: set proxy.username/) });
  });

  it('pulls warm with the upstream stopped, and records the content as cached', async () => {
    await up.stop();
    expect((await pull(sandbox, cache.host, 'team/app:v1', tmp.dir)).digest).toBe(image.digest);
    await cache.stop();
    withOrigins(cache.dataDir, (o) => {
      expect(o.tag('team/app', 'v1')).toMatchObject({ source: 'cached', upstream: up.url, digest: image.digest });
      for (const b of image.blobs) expect(o.blob(b)).toMatchObject({ source: 'cached', upstream: up.url });
    });
  });
});
