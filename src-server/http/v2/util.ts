import type { Context } from 'koa';
import { parseDigest, type ParsedDigest } from '../../core/digest';
import { RegistryError } from '../../core/errors';
import { isValidName } from '../../core/names';

/** Answers with no body (Content-Length: 0) and the given status. */
export function empty(ctx: Context, status: number): void {
  ctx.status = status;
  ctx.body = '';
}

/** Parses a digest from the URL or query, or throws DIGEST_INVALID. */
export function requireDigest(value: string | undefined): ParsedDigest {
  const d = value ? parseDigest(value) : null;
  if (!d) throw new RegistryError('DIGEST_INVALID', { message: 'invalid digest', detail: { digest: value ?? null } });
  return d;
}

/** A single query parameter (the first if repeated). */
export function queryParam(ctx: Context, name: string): string | undefined {
  const v = ctx.query[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Validates a repository name taken from a query (e.g. `from`), or throws NAME_INVALID. */
export function requireName(value: string): string {
  if (!isValidName(value)) throw new RegistryError('NAME_INVALID', { detail: { name: value } });
  return value;
}

/**
 * Most bytes of a request body read (and discarded beyond the limit) before a 413 is answered. A
 * server that answers while the client is still sending, then closes, resets the connection, and
 * the client sees the reset instead of the answer; reading the rest first lets it read the 413 and
 * keeps the connection. A body larger than this is answered at once, and the connection closed.
 */
export const MAX_DISCARDED_BODY = 64 << 20;

/**
 * Reads a request body of at most `limit` bytes, or throws a 413 MANIFEST_INVALID once the whole
 * body went by (up to {@link MAX_DISCARDED_BODY}, see there).
 */
export async function readBody(ctx: Context, limit: number): Promise<Buffer> {
  const declared = Number(ctx.get('Content-Length') || 0);
  const tooLarge = (close: boolean) => {
    if (close) ctx.set('Connection', 'close');
    return new RegistryError('MANIFEST_INVALID', { status: 413, message: 'manifest too large', detail: { limit } });
  };
  if (declared > MAX_DISCARDED_BODY) throw tooLarge(true);
  const req = ctx.req;
  if (req.readableEnded) return Buffer.alloc(0);
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (settle: () => void) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      settle();
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else chunks.length = 0;
      if (size > MAX_DISCARDED_BODY) {
        req.pause();
        done(() => reject(tooLarge(true)));
      }
    };
    const onEnd = () => done(() => (size > limit ? reject(tooLarge(false)) : resolve(Buffer.concat(chunks, size))));
    const onError = (err: Error) => done(() => reject(err));
    // Closed before its end without an error: the client went away (the error middleware's `aborted`).
    const onClose = () => done(() => reject(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })));
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onError);
    req.once('close', onClose);
  });
}

/**
 * Parses `n` and `last` for tags and catalog paging. `n` must be a non-negative integer
 * (PAGINATION_NUMBER_INVALID otherwise); it is capped at `max`.
 */
export function pageParams(ctx: Context, fallback: number, max: number): { n: number; last?: string } {
  const raw = queryParam(ctx, 'n');
  let n = fallback;
  if (raw !== undefined && raw !== '') {
    if (!/^\d+$/.test(raw)) throw new RegistryError('PAGINATION_NUMBER_INVALID', { detail: { n: raw } });
    n = Math.min(Number(raw), max);
  }
  const last = queryParam(ctx, 'last') || undefined;
  return { n, last };
}

/** Sets the RFC 5988 `Link` header pointing at the next page. */
export function setNextLink(ctx: Context, path: string, n: number, last: string): void {
  ctx.set('Link', `<${path}?n=${n}&last=${encodeURIComponent(last)}>; rel="next"`);
}
