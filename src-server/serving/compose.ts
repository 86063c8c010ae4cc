/**
 * The start sequence of a serving process, shared by `berth serve` and the desktop app's registry
 * process: refuse a second server on the data directory, open the services, the certificate store,
 * the registry app, the face's listeners and handler table, and the control listener local CLIs act
 * through. What differs between the two faces (the GUI bridge or IPC, listening at once or on
 * demand, how a failed start cleans up) comes in as two steps the caller supplies (issue 17).
 */
import type { RequestListener } from 'node:http';
import type { Context } from 'koa';
import { createCoreHandlers } from '../api/handlers';
import type { BerthConfig } from '../config/types';
import type { RegistryStatus } from '../contract';
import { createRegistryServer, type RegistryServerDeps } from '../http/v2/app';
import { otherServerProblem, startControlServer, type ControlServer } from '../http/control/control-server';
import type { Logger } from '../logger';
import { createServices, servingOptions, type Services } from '../services';
import type { CertificateStore } from '../tls/store';
import type { AuthSetup } from './auth-setup';
import { certificateStoreFor } from './certificates';
import { openRegistryGuard } from './guard';

/** What a face adds to the registry app before it is built. */
export interface FaceHooks {
  /** The `/v2` authorization (the auth's own, or the GUI's gate around it). */
  authorize: RegistryServerDeps['authorize'];
  /** Answers paths outside `/v2` that no route takes (the GUI and its bridge). */
  fallback?: (ctx: Context) => Promise<void> | void;
}

/** What a face hands back once its listeners and handler table stand. */
export interface FaceListening {
  /** The registry's status, as the control listener reports it. */
  status(): RegistryStatus;
  /** Frees what the face holds when the control listener cannot start (it rethrows then). */
  controlFailed?(): Promise<void>;
}

/** How {@link composeServing} builds one serving process. */
export interface ServingPlan<H extends FaceHooks, L extends FaceListening> {
  config: BerthConfig;
  auth: AuthSetup;
  log: Logger;
  /** The error a refusal or an unopenable data directory is reported as. */
  fail: (message: string) => Error;
  /** Names the data directory or bucket when the services cannot open (`berth serve` does). */
  explainOpenFailure: boolean;
  /** Builds the face's side of the registry app (called once the services are open). */
  hooks: (parts: { services: Services; store: CertificateStore }) => H;
  /**
   * Opens the face's listeners and handler table on the built app (`handler` makes its request
   * listener). When it throws, the face has freed what it opened, services included.
   */
  listen: (parts: { services: Services; store: CertificateStore; hooks: H; handler: () => RequestListener }) => Promise<L>;
}

/** A started serving process: its services, certificate store, the face's parts and the control listener. */
export interface Serving<H, L> {
  services: Services;
  store: CertificateStore;
  hooks: H;
  listening: L;
  control: ControlServer;
}

/** Throws `fail(problem)` when another server runs on (or holds) the data directory. */
export async function refuseSecondServer(dataDir: string, fail: (message: string) => Error): Promise<void> {
  const problem = await otherServerProblem(dataDir);
  if (problem) throw fail(problem);
}

/**
 * Composes a serving process: services, the registry app, the face's listeners and handler table,
 * and the control listener (`berth gc`, `berth repo rm` and `berth usage` act through it while the
 * server runs). Call it holding the data directory's lock.
 */
export async function composeServing<H extends FaceHooks, L extends FaceListening>(plan: ServingPlan<H, L>): Promise<Serving<H, L>> {
  const { config, log } = plan;
  // Again under the data directory's lock: a server may have started since the first check.
  await refuseSecondServer(config.dataDir, plan.fail);
  let services: Services;
  try {
    services = await createServices(servingOptions(config, log));
  } catch (err) {
    if (!plan.explainOpenFailure) throw err;
    const where = config.s3
      ? `the S3 bucket ${config.s3.bucket}${config.s3.regionEndpoint ? ` at ${config.s3.regionEndpoint}` : ''} (storage.s3)`
      : `data directory ${config.dataDir}`;
    throw plan.fail(`cannot open ${where}: ${(err as Error).message}`);
  }
  const store = certificateStoreFor(config);
  const hooks = plan.hooks({ services, store });
  const app = createRegistryServer({
    registry: services.served,
    log,
    authorize: hooks.authorize,
    routes: plan.auth.routes,
    fallback: hooks.fallback,
    guard: openRegistryGuard(config, store, log),
    audit: services.audit,
    trustedProxies: config.trustedProxies,
  });
  const listening = await plan.listen({ services, store, hooks, handler: () => app.callback() });
  let control: ControlServer;
  try {
    control = await startControlServer({ handlers: createCoreHandlers(services, { status: () => listening.status() }), dataDir: config.dataDir, log, audit: services.audit });
  } catch (err) {
    await listening.controlFailed?.();
    throw err;
  }
  return { services, store, hooks, listening, control };
}
