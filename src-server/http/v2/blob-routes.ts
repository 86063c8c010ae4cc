import type { Context } from 'koa';
import type { ParsedDigest } from '../../core/digest';
import { RegistryError } from '../../core/errors';
import type { ByteRange } from '../../storage/driver';
import type { RegistryService } from '../../registry/service';
import { sendFileRange } from './send-file';
import { empty, requireDigest } from './util';

/**
 * Parses a single `Range: bytes=a-b` (or `a-`, or `-suffix`) against a size. Returns undefined to
 * serve the whole blob (no header, or a form we do not serve partially), null when unsatisfiable.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | null | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    // A zero-length suffix, or any suffix of an empty blob, selects no byte (RFC 9110 14.1.2).
    if (suffix === 0 || size === 0) return null;
    return { start: Math.max(size - suffix, 0), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || start > end) return null;
  return { start, end };
}

/** GET/HEAD /v2/<name>/blobs/<digest> — https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-blobs */
export async function getBlob(ctx: Context, registry: RegistryService, repo: string, ref: string): Promise<void> {
  const d = requireDigest(ref);
  const rangeOf = (size: number) => requestedRange(ctx, size);
  if (ctx.method === 'HEAD') {
    // A HEAD is how a pushing client decides to skip an upload: claim the blob against a collection.
    const size = await registry.claimBlob(repo, d);
    const range = rangeOf(size);
    blobHeaders(ctx, d, size, range);
    ctx.set('Content-Length', String(range ? range.end - range.start + 1 : size));
    return;
  }
  const content = await registry.openBlob(repo, d, { range: rangeOf, redirect: true, file: true });
  if ('redirect' in content) return redirectToBlob(ctx, content.redirect, d);
  const { size, range } = content;
  blobHeaders(ctx, d, size, range);
  const length = range ? range.end - range.start + 1 : size;
  if (length === 0) {
    if ('file' in content) await content.file.close();
    ctx.set('Content-Length', '0');
    ctx.body = '';
    return;
  }
  ctx.length = length;
  if ('file' in content) {
    // The hot path for local storage: reused buffers instead of a stream of fresh ones.
    ctx.respond = false;
    ctx.res.writeHead(ctx.status, ctx.response.headers as Record<string, string>);
    await sendFileRange(ctx.res, content.file, range?.start ?? 0, range ? range.end : size - 1);
    return;
  }
  ctx.body = content.stream;
}

/**
 * registry:2's `storage.redirect`: a 307 to a presigned URL of the blob's object, sent only after
 * the auth and repository checks passed. A Range goes along to the URL, which honours it; one
 * outside the blob has already been answered with the spec's RANGE_INVALID.
 */
function redirectToBlob(ctx: Context, url: string, d: ParsedDigest): void {
  ctx.set('Docker-Content-Digest', d.digest);
  ctx.set('Location', url);
  // The URL expires: no cache may keep the answer (registry:2 sends none either).
  ctx.set('Cache-Control', 'no-store');
  empty(ctx, 307);
}

/** The range a request asks for within `size` bytes (undefined: all); RANGE_INVALID when outside. */
function requestedRange(ctx: Context, size: number): ByteRange | undefined {
  const range = parseRange(ctx.get('Range') || undefined, size);
  if (range === null) {
    throw new RegistryError('RANGE_INVALID', { headers: { 'Content-Range': `bytes */${size}` }, detail: { size } });
  }
  return range;
}

/** Sets the headers and status of a blob answer for `range` of it (undefined: all). */
function blobHeaders(ctx: Context, d: ParsedDigest, size: number, range: ByteRange | undefined): void {
  ctx.set('Docker-Content-Digest', d.digest);
  ctx.set('ETag', `"${d.digest}"`);
  ctx.set('Accept-Ranges', 'bytes');
  ctx.set('Cache-Control', 'max-age=31536000');
  ctx.type = 'application/octet-stream';
  if (range) {
    ctx.status = 206;
    ctx.set('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
  } else {
    ctx.status = 200;
  }
}

/** DELETE /v2/<name>/blobs/<digest> — https://github.com/opencontainers/distribution-spec/blob/main/spec.md#deleting-blobs */
export async function deleteBlob(ctx: Context, registry: RegistryService, repo: string, ref: string): Promise<void> {
  const d = requireDigest(ref);
  await registry.deleteBlob(repo, d);
  empty(ctx, 202);
}
