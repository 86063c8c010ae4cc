/**
 * What the crash test on S3 checks about one upload cut off by a kill, once Berth is back: the blob
 * is absent or whole; the upload answers with a size between what was acknowledged and what was
 * sent, its stored bytes are exactly that prefix, it resumes to the right blob, a wrong digest is
 * refused; and finishing or cancelling it leaves no multipart upload or key behind.
 */
import { expect } from 'vitest';
import { parseDigest } from '../../src-server/core/digest';
import { paths } from '../../src-server/storage/layout';
import type { S3Driver } from '../../src-server/storage/s3-driver';
import { pushBlob, sha256 } from '../helpers/push';
import { fetchBlobChecked } from '../interop/snapshot';
import { listKeys } from './bucket-mirror';
import type { S3Attempt } from './s3-crash-workload';

/** The upload's size from a 204's `Range: 0-<end>` ("0-0" is an empty upload: sizes here are never 1). */
export function rangeSize(res: Response): number {
  const m = /^0-(\d+)$/.exec(res.headers.get('range') ?? '');
  expect(m, `Range header ${res.headers.get('range')}`).not.toBeNull();
  const end = Number(m![1]);
  return end === 0 ? 0 : end + 1;
}

/** The upload id in an attempt's Location. */
export function uuidOf(a: S3Attempt): string {
  return a.uuid ?? a.location!.split('?')[0]!.split('/').pop()!;
}

/** Object keys and unfinished multipart uploads left under an upload's folder. */
export async function uploadResidue(drv: S3Driver, a: S3Attempt): Promise<{ keys: string[]; multipart: string[] }> {
  const dir = drv.key(paths.uploadDir(a.repo, uuidOf(a)));
  const keys = [...(await listKeys(drv, `${dir}/`)).keys()];
  const multipart = (await drv.multipartUploads(`${dir}/`)).map((u) => u.key);
  return { keys, multipart };
}

/** HEAD of the blob: 404, or 200 and then every byte served hashes to the digest. */
export async function expectWholeOrAbsent(base: string, a: S3Attempt): Promise<'absent' | 'whole'> {
  const head = await fetch(`${base}/v2/${a.repo}/blobs/${a.digest}`, { method: 'HEAD' });
  if (head.status === 404) return 'absent';
  expect(head.status).toBe(200);
  expect(await fetchBlobChecked(base, a.repo, a.digest)).toBe(a.size);
  return 'whole';
}

async function errorCode(res: Response): Promise<string | undefined> {
  const body = (await res.json().catch(() => ({}))) as { errors?: { code: string }[] };
  return body.errors?.[0]?.code;
}

/** After the commit moved the data away (the upload is gone), the blob's object is in the bucket. */
async function expectCommittedAway(drv: S3Driver, a: S3Attempt, res: Response): Promise<void> {
  expect(await errorCode(res)).toBe('BLOB_UPLOAD_UNKNOWN');
  // Only the final PUT can make an upload disappear, and it copies the data first.
  expect(a.phase, `${a.kind} upload ${uuidOf(a)} vanished before its PUT`).toBe('put');
  expect(await drv.stat(paths.blobData(parseDigest(a.digest)!))).not.toBeNull();
}

/**
 * A chunked upload cut off by the kill. Resolves 'resumed' (GET → 204 with a size between the
 * acknowledged and the sent bytes, the stored object is exactly that prefix, PATCH the rest, PUT →
 * 201) or 'gone' (killed inside its commit after the data moved: pushing again works).
 */
export async function resumeChunked(base: string, drv: S3Driver, a: S3Attempt): Promise<'resumed' | 'gone'> {
  const url = new URL(a.location!, base);
  const status = await fetch(url);
  if (status.status === 404) {
    await expectCommittedAway(drv, a, status);
    expect(await pushBlob(base, a.repo, a.data!)).toBe(a.digest);
    expect(await fetchBlobChecked(base, a.repo, a.digest)).toBe(a.size);
    return 'gone';
  }
  expect(status.status).toBe(204);
  const size = rangeSize(status);
  // Everything a 202 acknowledged survived the kill; nothing beyond what went out is there.
  expect(size).toBeGreaterThanOrEqual(a.acked);
  expect(size).toBeLessThanOrEqual(a.sent);
  const stored = await drv.readFile(paths.uploadData(a.repo, uuidOf(a)));
  expect(stored?.length).toBe(size);
  expect(sha256(stored!)).toBe(sha256(a.data!.subarray(0, size)));
  if (size < a.size) {
    const patch = await fetch(url, {
      method: 'PATCH',
      body: new Uint8Array(a.data!.subarray(size)),
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `${size}-${a.size - 1}` },
    });
    expect(patch.status).toBe(202);
    expect(patch.headers.get('range')).toBe(`0-${a.size - 1}`);
  }
  url.searchParams.set('digest', a.digest);
  const put = await fetch(url, { method: 'PUT' });
  expect(put.status).toBe(201);
  expect(await fetchBlobChecked(base, a.repo, a.digest)).toBe(a.size);
  expect(await uploadResidue(drv, a)).toEqual({ keys: [], multipart: [] });
  return 'resumed';
}

/**
 * A monolithic upload cut off by the kill (its one PUT in flight). Its object holds nothing or
 * everything: the PUT's bytes go to a multipart upload completed only at the end. Then either
 * `cancel` (DELETE → 204, upload and its multipart upload gone) or `wrong-digest` (PUT with the
 * blob's digest and no body: refused with DIGEST_INVALID unless all bytes are there, upload gone).
 */
export async function settleMonolithic(base: string, drv: S3Driver, a: S3Attempt, how: 'cancel' | 'wrong-digest'): Promise<string> {
  const url = new URL(a.location!.split('?')[0]!, base);
  const status = await fetch(url);
  if (status.status === 404) {
    await expectCommittedAway(drv, a, status);
    return 'gone';
  }
  expect(status.status).toBe(204);
  const size = rangeSize(status);
  expect([0, a.size]).toContain(size);
  if (how === 'cancel') {
    expect((await fetch(url, { method: 'DELETE' })).status).toBe(204);
  } else {
    url.searchParams.set('digest', a.digest);
    const put = await fetch(url, { method: 'PUT' });
    if (size === a.size) {
      expect(put.status).toBe(201);
      expect(await fetchBlobChecked(base, a.repo, a.digest)).toBe(a.size);
    } else {
      expect(put.status).toBe(400);
      expect(await errorCode(put)).toBe('DIGEST_INVALID');
      expect((await fetch(`${base}/v2/${a.repo}/blobs/${a.digest}`, { method: 'HEAD' })).status).toBe(404);
    }
  }
  expect((await fetch(new URL(a.location!.split('?')[0]!, base))).status).toBe(404);
  expect(await uploadResidue(drv, a)).toEqual({ keys: [], multipart: [] });
  return `${how}:${size === 0 ? 'empty' : 'full'}`;
}
