import Koa from 'koa';
import type { Context, Middleware, Next } from 'koa';
import { RegistryError } from '../../core/errors';
import type { TrustedProxy } from '../../config/types';
import type { Logger } from '../../logger';
import type { RegistryService } from '../../registry/service';
import { clientAddressMiddleware } from '../client-address';
import { errorMiddleware, writeError } from '../errors';
import { dispatchV2, parseV2Path, type V2Target } from './router';
import type { AuditSink } from '../../audit/audit-log';
import { auditedV2 } from './audit';

/** What the registry HTTP app needs. */
export interface RegistryServerDeps {
  registry: RegistryService;
  log: Logger;
  /**
   * Runs before every `/v2` route with what the request addresses (authentication and rights); may
   * throw a RegistryError (401/403/429). It may set `ctx.state.repoFilter` to limit the catalog.
   */
  authorize?: (ctx: Context, target: V2Target) => Promise<void> | void;
  /** Handlers for paths outside `/v2` (e.g. `/token`), by exact path. */
  routes?: Record<string, (ctx: Context) => Promise<void> | void>;
  /**
   * Answers paths outside `/v2` that no route takes (`berth serve --ui`: the GUI and its
   * `/_berth/api` bridge); without it they are 404.
   */
  fallback?: (ctx: Context) => Promise<void> | void;
  /** Where `/v2` changes (pushes, deletes) are recorded. */
  audit?: AuditSink;
  /**
   * Reverse proxies (`http.trustedproxies`) whose X-Forwarded-For names the client in `ctx.ip`;
   * without them `ctx.ip` is the socket's peer.
   */
  trustedProxies?: readonly TrustedProxy[];
  /** Runs first on every path and may refuse by throwing a RegistryError (the `--auth none` origin guard). */
  guard?: Middleware;
}

function accessLog(log: Logger) {
  const access = log.access!;
  return async (ctx: Context, next: Next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const ms = (performance.now() - started).toFixed(1);
      const user = (ctx.state.user as string | undefined) ?? '-';
      access(`${ctx.ip} ${user} "${ctx.method} ${ctx.url}" ${ctx.status} ${ctx.length ?? '-'} ${ms}ms`);
    }
  };
}

/** True for the registry API's paths: `/v2` and everything under `/v2/`. */
export function isRegistryApiPath(path: string): boolean {
  return path === '/v2' || path.startsWith('/v2/');
}

/**
 * Clients (and Berth's own connection test) take `Docker-Distribution-API-Version` as "a registry
 * answers here", so only the registry API sends it: never the GUI, `/token` or an unknown path.
 */
async function registryApiHeader(ctx: Context, next: Next): Promise<void> {
  if (isRegistryApiPath(ctx.path)) ctx.set('Docker-Distribution-API-Version', 'registry/2.0');
  await next();
}

/**
 * The registry's Koa app (`/v2/...`). It never listens: callers pass `app.callback()` to an HTTP or
 * HTTPS server, and tests call it directly.
 */
export function createRegistryServer(deps: RegistryServerDeps): Koa {
  const app = new Koa({ asyncLocalStorage: false });
  app.proxy = false;
  // Koa's own error printing and text bodies are replaced by errorMiddleware.
  app.silent = true;
  app.on('error', (err: Error) => deps.log.debug(`koa: ${err.message}`));
  // First: the throttle, the auth log and the access log all see the client's address.
  app.use(clientAddressMiddleware(deps.trustedProxies));
  // Before the guard and the error middleware, so refusals on /v2 carry it too.
  app.use(registryApiHeader);
  if (deps.log.access) app.use(accessLog(deps.log));
  app.use(errorMiddleware(deps.log));
  if (deps.guard) app.use(deps.guard);
  app.use(async (ctx) => {
    const target = ctx.path.startsWith('/v2') ? parseV2Path(ctx.path) : null;
    if (!target) {
      const route = deps.routes?.[ctx.path];
      if (route) return route(ctx);
      if (deps.fallback && !ctx.path.startsWith('/v2')) return deps.fallback(ctx);
      writeError(ctx, new RegistryError('NOT_FOUND', { detail: { path: ctx.path } }));
      return;
    }
    await auditedV2(ctx, target, deps.audit, async () => {
      if (deps.authorize) await deps.authorize(ctx, target);
      await dispatchV2(ctx, deps.registry, target);
    });
  });
  return app;
}
