import { createServer as createHttp, type RequestListener, type Server } from 'node:http';
import { createServer as createHttps } from 'node:https';

/** TLS material for an HTTPS listener (PEM). */
export interface TlsMaterial {
  cert: string | Buffer;
  key: string | Buffer;
}

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
  return server;
}
