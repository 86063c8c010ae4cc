import { createServer as createHttp, type RequestListener, type Server } from 'node:http';
import { createServer as createHttps } from 'node:https';

/** TLS material for an HTTPS listener (PEM). */
export interface TlsMaterial {
  cert: string | Buffer;
  key: string | Buffer;
}

/** Inactivity limit of a connection, in ms. */
export const IDLE_SOCKET_TIMEOUT_MS = 120_000;

/**
 * An HTTP or HTTPS server for a request handler, with timeouts suited to a registry: no overall
 * request deadline (a multi-GiB layer over a slow link must not be cut off, as registry:2 does not),
 * but a bound on slow headers and idle keep-alive sockets.
 */
export function createRegistryHttpServer(handler: RequestListener, tls?: TlsMaterial): Server {
  const server = tls ? createHttps({ cert: tls.cert, key: tls.key }, handler) : createHttp(handler);
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 65_000;
  // An idle socket (a client that stalls mid-body) is closed after 2 minutes of silence; without it a
  // stalled PATCH keeps its upload busy forever. Slow but moving transfers are never cut off.
  server.timeout = IDLE_SOCKET_TIMEOUT_MS;
  return server;
}
