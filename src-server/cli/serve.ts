import { loadConfig } from '../config/load';
import { createRegistryServer } from '../http/app';
import { createLogger } from '../logger';
import { createServices } from '../services';
import { CliError } from './errors';
import { setUpAuth } from './auth-setup';
import { listen, shutdown } from './listen';

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

  let services;
  try {
    services = await createServices({ dataDir: config.dataDir, deleteEnabled: config.deleteEnabled, log });
  } catch (err) {
    throw new CliError(`cannot open data directory ${config.dataDir}: ${(err as Error).message}`);
  }
  const app = createRegistryServer({ registry: services.registry, log, authorize: auth.authorize, routes: auth.routes });
  let listening;
  try {
    listening = await listen(app.callback(), config);
  } catch (err) {
    services.close();
    throw err;
  }
  const { server, url } = listening;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      // A second signal: the user does not want to wait for slow requests.
      server.closeAllConnections();
      return;
    }
    stopping = true;
    log.info(`${signal}: shutting down`);
    await shutdown(server, 5000);
    services.close();
    process.exit(0);
  };
  // Installed before the URL is announced: whoever reads that line may signal at once.
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  log.info(`data directory ${config.dataDir}; ${auth.summary}`);
  process.stdout.write(`Berth registry listening on ${url}\n`);
}
