import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listFiles, putBlob, putImage, putIndex, randomLayer, type Desc } from '../../test/gc/fixtures';
import { tempDir } from '../../test/helpers/berth-server';
import type { GcProgress } from '../contract';
import { parseDigest } from '../core/digest';
import { silentLogger } from '../logger';
import { OriginStore } from '../index/origin-store';
import { RegistryIndex } from '../index/registry-index';
import { Registry } from '../registry/registry';
import { indexPath } from '../services';
import { BlobStore } from '../storage/blobs';
import { FsDriver } from '../storage/fs-driver';
import { paths } from '../storage/layout';
import { ManifestStore } from '../storage/manifests';
import { collectGarbage, GcBusyError, planCollection } from './collect';

// The collector against a real Registry on a temp dir: real files, real SQLite, the real write gate.
// The test holds the registry's driver, index and origins, and reads storage with stores of its own.

let tmp: ReturnType<typeof tempDir>;
let driver: FsDriver;
let index: RegistryIndex;
let origins: OriginStore;
let blobs: BlobStore;
let manifests: ManifestStore;
let reg: Registry;

beforeEach(async () => {
  tmp = tempDir('berth-gc-');
  mkdirSync(join(tmp.dir, 'berth'), { recursive: true });
  driver = new FsDriver(tmp.dir, { fsync: false });
  index = new RegistryIndex(indexPath(tmp.dir));
  origins = new OriginStore(join(tmp.dir, 'berth', 'origins.db'));
  blobs = new BlobStore(driver);
  manifests = new ManifestStore(driver, blobs);
  reg = new Registry({ driver, index, origins, deleteEnabled: true });
});

afterEach(() => {
  index.close();
  origins.close();
  tmp.cleanup();
});

const has = async (digest: string) => (await blobs.size(parseDigest(digest)!)) !== null;
const linked = (repo: string, digest: string) => blobs.isLinked(repo, parseDigest(digest)!);
const digests = (xs: Array<{ digest: string }>) => xs.map((x) => x.digest).sort();

/** repo a: v1 re-pointed from M1 (C1, L1, L2) to M2 (C2, L1, L3); an orphan blob O; repo b: x -> M3 (C3, L1). */
async function scenario() {
  const L1 = await randomLayer(reg, 'a', 700);
  const L2 = await randomLayer(reg, 'a', 900);
  const m1 = await putImage(reg, 'a', 'v1', { layers: [L1, L2] });
  const L3 = await randomLayer(reg, 'a', 300);
  const m2 = await putImage(reg, 'a', 'v1', { layers: [L1, L3] });
  const O = await randomLayer(reg, 'a', 100);
  await reg.mountBlob('b', parseDigest(L1.digest)!, 'a');
  const m3 = await putImage(reg, 'b', 'x', { layers: [L1] });
  return { L1, L2, L3, O, m1, m2, m3 };
}

describe('collectGarbage', () => {
  it('removes only unreferenced blobs and their links, keeping every revision without deleteUntagged', async () => {
    const s = await scenario();
    const report = await collectGarbage(reg, {});
    expect(digests(report.blobsRemoved)).toEqual([s.O.digest]);
    expect(report.bytesRemoved).toBe(100);
    expect(report.manifestsRemoved).toEqual([]);
    expect(report.manifestsKept).toBe(3);
    // L1, L2, L3, C1-3, M1-3
    expect(report.blobsKept).toBe(9);
    expect(report.dryRun).toBe(false);
    expect(new Date(report.startedAt).getTime()).toBeGreaterThan(0);
    expect(await has(s.O.digest)).toBe(false);
    expect(await linked('a', s.O.digest)).toBe(false);
    for (const d of [s.L1, s.L2, s.L3, s.m1.config, s.m1.desc, s.m2.desc, s.m3.desc]) expect(await has(d.digest)).toBe(true);
    expect((await reg.getManifest('a', s.m1.desc.digest)).body.equals(s.m1.body)).toBe(true);
    // A second run finds nothing more.
    const again = await collectGarbage(reg, {});
    expect(again.blobsRemoved).toEqual([]);
    expect(again.blobsKept).toBe(9);
  });

  it('with deleteUntagged removes the untagged manifest and what only it used; shared layers stay in both repos', async () => {
    const s = await scenario();
    const report = await collectGarbage(reg, { deleteUntagged: true });
    expect(report.manifestsRemoved).toEqual([{ repository: 'a', digest: s.m1.desc.digest }]);
    expect(digests(report.blobsRemoved)).toEqual([s.O.digest, s.L2.digest, s.m1.config.digest, s.m1.desc.digest].sort());
    expect(report.bytesRemoved).toBe(report.blobsRemoved.reduce((a, b) => a + b.size, 0));
    expect(report.manifestsKept).toBe(2);
    await expect(reg.getManifest('a', s.m1.desc.digest)).rejects.toThrow();
    expect(index.hasManifest('a', s.m1.desc.digest)).toBe(false);
    expect(await manifests.has('a', parseDigest(s.m1.desc.digest)!)).toBe(false);
    // registry:2's vacuum also drops the digest from the tag's history.
    const hist = await driver.stat(paths.tagIndexLink('a', 'v1', parseDigest(s.m1.desc.digest)!));
    expect(hist).toBeNull();
    expect(await driver.stat(paths.tagIndexLink('a', 'v1', parseDigest(s.m2.desc.digest)!))).not.toBeNull();
    // Dangling links go; the shared layer stays linked in both repositories.
    for (const d of [s.L2, s.m1.config, s.O]) expect(await linked('a', d.digest)).toBe(false);
    expect(await linked('a', s.L1.digest)).toBe(true);
    expect(await linked('b', s.L1.digest)).toBe(true);
    for (const [repo, tag, m] of [['a', 'v1', s.m2], ['b', 'x', s.m3]] as const) {
      const got = await reg.getManifest(repo, tag);
      expect(got.digest).toBe(m.desc.digest);
      for (const d of [m.config, ...m.layers]) expect(await reg.statBlob(repo, parseDigest(d.digest)!)).toBe(d.size);
    }
    expect(origins.manifest('a', s.m1.desc.digest)).toBeNull();
    expect(origins.blob(s.L2.digest)).toBeNull();
    expect(origins.blob(s.L1.digest)).not.toBeNull();
  });

  it('dry run reports what would go and changes nothing', async () => {
    const s = await scenario();
    const before = listFiles(tmp.dir).filter((f) => !f.startsWith('berth/'));
    const report = await collectGarbage(reg, { dryRun: true, deleteUntagged: true });
    expect(report.dryRun).toBe(true);
    expect(report.manifestsRemoved).toEqual([{ repository: 'a', digest: s.m1.desc.digest }]);
    expect(digests(report.blobsRemoved)).toEqual([s.O.digest, s.L2.digest, s.m1.config.digest, s.m1.desc.digest].sort());
    expect(listFiles(tmp.dir).filter((f) => !f.startsWith('berth/'))).toEqual(before);
    expect(index.hasManifest('a', s.m1.desc.digest)).toBe(true);
    const plan = await planCollection(reg, { deleteUntagged: true });
    expect(digests(plan.blobs)).toEqual(digests(report.blobsRemoved));
    expect(plan.manifests).toEqual(report.manifestsRemoved);
    expect(plan.blobsKept).toBe(report.blobsKept);
    expect(plan.manifestsKept).toBe(2);
    // The real run removes exactly what the dry run announced.
    const real = await collectGarbage(reg, { deleteUntagged: true });
    expect(digests(real.blobsRemoved)).toEqual(digests(report.blobsRemoved));
  });

  it('marks without reading the repositories tree or stat-ing blobs whose size the index knows', async () => {
    const s = await scenario();
    const seen: string[] = [];
    for (const op of ['stat', 'list', 'readFile'] as const) {
      const orig = (driver[op] as (p: string) => Promise<unknown>).bind(driver);
      (driver as unknown as Record<string, (p: string) => Promise<unknown>>)[op] = (path: string) => {
        seen.push(`${op} ${path}`);
        return orig(path);
      };
    }
    const plan = await planCollection(reg, { deleteUntagged: true });
    expect(digests(plan.blobs)).toEqual([s.O.digest, s.L2.digest, s.m1.config.digest, s.m1.desc.digest].sort());
    expect(plan.blobs.find((b) => b.digest === s.L2.digest)!.size).toBe(900);
    // The orphan is the one blob the index knows nothing of: its size is read from storage.
    expect(seen.filter((x) => x.startsWith('stat '))).toEqual([`stat ${paths.blobData(parseDigest(s.O.digest)!)}`]);
    expect(seen.filter((x) => x.includes('/repositories/'))).toEqual([]);
  });

  it('keeps the untagged children of a tagged multi-arch index; removes an untagged standalone manifest', async () => {
    const amd = await putImage(reg, 'm', null, { arch: 'amd64' });
    const arm = await putImage(reg, 'm', null, { arch: 'arm64' });
    const children: Desc[] = [
      { ...amd.desc, platform: { os: 'linux', architecture: 'amd64' } },
      { ...arm.desc, platform: { os: 'linux', architecture: 'arm64' } },
    ];
    const multi = await putIndex(reg, 'm', 'multi', children);
    const lone = await putImage(reg, 'm', null);
    // An untagged index with its own untagged child: both go, nested.
    const other = await putImage(reg, 'm', null, { arch: 's390x' });
    const oldIndex = await putIndex(reg, 'm', null, [other.desc]);

    const report = await collectGarbage(reg, { deleteUntagged: true });
    expect(digests(report.manifestsRemoved)).toEqual([lone.desc.digest, other.desc.digest, oldIndex.digest].sort());
    // Parents go before their children.
    const order = report.manifestsRemoved.map((m) => m.digest);
    expect(order.indexOf(oldIndex.digest)).toBeLessThan(order.indexOf(other.desc.digest));
    for (const m of [amd, arm]) {
      expect(index.hasManifest('m', m.desc.digest)).toBe(true);
      for (const d of [m.desc, m.config, ...m.layers]) expect(await has(d.digest)).toBe(true);
    }
    expect(await has(multi.digest)).toBe(true);
    for (const d of [lone.desc, lone.config, ...lone.layers, other.desc, oldIndex]) expect(await has(d.digest)).toBe(false);
    expect(report.manifestsKept).toBe(3);
  });

  it('keeps referrers of kept manifests (signatures of signatures too) and drops referrers of removed ones', async () => {
    const image = await putImage(reg, 'r', 'v1');
    const sig = await putImage(reg, 'r', null, { subject: image.desc, artifactType: 'application/vnd.dev.cosign.signature' });
    const sbom = await putImage(reg, 'r', null, { subject: image.desc, artifactType: 'application/spdx+json' });
    const sigOfSig = await putImage(reg, 'r', null, { subject: sig.desc, artifactType: 'application/vnd.dev.cosign.signature' });
    const gone = await putImage(reg, 'r', null);
    const goneSig = await putImage(reg, 'r', null, { subject: gone.desc, artifactType: 'application/vnd.dev.cosign.signature' });
    const goneSigSig = await putImage(reg, 'r', null, { subject: goneSig.desc, artifactType: 'x/y' });

    const report = await collectGarbage(reg, { deleteUntagged: true });
    expect(digests(report.manifestsRemoved)).toEqual(digests([gone.desc, goneSig.desc, goneSigSig.desc]));
    const order = report.manifestsRemoved.map((m) => m.digest);
    expect(order).toEqual([gone.desc.digest, goneSig.desc.digest, goneSigSig.desc.digest]);
    for (const m of [image, sig, sbom, sigOfSig]) {
      expect(index.hasManifest('r', m.desc.digest)).toBe(true);
      for (const d of [m.desc, m.config, ...m.layers]) expect(await has(d.digest)).toBe(true);
    }
    expect(digests(reg.referrers('r', image.desc.digest))).toEqual(digests([sig.desc, sbom.desc]));
    expect(digests(reg.referrers('r', sig.desc.digest))).toEqual([sigOfSig.desc.digest]);
    expect(reg.referrers('r', gone.desc.digest)).toEqual([]);
    for (const m of [gone, goneSig, goneSigSig]) for (const d of [m.desc, m.config, ...m.layers]) expect(await has(d.digest)).toBe(false);
  });

  it('a referrer in another repository does not keep anything', async () => {
    const image = await putImage(reg, 'p', null);
    await putImage(reg, 'q', 'sig', { subject: image.desc });
    const report = await collectGarbage(reg, { deleteUntagged: true });
    expect(report.manifestsRemoved).toEqual([{ repository: 'p', digest: image.desc.digest }]);
  });

  it('protects a blob a write touches during the sweep, and keeps what a manifest tagged mid-run needs', async () => {
    const orphan = await randomLayer(reg, 'a', 200);
    const old = await putImage(reg, 'a', 'v1');
    await putImage(reg, 'a', 'v1');
    const other = await randomLayer(reg, 'a', 300);
    const writes: Promise<unknown>[] = [];
    const phases: GcProgress[] = [];
    const report = await collectGarbage(reg, {
      deleteUntagged: true,
      onProgress: (p) => {
        phases.push(p);
        if (p.phase === 'manifests' && p.done === 0) {
          // The old image is tagged again before the first deletion: it and everything it uses stay.
          writes.push(reg.putManifest('a', 'again', old.body, old.desc.mediaType));
        }
        if (p.phase === 'blobs' && p.done === 0) {
          // A write linking the orphan blob into another repository while the collection runs (what a
          // mount or an upload commit does under the gate).
          const d = parseDigest(orphan.digest)!;
          writes.push(reg.mountBlob('c', d));
        }
      },
    });
    await Promise.all(writes);
    expect(report.manifestsRemoved).toEqual([]);
    expect(report.blobsProtected).toBe(1);
    expect(digests(report.blobsRemoved)).toEqual([other.digest]);
    expect(await has(orphan.digest)).toBe(true);
    expect(await linked('c', orphan.digest)).toBe(true);
    expect(await linked('a', orphan.digest)).toBe(true);
    expect((await reg.getManifest('a', 'again')).digest).toBe(old.desc.digest);
    for (const d of [old.config, ...old.layers]) expect(await reg.statBlob('a', parseDigest(d.digest)!)).toBe(d.size);
    expect(phases.map((p) => p.phase).filter((p, i, all) => p !== all[i - 1])).toEqual(['mark', 'manifests', 'blobs', 'links']);
    for (const p of phases) expect(p.done).toBeLessThanOrEqual(Math.max(p.total, p.done === 0 ? 0 : p.total));
    // After the run nothing is protected any more: the next collection removes the orphan if unused.
    expect(reg.forCollection().gate.collecting).toBe(false);
  });

  it('while a blob is being deleted, writes to other digests go on; a write naming it waits, then finds it gone', async () => {
    const orphan = await randomLayer(reg, 'a', 50);
    const hex = parseDigest(orphan.digest)!.hex;
    let release!: () => void;
    const paused = new Promise<void>((r) => (release = r));
    let reached!: () => void;
    const deleting = new Promise<void>((r) => (reached = r));
    const del = driver.deleteLeaf.bind(driver);
    driver.deleteLeaf = async (path, file) => {
      if (path.includes('/blobs/') && path.endsWith(hex)) {
        reached();
        await paused;
      }
      return del(path, file);
    };
    const gc = collectGarbage(reg, {});
    await deleting;
    // A mount of the blob being deleted waits for that deletion...
    let mounted: boolean | undefined;
    const mount = reg.mountBlob('c', parseDigest(orphan.digest)!).then((r) => (mounted = r));
    // ...while a whole upload of another blob, and a mount of it, run to the end meanwhile.
    const fresh = await putBlob(reg, 'b', Buffer.from('pushed while the sweep deletes'));
    expect(await reg.mountBlob('d', parseDigest(fresh.digest)!)).toBe(true);
    expect(await has(fresh.digest)).toBe(true);
    expect(mounted).toBeUndefined();
    release();
    const report = await gc;
    // The claimed blob went; the waiting mount then found it gone and linked nothing.
    expect(await mount).toBe(false);
    expect(digests(report.blobsRemoved)).toEqual([orphan.digest]);
    expect(await has(orphan.digest)).toBe(false);
    expect(await linked('c', orphan.digest)).toBe(false);
    expect(await linked('d', fresh.digest)).toBe(true);
    // A write named the digest during the run, so its leftover link in a stays until the next collection.
    expect(await linked('a', orphan.digest)).toBe(true);
    await collectGarbage(reg, {});
    expect(await linked('a', orphan.digest)).toBe(false);
  });

  it('a blob committed during the run is protected even though no manifest references it', async () => {
    const late: Promise<Desc>[] = [];
    await randomLayer(reg, 'a', 10);
    const report = await collectGarbage(reg, {
      onProgress: (p) => {
        if (p.phase === 'mark' && p.done === 1) late.push(putBlob(reg, 'a', Buffer.from('late blob')));
      },
    });
    const blob = await late[0]!;
    expect(report.blobsRemoved).toHaveLength(1);
    expect(await has(blob.digest)).toBe(true);
    expect(await linked('a', blob.digest)).toBe(true);
    const next = await collectGarbage(reg, {});
    expect(digests(next.blobsRemoved)).toEqual([blob.digest]);
  });

  it('keeps blobs younger than graceMs', async () => {
    const orphan = await randomLayer(reg, 'a', 10);
    expect((await collectGarbage(reg, { graceMs: 60_000 })).blobsRemoved).toEqual([]);
    expect(await has(orphan.digest)).toBe(true);
    expect(digests((await collectGarbage(reg, { graceMs: 0 })).blobsRemoved)).toEqual([orphan.digest]);
    // Untagged manifests too (the children of an index are pushed before it), with what they use.
    const child = await putImage(reg, 'a', null);
    const spared = await collectGarbage(reg, { deleteUntagged: true, graceMs: 60_000 });
    expect(spared.manifestsRemoved).toEqual([]);
    expect(spared.blobsRemoved).toEqual([]);
    expect((await collectGarbage(reg, { deleteUntagged: true })).manifestsRemoved).toEqual([{ repository: 'a', digest: child.desc.digest }]);
  });

  it('with a grace period, looks at many untagged manifests a bounded few at a time', async () => {
    const layer = await randomLayer(reg, 'a', 10);
    for (let i = 0; i < 100; i++) await putImage(reg, 'a', null, { layers: [layer] });
    const stat = driver.stat.bind(driver);
    let inFlight = 0;
    let most = 0;
    driver.stat = async (path) => {
      most = Math.max(most, ++inFlight);
      try {
        return await stat(path);
      } finally {
        inFlight--;
      }
    };
    const plan = await planCollection(reg, { deleteUntagged: true, graceMs: 60_000 });
    expect(plan.manifests).toEqual([]);
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(32);
  });

  it('with a grace period, still collects at once what a manifest referenced and what a tag pointed at', async () => {
    // An image pushed, then its tag deleted: its blobs were referenced, its manifest was tagged.
    const old = await putImage(reg, 'a', 'v1');
    await reg.deleteManifest('a', 'v1');
    const r = await collectGarbage(reg, { deleteUntagged: true, graceMs: 3_600_000 });
    expect(r.manifestsRemoved).toEqual([{ repository: 'a', digest: old.desc.digest }]);
    expect(digests(r.blobsRemoved)).toEqual(digests([old.desc, old.config, ...old.layers]));
  });

  it('with a grace period, keeps a layer a client checked (HEAD) or uploaded again for a manifest still to come', async () => {
    const old = await putImage(reg, 'a', 'v1');
    await reg.deleteManifest('a', old.desc.digest);
    const [layer] = old.layers;
    // The next push reuses the old layer: HEAD says it exists, so the client will not upload it.
    expect(await reg.claimBlob('a', parseDigest(layer!.digest)!)).toBe(layer!.size);
    const r = await collectGarbage(reg, { graceMs: 3_600_000 });
    expect(digests(r.blobsRemoved)).toEqual(digests([old.desc, old.config]));
    expect(r.blobsProtected).toBe(1);
    // ...and the manifest that names it lands.
    const next = await putImage(reg, 'a', 'v2', { layers: [layer!] });
    expect(await has(layer!.digest)).toBe(true);
    // Once a manifest references it the claim is spent: deleting that image frees the layer at once.
    await reg.deleteManifest('a', next.desc.digest);
    const after = await collectGarbage(reg, { graceMs: 3_600_000 });
    expect(digests(after.blobsRemoved)).toEqual(digests([next.desc, next.config, layer!]));
  });

  it('a dry run with a grace period reports what the same run removes', async () => {
    const old = await putImage(reg, 'a', 'v1');
    await reg.deleteManifest('a', 'v1');
    const fresh = await randomLayer(reg, 'a', 10);
    const dry = await collectGarbage(reg, { dryRun: true, deleteUntagged: true, graceMs: 3_600_000 });
    const real = await collectGarbage(reg, { deleteUntagged: true, graceMs: 3_600_000 });
    expect(dry.manifestsRemoved).toEqual(real.manifestsRemoved);
    expect(digests(dry.blobsRemoved)).toEqual(digests(real.blobsRemoved));
    expect(digests(real.blobsRemoved)).toEqual(digests([old.desc, old.config, ...old.layers]));
    expect(await has(fresh.digest)).toBe(true);
  });

  it('runs one collection at a time', async () => {
    await putImage(reg, 'a', 'v1');
    const first = collectGarbage(reg, {});
    await expect(collectGarbage(reg, {})).rejects.toBeInstanceOf(GcBusyError);
    await expect(collectGarbage(reg, {})).rejects.toThrow('a garbage collection is already running');
    await first;
    await expect(collectGarbage(reg, {})).resolves.toMatchObject({ blobsRemoved: [] });
  });

  it('never touches uploads in progress or Berth files, and logs a summary', async () => {
    const { uuid } = await reg.startUpload('a');
    const lines: string[] = [];
    await randomLayer(reg, 'a', 10);
    await collectGarbage(reg, { deleteUntagged: true, log: { ...silentLogger, info: (m) => lines.push(m) } });
    expect(await reg.uploadStatus('a', uuid)).toMatchObject({ uuid, size: 0 });
    expect(listFiles(tmp.dir).some((f) => f.startsWith('berth/index.db'))).toBe(true);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^gc: removed 0 manifests, 1 blobs/);
  });
});
