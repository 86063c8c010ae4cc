/**
 * The sync bench's pieces at a tiny size (bench/lib/sync-*.ts): the dataset registry:2 serves as it
 * says, the destination check catches missing and different images, a measured skopeo path (real
 * registry:2, real Berth, real skopeo) ends checked, with the no-op run's requests counted, and the
 * report's rows. Correctness only: no timed assertions.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startBerth, type Server } from '../bench/lib/servers';
import { generateSyncDataset, type SyncSizes } from '../bench/lib/sync-dataset';
import { requestKind } from '../bench/lib/sync-proxy';
import { syncMarkdownTable, syncRows, syncTextTable } from '../bench/lib/sync-report';
import { verifySync } from '../bench/lib/sync-verify';
import { syncBench, type SyncResult, type SyncSample } from '../bench/lib/sync-workload';
import { tempDir } from './helpers/berth-server';
import { startRegistry2 } from './helpers/registry2';

/** Two images in one repository: v1.0 a manifest, v1.1 a two-platform index. */
const TINY: SyncSizes = { repositories: 1, tagsPerRepository: 2, baseBytes: [64 * 1024], repositoryLayerBytes: 16 * 1024, ownLayerBytes: 32 * 1024 };

const tmp = tempDir('berth-bench-sync-');
const running: Array<{ stop(): Promise<unknown> }> = [];
afterAll(async () => {
  await Promise.all(running.map((s) => s.stop()));
  tmp.cleanup();
});

describe('sync bench dataset', () => {
  it('writes a registry:2 layout that registry:2 serves image by image as the dataset describes it', async () => {
    const ds = generateSyncDataset(join(tmp.dir, 'ds'), TINY);
    expect(ds.images.map((i) => `${i.repository}:${i.tag}`)).toEqual(['sync-bench/app-00:v1.0', 'sync-bench/app-00:v1.1']);
    expect(ds.indexes).toBe(1);
    expect(ds.images[1]!.children.map((c) => c.platform?.architecture)).toEqual(['amd64', 'arm64']);
    // v1.0: base, repository layer, 2 own, config; the index: twice that, base and repository layer shared.
    expect(ds.images[0]!.blobs).toHaveLength(5);
    expect(new Set(ds.images[1]!.blobs.map((b) => b.digest)).size).toBe(8);
    const registry = await startRegistry2(ds.root, tmp.dir);
    running.push(registry);
    await verifySync(registry.url, ds.images, 'the source');

    // The check names what is wrong: a tag that is not there, a digest that differs.
    const missing = { ...ds.images[0]!, tag: 'v9' };
    await expect(verifySync(registry.url, [missing], 'a wrong destination')).rejects.toThrow(/a wrong destination: 1 of 1 images .*\n\s+sync-bench\/app-00:v9: GET manifest answered 404/);
    const other = { ...ds.images[0]!, digest: ds.images[1]!.digest };
    await expect(verifySync(registry.url, [other], 'x')).rejects.toThrow(/sync-bench\/app-00:v1\.0: manifest digest sha256:[0-9a-f]{64}, the source's is/);
  });

  it('finds an empty Berth missing every image', async () => {
    const ds = generateSyncDataset(join(tmp.dir, 'ds2'), TINY);
    const data = join(tmp.dir, 'empty-berth');
    mkdirSync(data);
    const berth: Server = await startBerth(data, 'source');
    running.push(berth);
    await expect(verifySync(berth.url, ds.images, 'empty Berth')).rejects.toThrow(/empty Berth: 2 of 2 images/);
    rmSync(ds.root, { recursive: true, force: true });
  });

  it('tells the kinds of registry requests apart', () => {
    expect(requestKind('/v2/')).toBe('base');
    expect(requestKind('/v2/_catalog')).toBe('catalog');
    expect(requestKind('/v2/a/b/tags/list')).toBe('tags');
    expect(requestKind('/v2/a/b/manifests/v1.0')).toBe('manifests');
    expect(requestKind('/v2/a/blobs/sha256:00')).toBe('blobs');
    expect(requestKind('/v2/a/blobs/uploads/123')).toBe('uploads');
    expect(requestKind('/v2/a/blobs/uploads/', 'mount=sha256:00&from=b')).toBe('mounts');
    expect(requestKind('/v2/a/blobs/uploads/', 'digest=sha256:00')).toBe('uploads');
  });
});

describe('sync bench, measured', () => {
  it('syncs the dataset with skopeo into a fresh Berth, checks every image, and counts a no-op run’s requests', async () => {
    const lines: string[] = [];
    const { result, failures } = await syncBench({
      tmp: join(tmp.dir, 'bench'), berthMode: 'source', nodeOptions: [], sizes: TINY, runs: 1, paths: ['skopeo'],
      say: (l) => lines.push(l), started: (s) => running.push(s),
    });
    expect(failures).toEqual([]);
    const skopeo = result.paths[0]!;
    expect(skopeo.error).toBeUndefined();
    expect(skopeo.first).toHaveLength(1);
    expect(skopeo.again).toHaveLength(1);
    expect(skopeo.first[0]!.cpu.client).toBeGreaterThan(0);
    // A no-op skopeo run still reads every tag's manifest at the source and asks the destination for it.
    expect(skopeo.noopRequests!.source['GET manifests']).toBeGreaterThanOrEqual(2);
    expect(skopeo.noopRequests!.destinationTotal).toBeGreaterThan(0);
    // ...and uploads no blob again.
    expect(skopeo.noopRequests!.destination['PUT uploads'] ?? 0).toBe(0);
    expect(lines.join('\n')).toMatch(/dataset: 2 images \(1 two-platform indexes\)/);
  });
});

describe('sync bench, berth sync', () => {
  it('syncs the dataset with berth sync (image-syncer files, and a sync.yml job into the local registry), every image checked, then skips them all', async () => {
    const { result, failures } = await syncBench({
      tmp: join(tmp.dir, 'bench-berth'), berthMode: 'source', nodeOptions: [], sizes: TINY, runs: 1, paths: ['berth-files', 'berth-local'],
      say: () => {}, started: (s) => running.push(s),
    });
    expect(failures).toEqual([]);
    for (const p of result.paths) {
      expect(p.error).toBeUndefined();
      expect(p.first[0]!.summary).toMatchObject({ copied: 2, skipped: 0, failed: 0 });
      expect(p.again[0]!.summary).toMatchObject({ copied: 0, skipped: 2, failed: 0 });
      // The run with nothing new reads no blob at the source.
      expect(p.noopRequests!.source['GET blobs'] ?? 0).toBe(0);
      expect(p.noopRequests!.sourceTotal).toBeGreaterThan(0);
    }
    expect(result.ratios['berth-files']).toBeNull(); // skopeo did not run: no ratio
  });
});

describe('sync bench report', () => {
  const sample = (wallMs: number, client = 1000): SyncSample => ({ wallMs, cpu: { client, server: 2000, registry: 500 } });
  const result = (berthWall: number, againWall: number, error?: string): SyncResult => ({
    dataset: { images: 50, indexes: 5, repositories: 10, bytes: 209_546_262, writeMs: 5000 },
    runs: 3,
    proc: null,
    paths: [
      { id: 'skopeo', title: 'skopeo sync', first: [sample(8000), sample(9000), sample(10_000)], again: [sample(600)], noopRequests: { wallMs: 700, source: {}, destination: {}, sourceTotal: 160, destinationTotal: 170, sourceMaxInFlight: 1, destinationMaxInFlight: 1, sourceBytes: 0 } },
      { id: 'berth-files', title: 'berth sync files', first: [sample(berthWall)], again: [sample(againWall)], noopRequests: null, ...(error ? { error } : {}) },
    ],
    ratios: { 'berth-files': error ? null : berthWall / 9000 },
    targets: { ratio: 1, noopMs: 2000 },
  });

  it('gives Berth’s median time over skopeo’s against ≤ 1.0x and the no-op run against 2 s', () => {
    const rows = syncRows(result(4500, 2500));
    expect(rows[0]!.slice(0, 2)).toEqual(['skopeo sync', '9.00 s']);
    // CPU per image: (1 + 2 + 0.5 s) / 50.
    expect(rows[0]![5]).toBe('70.0 ms');
    expect(rows[1]!.slice(-3)).toEqual(['0.50x', '≤ 1.0x', 'PASS']);
    expect(rows[2]![6]).toBe('160 / 170');
    expect(rows[3]!.slice(-2)).toEqual(['< 2 s', 'FAIL']);
    expect(syncRows(result(9900, 1500))[1]!.at(-1)).toBe('FAIL');
    expect(syncRows(result(9900, 1500))[3]!.at(-1)).toBe('PASS');
  });

  it('marks a failed path and keeps the tables aligned', () => {
    const r = result(0, 0, 'berth sync exited with 1');
    expect(syncRows(r)[1]).toEqual(['berth sync files', 'error', '', '', '', '', '', '', '', 'FAIL']);
    const lines = syncTextTable(r).split('\n');
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
    expect(syncMarkdownTable(r).split('\n')[0]).toMatch(/^\| Sync from registry:2 into Berth: 50 images \(5 two-platform\), 210 MB \| Wall \|/);
  });
});
