import { readTextFile } from '../core/files';
import type { RequestListener, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatAuthority } from '../config/listen';
import type { BerthConfig } from '../config/types';
import { createRegistryHttpServer, type TlsMaterial } from '../http/server';
import { CliError } from './errors';

/** A listening server and the URL it serves. */
export interface Listening {
  server: Server;
  url: string;
}


const LISTEN_ERRORS: Record<string, string> = {
  EADDRINUSE: 'address already in use',
  EACCES: 'permission denied',
  EADDRNOTAVAIL: 'address not available on this machine',
};

/** Where and how to listen: `tls` names PEM files (registry:2's http.tls), `tlsPem` holds PEM text. */
export interface ListenSpec {
  listen: BerthConfig['listen'];
  tls?: BerthConfig['tls'];
  tlsPem?: TlsMaterial;
}

/** Creates the HTTP or HTTPS server for `spec` and waits until it listens. */
export async function listen(handler: RequestListener, spec: ListenSpec): Promise<Listening> {
  let server: Server;
  try {
    server = createRegistryHttpServer(
      handler,
      spec.tlsPem ??
        (spec.tls && {
          cert: readTextFile(spec.tls.certificate, 'TLS certificate', CliError),
          key: readTextFile(spec.tls.key, 'TLS key', CliError),
        }),
    );
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`invalid TLS certificate or key: ${(err as Error).message}`);
  }
  const { host, port } = spec.listen;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const why = LISTEN_ERRORS[err.code ?? ''] ?? err.message;
      reject(new CliError(`cannot listen on ${formatAuthority(host, port)}: ${why}`));
    });
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  const shown = host === undefined ? formatAuthority(undefined, actual) : formatAuthority((server.address() as AddressInfo).address, actual);
  return { server, url: `${spec.tls || spec.tlsPem ? 'https' : 'http'}://${shown}` };
}

/**
 * Stops accepting connections, lets requests in flight finish for up to `graceMs`, then closes
 * whatever connections remain.
 */
export async function shutdown(server: Server, graceMs = 5000): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // Keep-alive sockets go idle as their last response ends; close them as soon as they do.
  server.closeIdleConnections();
  const idle = setInterval(() => server.closeIdleConnections(), 100);
  const force = setTimeout(() => server.closeAllConnections(), graceMs);
  try {
    await closed;
  } finally {
    clearInterval(idle);
    clearTimeout(force);
  }
}
