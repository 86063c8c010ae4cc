import { fetch, type Dispatcher } from 'undici';
import { RemoteProtocolError, RemoteTlsError, RemoteTrustError, RemoteUnavailableError } from './errors';
import { fetchPeerCertificate, isTrustFailure } from './trust';

/** Time limits of one request. */
export interface TransportTimeouts {
  /** From sending the request (its body fully sent) to the response headers, each redirect hop included. */
  headersMs: number;
  /** Longest pause between two chunks of a body, sent or received. */
  idleMs: number;
}

/** Default limits: generous for slow registries, short enough that a dead one is noticed. */
export const DEFAULT_TIMEOUTS: TransportTimeouts = { headersMs: 30_000, idleMs: 60_000 };

const MAX_REDIRECTS = 5;

/** A response whose body is read once, as chunks or whole, under the idle time limit. */
export interface RemoteResponse {
  status: number;
  headers: Headers;
  /** The URL that answered (after redirects). */
  url: string;
  /** The body as Buffers; aborts the request when a chunk takes longer than the idle limit. */
  chunks(): AsyncIterable<Buffer>;
  /** The whole body; RemoteProtocolError beyond `limit` bytes. */
  bytes(limit: number): Promise<Buffer>;
  /** Drops the body (and the connection if it is still streaming). */
  discard(): Promise<void>;
}

/** The HTTP methods the Distribution API uses. */
export type RemoteMethod = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

/** A request: method, absolute URL and headers (`authorization` is sent to its origin only). */
export interface RemoteRequest {
  method: RemoteMethod;
  url: string;
  headers: Record<string, string>;
  /** A Buffer, or chunks streamed as they come (never buffered; such a request cannot be redirected). */
  body?: Buffer | AsyncIterable<Buffer>;
  /**
   * The connection pool (and with it the TLS trust) for the request's own origin; hops to other
   * origins (a CDN) use the system's trust.
   */
  dispatcher?: Dispatcher;
  /** The caller's stop: aborts the request and its body (a cancelled copy). */
  signal?: AbortSignal;
}

/**
 * Sends a request with undici's fetch, following redirects by hand so that the `Authorization`
 * header never leaves the origin it was meant for (Docker Hub redirects blobs to a CDN that must
 * not see the registry's token). Network failures and timeouts become RemoteUnavailableError, an
 * untrusted certificate RemoteTrustError, another TLS failure RemoteTlsError.
 */
export async function send(req: RemoteRequest, timeouts: TransportTimeouts = DEFAULT_TIMEOUTS): Promise<RemoteResponse> {
  const controller = new AbortController();
  let url = req.url;
  let method = req.method;
  let body = req.body;
  const origin = new URL(req.url).origin;
  for (let hop = 0; ; hop++) {
    const sameOrigin = new URL(url).origin === origin;
    const headers = { ...req.headers };
    if (!sameOrigin) delete headers.authorization;
    let timer: NodeJS.Timeout | undefined;
    const arm = (ms: number, why: string) => {
      clearTimeout(timer);
      timer = setTimeout(() => controller.abort(new Error(why)), ms);
    };
    const streamed = body !== undefined && !Buffer.isBuffer(body);
    // A streamed body has its own clock: the idle limit per chunk, the headers limit once it is sent.
    if (streamed) arm(timeouts.idleMs, `the upload stalled for ${timeouts.idleMs} ms`);
    else arm(timeouts.headersMs, `no answer within ${timeouts.headersMs} ms`);
    let bodyError: { err: unknown } | undefined;
    const sent = streamed
      ? paced(
          body as AsyncIterable<Buffer>,
          () => arm(timeouts.idleMs, `the upload stalled for ${timeouts.idleMs} ms`),
          () => arm(timeouts.headersMs, `no answer within ${timeouts.headersMs} ms`),
          (err) => (bodyError = { err }),
        )
      : body;
    let res: Awaited<ReturnType<typeof fetch>>;
    try {
      res = await fetch(url, {
        method,
        headers,
        body: sent as never,
        ...(streamed ? { duplex: 'half' as const } : {}),
        redirect: 'manual',
        // AbortSignal.any holds no listener on the caller's signal: one copy sends thousands of requests.
        signal: req.signal ? AbortSignal.any([controller.signal, req.signal]) : controller.signal,
        ...(sameOrigin && req.dispatcher ? { dispatcher: req.dispatcher } : {}),
      });
    } catch (err) {
      // The caller's own body failing (a source stream broke) is the caller's error, not the remote's.
      if (bodyError) throw bodyError.err;
      throw await failure(err, url, controller);
    } finally {
      clearTimeout(timer);
    }
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && res.status !== 304 && location) {
      await res.body?.cancel().catch(() => {});
      if (hop >= MAX_REDIRECTS) throw new RemoteProtocolError(`too many redirects from ${req.url}`, req.url, res.status);
      if (streamed) throw new RemoteProtocolError(`${url} redirected an upload (${res.status}), which cannot be sent twice`, url, res.status);
      url = new URL(location, url).toString();
      if (!/^https?:$/.test(new URL(url).protocol)) throw new RemoteProtocolError(`redirect to an unsupported URL ${url}`, req.url, res.status);
      if (res.status === 303 && method !== 'HEAD') {
        method = 'GET';
        body = undefined;
      }
      continue;
    }
    return wrap(res as unknown as Response, url, controller, timeouts.idleMs);
  }
}

/** Passes chunks through, calling `onChunk` after each and `onEnd` once all are sent; reports the source's failure. */
async function* paced(chunks: AsyncIterable<Buffer>, onChunk: () => void, onEnd: () => void, onError: (err: unknown) => void): AsyncIterable<Buffer> {
  try {
    for await (const c of chunks) {
      onChunk();
      yield c;
    }
  } catch (err) {
    onError(err);
    throw err;
  }
  onEnd();
}

/** The neutral error for a failed fetch: trust, TLS, or unreachable. */
async function failure(err: unknown, url: string, controller: AbortController): Promise<Error> {
  if (controller.signal.aborted) return new RemoteUnavailableError(`cannot reach ${url}: ${reason(err, controller)}`, url);
  const causes: Array<Error & { code?: string }> = [];
  for (let e = err as (Error & { cause?: unknown; code?: string }) | undefined; e && causes.length < 5; e = e.cause as typeof e) causes.push(e);
  const trust = causes.find((c) => c instanceof RemoteTrustError);
  if (trust) return trust;
  const code = causes.find((c) => typeof c.code === 'string')?.code;
  if (code && isTrustFailure(code)) {
    const certificate = await fetchPeerCertificate(url, 5_000).catch(() => null);
    if (certificate) return new RemoteTrustError(`${new URL(url).host} presented a certificate that is not trusted (${code})`, url, certificate, code);
  }
  if (code && (/^ERR_SSL_|^ERR_TLS_|^EPROTO$/.test(code) || isTrustFailure(code)))
    return new RemoteTlsError(`TLS with ${new URL(url).host} failed (${code})`, url, code);
  return new RemoteUnavailableError(`cannot reach ${url}: ${reason(err, controller)}`, url);
}

function reason(err: unknown, controller: AbortController): string {
  if (controller.signal.aborted) return String((controller.signal.reason as Error)?.message ?? 'aborted');
  const e = err as Error & { cause?: Error & { code?: string } };
  return e.cause?.code ?? e.cause?.message ?? e.message;
}

function wrap(res: Response, url: string, controller: AbortController, idleMs: number): RemoteResponse {
  let used = false;
  async function* chunks(): AsyncIterable<Buffer> {
    if (used) throw new Error('response body already read');
    used = true;
    if (!res.body) return;
    const reader = res.body.getReader();
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => controller.abort(new Error(`body stalled for ${idleMs} ms`)), idleMs);
    };
    try {
      for (;;) {
        arm();
        let r: ReadableStreamReadResult<Uint8Array>;
        try {
          r = await reader.read();
        } catch (err) {
          throw new RemoteUnavailableError(`reading ${url} failed: ${reason(err, controller)}`, url);
        }
        if (r.done) return;
        yield Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
      }
    } finally {
      clearTimeout(timer);
      // Stopped early (consumer broke off or failed): free the connection.
      reader.cancel().catch(() => {});
    }
  }
  return {
    status: res.status,
    headers: res.headers,
    url,
    chunks,
    async bytes(limit) {
      const parts: Buffer[] = [];
      let size = 0;
      for await (const c of chunks()) {
        size += c.length;
        if (size > limit) throw new RemoteProtocolError(`${url}: body larger than ${limit} bytes`, url, res.status);
        parts.push(c);
      }
      return Buffer.concat(parts, size);
    },
    async discard() {
      if (!used) {
        used = true;
        await res.body?.cancel().catch(() => {});
      }
    },
  };
}
