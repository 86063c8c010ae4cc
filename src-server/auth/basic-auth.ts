import type { Context } from 'koa';
import { RegistryError } from '../core/errors';
import type { Logger } from '../logger';
import { PasswordVerifier } from './password-verifier';

/** Options for Basic authentication against an htpasswd file. */
export interface BasicAuthOptions {
  realm: string;
  /** Path of the htpasswd file (read at once; a missing file throws). */
  path: string;
  log: Logger;
  /** How long a successful check is remembered (default 60 s). */
  cacheTtlMs?: number;
  now?: () => number;
}

/** Splits `Authorization: Basic base64(user:password)`; null when absent or malformed. */
export function parseBasicAuthorization(header: string | undefined): { user: string; password: string } | null {
  const m = header ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header) : null;
  if (!m) return null;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return null;
  return { user: decoded.slice(0, i), password: decoded.slice(i + 1) };
}

/** Quotes a value for an auth-param (`realm="..."`), escaping quotes and backslashes. */
export function quote(s: string): string {
  return `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** The `WWW-Authenticate` value asking for Basic credentials. */
export function basicChallenge(realm: string): string {
  return `Basic realm=${quote(realm)}`;
}

/**
 * Builds the `authorize(ctx)` hook of createRegistryServer: HTTP Basic authentication against an
 * htpasswd file (registry:2's `auth.htpasswd`). Failures throw UNAUTHORIZED with the Basic
 * challenge; success sets `ctx.state.user`. Passwords and Authorization headers are never logged.
 */
export function createBasicAuth(opts: BasicAuthOptions): (ctx: Context) => Promise<void> {
  const verifier = new PasswordVerifier({ path: opts.path, log: opts.log, cacheTtlMs: opts.cacheTtlMs, now: opts.now });
  const challenge = { 'WWW-Authenticate': basicChallenge(opts.realm) };

  return async (ctx: Context) => {
    const creds = parseBasicAuthorization(ctx.get('Authorization') || undefined);
    if (!creds) throw new RegistryError('UNAUTHORIZED', { headers: challenge });
    if (!(await verifier.verify(creds.user, creds.password))) {
      // JSON quoting keeps a hostile user name from forging log lines.
      opts.log.info(`auth: failed login for user ${JSON.stringify(creds.user.slice(0, 100))} from ${ctx.ip}`);
      throw new RegistryError('UNAUTHORIZED', { headers: challenge });
    }
    ctx.state.user = creds.user;
  };
}
