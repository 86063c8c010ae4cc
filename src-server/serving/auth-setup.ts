import { existsSync } from 'node:fs';
import { AuditLog, auditLogPath } from '../audit/audit-log';
import type { Context } from 'koa';
import { AccessFile } from '../auth/access-file';
import { createAuthorizer } from '../auth/authorizer';
import { PasswordVerifier } from '../auth/password-verifier';
import { Throttle } from '../auth/throttle';
import { keyFileTooOpen, loadOrCreateTokenKey, tokenKeyPath } from '../auth/token/key';
import { createTokenRoute } from '../auth/token/route';
import { createTokenSigner, type TokenSigner } from '../auth/token/signer';
import { ADMIN_USER, initAuth } from '../auth/init';
import type { BerthConfig } from '../config/types';
import type { V2Target } from '../http/v2/router';
import type { Logger } from '../logger';
import { CliError } from './errors';

/** What `berth serve` plugs into the registry app for its auth mode. */
export interface AuthSetup {
  authorize?: (ctx: Context, target: V2Target) => Promise<void>;
  routes: Record<string, (ctx: Context) => Promise<void> | void>;
  /** A line for the start-up log. */
  summary: string;
  /** The admin user created by this first start and its password (for the GUI to show once). */
  initialPassword: { user: string; password: string } | null;
  /** The password check, rights and failure throttle, shared with the GUI's login (none without auth). */
  login: { verifier: PasswordVerifier; access: AccessFile; throttle: Throttle } | null;
}

/** Builds the authorization for `config.auth`: none, Basic against the htpasswd file, or tokens. */
export async function setUpAuth(config: BerthConfig, log: Logger, opts: { announce?: boolean } = {}): Promise<AuthSetup> {
  const { auth } = config;
  if (auth.mode === 'none') {
    return { routes: {}, summary: 'auth off (--auth none): anyone who can connect may push and delete', initialPassword: null, login: null };
  }
  const initialPassword = auth.autoInit && !existsSync(auth.htpasswdPath) ? await firstStart(auth.htpasswdPath, auth.accessPath, opts.announce ?? true) : null;
  if (!existsSync(auth.htpasswdPath)) {
    throw new CliError(
      auth.autoInit
        ? `no users yet (${auth.htpasswdPath} is missing): run \`berth init\` to create the admin user`
        : `cannot read htpasswd file ${auth.htpasswdPath}: no such file (auth.htpasswd.path)`,
    );
  }
  let verifier: PasswordVerifier;
  let access: AccessFile;
  try {
    verifier = new PasswordVerifier({ path: auth.htpasswdPath, log });
    access = new AccessFile(auth.accessPath, { onWarning: (m) => log.warn(m) });
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  // Failed logins per (name, address) and per address, shared by /v2, /token and the GUI (see Throttle).
  const throttle = new Throttle();
  // Failed logins go to the data directory's audit log, beside what the registry records.
  const audit = new AuditLog(auditLogPath(config.dataDir), { onError: (m) => log.warn(m) });
  // The token audience and the challenge's service (registry:2's auth.token.service).
  const service = 'berth';
  const routes: AuthSetup['routes'] = {};
  let signer: TokenSigner | undefined;
  if (auth.mode === 'token') {
    const keyPath = tokenKeyPath(config.dataDir);
    try {
      signer = createTokenSigner({ key: await loadOrCreateTokenKey(keyPath), service });
    } catch (err) {
      throw new CliError((err as Error).message);
    }
    if (keyFileTooOpen(keyPath)) log.warn(`token signing key ${keyPath} can be read by other users: chmod 600 it`);
    routes['/token'] = createTokenRoute({ verifier, access, signer, realm: auth.realm, throttle, log, audit });
  }
  const authorize = createAuthorizer({ mode: auth.mode, verifier, access, realm: auth.realm, service, signer, throttle, log, audit });
  const rights = access.exists() ? `rights from ${auth.accessPath}` : 'no access file: every user has every right';
  return { authorize, routes, summary: `${auth.mode} auth (${auth.htpasswdPath}; ${rights})`, initialPassword, login: { verifier, access, throttle } };
}

/**
 * The first start on Berth's own files: creates the admin user and shows its password once, on
 * stdout and never through the logger, so it cannot end up in log files. The desktop app does not
 * announce it (it offers the password to the keychain instead).
 */
async function firstStart(htpasswdPath: string, accessPath: string, announce: boolean): Promise<{ user: string; password: string } | null> {
  const r = await initAuth({ htpasswdPath, accessPath });
  if (!r.created || !r.adminPassword) return null;
  if (announce) process.stdout.write(
    `Created user ${ADMIN_USER} with every right (admin@*).\n  user:     ${ADMIN_USER}\n  password: ${r.adminPassword}\n` +
      `Note the password now: it is shown only this once and stored only as a bcrypt hash (${htpasswdPath}).\n` +
      'Add users with `berth user add NAME --access RULES`; reset it with `berth user passwd admin`.\n',
  );
  return { user: ADMIN_USER, password: r.adminPassword };
}

