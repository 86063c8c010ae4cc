/**
 * Purging abandoned uploads on a real Ceph RADOS Gateway (test/helpers/rgw.ts): uploads started
 * through the S3 driver with a multipart upload in progress (a writer that sent a part and never
 * closed, as a killed Berth leaves it), aged by writing an older `startedat`. A purged upload's keys
 * and unfinished multipart uploads are gone; a recent one keeps both; a multipart upload whose
 * upload folder is gone is aborted once it is older than the age.
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BlobStore } from '../../src-server/storage/blobs';
import { paths } from '../../src-server/storage/layout';
import { S3Driver } from '../../src-server/storage/s3-driver';
import { MIN_CHUNK_SIZE } from '../../src-server/storage/s3-options';
import { purgeUploads } from '../../src-server/storage/upload-purge';
import { UploadStore } from '../../src-server/storage/uploads';
import { rgwFixture } from './s3-berth';

const BUCKET = 'berth-purge';
const MIN = 60_000;
const fixture = rgwFixture('berth-s3-purge-', BUCKET);

describe('upload purging on S3', () => {
  it('removes an old upload with its multipart upload, keeps a recent one, aborts an old orphan', async () => {
    const drv = new S3Driver(fixture.options({ rootDirectory: 'registry', chunkSize: MIN_CHUNK_SIZE }));
    const uploads = new UploadStore(drv, new BlobStore(drv));
    const repo = 'team/app';
    /** The purge's clock: an hour ahead, so that what starts now is an hour old to it. */
    const later = new Date(Date.now() + 60 * MIN);

    /** An upload whose writer sent one part and never closed; `startedat` as given. */
    const abandoned = async (startedAt: string) => {
      const { uuid } = await uploads.start(repo);
      await drv.writeFile(paths.uploadStartedAt(repo, uuid), startedAt);
      const w = await drv.openAppend(paths.uploadData(repo, uuid));
      await w.write([randomBytes(MIN_CHUNK_SIZE + 1)]);
      return uuid;
    };
    const keysUnder = async (path: string) =>
      (await drv.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${drv.key(path)}/` }))).Contents?.map((o) => o.Key) ?? [];
    const multipartUnder = async (path: string) => (await drv.multipartUploads(`${drv.key(path)}/`)).length;

    // registry:2's RFC3339 format, a week before the purge's clock.
    const old = await abandoned(new Date(later.getTime() - 7 * 24 * 60 * MIN).toISOString().replace(/\.\d+Z$/, 'Z'));
    const recent = await abandoned(new Date(later.getTime() - MIN).toISOString());
    // An orphan: a writer's multipart upload under an upload folder that has no objects at all.
    const orphanUuid = randomUUID();
    const orphanWriter = await drv.openAppend(paths.uploadData(repo, orphanUuid));
    await orphanWriter.write([randomBytes(MIN_CHUNK_SIZE + 1)]);
    expect(await keysUnder(paths.uploadDir(repo, orphanUuid))).toEqual([]);
    expect([await multipartUnder(paths.uploadDir(repo, old)), await multipartUnder(paths.uploadDir(repo, recent)), await multipartUnder(paths.uploadDir(repo, orphanUuid))]).toEqual([1, 1, 1]);

    // A dry run counts and changes nothing.
    const dry = await purgeUploads(drv, { olderThanMs: 30 * MIN, dryRun: true, now: later });
    expect(dry).toMatchObject({ dryRun: true, kept: 1, multipartAborted: 2, errors: [] });
    expect(dry.removed.map((u) => [u.repo, u.uuid])).toEqual([[repo, old]]);
    expect(await keysUnder(paths.uploadDir(repo, old))).toHaveLength(2);
    expect(await multipartUnder(paths.uploadsRoot(repo))).toBe(3);

    // At the real time, the orphan's multipart upload is younger than the age: left alone.
    const first = await purgeUploads(drv, { olderThanMs: 30 * MIN });
    expect(first).toMatchObject({ kept: 1, multipartAborted: 1, errors: [] });
    expect(first.removed).toEqual([{ repo, uuid: old, startedAt: dry.removed[0]!.startedAt, bytes: 0 }]);
    expect(await keysUnder(paths.uploadDir(repo, old))).toEqual([]);
    expect(await multipartUnder(paths.uploadDir(repo, old))).toBe(0);
    expect(await multipartUnder(paths.uploadDir(repo, orphanUuid))).toBe(1);

    // An hour on, it is older than the age: aborted. The recent upload keeps its keys and parts.
    const second = await purgeUploads(drv, { olderThanMs: 30 * MIN, now: later });
    expect(second).toMatchObject({ removed: [], kept: 1, multipartAborted: 1, errors: [] });
    expect(await multipartUnder(paths.uploadDir(repo, orphanUuid))).toBe(0);
    expect((await keysUnder(paths.uploadDir(repo, recent))).sort()).toEqual(
      [drv.key(paths.uploadData(repo, recent)), drv.key(paths.uploadStartedAt(repo, recent))].sort(),
    );
    expect(await multipartUnder(paths.uploadDir(repo, recent))).toBe(1);
    expect(await drv.multipartUploads(drv.key(paths.uploadsRoot(repo)))).toHaveLength(1);

    // The recent upload is still usable: its status is what its last close wrote (the empty start).
    expect(await new UploadStore(drv, new BlobStore(drv)).status(repo, recent)).toEqual({ uuid: recent, size: 0 });
  }, 180_000);
});
