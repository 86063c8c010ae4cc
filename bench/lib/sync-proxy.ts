/**
 * A counting HTTP proxy put in front of a registry for one untimed run, to tell how many requests a
 * sync makes (the no-op run's figure: every request it makes is work it could have skipped). It
 * forwards each request to the target unchanged (Host included, so registry:2's absolute upload
 * Locations point back at the proxy) and counts it by method and kind of path.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Requests seen, by `METHOD kind` (kind: manifests, blobs, uploads, mounts, tags, catalog, base, referrers, other). */
export type RequestCounts = Record<string, number>;

/** A running counting proxy. */
export interface CountingProxy {
  /** host:port of the proxy, as a client names the registry. */
  host: string;
  counts: RequestCounts;
  total(): number;
  /** Most requests in flight at once, and body bytes sent back to clients. */
  maxInFlight(): number;
  bytesOut(): number;
  /** Forgets the counts so far. */
  reset(): void;
  close(): Promise<void>;
}

/** What a registry API request asks for, by its path (and `mount=` in the query: a cross-repository mount). */
export function requestKind(path: string, query = ''): string {
  if (/\/blobs\/uploads\/?$/.test(path) && /(^|&)mount=/.test(query)) return 'mounts';
  if (/^\/v2\/?$/.test(path)) return 'base';
  if (path.startsWith('/v2/_catalog')) return 'catalog';
  if (/\/blobs\/uploads\//.test(path)) return 'uploads';
  if (/\/blobs\/[^/]+$/.test(path)) return 'blobs';
  if (/\/manifests\/[^/]+$/.test(path)) return 'manifests';
  if (/\/tags\/list$/.test(path)) return 'tags';
  if (/\/referrers\//.test(path)) return 'referrers';
  return 'other';
}

/** Starts a proxy on 127.0.0.1 (a free port) forwarding to `target` (http://HOST:PORT). */
export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const to = new URL(target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  let counts: RequestCounts = {};
  let inFlight = 0;
  let maxInFlight = 0;
  let bytesOut = 0;
  const server = http.createServer((req, res) => {
    const [path = '/', query = ''] = (req.url ?? '/').split('?');
    const key = `${req.method} ${requestKind(path, query)}`;
    counts[key] = (counts[key] ?? 0) + 1;
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    res.on('close', () => inFlight--);
    const upstream = http.request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers, agent }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.on('data', (c: Buffer) => (bytesOut += c.length));
      up.pipe(res);
    });
    upstream.on('error', (e) => {
      if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' });
      res.end(`proxy: ${e.message}`);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    get counts() {
      return counts;
    },
    total: () => Object.values(counts).reduce((a, b) => a + b, 0),
    maxInFlight: () => maxInFlight,
    bytesOut: () => bytesOut,
    reset: () => {
      counts = {};
      maxInFlight = inFlight;
      bytesOut = 0;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
