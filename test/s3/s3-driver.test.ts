/**
 * The S3 driver against a real Ceph RADOS Gateway started by the test (Debian's ceph-mon, ceph-osd
 * and radosgw; test/helpers/rgw.ts): the same StorageDriver contract as the filesystem driver, then
 * what only S3 has: registry:2's key layout, appends as multipart uploads across writers, a writer
 * that never closed, moves and deletes of large objects.
 */
import { ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseDigest } from '../../src-server/core/digest';
import { BlobStore } from '../../src-server/storage/blobs';
import { paths } from '../../src-server/storage/layout';
import { createS3Client, S3Driver } from '../../src-server/storage/s3-driver';
import { UploadStore } from '../../src-server/storage/uploads';
import { MIN_CHUNK_SIZE, type S3Options } from '../../src-server/storage/s3-options';
import { driverContract, readAll } from '../helpers/driver-contract';
import { rgwFixture } from './s3-berth';

const BUCKET = 'berth-driver';
const fixture = rgwFixture('berth-s3-driver-', BUCKET);
let roots = 0;

/** Options for a driver on its own root directory of the test bucket. */
function options(extra: Partial<S3Options> = {}): S3Options {
  return fixture.options({ rootDirectory: `root-${++roots}`, ...extra });
}

/**
 * A driver whose client fails the next `count` requests of one S3 command (as a gateway under load
 * answers 503), on the real RGW otherwise.
 */
function flakyDriver(extra: Partial<S3Options> = {}): { drv: S3Driver; failNext(command: string, count?: number): void } {
  const opts = options({ chunkSize: MIN_CHUNK_SIZE, ...extra });
  const client = createS3Client(opts);
  const failing = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const left = failing.get(context.commandName ?? '') ?? 0;
      if (left > 0) {
        failing.set(context.commandName!, left - 1);
        throw Object.assign(new Error(`injected failure of ${context.commandName}`), { name: 'ServiceUnavailable' });
      }
      return next(args);
    },
    { step: 'initialize', name: 'injectFailures' },
  );
  return { drv: new S3Driver(opts, client), failNext: (command, count = 1) => failing.set(command, count) };
}

driverContract('S3Driver on Ceph RGW', () => new S3Driver(options()));

describe('S3Driver specifics', () => {
  it("keeps registry:2's key layout under rootdirectory", async () => {
    const drv = new S3Driver(options({ rootDirectory: '/registry/' }));
    await drv.writeFile('docker/registry/v2/repositories/a/_manifests/tags/v1/current/link', 'sha256:x');
    const listed = await drv.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'registry/' }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual(['registry/docker/registry/v2/repositories/a/_manifests/tags/v1/current/link']);
    expect(() => drv.key('../escape')).toThrow(/escapes/);
  });

  it('appends across writers as multipart uploads (parts copied server-side), one part in memory at most', async () => {
    const drv = new S3Driver(options({ chunkSize: MIN_CHUNK_SIZE }));
    const a = randomBytes(7 * 1024 * 1024);
    const b = randomBytes(6 * 1024 * 1024 + 17);
    const c = randomBytes(100);
    const w1 = await drv.openAppend('up/data');
    await w1.write([a.subarray(0, 3_000_000), a.subarray(3_000_000)]);
    await w1.close();
    expect((await drv.stat('up/data'))!.size).toBe(a.length);
    const w2 = await drv.openAppend('up/data');
    await w2.write([b]);
    await w2.close();
    const w3 = await drv.openAppend('up/data');
    await w3.write([c]);
    await w3.close();
    const all = Buffer.concat([a, b, c]);
    expect((await drv.stat('up/data'))!.size).toBe(all.length);
    expect((await readAll(drv.createReadStream('up/data'))).equals(all)).toBe(true);
    expect((await readAll(drv.createReadStream('up/data', { start: a.length - 5, end: a.length + 4 }))).equals(all.subarray(a.length - 5, a.length + 5))).toBe(true);
    expect(await drv.multipartUploads(drv.key('up'))).toEqual([]);
  });

  it('a writer that never closed leaves an unfinished upload; reopening aborts it and keeps what the last close wrote', async () => {
    const drv = new S3Driver(options({ chunkSize: MIN_CHUNK_SIZE }));
    const kept = randomBytes(1000);
    const w1 = await drv.openAppend('crash/data');
    await w1.write([kept]);
    await w1.close();
    const w2 = await drv.openAppend('crash/data');
    await w2.write([randomBytes(MIN_CHUNK_SIZE + 1)]);
    // w2 is never closed, as when Berth is killed: one part was sent, the rest was in memory.
    const unfinished = await drv.s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: drv.key('crash/data') }));
    expect(unfinished.Uploads).toHaveLength(1);
    expect((await drv.readFile('crash/data'))!.equals(kept)).toBe(true);
    const w3 = await drv.openAppend('crash/data');
    await w3.write([Buffer.from('more')]);
    await w3.close();
    expect((await drv.readFile('crash/data'))!.equals(Buffer.concat([kept, Buffer.from('more')]))).toBe(true);
    expect(await drv.multipartUploads(drv.key('crash/data'))).toEqual([]);
  });

  it('moves a large object once, and deletes a folder with everything below it, unfinished uploads too', async () => {
    const drv = new S3Driver(options({ chunkSize: MIN_CHUNK_SIZE }));
    const big = randomBytes(MIN_CHUNK_SIZE * 2 + 3);
    const w = await drv.openAppend('uploads/u1/data');
    await w.write([big]);
    await w.close();
    expect(await drv.moveIfAbsent('uploads/u1/data', 'blobs/b/data')).toBe(true);
    expect(await drv.stat('uploads/u1/data')).toBeNull();
    expect((await drv.readFile('blobs/b/data'))!.equals(big)).toBe(true);
    const dangling = await drv.openAppend('uploads/u2/data');
    await dangling.write([randomBytes(MIN_CHUNK_SIZE)]);
    await drv.writeFile('uploads/u2/startedat', 'now');
    await drv.delete('uploads');
    expect(await drv.list('uploads')).toEqual([]);
    expect(await drv.multipartUploads(drv.key('uploads'))).toEqual([]);
  });

  it('a writer whose part failed keeps what the last close wrote: abort discards the multipart upload, never completes it with a gap', async () => {
    const { drv, failNext } = flakyDriver();
    const kept = randomBytes(1000);
    const w1 = await drv.openAppend('gap/data');
    await w1.write([kept]);
    await w1.close();
    const w2 = await drv.openAppend('gap/data');
    await w2.write([randomBytes(MIN_CHUNK_SIZE)]);
    failNext('UploadPartCommand');
    await expect(w2.write([randomBytes(MIN_CHUNK_SIZE + 10)])).rejects.toThrow(/injected/);
    await w2.abort();
    expect((await drv.readFile('gap/data'))!.equals(kept)).toBe(true);
    expect(await drv.multipartUploads(drv.key('gap/data'))).toEqual([]);
  });
});

describe('UploadStore on S3', () => {
  const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
  async function* of(data: Buffer): AsyncIterable<Buffer> {
    yield data;
  }
  async function* broken(data: Buffer): AsyncIterable<Buffer> {
    yield data;
    throw new Error('client went away');
  }

  it('a PATCH broken off while S3 fails to complete its part reports only what is stored, so a resumed upload never commits a blob with a gap', async () => {
    const { drv, failNext } = flakyDriver();
    const uploads = new UploadStore(drv, new BlobStore(drv));
    const blob = randomBytes(2 * MIN_CHUNK_SIZE + 123);
    const { uuid } = await uploads.start('r');
    await uploads.append('r', uuid, of(blob.subarray(0, 1000)));
    // The client hangs up after 6 MiB; keeping them needs CompleteMultipartUpload, which fails.
    failNext('CompleteMultipartUploadCommand');
    await expect(uploads.append('r', uuid, broken(blob.subarray(1000, MIN_CHUNK_SIZE + 1000)))).rejects.toThrow(/went away/);
    const { size } = await uploads.status('r', uuid);
    expect(size).toBe((await drv.stat(paths.uploadData('r', uuid)))!.size);
    await uploads.append('r', uuid, of(blob.subarray(size)), size);
    const d = parseDigest(sha(blob))!;
    expect(await uploads.commit('r', uuid, d)).toBe(blob.length);
    expect(sha((await drv.readFile(paths.blobData(d)))!)).toBe(d.digest);
  });
});
