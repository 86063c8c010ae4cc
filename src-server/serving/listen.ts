/**
 * Listening for a serving process: the registry's HTTP(S) listeners, the `--tls-listen` one with
 * Berth's own certificate, and the graceful shutdown, for `berth serve` and the desktop alike.
 */
import { readTextFile } from '../core/files';
import type { RequestListener, Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { formatAuthority } from '../config/listen';
import type { BerthConfig } from '../config/types';
import type { Logger } from '../logger';
import { keepCertificateFresh, type CertificateRenewal } from '../tls/renewal';
import type { CertificateStore } from '../tls/store';
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

/**
 * The `--tls-listen` listener: HTTPS with Berth's own CA-signed certificate (created or renewed as
 * needed), kept fresh while running without a restart.
 */
export async function listenWithOwnCertificate(
  handler: RequestListener,
  config: BerthConfig,
  store: CertificateStore,
  log: Logger,
): Promise<{ listening: Listening; renewal: CertificateRenewal }> {
  let material;
  try {
    material = await store.ensure();
  } catch (err) {
    throw new CliError(`cannot prepare the TLS certificate: ${(err as Error).message}`);
  }
  for (const r of material.reasons) log.info(`TLS: ${r}`);
  const outside = store.provided ? [] : store.namesOutsideCa();
  if (outside.length > 0) {
    log.warn(`TLS: left out of the certificate, outside the names Berth's CA may vouch for: ${outside.join(', ')} (berth cert regenerate --new-ca includes them; clients must then trust the new CA)`);
  }
  const listening = await listen(handler, { listen: config.tlsListen!, tlsPem: { cert: material.cert, key: material.key } });
  const renewal = keepCertificateFresh(listening.server as HttpsServer, store, { current: material.cert, log, intervalMs: 3_600_000 });
  return { listening, renewal };
}
