/**
 * Garbage collection on a bucket two Berth instances share (a real Ceph RGW): `berth gc` on one
 * instance re-reads the bucket first, so it collects what was deleted through the other and keeps
 * what either pushed; and a push through the other instance while the collection runs waits for
 * it (the collection lease), so it can never end up naming blobs the sweep removed.
 */
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GcReport, TrashListing } from '../../src-server/contract';
import { LEASE_PATH } from '../../src-server/registry/collection-lease';
import { createS3Client } from '../../src-server/storage/s3-driver';
import { runBerth, startBerth, type RunningBerth } from '../helpers/berth-server';
import { pushRandomImage, type PushedImage } from '../helpers/push';
import { blobKey, rgwFixture, writeS3Config } from './s3-berth';

const BUCKET = 'berth-gc';
const ROOT = 'reg';

describe('garbage collection on a bucket shared by two instances', () => {
  const fixture = rgwFixture('berth-s3-gc-', BUCKET);
  let s3: S3Client;
  let a: RunningBerth;
  let b: RunningBerth;
  const dirA = () => join(fixture.dir, 'data-a');

  const exists = async (key: string) => {
    try {
      await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
      return true;
    } catch {
      return false;
    }
  };
  const blob = (digest: string) => blobKey(ROOT, digest);
  const lease = `${ROOT}/${LEASE_PATH}`;
  const blobsOf = (img: PushedImage) => [img.digest, img.manifest.config.digest, ...img.manifest.layers.map((l) => l.digest)];
  const served = async (base: string, repo: string, tag: string, img: PushedImage) => {
    const m = await fetch(`${base}/v2/${repo}/manifests/${tag}`, { headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' } });
    if (m.status !== 200 || m.headers.get('docker-content-digest') !== img.digest) return false;
    for (const d of blobsOf(img).slice(1)) if ((await fetch(`${base}/v2/${repo}/blobs/${d}`)).status !== 200) return false;
    return true;
  };

  beforeAll(async () => {
    s3 = createS3Client(fixture.options());
    const config = writeS3Config(join(fixture.dir, 'berth-s3.yml'), fixture.rgw, BUCKET, ROOT);
    a = await startBerth(dirA(), ['--config', config, '--auth', 'none']);
    b = await startBerth(join(fixture.dir, 'data-b'), ['--config', config, '--auth', 'none']);
  }, 180_000);

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    s3?.destroy();
  });

  it('berth gc on one instance collects what was deleted through the other and keeps what either pushed', async () => {
    const gone = await pushRandomImage(b.url, 'team/app', 'v1', [4096, 8192]);
    const kept = await pushRandomImage(b.url, 'team/app', 'v2', [4096]);
    const other = await pushRandomImage(a.url, 'other', 'v1', [4096]);
    expect((await fetch(`${b.url}/v2/team/app/manifests/${gone.digest}`, { method: 'DELETE' })).status).toBe(202);

    // The delete went to the trash in the bucket: A sees B's item, and its GC holds what the item needs.
    const trash = JSON.parse((await runBerth(['trash', 'list', '--json', '--data', dirA()])).stdout) as TrashListing;
    expect(trash.items.map((i) => [i.repository, i.digest, i.source])).toEqual([['team/app', gone.digest, 'registry-api']]);
    const held = JSON.parse((await runBerth(['gc', '--dry-run', '--json', '--grace', '0', '--data', dirA()])).stdout) as GcReport;
    expect(held.blobsRemoved).toEqual([]);
    expect((await runBerth(['trash', 'empty', '--data', dirA()])).stdout).toMatch(/^removed 1 item from the trash/);

    // A never served team/app: its plan comes from the bucket, not from what it happened to see.
    const dry = await runBerth(['gc', '--dry-run', '--json', '--grace', '0', '--data', dirA()]);
    expect(dry.code).toBe(0);
    const plan = JSON.parse(dry.stdout) as GcReport;
    expect(plan.blobsRemoved.map((x) => x.digest).sort()).toEqual(blobsOf(gone).sort());
    for (const d of blobsOf(gone)) expect(await exists(blob(d))).toBe(true);

    const real = await runBerth(['gc', '--json', '--grace', '0', '--data', dirA()]);
    expect(real.code).toBe(0);
    expect((JSON.parse(real.stdout) as GcReport).blobsRemoved.map((x) => x.digest).sort()).toEqual(blobsOf(gone).sort());
    for (const d of blobsOf(gone)) expect(await exists(blob(d))).toBe(false);
    for (const d of [...blobsOf(kept), ...blobsOf(other)]) expect(await exists(blob(d))).toBe(true);
    expect(await exists(lease)).toBe(false);
    for (const base of [a.url, b.url]) {
      expect(await served(base, 'team/app', 'v2', kept)).toBe(true);
      expect(await served(base, 'other', 'v1', other)).toBe(true);
    }
  }, 120_000);

  it('a manifest pushed through the other instance while gc runs waits for the sweep, and is refused if its blobs were collected', async () => {
    const img = await pushRandomImage(b.url, 'team/re', 'v1', [4096]);
    expect((await fetch(`${b.url}/v2/team/re/manifests/${img.digest}`, { method: 'DELETE' })).status).toBe(202);
    // This case is about a push during the sweep: the trash lets the deleted image go first.
    expect((await runBerth(['trash', 'empty', '--data', dirA()])).code).toBe(0);

    const gc = runBerth(['gc', '--json', '--grace', '0', '--data', dirA()]);
    await expect.poll(() => exists(lease), { timeout: 30_000, interval: 100 }).toBe(true);
    // Longer than an instance trusts its last look at the lease (2 s): B must see this one.
    await new Promise((r) => setTimeout(r, 2500));
    // The client saw its layers in the repository (still linked) and pushes only the manifest again.
    const put = await fetch(`${b.url}/v2/team/re/manifests/v1`, {
      method: 'PUT',
      body: JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', ...img.manifest }),
      headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' },
    });
    const leaseWhenAnswered = await exists(lease);
    const report = await gc;
    expect(report.code).toBe(0);
    expect(leaseWhenAnswered).toBe(false);
    // The sweep removed the blobs (the manifest was gone when it marked): the push fails cleanly...
    expect((JSON.parse(report.stdout) as GcReport).blobsRemoved.map((x) => x.digest)).toEqual(expect.arrayContaining(blobsOf(img).slice(1)));
    expect(put.status).toBe(400);
    expect(((await put.json()) as { errors: Array<{ code: string }> }).errors[0]!.code).toBe('MANIFEST_BLOB_UNKNOWN');
    // ...instead of storing a manifest whose layers are gone; a plain retry of the push works.
    expect((await fetch(`${a.url}/v2/team/re/manifests/v1`, { method: 'HEAD' })).status).toBe(404);
    const again = await pushRandomImage(b.url, 'team/re', 'v1', [4096]);
    expect(await served(a.url, 'team/re', 'v1', again)).toBe(true);
  }, 120_000);
});
