/**
 * `berth usage` as a user runs it: through a running `berth serve` (its control listener), and
 * in-process when none runs; --json carries the DTO, the tables carry the same numbers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RepositoryUsageDetail, UsageReport } from '../../src-server/contract';
import { runBerth, startBerth, tempDir, type RunningBerth } from '../helpers/berth-server';
import { pushRandomImage, type PushedImage } from '../helpers/push';

let tmp: ReturnType<typeof tempDir>;
let berth: RunningBerth | null = null;
let old: PushedImage;
let current: PushedImage;
let other: PushedImage;

/** Bytes of an image: manifest, config and layers. */
const sizeOf = (img: PushedImage) => img.size + img.manifest.config.size + img.manifest.layers.reduce((a, l) => a + l.size, 0);

beforeAll(async () => {
  tmp = tempDir('berth-usage-cli-');
  berth = await startBerth(tmp.dir);
  old = await pushRandomImage(berth.url, 'team/app', 'v1', [3000, 2000]);
  // Re-pointing the tag leaves the first manifest untagged in the repository.
  current = await pushRandomImage(berth.url, 'team/app', 'v1', [1500]);
  other = await pushRandomImage(berth.url, 'other', 'latest', [700]);
});

afterAll(async () => {
  await berth?.kill();
  tmp?.cleanup();
});

describe('berth usage', () => {
  it('--json reports the registry through the running server', async () => {
    const r = await runBerth(['usage', '--json', '--data', tmp.dir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as UsageReport;
    expect(report.repositories).toEqual([
      { name: 'team/app', tags: 1, manifests: 2, stored: sizeOf(old) + sizeOf(current), shared: 0, unique: sizeOf(old) + sizeOf(current), untagged: sizeOf(old) },
      { name: 'other', tags: 1, manifests: 1, stored: sizeOf(other), shared: 0, unique: sizeOf(other), untagged: 0 },
    ]);
    expect(report.totals).toEqual({
      repositories: 2,
      manifests: 3,
      blobs: 10,
      stored: sizeOf(old) + sizeOf(current) + sizeOf(other),
      reclaimable: 0,
      reclaimableUntagged: sizeOf(old),
      trashItems: 0,
      trashHeldBytes: 0,
    });
  });

  it('prints the repository table and the images of one repository', async () => {
    const all = await runBerth(['usage', '--data', tmp.dir]);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^REPOSITORY +TAGS +MANIFESTS +STORED +SHARED +UNIQUE +UNTAGGED\nteam\/app +1 +2 +[\d.]+ kB +0 B +[\d.]+ kB +[\d.]+ kB\nother +1 +1 /);
    expect(all.stdout).toContain('2 repositories, 3 manifests, 10 blobs using');

    const one = await runBerth(['usage', 'team/app', '--data', tmp.dir]);
    expect(one.code).toBe(0);
    const lines = one.stdout.split('\n');
    expect(lines[0]).toMatch(/^team\/app: 1 tag, 2 manifests; stored [\d.]+ kB, shared 0 B/);
    expect(lines.find((l) => l.startsWith('v1 '))).toMatch(new RegExp(`^v1 +${current.digest.slice(7, 19)} .* pushed \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d$`));
    expect(lines.find((l) => l.startsWith('<untagged>'))).toContain(old.digest.slice(7, 19));
  });

  it('answers an unknown repository with one line and exit code 1', async () => {
    const r = await runBerth(['usage', 'nope/missing', '--data', tmp.dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^berth: .*nope\/missing.*\n$/);
  });

  it('works in-process when no server runs, with the same numbers', async () => {
    await berth!.stop();
    berth = null;
    const r = await runBerth(['usage', 'team/app', '--json', '--data', tmp.dir]);
    expect(r.code).toBe(0);
    const detail = JSON.parse(r.stdout) as RepositoryUsageDetail;
    expect(detail.repository.stored).toBe(sizeOf(old) + sizeOf(current));
    expect(detail.images.map((i) => [i.digest, i.tags, i.stored, i.origin.source])).toEqual([
      [current.digest, ['v1'], sizeOf(current), 'pushed'],
      [old.digest, [], sizeOf(old), 'pushed'],
    ]);
  });
});
