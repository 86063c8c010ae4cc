import { loadConfig } from '../config/load';
import { createRegistryServer } from '../http/app';
import { createLogger } from '../logger';
import { createServices } from '../services';
import { CliError } from './errors';
import { setUpAuth } from './auth-setup';
import type { Server as HttpsServer } from 'node:https';
import type { RequestListener } from 'node:http';
import type { BerthConfig } from '../config/types';
import type { Logger } from '../logger';
import { keepCertificateFresh, type CertificateRenewal } from '../tls/renewal';
import { certificateStoreFor } from './cert';
import { listen, shutdown, type Listening } from './listen';
import { createCoreHandlers } from '../api/handlers';
import { startControlServer } from '../http/control-server';
import { withDataDirLock } from './control-client';

/** Options of `berth serve`, as commander hands them over. */
export interface ServeOptions {
  data?: string;
  listen?: string;
  config?: string;
  accessLog?: boolean;
  logLevel?: string;
  auth?: string;
  tlsListen?: string;
  tlsName?: string[];
  allowOpenNetwork?: boolean;
}

/**
 * `berth serve`: resolves the configuration, opens the services, listens, prints one line with the
 * URL on stdout, and on SIGINT/SIGTERM drains requests (up to 5 s), closes everything and exits 0.
 */
export async function serve(opts: ServeOptions): Promise<void> {
  const { config, warnings } = loadConfig(opts);
  const log = createLogger(config.logLevel, { access: config.accessLog });
  for (const w of warnings) log.warn(w);

  const auth = await setUpAuth(config, log);

  // Commands working on the directory without a server finish first; later ones find control.json.
  const { services, listeners, renewal, control } = await withDataDirLock(config.dataDir, 'berth serve', 60_000, () =>
    start(config, auth, log),
  );
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      // A second signal: the user does not want to wait for slow requests.
      for (const l of listeners) l.server.closeAllConnections();
      return;
    }
    stopping = true;
    log.info(`${signal}: shutting down`);
    renewal?.stop();
    await Promise.all([...listeners.map((l) => shutdown(l.server, 5000)), control.close(5000)]);
    services.close();
    process.exit(0);
  };
  // Installed before the URL is announced: whoever reads that line may signal at once.
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  log.info(`data directory ${config.dataDir}; ${auth.summary}`);
  for (const l of listeners) process.stdout.write(`Berth registry listening on ${l.url}\n`);
}

/** Opens the services, listens, and starts the control listener local CLIs act through. */
async function start(config: BerthConfig, auth: Awaited<ReturnType<typeof setUpAuth>>, log: Logger) {
  let services;
  try {
    services = await createServices({ dataDir: config.dataDir, deleteEnabled: config.deleteEnabled, log, proxy: config.proxy });
  } catch (err) {
    throw new CliError(`cannot open data directory ${config.dataDir}: ${(err as Error).message}`);
  }
  const app = createRegistryServer({ registry: services.registry, log, authorize: auth.authorize, routes: auth.routes });
  const listeners: Listening[] = [];
  let renewal: CertificateRenewal | undefined;
  try {
    listeners.push(await listen(app.callback(), config));
    if (config.tlsListen) {
      const secure = await listenWithOwnCertificate(app.callback(), config, log);
      listeners.push(secure.listening);
      renewal = secure.renewal;
    }
  } catch (err) {
    for (const l of listeners) l.server.close();
    services.close();
    throw err;
  }
  // Local CLIs (gc, repo rm, usage) act through this loopback listener, never beside the server.
  const status = () => ({ running: true, url: listeners[0]!.url });
  const control = await startControlServer({ handlers: createCoreHandlers(services, { status }), dataDir: config.dataDir, log });
  return { services, listeners, renewal, control };
}

/**
 * The `--tls-listen` listener: HTTPS with Berth's own CA-signed certificate (created or renewed as
 * needed), kept fresh while running without a restart.
 */
async function listenWithOwnCertificate(
  handler: RequestListener,
  config: BerthConfig,
  log: Logger,
): Promise<{ listening: Listening; renewal: CertificateRenewal }> {
  const store = certificateStoreFor(config);
  let material;
  try {
    material = await store.ensure();
  } catch (err) {
    throw new CliError(`cannot prepare the TLS certificate: ${(err as Error).message}`);
  }
  for (const r of material.reasons) log.info(`TLS: ${r}`);
  const listening = await listen(handler, { listen: config.tlsListen!, tlsPem: { cert: material.cert, key: material.key } });
  const renewal = keepCertificateFresh(listening.server as HttpsServer, store, { current: material.cert, log, intervalMs: 3_600_000 });
  return { listening, renewal };
}

