/**
 * The desktop app's registry process: the same core as `berth serve --ui` (services, auth, the
 * registry's listeners, the GUI's handler table, the control listener local CLIs use), answering the
 * main process over a {@link HostPort} instead of HTTP. It runs outside the UI thread, so heavy
 * uploads, a copy or a collection never freeze the window; if it dies, the main process restarts it.
 *
 * Arguments (the main process passes them): `--data DIR`, `--listen HOST:PORT`, `--config FILE`,
 * `--no-listen` (start with the registry stopped). `BERTH_DATA` and `REGISTRY_*` work as for the CLI.
 */
import { parseArgs } from 'node:util';
import { dispatch, type Emit } from '../api/handlers';
import { localActor } from '../audit/actor';
import { ADMIN_USER } from '../auth/init';
import { loadConfig } from '../config/load';
import type { BerthConfig } from '../config/types';
import type { ConfigSources } from '../config/provenance';
import type { SecretStore } from '../connections/secret-store';
import { ServerLocalControl } from '../http/control/local-control';
import { createLogger, type Logger } from '../logger';
import { setUpAuth, type AuthSetup } from '../serving/auth-setup';
import { composeServing, refuseSecondServer } from '../serving/compose';
import { createGuiHandlers } from '../serving/gui-handlers';
import { withSavedSettings } from '../serving/settings';
import type { HostPort } from './port';
import { isHostRequest, type HostMessage } from './protocol';

/** The secret store the process uses, and why it is not the keychain when it is not. */
export interface ChosenSecrets {
  store: SecretStore;
  warning: string | null;
}

/** What {@link runHost} needs. */
export interface RunHostOptions {
  port: HostPort;
  argv: readonly string[];
  env?: NodeJS.ProcessEnv;
  /** Picks the secret store once the data directory is known (the keychain on a desktop). */
  secrets: (dataDir: string) => Promise<ChosenSecrets>;
  /** Ends the process (tests pass their own). */
  exit?: (code: number) => void;
}

/** Parsed arguments of the registry process. */
export interface HostArgs {
  data?: string;
  listen?: string;
  config?: string;
  listenAtStart: boolean;
}

/** Parses the registry process's arguments; throws on an unknown one. */
export function parseHostArgs(argv: readonly string[]): HostArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: { data: { type: 'string' }, listen: { type: 'string' }, config: { type: 'string' }, 'no-listen': { type: 'boolean' } },
    strict: true,
  });
  return { data: values.data, listen: values.listen, config: values.config, listenAtStart: !values['no-listen'] };
}

/** Runs the registry process until the parent asks it to shut down or goes away. */
export async function runHost(opts: RunHostOptions): Promise<void> {
  const { port } = opts;
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const post = (m: HostMessage) => port.post(m);
  // Requests that arrive while the services open wait for them.
  const early: unknown[] = [];
  let onRequest: (m: unknown) => void = (m) => early.push(m);
  port.onMessage((m) => onRequest(m));

  let runtime: Awaited<ReturnType<typeof openRuntime>>;
  let chosen: ChosenSecrets;
  let auth: AuthSetup | undefined;
  try {
    const args = parseHostArgs(opts.argv);
    const { config, sources, warnings } = withSavedSettings(loadConfig({ data: args.data, listen: args.listen, config: args.config }, opts.env ?? process.env));
    const log = createLogger(config.logLevel, { access: config.accessLog });
    for (const w of warnings) log.warn(w);
    // Before anything is written there (a first start creates the admin user).
    await refuseSecondServer(config.dataDir, (m) => new Error(m));
    auth = await setUpAuth(config, log, { announce: false });
    chosen = await opts.secrets(config.dataDir);
    if (chosen.warning) log.warn(chosen.warning);
    const emit: Emit = (channel, payload) => post({ type: 'event', channel, payload });
    runtime = await openRuntime({ config, sources, configFile: args.config }, auth, log, chosen.store, emit);
    if (args.listenAtStart) await runtime.local.start();
    log.info(`registry process ready; data directory ${config.dataDir}; ${auth.summary}`);
    post({
      type: 'ready',
      status: runtime.local.status(),
      loginUser: config.auth.mode === 'none' ? null : (auth.initialPassword?.user ?? ADMIN_USER),
      initialPassword: auth.initialPassword,
      secrets: { kind: chosen.store.kind, warning: chosen.warning },
    });
  } catch (err) {
    const message = (err as Error).message;
    // Also on stderr (the app's log): the message to the parent is the only other trace.
    process.stderr.write(`Berth registry process: cannot start: ${message}\n`);
    // A first start that created the admin user before failing hands the password over all the
    // same: the next start finds the user and could never show it again.
    post({ type: 'fatal', message, initialPassword: auth?.initialPassword ?? null });
    // Give the message time to leave before the process ends.
    setTimeout(() => exit(1), 200);
    return;
  }

  let closing: Promise<void> | null = null;
  const shutdown = () => {
    closing ??= runtime.close().then(
      () => exit(0),
      () => exit(1),
    );
    return closing;
  };
  onRequest = (m) => {
    if (!isHostRequest(m)) return;
    if (m.type === 'shutdown') {
      void shutdown();
      return;
    }
    const emit: Emit = (channel, payload) => post({ type: 'event', channel, payload });
    void dispatch(runtime.handlers, m.channel, m.payload, emit, runtime.log, { audit: runtime.audit }).then((envelope) => post({ type: 'result', id: m.id, envelope }));
  };
  for (const m of early.splice(0)) onRequest(m);
  port.onDisconnect(() => void shutdown());
}

/**
 * Opens the services, the handler table and the control listener; the registry starts stopped.
 * `sources` and `configFile` tell the Settings screen what a flag, variable or the file sets.
 */
async function openRuntime(
  { config, sources, configFile }: { config: BerthConfig; sources: ConfigSources; configFile?: string },
  auth: AuthSetup,
  log: Logger,
  secrets: SecretStore,
  emit: Emit,
) {
  const serving = await composeServing({
    config,
    auth,
    log,
    who: 'Berth',
    fail: (m) => new Error(m),
    explainOpenFailure: false,
    // The main process starts the registry (or leaves it stopped) once the services are open.
    listenAtStart: false,
    face: ({ services, store, listeners }) => {
      const urls = () => listeners.urls();
      const local = new ServerLocalControl({
        config,
        sources,
        configFile,
        urls,
        log,
        listeners,
        running: false,
        onStatusChanged: (s) => emit('registry:status-changed', s),
      });
      const { handlers, core } = createGuiHandlers({
        config,
        services,
        log,
        // The desktop shows the first-run password once, in its own dialog (see 'ready'): the window
        // must not show it a second time after the dialog said it would not.
        auth: { ...auth, initialPassword: null },
        local,
        secrets,
        urls,
        certificates: store,
        reloadCertificate: () => listeners.reloadCertificate(),
      });
      return {
        authorize: auth.authorize,
        local,
        handlers,
        // `berth gc`, `berth repo rm` and `berth usage` act through the control listener while the app runs.
        status: () => local.status(),
        close: () => core.close(),
      };
    },
  });
  const { handlers, local } = serving.face;
  return {
    handlers,
    local,
    log,
    // The window is the desktop's user: changes made there are the OS user's.
    audit: { sink: serving.services.audit, actor: localActor('desktop') },
    close: () => serving.close(5000),
  };
}
