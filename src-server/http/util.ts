import type { Context } from 'koa';
import { parseDigest, type ParsedDigest } from '../core/digest';
import { RegistryError } from '../core/errors';
import { isValidName } from '../core/names';

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

/** Reads a request body of at most `limit` bytes, or throws a 413. */
export async function readBody(ctx: Context, limit: number): Promise<Buffer> {
  const declared = Number(ctx.get('Content-Length') || 0);
  const tooLarge = () => {
    ctx.set('Connection', 'close');
    return new RegistryError('MANIFEST_INVALID', { status: 413, message: 'manifest too large', detail: { limit } });
  };
  if (declared > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
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
