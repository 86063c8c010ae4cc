/**
 * Scale check (not timed; bench measures time): 10,000 repositories over 5,000 manifests, built
 * straight into the index and the blob store, and every repository row comes back right.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UsageReport } from '../../src-server/contract';
import { parseManifest } from '../../src-server/core/manifest';
import { silentLogger } from '../../src-server/logger';
import { createServices, type Services } from '../../src-server/services';
import { registryUsage, repositoryUsage } from '../../src-server/usage/usage';
import { MT } from '../api/harness';

const REPOS = 10_000;
/** Repositories 0..OWN-1 each own one manifest; the rest share SHARED manifests round-robin. */
const OWN = 3_000;
const SHARED = 2_000;

// Ten thousand small files: on tmpfs where there is one, so the set-up costs memory, not disk waits.
const tmpRoot = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'berth-usage-scale-'));
const tmp = { dir: tmpRoot, cleanup: () => rmSync(tmpRoot, { recursive: true, force: true }) };
let services: Services;
let report: UsageReport;
const blobSizes: number[] = [];
const manifestBlobs: Array<{ manifest: number; config: number }> = [];
let baseSize = 0;

/** Writes content into the blob store the way registry:2 lays it out; returns its descriptor. */
function writeBlob(data: Buffer, mediaType: string) {
  const hex = createHash('sha256').update(data).digest('hex');
  const dir = join(tmp.dir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'data'), data);
  blobSizes.push(data.length);
  return { mediaType, digest: `sha256:${hex}`, size: data.length };
}

beforeAll(async () => {
  services = await createServices({ dataDir: tmp.dir, fsync: false, log: silentLogger });
  const base = writeBlob(randomBytes(10_000), MT.ociLayer);
  baseSize = base.size;
  const manifests: Array<{ digest: string; size: number; body: Buffer }> = [];
  for (let i = 0; i < OWN + SHARED; i++) {
    const config = writeBlob(Buffer.from(JSON.stringify({ os: 'linux', architecture: 'amd64', n: i, pad: 'x'.repeat(i % 300) })), MT.ociConfig);
    const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MT.ociManifest, config, layers: [base] }));
    const m = writeBlob(body, MT.ociManifest);
    manifests.push({ digest: m.digest, size: m.size, body });
    manifestBlobs.push({ manifest: m.size, config: config.size });
  }
  const index = services.index;
  index.db.transaction(() => {
    for (let r = 0; r < REPOS; r++) {
      const m = manifests[r < OWN ? r : OWN + ((r - OWN) % SHARED)]!;
      const repo = `team/r${String(r).padStart(5, '0')}`;
      index.addManifest(repo, { digest: m.digest, size: m.size, info: parseManifest(m.body, MT.ociManifest) });
      index.setTag(repo, 'latest', m.digest);
    }
  })();
  report = await registryUsage(services.registry);
}, 120_000);

afterAll(() => {
  services?.close();
  tmp.cleanup();
});

describe('registryUsage at scale', () => {
  it('returns one correct row per repository', () => {
    expect(report.repositories).toHaveLength(REPOS);
    const byName = new Map(report.repositories.map((r) => [r.name, r]));
    for (let r = 0; r < REPOS; r++) {
      const row = byName.get(`team/r${String(r).padStart(5, '0')}`)!;
      const own = r < OWN;
      const b = manifestBlobs[own ? r : OWN + ((r - OWN) % SHARED)]!;
      const stored = b.manifest + b.config + baseSize;
      // Owned manifests share only the base layer; the round-robin ones are held by 3 or 4 repositories.
      const shared = own ? baseSize : stored;
      if (row.stored !== stored || row.shared !== shared || row.unique !== stored - shared || row.untagged !== 0 || row.tags !== 1 || row.manifests !== 1) {
        expect(row, `repository ${r}`).toEqual({ ...row, stored, shared, unique: stored - shared, untagged: 0, tags: 1, manifests: 1 });
      }
    }
  });

  it('totals every repository, manifest and blob', () => {
    expect(report.totals).toEqual({
      repositories: REPOS,
      manifests: REPOS,
      blobs: blobSizes.length,
      stored: blobSizes.reduce((a, b) => a + b, 0),
      reclaimable: 0,
      reclaimableUntagged: 0,
      trashItems: 0,
      trashHeldBytes: 0,
    });
  });

  it('details one repository among them', async () => {
    const { repository, images } = await repositoryUsage(services.registry, 'team/r03001');
    const b = manifestBlobs[OWN + 1]!;
    const stored = b.manifest + b.config + baseSize;
    expect(repository).toMatchObject({ stored, shared: stored, unique: 0 });
    // The same manifest is an image of two other repositories: all of it is shared.
    expect(images).toEqual([expect.objectContaining({ tags: ['latest'], stored, shared: stored, unique: 0, platforms: [] })]);
  });
});
