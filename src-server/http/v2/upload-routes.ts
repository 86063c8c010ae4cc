import type { Context } from 'koa';
import { parseDigest } from '../../core/digest';
import { RegistryError } from '../../core/errors';
import { isUploadId, type RegistryService } from '../../registry/service';
import { empty, MAX_DISCARDED_BODY, queryParam, requireDigest, requireName } from './util';

const body = (ctx: Context) => ctx.req as AsyncIterable<Buffer>;

function uploadHeaders(ctx: Context, repo: string, uuid: string, size: number): void {
  ctx.set('Location', `/v2/${repo}/blobs/uploads/${uuid}`);
  ctx.set('Docker-Upload-UUID', uuid);
  // registry:2 answers "0-0" for an empty upload; clients expect that form.
  ctx.set('Range', `0-${Math.max(size - 1, 0)}`);
}

function created(ctx: Context, repo: string, digest: string): void {
  ctx.set('Location', `/v2/${repo}/blobs/${digest}`);
  ctx.set('Docker-Content-Digest', digest);
  empty(ctx, 201);
}

function requireUuid(uuid: string): string {
  if (!isUploadId(uuid)) throw new RegistryError('BLOB_UPLOAD_UNKNOWN', { detail: { uuid } });
  return uuid;
}

/**
 * `Content-Range: <start>-<end>` (registry:2's form; `bytes ` prefix and `/total` tolerated).
 * Returns the start offset and the length it announces, or throws BLOB_UPLOAD_INVALID.
 */
export function parseContentRange(header: string): { start: number; length: number } {
  const m = /^(?:bytes )?(\d+)-(\d+)(?:\/(?:\d+|\*))?$/.exec(header.trim());
  if (!m) throw new RegistryError('BLOB_UPLOAD_INVALID', { message: 'invalid Content-Range', detail: { 'Content-Range': header } });
  const start = Number(m[1]);
  const end = Number(m[2]);
  if (end < start) {
    throw new RegistryError('RANGE_INVALID', { message: 'invalid Content-Range', detail: { 'Content-Range': header } });
  }
  return { start, length: end - start + 1 };
}

function checkedOffset(ctx: Context): number | undefined {
  const header = ctx.get('Content-Range');
  if (!header) return undefined;
  const { start, length } = parseContentRange(header);
  const declared = ctx.get('Content-Length');
  if (declared !== '' && Number(declared) !== length) {
    throw new RegistryError('SIZE_INVALID', { detail: { 'Content-Range': header, 'Content-Length': declared } });
  }
  if (declared === '') ctx.state.chunkLength = length;
  return start;
}

/**
 * The request body; a chunk sent without Content-Length must still be exactly its Content-Range.
 * A chunk that runs past its range is refused with SIZE_INVALID once the rest of it went by (read
 * and discarded, up to {@link MAX_DISCARDED_BODY}): answering while the client still sends would
 * reset the connection before the client could read why.
 */
async function* chunkBody(ctx: Context): AsyncIterable<Buffer> {
  const expected = ctx.state.chunkLength as number | undefined;
  if (expected === undefined) return yield* body(ctx);
  // Iterated by hand: leaving a for-await early would destroy the socket before the 400 is sent.
  const it = body(ctx)[Symbol.asyncIterator]();
  let received = 0;
  for (;;) {
    const next = await it.next();
    if (next.done) break;
    received += next.value.length;
    if (received > expected) {
      const tooLong = new RegistryError('SIZE_INVALID', { detail: { 'Content-Range length': expected, received: 'more' } });
      for (let discarded = 0; ; ) {
        const rest = await it.next();
        if (rest.done) throw tooLong;
        discarded += rest.value.length;
        if (discarded > MAX_DISCARDED_BODY) break;
      }
      // Still sending after all that: answer now and close the connection after the answer.
      ctx.set('Connection', 'close');
      throw tooLong;
    }
    yield next.value;
  }
  if (received !== expected) throw new RegistryError('SIZE_INVALID', { detail: { 'Content-Range length': expected, received } });
}

/**
 * POST /v2/<name>/blobs/uploads/ — starts an upload, uploads in one request (`?digest=`), or mounts
 * (`?mount=&from=`, or `?mount=` alone when the blob is anywhere in the registry).
 * https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-blobs
 */
export async function startUpload(ctx: Context, registry: RegistryService, repo: string): Promise<void> {
  const mount = queryParam(ctx, 'mount');
  if (mount !== undefined) {
    const d = requireDigest(mount);
    const from = queryParam(ctx, 'from');
    // The authorizer may forbid mounting (no pull on `from`, or an automatic mount for a caller who
    // cannot read everything): the request then simply starts an upload, as the spec allows.
    const allowed = ctx.state.mountAllowed !== false;
    if (allowed && (await registry.mountBlob(repo, d, from === undefined ? undefined : requireName(from)))) {
      created(ctx, repo, d.digest);
      return;
    }
  }
  const digestParam = queryParam(ctx, 'digest');
  const digest = digestParam === undefined ? undefined : requireDigest(digestParam);
  const upload = await registry.startUpload(repo, digest?.algorithm);
  if (digest) {
    await registry.commitUpload(repo, upload.uuid, digest, body(ctx));
    created(ctx, repo, digest.digest);
    return;
  }
  uploadHeaders(ctx, repo, upload.uuid, 0);
  empty(ctx, 202);
}

/** GET /v2/<name>/blobs/uploads/<uuid> — upload progress (204 with `Range`). */
export async function uploadStatus(ctx: Context, registry: RegistryService, repo: string, uuid: string): Promise<void> {
  const st = await registry.uploadStatus(repo, requireUuid(uuid));
  uploadHeaders(ctx, repo, uuid, st.size);
  empty(ctx, 204);
}

/** PATCH /v2/<name>/blobs/uploads/<uuid> — a chunk, in order (416 otherwise), or a stream. */
export async function patchUpload(ctx: Context, registry: RegistryService, repo: string, uuid: string): Promise<void> {
  requireUuid(uuid);
  const offset = checkedOffset(ctx);
  const st = await registry.appendUpload(repo, uuid, chunkBody(ctx), offset);
  uploadHeaders(ctx, repo, uuid, st.size);
  empty(ctx, 202);
}

/** PUT /v2/<name>/blobs/uploads/<uuid>?digest= — the last chunk (optional) and the commit. */
export async function finishUpload(ctx: Context, registry: RegistryService, repo: string, uuid: string): Promise<void> {
  requireUuid(uuid);
  const digestParam = queryParam(ctx, 'digest');
  const digest = digestParam ? parseDigest(digestParam) : null;
  if (!digest) throw new RegistryError('DIGEST_INVALID', { message: 'digest parameter missing or invalid', detail: { digest: digestParam ?? null } });
  const offset = checkedOffset(ctx);
  if (offset !== undefined) {
    const st = await registry.uploadStatus(repo, uuid);
    if (st.size !== offset) {
      throw new RegistryError('RANGE_INVALID', { headers: { Range: `0-${Math.max(st.size - 1, 0)}` }, detail: { size: st.size } });
    }
  }
  await registry.commitUpload(repo, uuid, digest, chunkBody(ctx));
  created(ctx, repo, digest.digest);
}

/** DELETE /v2/<name>/blobs/uploads/<uuid> — cancels an upload. */
export async function cancelUpload(ctx: Context, registry: RegistryService, repo: string, uuid: string): Promise<void> {
  requireUuid(uuid);
  await registry.uploadStatus(repo, uuid);
  await registry.cancelUpload(repo, uuid);
  empty(ctx, 204);
}
