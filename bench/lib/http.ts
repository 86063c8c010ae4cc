import http from 'node:http';
import type { Readable } from 'node:stream';

/** One keep-alive agent for every request of the bench, as a real client would use. */
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** A finished HTTP exchange; `body` is empty when a `sink` consumed it. */
export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** Options of {@link request}. */
export interface RequestOptions {
  headers?: Record<string, string | number>;
  /** A buffer, or a stream piped as the body (set Content-Length yourself). */
  body?: Buffer | Readable;
  /** Receives every body chunk instead of collecting them (big downloads). */
  sink?: (chunk: Buffer) => void;
  timeoutMs?: number;
}

/** Sends one request with node:http (less client overhead than fetch) and resolves the reply. */
export function request(url: string | URL, method: string, opts: RequestOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => (opts.sink ? opts.sink(c) : chunks.push(c)));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.setTimeout(opts.timeoutMs ?? 300_000, () => req.destroy(new Error(`${method} ${url}: timed out`)));
    req.on('error', reject);
    const body = opts.body;
    if (body === undefined) req.end();
    else if (Buffer.isBuffer(body)) req.end(body);
    else {
      body.on('error', (e) => req.destroy(e));
      body.pipe(req);
    }
  });
}

/** Throws with the method, URL and body when the status is not the expected one. */
export function expectStatus(reply: Reply, expected: number, what: string): Reply {
  if (reply.status !== expected) {
    throw new Error(`${what}: expected ${expected}, got ${reply.status} ${reply.body.toString('utf8').slice(0, 300)}`);
  }
  return reply;
}

/** Resolves a `Location` header (relative for Berth, absolute for registry:2) against the base URL. */
export function location(reply: Reply, base: string): URL {
  const loc = reply.headers.location;
  if (!loc) throw new Error(`no Location header (status ${reply.status})`);
  return new URL(loc, base);
}

/** The target of an RFC 5988 `Link: <...>; rel="next"` header, or undefined at the last page. */
export function nextLink(reply: Reply, base: string): URL | undefined {
  const link = [reply.headers.link ?? []].flat().join(', ');
  const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(link);
  return m ? new URL(m[1]!, base) : undefined;
}

/** Runs `fn` over `items` with at most `limit` in flight; rejects on the first failure. */
export async function pool<T>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
