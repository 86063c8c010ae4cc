/**
 * One behaviour suite, two implementations: the RegistryService contract run against the local
 * registry and against the pull-through cache wrapped around one (its upstream a real Berth on
 * loopback, holding nothing the suite asks for, so the wrapper must behave exactly as the local
 * registry). Then what only the wrapper does: content the upstream has is fetched, kept and served.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseDigest } from '../../src-server/core/digest';
import { NotFoundError } from '../../src-server/core/errors';
import { silentLogger } from '../../src-server/logger';
import { createPullThrough, createUpstream, PullThroughRegistry, type Upstream } from '../../src-server/proxy/pull-through';
import type { RegistryService } from '../../src-server/registry/service';
import { createServices, type Services } from '../../src-server/services';
import { startApi, type ApiRegistry } from '../api/harness';
import { putImage } from '../gc/fixtures';
import { tempDir } from '../helpers/berth-server';
import { readAll } from '../helpers/driver-contract';
import { registryContract } from '../helpers/registry-contract';

/** A local registry's services on a fresh temp dir. */
async function localServices(): Promise<{ services: Services; close(): void }> {
  const tmp = tempDir('berth-service-');
  const services = await createServices({ dataDir: tmp.dir, fsync: false, log: silentLogger });
  return {
    services,
    close: () => {
      services.close();
      tmp.cleanup();
    },
  };
}

registryContract('the local registry', async () => {
  const { services, close } = await localServices();
  return { registry: services.registry, close };
});

registryContract('the pull-through cache around it', async () => {
  const upstream = await startApi();
  const { services, close } = await localServices();
  return {
    registry: createPullThrough(services.registry, { remoteUrl: upstream.base, tagTtlMs: 0 }, silentLogger),
    close: async () => {
      close();
      await upstream.close();
    },
  };
});

describe('the pull-through cache, for content only its upstream has', () => {
  let upstream: ApiRegistry;
  let local: Awaited<ReturnType<typeof localServices>>;
  let cache: RegistryService;
  /** Paths the upstream was asked for. */
  let asked: string[];

  beforeEach(async () => {
    upstream = await startApi();
    local = await localServices();
    asked = [];
    // The real upstream, every question to it noted on the way.
    const real = createUpstream(local.services.registry, { remoteUrl: upstream.base, tagTtlMs: 0 }, silentLogger);
    const noted: Upstream = {
      url: real.url,
      manifests: { prepare: (repo, ref) => (asked.push(`manifest ${repo}:${ref}`), real.manifests.prepare(repo, ref)) },
      blobs: {
        stat: (repo, d) => (asked.push(`stat ${repo}@${d.digest}`), real.blobs.stat(repo, d)),
        open: (repo, d, request) => (asked.push(`open ${repo}@${d.digest}`), real.blobs.open(repo, d, request)),
      },
    };
    cache = new PullThroughRegistry(local.services.registry, (repo) => (repo.startsWith('lib/') ? noted : null));
  });
  afterEach(async () => {
    local.close();
    await upstream.close();
  });

  it('brings a manifest on its first read and keeps it as cached', async () => {
    const image = await putImage(upstream.services.registry, 'lib/app', 'v1');
    const got = await cache.getManifest('lib/app', 'v1');
    expect(got.digest).toBe(image.desc.digest);
    expect(await local.services.registry.currentTag('lib/app', 'v1')).toBe(image.desc.digest);
    expect(local.services.registry.forBrowsing().tagOrigin('lib/app', 'v1')).toMatchObject({ source: 'cached', upstream: upstream.base });
  });

  it('answers a blob check with the upstream size without fetching it, and caches it on a read', async () => {
    const image = await putImage(upstream.services.registry, 'lib/app', 'v1');
    await cache.getManifest('lib/app', 'v1');
    const layer = image.layers[0]!;
    const d = parseDigest(layer.digest)!;
    expect(await cache.claimBlob('lib/app', d)).toBe(layer.size);
    await expect(local.services.registry.statBlob('lib/app', d)).rejects.toBeInstanceOf(NotFoundError);
    const opened = await cache.openBlob('lib/app', d, { range: () => undefined, file: true });
    if (!('stream' in opened)) throw new Error('a blob from the upstream streams');
    const bytes = await readAll(opened.stream);
    expect(bytes.length).toBe(layer.size);
    expect(await local.services.registry.statBlob('lib/app', d)).toBe(layer.size);
    expect(local.services.registry.forBrowsing().tagOrigin('lib/app', 'v1')?.source).toBe('cached');
  });

  it('sends only the range asked for, while caching the whole blob', async () => {
    const image = await putImage(upstream.services.registry, 'lib/app', 'v1', { layers: [] });
    await cache.getManifest('lib/app', 'v1');
    const d = parseDigest(image.config.digest)!;
    const opened = await cache.openBlob('lib/app', d, { range: (size) => ({ start: 2, end: size - 3 }) });
    if (!('stream' in opened)) throw new Error('a blob from the upstream streams');
    expect((await readAll(opened.stream)).length).toBe(image.config.size - 4);
    expect(await local.services.registry.statBlob('lib/app', d)).toBe(image.config.size);
  });

  it('never asks the upstream about a reference that is neither a tag nor a digest, nor about blobs it holds', async () => {
    for (const ref of ['-lead', 'sha256:zz', 'md5:abc']) await expect(cache.getManifest('lib/app', ref)).rejects.toBeInstanceOf(NotFoundError);
    const mine = await putImage(cache, 'lib/mine', 'v1');
    const d = parseDigest(mine.layers[0]!.digest)!;
    expect(await cache.statBlob('lib/mine', d)).toBe(mine.layers[0]!.size);
    await cache.openBlob('lib/mine', d, { range: () => undefined }).then((c) => ('stream' in c ? readAll(c.stream) : null));
    expect(asked).toEqual([]);
    // A repository the chooser gives no upstream is local only, whatever is missing.
    await expect(cache.getManifest('other/app', 'v1')).rejects.toBeInstanceOf(NotFoundError);
    await expect(cache.statBlob('other/app', d)).rejects.toBeInstanceOf(NotFoundError);
    expect(asked).toEqual([]);
    // The cache looks at a tag before serving it, and a tag pushed here wins over the upstream's.
    await putImage(upstream.services.registry, 'lib/mine', 'v1');
    expect((await cache.getManifest('lib/mine', 'v1')).digest).toBe(mine.desc.digest);
    expect(asked).toEqual(['manifest lib/mine:v1']);
  });

  it('a blob neither side has is not found, and nothing is left behind', async () => {
    const d = parseDigest(`sha256:${randomBytes(32).toString('hex')}`)!;
    await expect(cache.statBlob('lib/app', d)).rejects.toBeInstanceOf(NotFoundError);
    await expect(cache.openBlob('lib/app', d, { range: () => undefined })).rejects.toBeInstanceOf(NotFoundError);
    expect(local.services.registry.catalog(10)).toEqual([]);
  });
});
