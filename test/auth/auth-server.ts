/**
 * A registry with real authentication for the auth tests: real services on a temp data dir, an
 * htpasswd file made by Apache's `htpasswd -nbB`, an access file, the real authorizer and /token
 * route (and, with `ui`, the GUI's login bridge), listening on 127.0.0.1; plus a client that logs in
 * as docker does (Basic, or the Bearer challenge → /token → retry).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { AccessFile } from '../../src-server/auth/access-file';
import { createAuthorizer } from '../../src-server/auth/authorizer';
import { createCoreHandlers } from '../../src-server/api/handlers';
import type { BcryptPoolOptions } from '../../src-server/auth/bcrypt-pool';
import { PasswordVerifier } from '../../src-server/auth/password-verifier';
import { Throttle, type ThrottleOptions } from '../../src-server/auth/throttle';
import { loadOrCreateTokenKey, tokenKeyPath } from '../../src-server/auth/token/key';
import { createTokenRoute } from '../../src-server/auth/token/route';
import { createTokenSigner } from '../../src-server/auth/token/signer';
import { createApiBridge } from '../../src-server/http/bridge/api-bridge';
import { createRegistryServer, type RegistryServerDeps } from '../../src-server/http/v2/app';
import { silentLogger } from '../../src-server/logger';
import { createServices, type Services } from '../../src-server/services';
import { raw, type RawOptions, type RawResponse } from '../api/harness';
import { tempDir } from '../helpers/berth-server';

/** Options of startAuthRegistry. */
export interface AuthRegistryOptions {
  mode: 'basic' | 'token';
  /** User name to password; written with `htpasswd -nbB -C cost`. */
  users: Record<string, string>;
  /** The access file's text; omitted: no access file. */
  accessYaml?: string;
  bcryptCost?: number;
  throttle?: ThrottleOptions;
  /** The password-check threads and queue (BcryptPool's defaults). */
  pool?: BcryptPoolOptions;
  /** Raw htpasswd lines appended as they are (e.g. a hash made by hand). */
  extraHtpasswd?: string;
  /** Mount the GUI's `/_berth/api` bridge (its password login) as in `berth serve --ui`. */
  ui?: boolean;
  tokenTtlSeconds?: number;
  /** Clock for tokens (default Date.now). */
  now?: () => number;
}

/** A running registry with auth. */
export interface AuthRegistry {
  port: number;
  base: string;
  dataDir: string;
  htpasswdPath: string;
  services: Services;
  /** The password checks, shared by /v2, /token and the bridge (for their pool's state). */
  verifier: PasswordVerifier;
  close(): Promise<void>;
}

export const REALM = 'Berth Test';
export const SERVICE = 'berth-test';

/** Starts the registry app with auth in-process on a free loopback port. */
export async function startAuthRegistry(opts: AuthRegistryOptions): Promise<AuthRegistry> {
  const tmp = tempDir('berth-authz-');
  const dataDir = join(tmp.dir, 'data');
  const htpasswdPath = join(tmp.dir, 'htpasswd');
  const cost = String(opts.bcryptCost ?? 5);
  writeFileSync(
    htpasswdPath,
    Object.entries(opts.users).map(([u, p]) => execFileSync('htpasswd', ['-nbB', '-C', cost, u, p]).toString().trim() + '\n').join('') +
      (opts.extraHtpasswd ?? ''),
  );
  const accessPath = join(tmp.dir, 'access.yml');
  if (opts.accessYaml !== undefined) writeFileSync(accessPath, opts.accessYaml);
  const services = await createServices({ dataDir, fsync: false, log: silentLogger });
  const verifier = new PasswordVerifier({ path: htpasswdPath, log: silentLogger, pool: opts.pool });
  const access = new AccessFile(accessPath);
  const throttle = new Throttle(opts.throttle);
  const signer = createTokenSigner({
    key: await loadOrCreateTokenKey(tokenKeyPath(dataDir)),
    service: SERVICE,
    ttlSeconds: opts.tokenTtlSeconds,
    now: opts.now,
  });
  const authorize = createAuthorizer({ mode: opts.mode, verifier, access, realm: REALM, service: SERVICE, signer, throttle, log: silentLogger });
  const routes: RegistryServerDeps['routes'] = {};
  if (opts.mode === 'token') routes['/token'] = createTokenRoute({ verifier, access, signer, realm: REALM, throttle, log: silentLogger });
  const bridge = opts.ui
    ? createApiBridge({
        handlers: createCoreHandlers(services),
        login: { mode: 'password', verifier, access, throttle },
        log: silentLogger,
      })
    : undefined;
  const koa = createRegistryServer({ registry: services.served, log: silentLogger, authorize, routes, fallback: bridge?.handle });
  const server: Server = createServer(koa.callback());
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    base: `http://127.0.0.1:${port}`,
    dataDir,
    htpasswdPath,
    services,
    verifier,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((res) => server.close(() => res()));
      bridge?.close();
      await verifier.close();
      services.close();
      tmp.cleanup();
    },
  };
}

/** Parses `Scheme k="v",k2="v2"` (values with escaped quotes). */
export function parseChallenge(header: string | undefined): { scheme: string; params: Record<string, string> } | null {
  if (!header) return null;
  const m = /^(\w+)\s+(.*)$/.exec(header);
  if (!m) return null;
  const params: Record<string, string> = {};
  for (const p of m[2]!.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) params[p[1]!] = p[2]!.replace(/\\(.)/g, '$1');
  return { scheme: m[1]!, params };
}

export const basicHeader = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** Asks /token for a token, as docker does after a Bearer challenge. */
export async function fetchToken(
  port: number,
  challenge: Record<string, string>,
  creds?: { user: string; password: string },
): Promise<RawResponse> {
  const realm = new URL(challenge.realm!);
  const q = new URLSearchParams({ service: challenge.service ?? '' });
  for (const s of (challenge.scope ?? '').split(' ').filter(Boolean)) q.append('scope', s);
  const headers: Record<string, string> = creds ? { Authorization: basicHeader(creds.user, creds.password) } : {};
  return raw(port, 'GET', `${realm.pathname}?${q}`, { headers });
}

/**
 * Sends a request as a client would: in basic mode with the credentials (if any); in token mode
 * first without, then on a Bearer challenge fetches a token for the challenged scope (with the
 * credentials, if any) and sends again with it.
 */
export async function send(
  reg: AuthRegistry,
  mode: 'basic' | 'token',
  creds: { user: string; password: string } | undefined,
  method: string,
  path: string,
  opts: RawOptions = {},
): Promise<RawResponse> {
  if (mode === 'basic') {
    const headers = { ...opts.headers, ...(creds ? { Authorization: basicHeader(creds.user, creds.password) } : {}) };
    return raw(reg.port, method, path, { ...opts, headers });
  }
  const first = await raw(reg.port, method, path, opts);
  const ch = parseChallenge(first.header('www-authenticate'));
  if (first.status !== 401 || ch?.scheme !== 'Bearer') return first;
  const tok = await fetchToken(reg.port, ch.params, creds);
  if (tok.status !== 200) throw new Error(`token request failed: ${tok.status} ${tok.text}`);
  return raw(reg.port, method, path, { ...opts, headers: { ...opts.headers, Authorization: `Bearer ${tok.json().token}` } });
}
