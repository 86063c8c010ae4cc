import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDigest } from '../core/digest';
import { toRegistryError } from '../core/error-mapping';
import { InvalidManifestError, InvalidReferenceError, NotFoundError } from '../core/errors';
import { MAX_MANIFEST_DESCRIPTORS } from '../core/manifest';
import { MediaType } from '../core/mediatypes';
import { OriginStore } from '../index/origin-store';
import { RegistryIndex } from '../index/registry-index';
import type { StorageDriver } from '../storage/driver';
import { FsDriver } from '../storage/fs-driver';
import { PARALLEL_REFERENCE_CHECKS, Registry } from './registry';

const LAYER = 'application/vnd.oci.image.layer.v1.tar';
const CONFIG = 'application/vnd.oci.image.config.v1+json';
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** Counts reads and stats per path and the most of them in flight at once. */
interface Counts {
  reads: Map<string, number>;
  stats: Map<string, number>;
  inFlight: number;
  most: number;
}

/** The real filesystem driver, every read and stat counted on the way through. */
function counting(driver: StorageDriver): { driver: StorageDriver; counts: Counts; reset(): void } {
  const counts: Counts = { reads: new Map(), stats: new Map(), inFlight: 0, most: 0 };
  const track = async <T>(map: Map<string, number>, path: string, op: () => Promise<T>): Promise<T> => {
    map.set(path, (map.get(path) ?? 0) + 1);
    counts.most = Math.max(counts.most, ++counts.inFlight);
    try {
      return await op();
    } finally {
      counts.inFlight--;
    }
  };
  const wrapped = Object.create(driver) as StorageDriver;
  wrapped.readFile = (path) => track(counts.reads, path, () => driver.readFile(path));
  wrapped.stat = (path) => track(counts.stats, path, () => driver.stat(path));
  return {
    driver: wrapped,
    counts,
    reset() {
      counts.reads.clear();
      counts.stats.clear();
      counts.most = 0;
    },
  };
}

async function registryOnDisk() {
  const dir = mkdtempSync(join(tmpdir(), 'berth-registry-'));
  const index = new RegistryIndex(join(dir, 'index.db'));
  const origins = new OriginStore(join(dir, 'origins.db'));
  const c = counting(new FsDriver(join(dir, 'data'), { fsync: false }));
  const registry = new Registry({ driver: c.driver, index, origins, deleteEnabled: true });
  cleanups.push(() => {
    index.close();
    origins.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { registry, ...c };
}

async function pushBlob(registry: Registry, repo: string, data: Buffer) {
  const d = parseDigest(`sha256:${createHash('sha256').update(data).digest('hex')}`)!;
  const { uuid } = await registry.startUpload(repo);
  await registry.commitUpload(repo, uuid, d, [data][Symbol.iterator]() as unknown as AsyncIterable<Buffer>);
  return { mediaType: LAYER, digest: d.digest, size: data.length };
}

function image(config: { digest: string; size: number }, layers: Array<{ digest: string; size: number; mediaType: string }>) {
  return Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciManifest, config: { ...config, mediaType: CONFIG }, layers }));
}

const linkOf = (digest: string) => `_layers/sha256/${digest.slice('sha256:'.length)}/link`;

describe('Registry.putManifest', () => {
  it('checks each distinct digest once, however often the manifest lists it', async () => {
    const { registry, counts, reset } = await registryOnDisk();
    const config = await pushBlob(registry, 'r/app', Buffer.from('{}'));
    const layer = await pushBlob(registry, 'r/app', randomBytes(100));
    reset();
    await registry.putManifest('r/app', 'v1', image(config, Array.from({ length: MAX_MANIFEST_DESCRIPTORS - 1 }, () => layer)), MediaType.OciManifest);
    const linkReads = (digest: string) => [...counts.reads].filter(([p]) => p.endsWith(linkOf(digest))).reduce((a, [, n]) => a + n, 0);
    expect(linkReads(layer.digest)).toBe(1);
    expect(linkReads(config.digest)).toBe(1);
    const blobStats = (digest: string) => counts.stats.get(`docker/registry/v2/blobs/sha256/${digest.slice(7, 9)}/${digest.slice(7)}/data`);
    expect(blobStats(layer.digest)).toBe(1);
    expect(blobStats(config.digest)).toBe(1);
  });

  it('checks distinct digests a few at a time, not all at once', async () => {
    const { registry, counts, reset } = await registryOnDisk();
    const config = await pushBlob(registry, 'r/app', Buffer.from('{}'));
    const layers = [];
    for (let i = 0; i < 200; i++) layers.push(await pushBlob(registry, 'r/app', randomBytes(20)));
    reset();
    await registry.putManifest('r/app', 'wide', image(config, layers), MediaType.OciManifest);
    expect(counts.reads.size).toBeGreaterThanOrEqual(201);
    expect(counts.most).toBeLessThanOrEqual(PARALLEL_REFERENCE_CHECKS);
  });

  it('refuses a manifest over the descriptor limit with MANIFEST_INVALID naming it, before reading anything', async () => {
    const { registry, counts, reset } = await registryOnDisk();
    const config = await pushBlob(registry, 'r/app', Buffer.from('{}'));
    const layer = await pushBlob(registry, 'r/app', randomBytes(10));
    reset();
    const body = image(config, Array.from({ length: MAX_MANIFEST_DESCRIPTORS }, () => layer));
    const err = await registry.putManifest('r/app', 'fan', body, MediaType.OciManifest).catch((e: unknown) => e);
    // A neutral refusal, which the route answers as MANIFEST_INVALID (core/error-mapping.ts).
    expect(err).toBeInstanceOf(InvalidManifestError);
    expect(err).toMatchObject({ tooMany: { limit: MAX_MANIFEST_DESCRIPTORS, descriptors: MAX_MANIFEST_DESCRIPTORS + 1 } });
    expect(toRegistryError(err)).toMatchObject({ code: 'MANIFEST_INVALID', status: 400, detail: { limit: MAX_MANIFEST_DESCRIPTORS, descriptors: MAX_MANIFEST_DESCRIPTORS + 1 } });
    expect((err as Error).message).toContain(String(MAX_MANIFEST_DESCRIPTORS));
    expect(counts.reads.size + counts.stats.size).toBe(0);
  });
});

describe('Registry references that are neither a tag nor a digest', () => {
  const bad = ['-lead', 'a'.repeat(129), 'caf\u00e9', 'sha256:zz', `sha256:${'A'.repeat(64)}`, 'md5:abc'];

  it('are unknown manifests on get and delete, and invalid on put', async () => {
    const { registry } = await registryOnDisk();
    for (const ref of bad) {
      await expect(registry.getManifest('r/app', ref), ref).rejects.toBeInstanceOf(NotFoundError);
      await expect(registry.deleteManifest('r/app', ref), ref).rejects.toBeInstanceOf(NotFoundError);
      const put = await registry.putManifest('r/app', ref, Buffer.from('{}'), MediaType.OciManifest).catch((e: unknown) => e);
      expect(put, ref).toBeInstanceOf(InvalidReferenceError);
    }
  });
});
