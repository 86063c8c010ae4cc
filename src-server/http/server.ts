import { createServer as createHttp, type RequestListener, type Server } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { Duplex } from 'node:stream';
import { processFdBudget, type FdBudget } from '../core/fd-budget';
import type { Slots } from '../core/fd-slots';

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
 * but a bound on slow headers and idle keep-alive sockets. Its client sockets count against the
 * connections of the descriptor `budget` (the process's by default), shared with every other
 * listener made here, so that sockets never take the descriptors files need.
 */
export function createRegistryHttpServer(handler: RequestListener, tls?: TlsMaterial, budget: FdBudget = processFdBudget()): Server {
  const server = tls ? createHttps({ cert: tls.cert, key: tls.key }, handler) : createHttp(handler);
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 65_000;
  // An idle socket (a client that stalls mid-body) is closed after 2 minutes of silence; without it a
  // stalled PATCH keeps its upload busy forever. Slow but moving transfers are never cut off.
  server.timeout = IDLE_SOCKET_TIMEOUT_MS;
  server.on('clientError', answerMalformedRequest);
  limitConnections(server, budget.connections);
  return server;
}

/**
 * Holds a slot of `slots` for each client socket while it is open. A socket beyond them is closed
 * at once (as Node's own `maxConnections` does, but counted across listeners): the client sees a
 * closed connection and may retry, and nothing else in the process runs out of descriptors.
 */
function limitConnections(server: Server, slots: Slots): void {
  server.prependListener('connection', (socket: Duplex) => {
    const release = slots.tryAcquire();
    if (!release) {
      socket.destroy();
      return;
    }
    socket.once('close', release);
  });
}

const MALFORMED_BODY = JSON.stringify({
  errors: [{ code: 'UNSUPPORTED', message: 'malformed HTTP request', detail: null }],
});

/**
 * Requests Node's parser refuses (a bad Content-Length, broken headers) never reach Koa; answer
 * them with the spec's JSON error instead of Node's bare text, then close the connection.
 */
function answerMalformedRequest(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || (err.code === 'ECONNRESET' && socket.destroyed)) {
    socket.destroy();
    return;
  }
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
  socket.end(
    `HTTP/1.1 ${status}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Docker-Distribution-API-Version: registry/2.0\r\nConnection: close\r\n` +
      `Content-Length: ${Buffer.byteLength(MALFORMED_BODY)}\r\n\r\n${MALFORMED_BODY}`,
  );
}
