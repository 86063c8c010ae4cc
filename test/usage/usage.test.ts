/**
 * Usage accounting on a real registry (real Koa app on loopback, real disk, real SQLite): every
 * number is checked exactly against sums of the known blob sizes.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageUsage, RepositoryUsage, UsageReport } from '../../src-server/contract';
import { NotFoundError } from '../../src-server/core/errors';
import { planCollection } from '../../src-server/gc/collect';
import { silentLogger } from '../../src-server/logger';
import { createServices } from '../../src-server/services';
import { registryUsage, repositoryUsage } from '../../src-server/usage/usage';
import { MT, digest, putBlob, putManifest, startApi, type ApiRegistry } from '../api/harness';
import { tempDir } from '../helpers/berth-server';
import { pushRandomImage } from '../helpers/push';
import { startRegistry2 } from '../helpers/registry2';

/** Sizes of everything pushed, by a short name. */
const size = new Map<string, number>();
const digestOf = new Map<string, string>();
const sum = (...names: string[]) => names.reduce((a, n) => a + size.get(n)!, 0);

let api: ApiRegistry;
let startedAt: number;

async function blob(repo: string, name: string, bytes: number): Promise<{ mediaType: string; digest: string; size: number }> {
  let d = digestOf.get(name);
  const data = d ? null : randomBytes(bytes);
  if (data) {
    d = await putBlob(api.port, repo, data);
    digestOf.set(name, d);
    size.set(name, bytes);
  } else {
    // Already stored: push the same digest into this repository by mounting it.
    const res = await fetch(`${api.base}/v2/${repo}/blobs/uploads/?mount=${d}`, { method: 'POST' });
    expect(res.status).toBe(201);
  }
  return { mediaType: MT.ociLayer, digest: d!, size: size.get(name)! };
}

/** PUTs a manifest under a tag, or by its digest when `ref` is null; records its size. */
async function manifest(repo: string, ref: string | null, name: string, body: object, mediaType: string = MT.ociManifest): Promise<string> {
  const text = JSON.stringify(body);
  const d = await putManifest(api.port, repo, ref ?? digest(text), text, mediaType);
  digestOf.set(name, d);
  size.set(name, Buffer.byteLength(text));
  return d;
}

/** Pushes a config (random size) and layers [name, size], then the image manifest. */
async function image(repo: string, ref: string | null, name: string, config: string, layers: Array<[string, number]>, extra: object = {}) {
  const c = await blob(repo, config, 100 + Math.floor(Math.random() * 50));
  const ls = [];
  for (const [n, s] of layers) ls.push(await blob(repo, n, s));
  const body = { schemaVersion: 2, mediaType: MT.ociManifest, config: { ...c, mediaType: MT.ociConfig }, layers: ls, ...extra };
  return manifest(repo, ref, name, body);
}

const platformDesc = (name: string, architecture: string) => ({
  mediaType: MT.ociManifest,
  digest: digestOf.get(name)!,
  size: size.get(name)!,
  platform: { os: 'linux', architecture },
});

beforeAll(async () => {
  startedAt = Date.now();
  api = await startApi();
  // app:v1 and web:v1 share the base layer B.
  await image('app', 'v1', 'Ma', 'Ca', [['B', 5000], ['La', 1200]]);
  await image('web', 'v1', 'Mw', 'Cw', [['B', 5000], ['Lw', 3000]]);
  // Untagged garbage: an old app image (shares B) and a web image sharing Lw with web:v1.
  await image('app', null, 'Mo', 'Co', [['B', 5000], ['Lo', 700]]);
  await image('web', null, 'Mw2', 'Cw2', [['Lw', 3000]]);
  // A referrer of app:v1 (a signature): untagged, but kept because its subject is tagged.
  await image('app', null, 'R', 'E', [['Ls', 250]], {
    artifactType: 'application/vnd.example.signature',
    subject: { mediaType: MT.ociManifest, digest: digestOf.get('Ma'), size: size.get('Ma') },
  });
  // A multi-arch image whose two platforms share the layer S; children pushed by digest.
  await image('multi', null, 'M1', 'C1', [['S', 4000], ['P1', 900]]);
  await image('multi', null, 'M2', 'C2', [['S', 4000], ['P2', 800]]);
  await manifest('multi', 'latest', 'I', {
    schemaVersion: 2,
    mediaType: MT.ociIndex,
    manifests: [platformDesc('M2', 'arm64'), platformDesc('M1', 'amd64')],
  }, MT.ociIndex);
  // An unreferenced blob: what a plain collection frees.
  await blob('web', 'X', 333);
}, 60_000);

afterAll(async () => {
  await api?.close();
});

const repoRow = (r: UsageReport, name: string): RepositoryUsage => r.repositories.find((x) => x.name === name)!;
const bytes = (stored: number, shared: number) => ({ stored, shared, unique: stored - shared });

describe('registryUsage', () => {
  let report: UsageReport;
  beforeAll(async () => {
    report = await registryUsage(api.services.registry);
  });

  it('counts each repository once per distinct blob, shared with other repositories', () => {
    const app = repoRow(report, 'app');
    // B is in web too; everything else of app (incl. its untagged image and referrer) is app's alone.
    expect(app).toEqual({
      name: 'app',
      tags: 1,
      manifests: 3,
      ...bytes(sum('Ma', 'Ca', 'B', 'La', 'Mo', 'Co', 'Lo', 'R', 'E', 'Ls'), sum('B')),
      untagged: sum('Mo', 'Co', 'Lo'),
    });
    // Lw is held by the tagged web:v1 too, so deleting untagged frees only Mw2 and its config.
    expect(repoRow(report, 'web')).toEqual({
      name: 'web',
      tags: 1,
      manifests: 2,
      ...bytes(sum('Mw', 'Cw', 'B', 'Lw', 'Mw2', 'Cw2'), sum('B')),
      untagged: sum('Mw2', 'Cw2'),
    });
    // Untagged children of a tagged index are not untagged garbage; S counts once.
    expect(repoRow(report, 'multi')).toEqual({
      name: 'multi',
      tags: 1,
      manifests: 3,
      ...bytes(sum('I', 'M1', 'C1', 'S', 'P1', 'M2', 'C2', 'P2'), 0),
      untagged: 0,
    });
  });

  it('sorts repositories by stored bytes, largest first', () => {
    const stored = report.repositories.map((r) => r.stored);
    expect(stored).toEqual([...stored].sort((a, b) => b - a));
    expect(report.repositories.map((r) => r.name).sort()).toEqual(['app', 'multi', 'web']);
  });

  it('totals blobs on disk and what a collection would free', async () => {
    const all = [...size.keys()];
    expect(report.totals).toEqual({
      repositories: 3,
      manifests: 8,
      blobs: all.length,
      stored: sum(...all),
      reclaimable: sum('X'),
      reclaimableUntagged: sum('X', 'Mo', 'Co', 'Lo', 'Mw2', 'Cw2'),
      trashItems: 0,
      trashHeldBytes: 0,
    });
    // The same figures the collector plans with.
    for (const [deleteUntagged, key] of [[false, 'reclaimable'], [true, 'reclaimableUntagged']] as const) {
      const plan = await planCollection(api.services.registry, { deleteUntagged });
      expect(plan.blobs.reduce((a, b) => a + b.size, 0)).toBe(report.totals[key]);
      expect(plan.blobs.length + plan.blobsKept).toBe(report.totals.blobs);
    }
  });
});

describe('repositoryUsage', () => {
  const image = (images: ImageUsage[], name: string) => images.find((i) => i.digest === digestOf.get(name))!;

  it('lists tagged images, untagged ones and referrers, shared with any other image', async () => {
    const detail = await repositoryUsage(api.services.registry, 'app');
    expect(detail.repository).toEqual(repoRow(await registryUsage(api.services.registry), 'app'));
    expect(detail.images.map((i) => i.digest)).toEqual(['Ma', 'Mo', 'R'].map((n) => digestOf.get(n)));
    const v1 = image(detail.images, 'Ma');
    expect(v1).toMatchObject({ tags: ['v1'], mediaType: MT.ociManifest, platforms: [], ...bytes(sum('Ma', 'Ca', 'B', 'La'), sum('B')) });
    expect(v1.subject).toBeUndefined();
    expect(image(detail.images, 'Mo')).toMatchObject({ tags: [], ...bytes(sum('Mo', 'Co', 'B', 'Lo'), sum('B')) });
    // A referrer's subject is not part of it.
    expect(image(detail.images, 'R')).toMatchObject({ tags: [], subject: digestOf.get('Ma'), ...bytes(sum('R', 'E', 'Ls'), 0) });
  });

  it('counts layers shared by images of the same repository as shared', async () => {
    const { images } = await repositoryUsage(api.services.registry, 'web');
    expect(image(images, 'Mw')).toMatchObject({ tags: ['v1'], ...bytes(sum('Mw', 'Cw', 'B', 'Lw'), sum('B', 'Lw')) });
    expect(image(images, 'Mw2')).toMatchObject({ tags: [], ...bytes(sum('Mw2', 'Cw2', 'Lw'), sum('Lw')) });
  });

  it('shows a multi-arch image once, with the bytes its platforms share', async () => {
    const { images } = await repositoryUsage(api.services.registry, 'multi');
    expect(images).toHaveLength(1);
    const [idx] = images;
    expect(idx).toMatchObject({ digest: digestOf.get('I'), tags: ['latest'], mediaType: MT.ociIndex });
    expect(idx!.stored).toBe(sum('I', 'M1', 'C1', 'S', 'P1', 'M2', 'C2', 'P2'));
    expect(idx!.shared).toBe(0);
    expect(idx!.platforms).toEqual([
      { platform: 'linux/amd64', digest: digestOf.get('M1'), ...bytes(sum('M1', 'C1', 'S', 'P1'), sum('S')) },
      { platform: 'linux/arm64', digest: digestOf.get('M2'), ...bytes(sum('M2', 'C2', 'S', 'P2'), sum('S')) },
    ]);
  });

  it('reports pushed content with the time it arrived', async () => {
    const { images } = await repositoryUsage(api.services.registry, 'app');
    for (const i of images) {
      expect(i.origin.source).toBe('pushed');
      expect(i.origin.upstream).toBeNull();
      const at = Date.parse(i.origin.at!);
      expect(at).toBeGreaterThanOrEqual(startedAt - 1000);
      expect(at).toBeLessThanOrEqual(Date.now());
    }
  });

  it('refuses an unknown repository with NotFoundError', async () => {
    await expect(repositoryUsage(api.services.registry, 'nope')).rejects.toBeInstanceOf(NotFoundError);
    await expect(repositoryUsage(api.services.registry, 'nope')).rejects.toThrow('repository not found');
  });
});

describe('origins and content not on disk', () => {
  it('counts a cached manifest whose layers were never fetched as its body only, with its upstream', async () => {
    const tmp = tempDir('berth-usage-cache-');
    const services = await createServices({ dataDir: tmp.dir, fsync: false, log: silentLogger });
    try {
      const layer = { mediaType: MT.ociLayer, digest: `sha256:${'a'.repeat(64)}`, size: 123456 };
      const config = { mediaType: MT.ociConfig, digest: `sha256:${'b'.repeat(64)}`, size: 77 };
      const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MT.ociManifest, config, layers: [layer] }));
      await services.registry.putManifest('library/alpine', '3', body, MT.ociManifest, { cachedFrom: 'https://registry-1.docker.io' });
      const { repository, images } = await repositoryUsage(services.registry, 'library/alpine');
      expect(repository).toMatchObject({ ...bytes(body.length, 0), untagged: 0, tags: 1, manifests: 1 });
      expect(images[0]!.origin).toMatchObject({ source: 'cached', upstream: 'https://registry-1.docker.io' });
      expect(images[0]!.origin.at).toMatch(/^\d{4}-\d\d-\d\dT/);
    } finally {
      services.close();
      tmp.cleanup();
    }
  });

  it('reports content registry:2 wrote as of unknown origin', async () => {
    const tmp = tempDir('berth-usage-r2-');
    const r2 = await startRegistry2(`${tmp.dir}/data`, tmp.dir);
    let pushed;
    try {
      pushed = await pushRandomImage(r2.url, 'legacy', 'old', [2048, 512]);
    } finally {
      await r2.stop();
    }
    const services = await createServices({ dataDir: `${tmp.dir}/data`, fsync: false, log: silentLogger });
    try {
      const { repository, images } = await repositoryUsage(services.registry, 'legacy');
      const m = pushed.manifest;
      const stored = pushed.size + m.config.size + m.layers.reduce((a, l) => a + l.size, 0);
      expect(repository).toMatchObject({ name: 'legacy', tags: 1, manifests: 1, ...bytes(stored, 0), untagged: 0 });
      expect(images).toEqual([
        expect.objectContaining({ digest: pushed.digest, tags: ['old'], origin: { source: 'unknown', upstream: null, at: null } }),
      ]);
    } finally {
      services.close();
      tmp.cleanup();
    }
  });
});
