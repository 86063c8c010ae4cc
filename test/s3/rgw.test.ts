/**
 * The test cluster itself (test/helpers/rgw.ts): a Ceph RADOS Gateway comes up under a temp folder,
 * answers the AWS SDK as an S3 store (objects, listing, multipart with RGW 16.2's quirks), runs beside
 * a second cluster on other ports, and stops leaving no process and no file behind.
 */
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/berth-server';
import { rgwAvailable, startRgw, type RunningRgw } from '../helpers/rgw';

const tmp = tempDir('berth-rgw-');
let rgw: RunningRgw;
let s3: S3Client;
let startMs = 0;

const client = (r: RunningRgw) =>
  new S3Client({ endpoint: r.endpoint, region: r.region, forcePathStyle: true, credentials: { accessKeyId: r.accessKey, secretAccessKey: r.secretKey } });
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
/** Resident memory of a process in KiB, from /proc. */
const rssKiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);

beforeAll(async () => {
  const t0 = Date.now();
  rgw = await startRgw(tmp.dir);
  startMs = Date.now() - t0;
  s3 = client(rgw);
}, 120_000);
afterAll(async () => {
  s3?.destroy();
  await rgw?.stop();
  tmp.cleanup();
});

describe('a Ceph RGW test cluster', () => {
  it('needs the Debian packages ceph-mon ceph-osd radosgw ceph-common', () => {
    expect(rgwAvailable()).toBe(true);
  });

  it('starts on a loopback endpoint within a minute, in a few hundred MiB', () => {
    expect(rgw.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(rgw.pids).toHaveLength(3);
    const rss = rgw.pids.map(rssKiB);
    const total = rss.reduce((a, b) => a + b, 0);
    console.log(`rgw cluster: started in ${(startMs / 1000).toFixed(1)} s; RSS rgw/osd/mon ${rss.map((k) => Math.round(k / 1024)).join('/')} MiB, ${Math.round(total / 1024)} MiB in all`);
    expect(startMs).toBeLessThan(60_000);
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThan(1024 * 1024);
  });

  it('creates a bucket; puts, gets and lists an object with the AWS SDK', async () => {
    await rgw.createBucket('berth-rgw-test');
    const names = (await s3.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name);
    expect(names).toContain('berth-rgw-test');
    const body = randomBytes(100_000);
    await s3.send(new PutObjectCommand({ Bucket: 'berth-rgw-test', Key: 'docker/registry/v2/a/data', Body: body }));
    await s3.send(new PutObjectCommand({ Bucket: 'berth-rgw-test', Key: 'docker/registry/v2/b/data', Body: 'b' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'berth-rgw-test', Key: 'docker/registry/v2/a/data' }));
    expect(sha256(await got.Body!.transformToByteArray())).toBe(sha256(body));
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'berth-rgw-test', Prefix: 'docker/registry/v2/', Delimiter: '/' }));
    expect(listed.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['docker/registry/v2/a/', 'docker/registry/v2/b/']);
    const all = await s3.send(new ListObjectsV2Command({ Bucket: 'berth-rgw-test', Prefix: 'docker/' }));
    expect(all.Contents?.map((o) => [o.Key, o.Size])).toEqual([
      ['docker/registry/v2/a/data', 100_000],
      ['docker/registry/v2/b/data', 1],
    ]);
  });

  it('completes a multipart upload of two 5 MiB parts and reads it back (ETag from HEAD: RGW 16.2 answers an empty one)', async () => {
    await rgw.createBucket('berth-rgw-multipart');
    const Bucket = 'berth-rgw-multipart';
    const Key = 'big/data';
    const parts = [randomBytes(5 * 1024 * 1024), randomBytes(5 * 1024 * 1024)];
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    expect(UploadId).toBeTruthy();
    const etags: string[] = [];
    for (const [i, part] of parts.entries()) {
      const res = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: i + 1, Body: part }));
      expect(res.ETag).toBe(`"${createHash('md5').update(part).digest('hex')}"`);
      etags.push(res.ETag!);
    }
    const done = await s3.send(
      new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) } }),
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key }));
    expect(head.ContentLength).toBe(10 * 1024 * 1024);
    const md5s = Buffer.concat(parts.map((p) => createHash('md5').update(p).digest()));
    expect(head.ETag).toBe(`"${createHash('md5').update(md5s).digest('hex')}-2"`);
    // RGW 16.2 answers an empty ETag here (a later Ceph may not): only HEAD's is to be trusted.
    expect([undefined, '', '""', head.ETag]).toContain(done.ETag);
    const got = await s3.send(new GetObjectCommand({ Bucket, Key }));
    expect(sha256(await got.Body!.transformToByteArray())).toBe(sha256(Buffer.concat(parts)));
  });

  it('runs beside a second cluster on ports of its own, which stops without touching the first', async () => {
    const t0 = Date.now();
    const other = await startRgw(tmp.dir);
    const secondMs = Date.now() - t0;
    try {
      expect(other.endpoint).not.toBe(rgw.endpoint);
      await other.createBucket('berth-rgw-other');
      const s3b = client(other);
      const names = (await s3b.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name);
      s3b.destroy();
      expect(names).toEqual(['berth-rgw-other']);
      console.log(`second rgw cluster (beside the first): started in ${(secondMs / 1000).toFixed(1)} s`);
    } finally {
      await other.stop();
    }
    expect(other.pids.filter(isRunning)).toEqual([]);
    expect((await s3.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).not.toContain('berth-rgw-other');
  });

  it('stops rgw, OSD and mon, leaving no process and no file in the directory', async () => {
    const pids = rgw.pids;
    expect(readdirSync(tmp.dir)).toHaveLength(1);
    const t0 = Date.now();
    await rgw.stop();
    console.log(`rgw cluster: stopped in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    expect(pids.filter(isRunning)).toEqual([]);
    expect(readdirSync(tmp.dir)).toEqual([]);
    await expect(s3.send(new ListBucketsCommand({}))).rejects.toThrow();
  });
});
