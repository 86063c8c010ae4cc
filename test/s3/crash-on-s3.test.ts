/**
 * The crash test on S3 (Ceph RGW): `berth serve` on a bucket is SIGKILLed while several uploads of
 * multi-part blobs (monolithic and chunked) and image pushes are in flight, at points drawn from a
 * seeded generator, and restarted each time. Afterwards no blob is served or stored under a digest
 * its bytes do not match, the index agrees with the bucket, every interrupted upload resumes from
 * what its acknowledged PATCHes stored (or refuses a wrong digest, or cancels), and the unfinished
 * multipart uploads the kills left are gone once their uploads are finished or cancelled.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paths } from '../../src-server/storage/layout';
import { S3Driver } from '../../src-server/storage/s3-driver';
import { purgeUploads } from '../../src-server/storage/upload-purge';
import { MIN_CHUNK_SIZE } from '../../src-server/storage/s3-options';
import { processAlive, runBerth, startBerth, tempDir, type RunningBerth } from '../helpers/berth-server';
import { sha256 } from '../helpers/push';
import { startRgw, type RunningRgw } from '../helpers/rgw';
import { findLeftovers, findProblems } from '../crash/consistency';
import { fetchManifest, snapshotRegistry } from '../interop/snapshot';
import { BucketMirror } from './bucket-mirror';
import { expectWholeOrAbsent, rangeSize, resumeChunked, settleMonolithic, uploadResidue, uuidOf } from './crash-checks';
import { seeded, startS3Workload, type KillPoint, type S3Attempt } from './s3-crash-workload';

const MiB = 1024 * 1024;
const BUCKET = 'berth-crash';
const ROOT = 'crash';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One kill point per round, drawn from the round's seeded generator. */
const KILLS: Array<(r: () => number) => KillPoint> = [
  (r) => ({ after: 'bytes', bytes: Math.floor((80 + r() * 80) * MiB) }),
  // After a monolithic PUT's last byte went out: the server is receiving its tail, completing the
  // multipart upload, hashing or copying it into blobs/.
  (r) => ({ after: 'mono-body', minBytes: 40 * MiB, delayMs: Math.floor(300 + r() * 1200) }),
  // After a PATCH's last byte went out: the server is completing that PATCH's multipart upload.
  (r) => ({ after: 'patch-body', minBytes: 40 * MiB, delayMs: Math.floor(50 + r() * 550) }),
  (r) => ({ after: 'bytes', bytes: Math.floor((80 + r() * 80) * MiB) }),
];

/** HEAD of a blob: its size when served with the right digest header, else the status. */
async function headBlob(base: string, repo: string, digest: string): Promise<number | string> {
  const res = await fetch(`${base}/v2/${repo}/blobs/${digest}`, { method: 'HEAD' });
  if (res.status !== 200) return `status ${res.status}`;
  if (res.headers.get('docker-content-digest') !== digest) return `digest ${res.headers.get('docker-content-digest')}`;
  return Number(res.headers.get('content-length'));
}

describe('SIGKILL of Berth on S3 during multipart uploads, then restart on the same bucket', () => {
  const tmp = tempDir('berth-s3-crash-');
  const data = join(tmp.dir, 'data');
  const config = join(tmp.dir, 'berth-s3.yml');
  let rgw: RunningRgw;
  let drv: S3Driver;
  let mirror: BucketMirror;
  let berth: RunningBerth | undefined;
  const committed: S3Attempt[] = [];
  const report: string[] = [];

  const serve = async () => (berth = await startBerth(data, ['--config', config, '--auth', 'none']));
  /** Kills the server the way the workload's trigger does, and runs one workload round up to it. */
  const crashRound = async (round: number, kill: KillPoint, rand: () => number, watch?: (killNow: () => void) => Promise<void>) => {
    const pid = berth!.proc.pid!;
    const started = Date.now();
    const work = startS3Workload({ base: berth!.url, round, rand, kill, onKill: () => process.kill(pid, 'SIGKILL') });
    void watch?.(work.killNow);
    const fired = await Promise.race([work.killed.then(() => true), sleep(180_000).then(() => false)]);
    if (!fired) process.kill(pid, 'SIGKILL');
    await berth!.kill();
    await work.stop();
    berth = undefined;
    expect(fired, 'the kill point was reached').toBe(true);
    expect(processAlive(pid), 'the server process is gone').toBe(false);
    return { work, ms: Date.now() - started };
  };

  beforeAll(async () => {
    rgw = await startRgw(tmp.dir);
    await rgw.createBucket(BUCKET);
    const opts = { bucket: BUCKET, region: rgw.region, regionEndpoint: rgw.endpoint, accessKey: rgw.accessKey, secretKey: rgw.secretKey };
    drv = new S3Driver({ ...opts, forcePathStyle: true, rootDirectory: ROOT });
    mirror = new BucketMirror(drv, join(tmp.dir, 'mirror'));
    const lines = ['version: 0.1', 'log:', '  level: warn', 'storage:', '  delete:', '    enabled: true', '  s3:'];
    lines.push(`    region: ${rgw.region}`, `    regionendpoint: ${rgw.endpoint}`, `    bucket: ${BUCKET}`);
    lines.push(`    accesskey: ${rgw.accessKey}`, `    secretkey: ${rgw.secretKey}`, `    rootdirectory: /${ROOT}`);
    lines.push('    secure: false', `    chunksize: ${MIN_CHUNK_SIZE}`, '');
    writeFileSync(config, lines.join('\n'));
    await serve();
  }, 180_000);

  afterAll(async () => {
    if (berth) await berth.kill();
    await rgw?.stop();
    tmp.cleanup();
    if (report.length > 0) process.stdout.write(`crash on S3:\n  ${report.join('\n  ')}\n`);
  });

  for (let round = 0; round < KILLS.length; round++) {
    it(`round ${round + 1}: only whole, verified blobs are stored and served; cut uploads resume or are refused; no multipart upload is left`, async () => {
      const rand = seeded(8_000 + round);
      const kill = KILLS[round]!(rand);
      const { work, ms } = await crashRound(round, kill, rand);
      const cut = work.log.filter((a) => !a.done && a.kind !== 'image' && a.location);
      expect(cut.length, 'uploads in flight at the kill').toBeGreaterThan(0);
      committed.push(...work.log.filter((a) => a.done));
      const restartAt = Date.now();
      await serve();
      const base = berth!.url;

      // Unfinished multipart uploads the kill left: only under upload folders, never under blobs/.
      const leftover = await drv.multipartUploads(drv.key('docker/registry/v2') + '/');
      for (const u of leftover) expect(u.key).toMatch(/\/_uploads\/[0-9a-f-]{36}\/data$/);
      // The bucket, judged by the filesystem checkers on a local copy: blobs hash to their digests,
      // links have content, catalog and tags as served equal the link keys.
      await mirror.sync();
      expect(await findProblems(base, mirror.dir)).toEqual([]);
      expect(await findLeftovers(mirror.dir)).toEqual([]);

      for (const a of committed) {
        if (a.kind === 'image') {
          expect((await fetchManifest(base, a.repo, a.tag!)).m.digest).toBe(a.digest);
          for (const b of [a.image!.manifest.config, ...a.image!.manifest.layers]) expect(await headBlob(base, a.repo, b.digest)).toBe(b.size);
        } else {
          expect(await headBlob(base, a.repo, a.digest)).toBe(a.size);
        }
      }
      const outcomes: string[] = [];
      let mono = 0;
      for (const a of cut) {
        const seen = await expectWholeOrAbsent(base, a);
        if (a.kind === 'chunked') outcomes.push(`chunked ${seen}:${await resumeChunked(base, drv, a)}`);
        else outcomes.push(`mono ${seen}:${await settleMonolithic(base, drv, a, mono++ % 2 === 0 ? 'wrong-digest' : 'cancel')}`);
        a.data = undefined;
      }
      // Finishing or cancelling every cut upload aborted every multipart upload the kill left.
      expect(await drv.multipartUploads(drv.key('docker/registry/v2') + '/')).toEqual([]);
      const sent = Math.round(work.sentTotal() / MiB);
      report.push(
        `round ${round + 1} (${kill.after}): killed after ${ms} ms, ${sent} MiB sent, ${work.log.filter((a) => a.done).length} done, ` +
          `${leftover.length} multipart left; ${outcomes.join(', ')}; checks ${Date.now() - restartAt} ms`,
      );
      for (const a of committed) a.data = undefined;
    }, 600_000);
  }

  it('a PATCH cut by the client mid-request (server alive) resumes from the offset the server reports', async () => {
    const base = berth!.url;
    const blob = Buffer.alloc(14 * MiB, 7);
    blob.writeUInt32BE(0xdeadbeef, 9 * MiB);
    const start = await fetch(`${base}/v2/s3crash/cut/blobs/uploads/`, { method: 'POST' });
    expect(start.status).toBe(202);
    const url = new URL(start.headers.get('location')!, base);
    const a = { repo: 's3crash/cut', location: url.pathname } as S3Attempt;
    const first = await fetch(url, {
      method: 'PATCH',
      body: new Uint8Array(blob.subarray(0, 3 * MiB)),
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `0-${3 * MiB - 1}` },
    });
    expect(first.status).toBe(202);
    // The second PATCH announces 11 MiB, sends 8 MiB (more than a part) and hangs up.
    const ctl = new AbortController();
    let off = 3 * MiB;
    const body = new ReadableStream<Uint8Array>({
      async pull(c) {
        if (off >= 11 * MiB) {
          // Hang up while some of it may still be on its way.
          await sleep(200);
          ctl.abort();
          return;
        }
        c.enqueue(new Uint8Array(blob.subarray(off, off + MiB)));
        off += MiB;
      },
    });
    const cut = fetch(url, {
      method: 'PATCH',
      body,
      duplex: 'half',
      signal: ctl.signal,
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `${3 * MiB}-${blob.length - 1}`, 'Content-Length': String(blob.length - 3 * MiB) },
    } as RequestInit);
    await expect(cut).rejects.toThrow();
    // The server finishes the cut request in the background: a PATCH meanwhile is told 416 and the offset.
    let size = -1;
    for (let i = 0; i < 60; i++) {
      const status = await fetch(url);
      expect(status.status).toBe(204);
      size = rangeSize(status);
      expect(size).toBeGreaterThanOrEqual(3 * MiB);
      expect(size).toBeLessThanOrEqual(11 * MiB);
      const patch = await fetch(url, {
        method: 'PATCH',
        body: new Uint8Array(blob.subarray(size)),
        headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `${size}-${blob.length - 1}` },
      });
      if (patch.status === 202) break;
      expect(patch.status).toBe(416);
      size = -1;
      await sleep(250);
    }
    expect(size, 'a PATCH from the reported offset was accepted').toBeGreaterThanOrEqual(3 * MiB);
    url.searchParams.set('digest', sha256(blob));
    expect((await fetch(url, { method: 'PUT' })).status).toBe(201);
    expect(await headBlob(base, 's3crash/cut', sha256(blob))).toBe(blob.length);
    expect(await uploadResidue(drv, a)).toEqual({ keys: [], multipart: [] });
    report.push(`client-cut PATCH: resumed from ${(size / MiB).toFixed(2)} MiB of 11 sent`);
  }, 120_000);

  it('uploads left alone after a kill stay resumable, their multipart uploads kept at restart; the upload purge removes both', async () => {
    const rand = seeded(9_999);
    // Killed once a monolithic PUT's multipart upload is in the bucket (it lives until the PUT's last byte).
    const monoMultipart = async (killNow: () => void) => {
      const prefix = drv.key('docker/registry/v2/repositories/s3crash/mono');
      for (let i = 0; i < 1_200; i++) {
        if ((await drv.multipartUploads(prefix).catch(() => [])).length > 0) return killNow();
        await sleep(100);
      }
    };
    const { work } = await crashRound(99, { after: 'manual' }, rand, monoMultipart);
    await serve();
    const leftover = await drv.multipartUploads(drv.key('docker/registry/v2') + '/');
    const cut = work.log.filter((a) => !a.done && a.kind !== 'image' && a.location);
    const byKey = new Map(cut.map((a) => [drv.key(paths.uploadData(a.repo, uuidOf(a))), a]));
    // Berth's start (prepare) aborts only multipart uploads older than a day: these are kept, each
    // belongs to a live upload that still answers with its size.
    expect(leftover.length, 'multipart uploads left by the kill').toBeGreaterThan(0);
    for (const u of leftover) {
      const a = byKey.get(u.key);
      expect(a, `multipart upload ${u.key} belongs to a cut upload`).toBeDefined();
      expect((await fetch(new URL(a!.location!.split('?')[0]!, berth!.url))).status).toBe(204);
    }
    // The purge (storage.maintenance.uploadpurging) run as if they had grown old.
    const purged = await purgeUploads(drv, { olderThanMs: 0, now: new Date(Date.now() + 60_000) });
    expect(purged.errors).toEqual([]);
    expect(purged.multipartAborted).toBe(leftover.length);
    expect(await drv.multipartUploads(drv.key('docker/registry/v2') + '/')).toEqual([]);
    for (const a of cut) {
      expect((await fetch(new URL(a.location!.split('?')[0]!, berth!.url))).status).toBe(404);
      expect(await uploadResidue(drv, a)).toEqual({ keys: [], multipart: [] });
    }
    report.push(`left alone: ${leftover.length} multipart uploads of ${cut.length} cut uploads; purge removed ${purged.removed.length} uploads, aborted ${purged.multipartAborted}`);
  }, 600_000);

  it('berth reindex, and a second instance with an empty index, serve exactly what the restarted one serves', async () => {
    const before = await snapshotRegistry(berth!.url);
    expect(await berth!.stop()).toBe(0);
    berth = undefined;
    const re = await runBerth(['reindex', '--data', data, '--config', config]);
    expect(re.code, re.stderr).toBe(0);
    expect(re.stdout).not.toMatch(/^warning:/m);
    await serve();
    expect(await snapshotRegistry(berth!.url)).toEqual(before);
    const other = await startBerth(join(tmp.dir, 'data-2'), ['--config', config, '--auth', 'none']);
    try {
      expect(await snapshotRegistry(other.url)).toEqual(before);
      await mirror.sync();
      expect(await findProblems(other.url, mirror.dir)).toEqual([]);
    } finally {
      await other.stop();
    }
  }, 300_000);
});
