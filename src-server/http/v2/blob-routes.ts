import type { Context } from 'koa';
import type { ParsedDigest } from '../../core/digest';
import { NotFoundError, RegistryError } from '../../core/errors';
import type { ByteRange } from '../../storage/driver';
import { paths } from '../../storage/layout';
import type { ContentFallback, Registry } from '../../registry/registry';
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
export async function getBlob(ctx: Context, registry: Registry, repo: string, ref: string): Promise<void> {
  const d = requireDigest(ref);
  let size: number;
  try {
    // A HEAD is how a pushing client decides to skip an upload: claim the blob against a collection.
    size = ctx.method === 'HEAD' ? await registry.claimBlob(repo, d) : await registry.statBlob(repo, d);
  } catch (err) {
    if (err instanceof NotFoundError && registry.fallback) return getUpstreamBlob(ctx, registry.fallback, repo, d);
    throw err;
  }
  const redirect = ctx.method === 'GET' ? registry.driver.redirectUrl?.bind(registry.driver) : undefined;
  if (redirect) return redirectToBlob(ctx, redirect, d, size);
  const range = blobHeaders(ctx, d, size);
  const length = range ? range.end - range.start + 1 : size;
  if (ctx.method === 'HEAD' || length === 0) {
    ctx.set('Content-Length', String(length));
    if (length === 0 && ctx.method !== 'HEAD') ctx.body = '';
    return;
  }
  ctx.length = length;
  // The hot path for local storage: reused buffers instead of a stream of fresh ones. Opened
  // before any header goes out, so a blob deleted meanwhile is still a clean BLOB_UNKNOWN.
  const local = await registry.openLocalBlob(d);
  if (local) {
    ctx.respond = false;
    ctx.res.writeHead(ctx.status, ctx.response.headers as Record<string, string>);
    await sendFileRange(ctx.res, local, range?.start ?? 0, range ? range.end : size - 1);
    return;
  }
  ctx.body = registry.openBlob(d, range);
}

/**
 * registry:2's `storage.redirect`: a 307 to a presigned URL of the blob's object, sent only after
 * the auth and repository checks passed. A Range goes along to the URL, which honours it; one
 * outside the blob is still answered here, with the spec's RANGE_INVALID.
 */
async function redirectToBlob(ctx: Context, redirectUrl: (path: string) => Promise<string>, d: ParsedDigest, size: number): Promise<void> {
  if (parseRange(ctx.get('Range') || undefined, size) === null) {
    throw new RegistryError('RANGE_INVALID', { headers: { 'Content-Range': `bytes */${size}` }, detail: { size } });
  }
  const url = await redirectUrl(paths.blobData(d));
  ctx.set('Docker-Content-Digest', d.digest);
  ctx.set('Location', url);
  // The URL expires: no cache may keep the answer (registry:2 sends none either).
  ctx.set('Cache-Control', 'no-store');
  empty(ctx, 307);
}

/**
 * Sets the headers and status of a blob answer and returns the range to send (undefined: all);
 * a range outside the blob is RANGE_INVALID.
 */
function blobHeaders(ctx: Context, d: ParsedDigest, size: number): ByteRange | undefined {
  ctx.set('Docker-Content-Digest', d.digest);
  ctx.set('ETag', `"${d.digest}"`);
  ctx.set('Accept-Ranges', 'bytes');
  ctx.set('Cache-Control', 'max-age=31536000');
  ctx.type = 'application/octet-stream';
  const range = parseRange(ctx.get('Range') || undefined, size);
  if (range === null) {
    throw new RegistryError('RANGE_INVALID', { headers: { 'Content-Range': `bytes */${size}` }, detail: { size } });
  }
  if (range) {
    ctx.status = 206;
    ctx.set('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
  } else {
    ctx.status = 200;
  }
  return range;
}

/**
 * A blob the registry lacks, from the pull-through cache's upstream: HEAD asks the upstream's size
 * (nothing cached); GET streams it while caching it. A Range needs the size first (one HEAD).
 */
async function getUpstreamBlob(ctx: Context, fallback: ContentFallback, repo: string, d: ParsedDigest): Promise<void> {
  const wantsRange = ctx.method === 'GET' && !!ctx.get('Range');
  if (ctx.method === 'HEAD' || wantsRange) {
    const size = await fallback.statBlob(repo, d);
    if (size === null) throw new NotFoundError('blob');
    const range = blobHeaders(ctx, d, size);
    const length = range ? range.end - range.start + 1 : size;
    if (ctx.method === 'HEAD') {
      ctx.set('Content-Length', String(length));
      return;
    }
    const opened = await fallback.openBlob(repo, d, range);
    if (!opened) throw new NotFoundError('blob');
    ctx.length = length;
    ctx.body = opened.stream;
    return;
  }
  const opened = await fallback.openBlob(repo, d);
  if (!opened) throw new NotFoundError('blob');
  blobHeaders(ctx, d, opened.size);
  ctx.length = opened.size;
  // An empty blob is cached all the same; there is nothing to stream.
  ctx.body = opened.size === 0 ? '' : opened.stream;
}

/** DELETE /v2/<name>/blobs/<digest> — https://github.com/opencontainers/distribution-spec/blob/main/spec.md#deleting-blobs */
export async function deleteBlob(ctx: Context, registry: Registry, repo: string, ref: string): Promise<void> {
  const d = requireDigest(ref);
  await registry.deleteBlob(repo, d);
  empty(ctx, 202);
}
