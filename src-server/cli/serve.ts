import { loadConfig } from '../config/load';
import { createLogger } from '../logger';
import type { createServices } from '../services';
import { CliError } from './errors';
import { setUpAuth, type AuthSetup } from '../serving/auth-setup';
import type { BerthConfig } from '../config/types';
import type { ConfigSources } from '../config/provenance';
import type { Logger } from '../logger';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Context } from 'koa';
import { Throttle } from '../auth/throttle';
import { createApiBridge, type ApiBridge, type BridgeLogin } from '../http/bridge/api-bridge';
import { EventHub } from '../http/bridge/events';
import { settingsPath } from '../config/saved-settings';
import { ServerLocalControl } from '../http/control/local-control';
import { createStaticUi } from '../http/bridge/static-ui';
import type { V2Target } from '../http/v2/router';
import type { CertificateStore } from '../tls/store';
import { defaultSecretsPath, FileSecretStore } from '../connections/secret-store';
import { composeServing, refuseSecondServer } from '../serving/compose';
import { createGuiHandlers } from '../serving/gui-handlers';
import { withSavedSettings } from '../serving/settings';
import { decideUi, guiOnlyOverTls, plainGuiAnswer } from './ui-exposure';
import { BUILT_GUI_DIR, guiDirectory, packageRoot } from './gui-assets';

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
  /**
   * The GUI at `/` and its API bridge at `/_berth/api` (admin login required): `--ui` (true) insists,
   * `--no-ui` (false) turns it off, neither (undefined) serves it wherever that is safe.
   */
  ui?: boolean;
  /** The built GUI's folder (default: see gui-assets.ts). */
  uiDir?: string;
}

/**
 * `berth serve`: resolves the configuration, opens the services, listens, prints one line with the
 * URL on stdout, and on SIGINT/SIGTERM drains requests (up to 5 s), closes everything and exits 0.
 */
export async function serve(opts: ServeOptions): Promise<void> {
  const { config, sources, warnings, applied } = withSavedSettings(loadConfig(opts));
  const log = createLogger(config.logLevel, { access: config.accessLog });
  for (const w of warnings) log.warn(w);
  if (applied.length > 0) log.info(`settings from ${settingsPath(config.dataDir)}: ${applied.join(', ')}`);
  const ui = decideUi(opts.ui, config, (m) => new CliError(m));
  // Before anything is written there (a first start creates the admin user).
  await refuseSecondServer(config.dataDir, (m) => new CliError(m));
  const uiDir = ui.serve ? await guiDir(opts, log) : undefined;
  const auth = await setUpAuth(config, log);

  const { serving, uiUrl } = await start(config, auth, log, uiDir !== undefined ? { dir: uiDir, sources, configFile: opts.config } : undefined);
  let stopping = false;
  const stop = async (signal: string) => {
    if (!stopping) log.info(`${signal}: shutting down`);
    stopping = true;
    // A second signal makes the shutdown stop waiting for slow requests.
    await serving.close(5000);
    process.exit(0);
  };
  // Installed before the URL is announced: whoever reads that line may signal at once.
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  log.info(`data directory ${config.dataDir}; ${auth.summary}`);
  const { url, tlsUrl } = serving.listeners.urls();
  for (const u of [url, tlsUrl]) if (u !== null) process.stdout.write(`Berth registry listening on ${u}\n`);
  if (uiUrl) process.stdout.write(`Berth UI: ${uiUrl}\n`);
  else if (!ui.serve && ui.note) process.stdout.write(`Berth UI: ${ui.note}\n`);
}

/**
 * The built GUI's folder (see gui-assets.ts). From the sources a build may run first; when it fails,
 * an explicit `--ui` stops the start, and the default serves a page that says the GUI is not built.
 */
async function guiDir(opts: ServeOptions, log: Logger): Promise<string> {
  const root = packageRoot(import.meta.dirname);
  try {
    // Run from TypeScript sources (tsx) means a checkout: build the GUI there; the built CLI ships one.
    return await guiDirectory({ explicit: opts.uiDir, root, fromSources: import.meta.url.endsWith('.ts'), onBuild: (m) => log.info(m) });
  } catch (err) {
    const message = `cannot build the GUI: ${(err as Error).message}`;
    if (opts.ui) throw new CliError(`${message} (--no-ui starts the registry without it)`);
    log.warn(`${message}; serving the registry, and a page saying so at /`);
    return join(root, BUILT_GUI_DIR);
  }
}

/** What the GUI adds to a start. */
interface UiOptions {
  /** The built GUI's folder. */
  dir: string;
  /** Where each configuration value came from: the Settings screen may change only what no flag, variable or file sets. */
  sources: ConfigSources;
  /** The `--config` file, if any. */
  configFile?: string;
}

/** Opens the services, listens, and starts the control listener local CLIs act through. */
async function start(config: BerthConfig, auth: AuthSetup, log: Logger, ui?: UiOptions) {
  const serving = await composeServing({
    config,
    auth,
    log,
    who: 'berth serve',
    fail: (m) => new CliError(m),
    explainOpenFailure: true,
    listenAtStart: true,
    face: ({ services, store, listeners }) => {
      const urls = () => listeners.urls();
      const tlsPort = () => {
        const { tlsUrl } = urls();
        return tlsUrl === null ? null : Number(new URL(tlsUrl).port);
      };
      const gui = ui ? createUi(config, services, log, ui, auth, { urls, store, reloadCertificate: () => listeners.reloadCertificate() }) : undefined;
      return {
        gui,
        authorize: gui ? gui.authorize(auth.authorize) : auth.authorize,
        fallback: gui && guiOnlyOverTls(config) ? tlsOnly(gui.fallback, plainGuiAnswer(tlsPort)) : gui?.fallback,
        // Local CLIs (gc, repo rm, usage) act through the control listener, never beside the server.
        status: () => gui?.local.status() ?? { running: true, url: urls().url },
        // Event streams never end by themselves: closed so that the drain does not wait on them.
        drain: () => gui?.bridge.close(),
        close: async () => gui?.core.close(),
      };
    },
  });
  const { gui } = serving.face;
  const { url, tlsUrl } = serving.listeners.urls();
  const uiBase = guiOnlyOverTls(config) ? tlsUrl! : url;
  const uiUrl = gui ? `${uiBase}/${gui.token ? `#token=${gui.token}` : ''}` : undefined;
  return { serving, uiUrl };
}

/** A fallback that serves `secure` on the HTTPS listener and `plain` on the plain one. */
function tlsOnly(secure: (ctx: Context) => Promise<void> | void, plain: (ctx: Context) => void) {
  return (ctx: Context) => (ctx.protocol === 'https' ? secure(ctx) : plain(ctx));
}

/**
 * The GUI side of `berth serve` (on by default, `--no-ui` turns it off): the handler table (local control, administration and, once
 * wired, the app core), the `/_berth/api` bridge, the static GUI, and the gate that answers 503 on
 * `/v2` while the registry is stopped from the GUI.
 */
function createUi(
  config: BerthConfig,
  services: Awaited<ReturnType<typeof createServices>>,
  log: Logger,
  ui: UiOptions,
  auth: AuthSetup,
  io: { urls: () => { url: string; tlsUrl: string | null }; store: CertificateStore; reloadCertificate: () => Promise<unknown> },
) {
  const events = new EventHub();
  const local = new ServerLocalControl({
    config,
    sources: ui.sources,
    configFile: ui.configFile,
    urls: io.urls,
    log,
    guiOverHttp: true,
    onStatusChanged: (s) => events.broadcast('registry:status-changed', s),
  });
  // Headless: connection secrets in a 0600 file beside the data (see FileSecretStore), never in SQLite.
  const { handlers, core } = createGuiHandlers({
    config,
    services,
    log,
    auth,
    local,
    secrets: new FileSecretStore(defaultSecretsPath(config.dataDir)),
    urls: io.urls,
    certificates: io.store,
    reloadCertificate: io.reloadCertificate,
  });
  let token: string | undefined;
  let login: BridgeLogin;
  if (!auth.login) {
    token = randomBytes(32).toString('base64url');
    login = { mode: 'token', token, throttle: new Throttle() };
  } else {
    // The same verifier and throttle as /v2: failed GUI logins and failed pushes count together.
    login = { mode: 'password', ...auth.login };
  }
  const bridge: ApiBridge = createApiBridge({ handlers, login, log, events, audit: services.audit, download: core.download, archives: { transfer: services.transfer } });
  const staticUi = createStaticUi({ dir: ui.dir });
  const fallback = (ctx: Context) => (ctx.path === '/_berth' || ctx.path.startsWith('/_berth/') ? bridge.handle(ctx) : staticUi(ctx));
  const authorize =
    (inner: ((ctx: Context, t: V2Target) => Promise<void>) | undefined) =>
    async (ctx: Context, target: V2Target): Promise<void> => {
      local.assertRunning();
      await inner?.(ctx, target);
    };
  return { local, bridge, fallback, authorize, token, core };
}
