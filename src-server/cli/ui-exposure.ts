/**
 * Where `berth serve` may serve the GUI. The GUI takes the admin password and then lives on a
 * session cookie: over plain HTTP on an address other machines reach, both would cross the network
 * in clear. So a plain listener beyond loopback gets no GUI: unless an HTTPS listener
 * (`--tls-listen`) is there to serve it instead, an explicit `--ui` refuses to start, and the default
 * (no `--ui`, no `--no-ui`) starts the registry with the GUI off and says why. With an HTTPS
 * listener the plain listener keeps only `/v2` (and `/token`) for clients, sending page loads to the
 * HTTPS address and refusing API calls.
 */
import type { Context } from 'koa';
import { isLoopback } from '../config/resolve';
import { formatAuthority } from '../config/listen';
import type { BerthConfig } from '../config/types';
import { RegistryError } from '../core/errors';
import { hostNameOf } from '../http/origin-guard';

type ListenConfig = Pick<BerthConfig, 'listen' | 'tls' | 'tlsListen'>;

/** What `--ui` / `--no-ui` / neither asked for. */
export type UiRequest = boolean | undefined;

/** Whether to serve the GUI, and what to tell the user when it stays off. */
export type UiDecision = { serve: true } | { serve: false; note?: string };

/**
 * Decides on the GUI: `--no-ui` turns it off; `--ui` turns it on or refuses the start (throws
 * `refuse(message)`) where it cannot be served safely; by default it is on wherever it can be,
 * and off with a note naming the way to turn it on elsewhere, so that `berth serve --listen
 * 0.0.0.0:5000` still starts the registry other machines came for.
 */
export function decideUi(request: UiRequest, config: ListenConfig & Pick<BerthConfig, 'auth'>, refuse: (message: string) => Error): UiDecision {
  if (request === false) return { serve: false };
  const open = config.auth.mode === 'none' && [config.listen, config.tlsListen].some((a) => a !== undefined && !isLoopback(a));
  if (open) {
    if (request) throw refuse('--ui with --auth none only on a loopback address (127.0.0.1): the GUI administers the registry; turn auth on to serve it to the network');
    return { serve: false, note: 'off: with --auth none the GUI is served on loopback addresses only (turn auth on to serve it to the network; --no-ui silences this)' };
  }
  const problem = uiExposureProblem(config);
  if (problem) {
    if (request) throw refuse(problem);
    const where = formatAuthority(config.listen.host, config.listen.port);
    return {
      serve: false,
      note: `off: the plain-HTTP listener ${where} reaches other machines, and the GUI's login would cross the network in clear; add --tls-listen HOST:PORT to serve the GUI over HTTPS (--no-ui silences this)`,
    };
  }
  return { serve: true };
}

/** True when the main listener speaks plain HTTP on an address other machines can reach. */
function plainBeyondLoopback(config: ListenConfig): boolean {
  return config.tls === undefined && !isLoopback(config.listen);
}

/** Why `--ui` cannot start with these listeners, or null when it can. */
export function uiExposureProblem(config: ListenConfig): string | null {
  if (!plainBeyondLoopback(config) || config.tlsListen) return null;
  const where = formatAuthority(config.listen.host, config.listen.port);
  return (
    `--ui on the plain-HTTP listener ${where}, which other machines can reach, would send the admin password and the session cookie ` +
    `across the network in clear: add --tls-listen HOST:PORT to serve the GUI over HTTPS (clients keep /v2 on ${where}), ` +
    'or listen on 127.0.0.1'
  );
}

/** True when the GUI is served on the HTTPS listener only (the plain one reaches beyond loopback). */
export function guiOnlyOverTls(config: ListenConfig): boolean {
  return plainBeyondLoopback(config) && config.tlsListen !== undefined;
}

/**
 * What the plain listener answers on GUI paths when the GUI is HTTPS-only: a page load (GET/HEAD
 * outside `/_berth`) is redirected (308) to the same path on the HTTPS port under the name the
 * browser used; API calls and anything else are refused (403 DENIED naming the HTTPS address), so
 * no password or cookie is ever asked for in clear.
 */
export function plainGuiAnswer(tlsPort: () => number | null): (ctx: Context) => void {
  return (ctx) => {
    const port = tlsPort();
    const name = hostNameOf(ctx.get('host'));
    const https = port !== null && name !== null ? `https://${formatAuthority(name, port)}` : null;
    const api = ctx.path === '/_berth' || ctx.path.startsWith('/_berth/');
    if (!api && https !== null && (ctx.method === 'GET' || ctx.method === 'HEAD')) {
      ctx.status = 308;
      ctx.redirect(`${https}${ctx.url}`);
      return;
    }
    const where = https ?? (port !== null ? `the HTTPS port ${port}` : 'the HTTPS listener');
    throw new RegistryError('DENIED', { message: `the GUI and its API are served over HTTPS only, at ${where}: this plain-HTTP address is for registry clients (/v2)` });
  };
}
