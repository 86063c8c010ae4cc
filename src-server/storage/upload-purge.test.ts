/**
 * Purging abandoned uploads on the real filesystem (FsDriver in a temp dir): uploads made by the
 * UploadStore, then aged by writing an older `startedat` or an older file time.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NotFoundError } from '../core/errors';
import { parseDigest } from '../core/digest';
import { createLogger } from '../logger';
import { BlobStore } from './blobs';
import type { StorageDriver } from './driver';
import { FsDriver } from './fs-driver';
import { paths } from './layout';
import { purgeUploads, startUploadPurging, type PurgeReport } from './upload-purge';
import { UploadStore } from './uploads';

const H = 3_600_000;
const WEEK = 168 * H;
const NOW = new Date();
const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

function setup() {
  const root = mkdtempSync(join(tmpdir(), 'berth-purge-'));
  roots.push(root);
  const driver = new FsDriver(root, { fsync: false });
  const uploads = new UploadStore(driver, new BlobStore(driver));
  /** An upload with `bytes` of data, started `ageMs` ago as `startedat` says (registry:2's format when asked). */
  const upload = async (repo: string, ageMs: number, bytes = 10, format: 'berth' | 'registry2' = 'berth') => {
    const { uuid } = await uploads.start(repo);
    await uploads.append(repo, uuid, (async function* () {
      yield Buffer.alloc(bytes, 1);
    })());
    const at = new Date(NOW.getTime() - ageMs);
    const text = format === 'berth' ? at.toISOString() : at.toISOString().replace(/\.\d+Z$/, 'Z');
    await driver.writeFile(paths.uploadStartedAt(repo, uuid), text);
    return { uuid, startedAt: new Date(text) };
  };
  const exists = (repo: string, uuid: string) => existsSync(driver.localPath(paths.uploadDir(repo, uuid)));
  /** Sets the data file's modification time `ageMs` ago. */
  const ageData = (repo: string, uuid: string, ageMs: number) => {
    const t = new Date(NOW.getTime() - ageMs);
    utimesSync(driver.localPath(paths.uploadData(repo, uuid)), t, t);
    return t;
  };
  return { root, driver, uploads, upload, exists, ageData };
}

describe('purgeUploads on the filesystem', () => {
  it('removes uploads older than the age in every repository, nested names too, and keeps the rest', async () => {
    const { driver, upload, exists } = setup();
    const old1 = await upload('app', WEEK + H, 1234);
    const old2 = await upload('team/app', 30 * 24 * H, 5, 'registry2');
    const old3 = await upload('a/b/c', WEEK + 60_000);
    const young1 = await upload('team/app', WEEK - H);
    const young2 = await upload('app', 0);
    // A repository's content beside its uploads is not touched.
    const d = parseDigest(`sha256:${'a'.repeat(64)}`)!;
    await driver.writeFile(paths.revisionLink('team/app', d), d.digest);
    await driver.writeFile(paths.layerLink('app', d), d.digest);

    const report = await purgeUploads(driver, { olderThanMs: WEEK, now: NOW });
    expect(report.errors).toEqual([]);
    expect(report.kept).toBe(2);
    expect(report.multipartAborted).toBe(0);
    expect(report.dryRun).toBe(false);
    const removed = [...report.removed].sort((x, y) => x.repo.localeCompare(y.repo));
    expect(removed).toEqual([
      { repo: 'a/b/c', uuid: old3.uuid, startedAt: old3.startedAt, bytes: 10 },
      { repo: 'app', uuid: old1.uuid, startedAt: old1.startedAt, bytes: 1234 },
      { repo: 'team/app', uuid: old2.uuid, startedAt: old2.startedAt, bytes: 5 },
    ]);
    expect([exists('app', old1.uuid), exists('team/app', old2.uuid), exists('a/b/c', old3.uuid)]).toEqual([false, false, false]);
    expect([exists('team/app', young1.uuid), exists('app', young2.uuid)]).toEqual([true, true]);
    expect(await driver.readFile(paths.revisionLink('team/app', d))).not.toBeNull();
    expect(await driver.readFile(paths.layerLink('app', d))).not.toBeNull();

    const again = await purgeUploads(driver, { olderThanMs: WEEK, now: NOW });
    expect(again).toMatchObject({ removed: [], kept: 2, errors: [] });
  });

  it('a dry run reports what it would remove and removes nothing', async () => {
    const { driver, upload, exists } = setup();
    const old = await upload('team/app', 2 * WEEK);
    await upload('team/app', H);
    const dry = await purgeUploads(driver, { olderThanMs: WEEK, dryRun: true, now: NOW });
    expect(dry).toMatchObject({ dryRun: true, kept: 1, errors: [] });
    expect(dry.removed.map((u) => u.uuid)).toEqual([old.uuid]);
    expect(exists('team/app', old.uuid)).toBe(true);
    const real = await purgeUploads(driver, { olderThanMs: WEEK, now: NOW });
    expect(real.removed.map((u) => u.uuid)).toEqual([old.uuid]);
    expect(exists('team/app', old.uuid)).toBe(false);
  });

  it('falls back to the data file time when startedat is garbled, missing or far in the future', async () => {
    const { driver, upload, exists, ageData } = setup();
    const garbledOld = await upload('r', 0);
    await driver.writeFile(paths.uploadStartedAt('r', garbledOld.uuid), 'yesterday-ish');
    const garbledOldTime = ageData('r', garbledOld.uuid, WEEK + H);
    const garbledNew = await upload('r', 0);
    await driver.writeFile(paths.uploadStartedAt('r', garbledNew.uuid), '2024-13-99T99:99:99Z');
    ageData('r', garbledNew.uuid, H);
    const missingOld = await upload('r', 0);
    await driver.delete(paths.uploadStartedAt('r', missingOld.uuid));
    const missingOldTime = ageData('r', missingOld.uuid, 2 * WEEK);
    const future = await upload('r', 0);
    await driver.writeFile(paths.uploadStartedAt('r', future.uuid), '9999-01-01T00:00:00Z');
    ageData('r', future.uuid, 2 * WEEK);
    // A startedat with an offset, as Go's RFC3339 writes outside UTC: an old one is believed.
    const offset = await upload('r', 0);
    await driver.writeFile(paths.uploadStartedAt('r', offset.uuid), '2020-05-01T12:00:00+02:00\n');

    const report = await purgeUploads(driver, { olderThanMs: WEEK, now: NOW });
    expect(report.errors).toEqual([]);
    const byUuid = new Map(report.removed.map((u) => [u.uuid, u.startedAt.getTime()]));
    expect(byUuid).toEqual(
      new Map([
        [garbledOld.uuid, garbledOldTime.getTime()],
        [missingOld.uuid, missingOldTime.getTime()],
        [future.uuid, NOW.getTime() - 2 * WEEK],
        [offset.uuid, Date.parse('2020-05-01T10:00:00Z')],
      ]),
    );
    expect(report.kept).toBe(1);
    expect(exists('r', garbledNew.uuid)).toBe(true);
  });

  it('a purged upload is unknown afterwards; one kept can still be finished', async () => {
    const { driver, upload, root } = setup();
    const old = await upload('team/app', 2 * WEEK);
    const young = await upload('team/app', H);
    await purgeUploads(driver, { olderThanMs: WEEK, now: NOW });
    // What a client holding the old upload's location meets after a restart (a fresh store).
    const fresh = new UploadStore(new FsDriver(root, { fsync: false }), new BlobStore(driver));
    await expect(fresh.status('team/app', old.uuid)).rejects.toBeInstanceOf(NotFoundError);
    const digest = parseDigest(`sha256:${createHash('sha256').update(Buffer.alloc(10, 1)).digest('hex')}`)!;
    expect(await fresh.commit('team/app', young.uuid, digest)).toBe(10);
    expect(await new BlobStore(driver).size(digest)).toBe(10);
  });
});

describe('startUploadPurging', () => {
  const collect = () => {
    const lines: string[] = [];
    return { lines, log: createLogger('debug', { write: (l) => lines.push(l.replace(/^\S+ /, '')) }) };
  };

  it('purges after the first delay, then every interval, one run at a time, and stops', async () => {
    const { driver, upload, exists } = setup();
    const old = await upload('app', 2 * WEEK);
    let running = 0;
    let overlapped = false;
    // The real driver, with each listing slowed down so that runs would overlap if they could.
    const slow: StorageDriver = Object.assign(Object.create(driver) as FsDriver, {
      list: async (p: string) => {
        running++;
        if (running > 1) overlapped = true;
        await new Promise((r) => setTimeout(r, 5));
        running--;
        return driver.list(p);
      },
    });
    const { lines, log } = collect();
    const reports: PurgeReport[] = [];
    let done!: () => void;
    const threeRuns = new Promise<void>((r) => (done = r));
    const purger = startUploadPurging(slow, { enabled: true, ageMs: WEEK, intervalMs: 1, dryRun: false }, log, {
      firstDelayMs: 1,
      onReport: (r) => {
        reports.push(r);
        if (reports.length === 3) {
          purger.stop();
          done();
        }
      },
    });
    await threeRuns;
    await new Promise((r) => setTimeout(r, 50));
    expect(reports).toHaveLength(3);
    expect(overlapped).toBe(false);
    expect(reports[0]!.removed.map((u) => u.uuid)).toEqual([old.uuid]);
    expect(reports[1]!.removed).toEqual([]);
    expect(exists('app', old.uuid)).toBe(false);
    expect(lines).toContain(`INFO  upload purge: removed upload ${old.uuid} of app, started ${reports[0]!.removed[0]!.startedAt.toISOString()} (10 bytes)`);
    expect(lines).toContain('INFO  upload purge: removed 1 uploads, kept 0');
    expect(lines).toContain('DEBUG upload purge: removed 0 uploads, kept 0');
  });

  it('logs a failed run as a warning and tries again at the next interval; disabled never runs', async () => {
    const { driver } = setup();
    const broken: StorageDriver = Object.assign(Object.create(driver) as FsDriver, {
      list: async () => {
        throw new Error('EIO: disk on fire');
      },
    });
    const { lines, log } = collect();
    let warned!: () => void;
    const twoWarnings = new Promise<void>((r) => (warned = r));
    const purger = startUploadPurging(broken, { enabled: true, ageMs: WEEK, intervalMs: 1, dryRun: false }, {
      ...log,
      warn: (m) => {
        log.warn(m);
        if (lines.filter((l) => l.startsWith('WARN')).length === 2) warned();
      },
    }, { firstDelayMs: 1 });
    await twoWarnings;
    purger.stop();
    expect(lines.slice(0, 2)).toEqual(['WARN  upload purge failed: EIO: disk on fire', 'WARN  upload purge failed: EIO: disk on fire']);

    let ran = false;
    const off = startUploadPurging(driver, { enabled: false, ageMs: WEEK, intervalMs: 1, dryRun: false }, log, { firstDelayMs: 0, onReport: () => (ran = true) });
    await new Promise((r) => setTimeout(r, 30));
    off.stop();
    expect(ran).toBe(false);
  });
});
