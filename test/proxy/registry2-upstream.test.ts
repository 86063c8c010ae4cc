/**
 * The pull-through cache in front of registry:2 (`docker-registry`): single-platform and
 * multi-platform (`--all`) images pulled cold, then warm with registry:2 stopped.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningBerth, tempDir } from '../helpers/berth-server';
import { containersSandbox, getManifest, writeOciLayout, type ContainersSandbox } from '../helpers/images';
import { startRegistry2, type RunningRegistry2 } from '../helpers/registry2';
import { pull, push, startCache } from './harness';

let tmp: ReturnType<typeof tempDir>;
let sandbox: ContainersSandbox;
let upstream: RunningRegistry2;
let cache: RunningBerth;
const digests: Record<string, string> = {};
const cold: Record<string, Awaited<ReturnType<typeof pull>>> = {};

beforeAll(async () => {
  tmp = tempDir('berth-proxy-r2-');
  sandbox = containersSandbox(join(tmp.dir, 'containers'));
  const single = join(tmp.dir, 'single');
  const multi = join(tmp.dir, 'multi');
  writeOciLayout(single);
  writeOciLayout(multi, { platforms: [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }] });
  mkdirSync(join(tmp.dir, 'r2'));
  upstream = await startRegistry2(join(tmp.dir, 'r2'), tmp.dir);
  await Promise.all([push(sandbox, single, upstream.host, 'lib/single:1'), push(sandbox, multi, upstream.host, 'lib/multi:1', undefined, ['--all'])]);
  for (const repo of ['lib/single', 'lib/multi']) digests[repo] = (await getManifest(upstream.url, repo, '1')).digest!;
  cache = await startCache(join(tmp.dir, 'cache'), { remoteurl: upstream.url });
});

afterAll(async () => {
  await Promise.all([upstream?.stop(), cache?.stop()]);
  sandbox?.cleanup();
  tmp?.cleanup();
});

describe('pull-through cache of registry:2', () => {
  it('pulls a single-platform image and a multi-platform one with --all, cold', async () => {
    cold.single = await pull(sandbox, cache.host, 'lib/single:1', tmp.dir);
    expect(cold.single.digest).toBe(digests['lib/single']);
    cold.multi = await pull(sandbox, cache.host, 'lib/multi:1', tmp.dir, ['--all']);
    expect(cold.multi.digest).toBe(digests['lib/multi']);
    expect(cold.multi.children.size).toBe(2);
    // Every platform's blobs came through: two configs and two layers each.
    expect(cold.multi.blobs.size).toBe(6);
  });

  it('pulls the same again with registry:2 stopped', async () => {
    await upstream.stop();
    const single = await pull(sandbox, cache.host, 'lib/single:1', tmp.dir);
    const multi = await pull(sandbox, cache.host, 'lib/multi:1', tmp.dir, ['--all']);
    for (const [warm, was] of [[single, cold.single!], [multi, cold.multi!]] as const) {
      expect(warm.manifest.equals(was.manifest)).toBe(true);
      expect([...warm.children.keys()].sort()).toEqual([...was.children.keys()].sort());
      expect([...warm.blobs.keys()].sort()).toEqual([...was.blobs.keys()].sort());
    }
  });
});
