import bcrypt from 'bcryptjs';
import { randomBytes } from 'node:crypto';
import type { Context } from 'koa';
import { RegistryError } from '../core/errors';
import type { Logger } from '../logger';
import { type HtpasswdEntries, HtpasswdFile } from './htpasswd';
import { VerifyCache } from './verify-cache';

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

function quote(s: string): string {
  return `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

const BCRYPT_ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A random, well-formed bcrypt hash at the cost the file's users have, compared against for unknown
 * users. Made from random characters rather than by hashing, so a reload never blocks on bcrypt.
 */
function dummyHashFor(entries: HtpasswdEntries): string {
  const first = entries.users.values().next().value;
  const cost = first ? bcrypt.getRounds(first) : 5;
  const chars = [...randomBytes(53)].map((b) => BCRYPT_ALPHABET[b & 63]).join('');
  return `$2b$${String(cost).padStart(2, '0')}$${chars}`;
}

/**
 * Builds the `authorize(ctx)` hook of createRegistryServer: HTTP Basic authentication against an
 * htpasswd file (registry:2's `auth.htpasswd`). Failures throw UNAUTHORIZED with the Basic
 * challenge; success sets `ctx.state.user`. Passwords and Authorization headers are never logged.
 */
export function createBasicAuth(opts: BasicAuthOptions): (ctx: Context) => Promise<void> {
  let dummyHash = '';
  const file = new HtpasswdFile(opts.path, {
    now: opts.now,
    onReload: (entries) => {
      dummyHash = dummyHashFor(entries);
      if (entries.unsupported.length) {
        opts.log.warn(`htpasswd: users without a bcrypt hash cannot log in (use htpasswd -B): ${entries.unsupported.join(', ')}`);
      }
      opts.log.debug(`htpasswd: ${entries.users.size} users loaded from ${opts.path}`);
    },
    onError: (msg) => opts.log.warn(msg),
  });
  const cache = new VerifyCache(opts.cacheTtlMs ?? 60_000, opts.now);
  // Clients open many connections at once with the same credentials; one bcrypt run serves them all.
  const inflight = new Map<string, Promise<boolean>>();
  const challenge = { 'WWW-Authenticate': `Basic realm=${quote(opts.realm)}` };

  const verify = async (user: string, password: string): Promise<boolean> => {
    const entries = file.current();
    const generation = file.generation;
    const key = cache.key(user, password);
    if (cache.has(key, generation)) return true;
    const running = inflight.get(key);
    if (running) return running;
    const hash = entries.users.get(user);
    // Unknown users cost the same bcrypt work as known ones, so timing does not reveal who exists.
    const check = bcrypt
      .compare(password, hash ?? dummyHash)
      .then((ok) => {
        const good = ok && hash !== undefined;
        if (good) cache.add(key, generation);
        return good;
      })
      .finally(() => inflight.delete(key));
    inflight.set(key, check);
    return check;
  };

  return async (ctx: Context) => {
    const creds = parseBasicAuthorization(ctx.get('Authorization') || undefined);
    if (!creds) throw new RegistryError('UNAUTHORIZED', { headers: challenge });
    if (!(await verify(creds.user, creds.password))) {
      // JSON quoting keeps a hostile user name from forging log lines.
      opts.log.info(`auth: failed login for user ${JSON.stringify(creds.user.slice(0, 100))} from ${ctx.ip}`);
      throw new RegistryError('UNAUTHORIZED', { headers: challenge });
    }
    ctx.state.user = creds.user;
  };
}
