/**
 * A serving process, shared by `berth serve` and the desktop app's registry process: under the data
 * directory's lock it refuses a second server, opens the services, the certificate store, the
 * registry app with its listeners, the face's handler table and the control listener local CLIs act
 * through; and it owns the one shutdown that closes them again. What differs between the two faces
 * (the GUI bridge or IPC, listening at once or on demand) comes in as the face the caller builds
 * (issue 17).
 */
import type { RequestListener } from 'node:http';
import type { Context } from 'koa';
import { createCoreHandlers } from '../api/handlers';
import { LocalSource } from '../browse/local-source';
import type { BerthConfig } from '../config/types';
import type { RegistryStatus } from '../contract';
import { createRegistryServer, type RegistryServerDeps } from '../http/v2/app';
import { otherServerProblem, startControlServer, type ControlServer } from '../http/control/control-server';
import type { Logger } from '../logger';
import { createServices, servingOptions, type Services } from '../services';
import type { CertificateStore } from '../tls/store';
import type { AuthSetup } from './auth-setup';
import { certificateStoreFor } from './certificates';
import { withDataDirLock } from './data-dir-lock';
import { openRegistryGuard } from './guard';
import { ListenerSet } from './listeners';

/** What a face (the GUI over HTTP, or over IPC) adds to a serving process. */
export interface Face {
  /** The `/v2` authorization (the auth's own, or the GUI's gate around it). */
  authorize: RegistryServerDeps['authorize'];
  /** Answers paths outside `/v2` that no route takes (the GUI and its bridge). */
  fallback?: (ctx: Context) => Promise<void> | void;
  /** The registry's status, as the control listener reports it. */
  status(): RegistryStatus;
  /** Ends what never ends by itself (event streams), so that the shutdown's drain does not wait on it. */
  drain?(): void;
  /** Frees what the face opened beside the services (the app core), once requests are done. */
  close?(): Promise<void>;
}

/** The parts a face is built on. */
export interface FaceParts {
  services: Services;
  store: CertificateStore;
  /** The registry's listeners; they serve the app built with the face. */
  listeners: ListenerSet;
}

/** How {@link composeServing} builds one serving process. */
export interface ServingPlan<F extends Face> {
  config: BerthConfig;
  auth: AuthSetup;
  log: Logger;
  /** Who waits for the data directory's lock, as a busy lock's message names it. */
  who: string;
  /** The error a refusal or an unopenable data directory is reported as. */
  fail: (message: string) => Error;
  /** Names the data directory or bucket when the services cannot open (`berth serve` does). */
  explainOpenFailure: boolean;
  /** Listens before the control listener starts (`berth serve`); else the face opens the listeners. */
  listenAtStart: boolean;
  /** Builds the face (called once the services are open, before the registry app). */
  face: (parts: FaceParts) => F;
}

/** A started serving process. */
export interface Serving<F> extends FaceParts {
  face: F;
  control: ControlServer;
  /**
   * Stops the process's serving parts, once: the listeners and the control listener (requests in
   * flight get `graceMs`), then the face, the password-check threads, and the services (background
   * jobs, SQLite databases). Called again while it runs, it stops waiting for requests in flight.
   */
  close(graceMs?: number): Promise<void>;
}

/** Throws `fail(problem)` when another server runs on (or holds) the data directory. */
export async function refuseSecondServer(dataDir: string, fail: (message: string) => Error): Promise<void> {
  const problem = await otherServerProblem(dataDir);
  if (problem) throw fail(problem);
}

/**
 * Composes a serving process: services, the registry app and its listeners, the face, and the
 * control listener (`berth gc`, `berth repo rm` and `berth usage` act through it while the server
 * runs), holding the data directory's lock meanwhile. What a failed start opened is closed again.
 */
export function composeServing<F extends Face>(plan: ServingPlan<F>): Promise<Serving<F>> {
  // Commands working on the directory without a server finish first; later ones find control.json.
  return withDataDirLock(plan.config.dataDir, plan.who, 60_000, () => compose(plan));
}

async function compose<F extends Face>(plan: ServingPlan<F>): Promise<Serving<F>> {
  const { config, log } = plan;
  // Again under the data directory's lock: a server may have started since the caller's check.
  await refuseSecondServer(config.dataDir, plan.fail);
  const services = await openServices(plan);
  const store = certificateStoreFor(config);
  // The face is built on the listeners and the app on the face: requests reach the app once built.
  let handler: RequestListener | undefined;
  const listeners = new ListenerSet((req, res) => handler!(req, res), config, store, log);
  let face: F | undefined;
  let control: ControlServer | undefined;
  const close = shutdownOf(() => ({ listeners, control, face, auth: plan.auth, services }));
  try {
    face = plan.face({ services, store, listeners });
    const app = createRegistryServer({
      registry: services.served,
      log,
      authorize: face.authorize,
      routes: plan.auth.routes,
      fallback: face.fallback,
      guard: openRegistryGuard(config, store, log),
      audit: services.audit,
      trustedProxies: config.trustedProxies,
    });
    handler = app.callback();
    if (plan.listenAtStart) await listeners.open();
    const status = face.status.bind(face);
    // Local readers see what the data directory holds (a pull-through cache's upstream is never
    // asked), as the in-process readers of the CLI do.
    const read = new LocalSource(services.registry, () => 'localhost');
    control = await startControlServer({ handlers: createCoreHandlers(services, { status }), dataDir: config.dataDir, log, audit: services.audit, read });
  } catch (err) {
    await close(0);
    throw err;
  }
  return { services, store, listeners, face, control, close };
}

async function openServices(plan: ServingPlan<Face>): Promise<Services> {
  const { config } = plan;
  try {
    return await createServices(servingOptions(config, plan.log));
  } catch (err) {
    if (!plan.explainOpenFailure) throw err;
    const where = config.s3
      ? `the S3 bucket ${config.s3.bucket}${config.s3.regionEndpoint ? ` at ${config.s3.regionEndpoint}` : ''} (storage.s3)`
      : `data directory ${config.dataDir}`;
    throw plan.fail(`cannot open ${where}: ${(err as Error).message}`);
  }
}

/** What the shutdown closes; read when it runs, so that a failed start closes what it got to. */
interface Closable {
  listeners: ListenerSet;
  control: ControlServer | undefined;
  face: Face | undefined;
  auth: AuthSetup;
  services: Services;
}

/** The one shutdown of a serving process (see {@link Serving.close}): runs once, awaited by every caller. */
function shutdownOf(parts: () => Closable): (graceMs?: number) => Promise<void> {
  let closing: Promise<void> | null = null;
  return (graceMs = 5000) => {
    const { listeners, control, face, auth, services } = parts();
    if (closing) {
      // Asked again (a second signal): the user does not want to wait for slow requests.
      listeners.dropConnections();
      return closing;
    }
    closing = (async () => {
      face?.drain?.();
      await Promise.all([listeners.close(graceMs), control?.close(graceMs)]);
      // The face's database and the services serve requests: closed once none is left.
      await face?.close?.();
      await auth.login?.verifier.close();
      services.close();
    })();
    return closing;
  };
}
