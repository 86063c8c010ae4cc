/**
 * Reading a remote registry's answers: the headers the client uses, JSON list bodies, the errors
 * for an unexpected status, and the checks of a blob upload (where the next request goes, and a
 * body of exactly the size announced).
 */
import { RemoteProtocolError } from './errors';
import type { RemoteResponse } from './transport';

/** Largest JSON list page read (catalog, tags, referrers). */
export const MAX_LIST_BODY = 16 << 20;

/**
 * A JSON object body of at most {@link MAX_LIST_BODY} bytes; RemoteProtocolError naming `what`
 * when it is not one. `url` is the registry's base URL.
 */
export async function readJson<T>(res: RemoteResponse, url: string, what: string): Promise<T> {
  const text = (await res.bytes(MAX_LIST_BODY)).toString('utf8');
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object') return v as T;
  } catch {
    /* below */
  }
  throw new RemoteProtocolError(`${url}: ${what} is not the JSON the registry API defines`, url, res.status);
}

/** The error for a status the registry API does not give for `what`. `url` is the registry's base URL. */
export function unexpectedStatus(res: RemoteResponse, url: string, what: string): RemoteProtocolError {
  return new RemoteProtocolError(`${url}: unexpected status ${res.status} for ${what}`, url, res.status);
}

/** True when the body is JSON with a `manifests` array (an image index). */
export function isIndex(body: Buffer): boolean {
  try {
    return Array.isArray((JSON.parse(body.toString('utf8')) as { manifests?: unknown }).manifests);
  } catch {
    return false;
  }
}

/** The media type of a response (`Content-Type` without parameters), or null. */
export function contentType(res: RemoteResponse): string | null {
  return res.headers.get('content-type')?.split(';')[0]?.trim() || null;
}

/** `Content-Length` as a number, or null when absent or not a plain number. */
export function contentLength(res: RemoteResponse): number | null {
  const v = res.headers.get('content-length');
  return v !== null && /^\d+$/.test(v) ? Number(v) : null;
}

/**
 * An upload's next URL from its Location header, resolved against the URL that answered. One on
 * another origin than the registry's is refused: the blob (and the credentials) would go elsewhere.
 */
export function uploadLocation(res: RemoteResponse, origin: string): string {
  const location = res.headers.get('location');
  if (!location) throw new RemoteProtocolError(`${res.url}: upload answered ${res.status} without a Location`, res.url, res.status);
  const url = new URL(location, res.url);
  if (url.origin !== origin)
    throw new RemoteProtocolError(`${origin} sent the upload to another host (${url.origin}); Berth uploads only to the registry itself`, res.url, res.status);
  return url.toString();
}

/**
 * Passes `chunks` through, failing with SIZE_INVALID when they are not exactly `size` bytes (the
 * registry would cut or wait).
 */
export async function* exactly(chunks: AsyncIterable<Buffer>, size: number, digest: string, url: string): AsyncIterable<Buffer> {
  let sent = 0;
  for await (const c of chunks) {
    sent += c.length;
    if (sent > size) throw new RemoteProtocolError(`the blob ${digest} has more than the ${size} bytes announced`, url, undefined, 'SIZE_INVALID');
    yield c;
  }
  if (sent !== size) throw new RemoteProtocolError(`the blob ${digest} ended after ${sent} of the ${size} bytes announced`, url, undefined, 'SIZE_INVALID');
}
