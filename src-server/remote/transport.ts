import { RemoteProtocolError, RemoteUnavailableError } from './errors';

/** Time limits of one request. */
export interface TransportTimeouts {
  /** From sending the request to the response headers (each redirect hop included). */
  headersMs: number;
  /** Longest pause between two chunks of a body. */
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

/** A request: method, absolute URL and headers (`authorization` is sent to its origin only). */
export interface RemoteRequest {
  method: 'GET' | 'HEAD';
  url: string;
  headers: Record<string, string>;
}

/**
 * Sends a request with Node's fetch, following redirects by hand so that the `Authorization`
 * header never leaves the origin it was meant for (Docker Hub redirects blobs to a CDN that must
 * not see the registry's token). Network failures and timeouts become RemoteUnavailableError.
 */
export async function send(req: RemoteRequest, timeouts: TransportTimeouts = DEFAULT_TIMEOUTS): Promise<RemoteResponse> {
  const controller = new AbortController();
  let url = req.url;
  const origin = new URL(req.url).origin;
  for (let hop = 0; ; hop++) {
    const headers = { ...req.headers };
    if (new URL(url).origin !== origin) delete headers.authorization;
    const timer = setTimeout(() => controller.abort(new Error(`no answer within ${timeouts.headersMs} ms`)), timeouts.headersMs);
    let res: Response;
    try {
      res = await fetch(url, { method: req.method, headers, redirect: 'manual', signal: controller.signal });
    } catch (err) {
      throw new RemoteUnavailableError(`cannot reach ${url}: ${reason(err, controller)}`, url);
    } finally {
      clearTimeout(timer);
    }
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && res.status !== 304 && location) {
      await res.body?.cancel().catch(() => {});
      if (hop >= MAX_REDIRECTS) throw new RemoteProtocolError(`too many redirects from ${req.url}`, req.url, res.status);
      url = new URL(location, url).toString();
      if (!/^https?:$/.test(new URL(url).protocol)) throw new RemoteProtocolError(`redirect to an unsupported URL ${url}`, req.url, res.status);
      continue;
    }
    return wrap(res, url, controller, timeouts.idleMs);
  }
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
