import { existsSync } from 'node:fs';
import type { Context } from 'koa';
import { createBasicAuth } from '../auth/basic-auth';
import { ADMIN_USER, initAuth } from '../auth/init';
import type { BerthConfig } from '../config/types';
import type { V2Target } from '../http/v2-router';
import type { Logger } from '../logger';
import { CliError } from './errors';

/** What `berth serve` plugs into the registry app for its auth mode. */
export interface AuthSetup {
  authorize?: (ctx: Context, target: V2Target) => Promise<void>;
  routes: Record<string, (ctx: Context) => Promise<void> | void>;
  /** A line for the start-up log. */
  summary: string;
}

/** Builds the authorization for `config.auth`: none, Basic against the htpasswd file, or tokens. */
export async function setUpAuth(config: BerthConfig, log: Logger): Promise<AuthSetup> {
  const { auth } = config;
  if (auth.mode === 'none') return { routes: {}, summary: 'auth off (--auth none): anyone who can connect may push and delete' };
  if (auth.autoInit && !existsSync(auth.htpasswdPath)) await firstStart(auth.htpasswdPath, auth.accessPath);
  if (!existsSync(auth.htpasswdPath)) {
    throw new CliError(
      auth.autoInit
        ? `no users yet (${auth.htpasswdPath} is missing): run \`berth init\` to create the admin user`
        : `cannot read htpasswd file ${auth.htpasswdPath}: no such file (auth.htpasswd.path)`,
    );
  }
  if (auth.mode === 'token') throw new CliError('--auth token is not available yet');
  let authorize;
  try {
    authorize = createBasicAuth({ realm: auth.realm, path: auth.htpasswdPath, log });
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  return { authorize, routes: {}, summary: `basic auth (${auth.htpasswdPath})` };
}

/**
 * The first start on Berth's own files: creates the admin user and shows its password once, on
 * stdout and never through the logger, so it cannot end up in log files.
 */
async function firstStart(htpasswdPath: string, accessPath: string): Promise<void> {
  const r = await initAuth({ htpasswdPath, accessPath });
  if (!r.created) return;
  process.stdout.write(
    `Created user ${ADMIN_USER} with every right (admin@*).\n  user:     ${ADMIN_USER}\n  password: ${r.adminPassword}\n` +
      `Note the password now: it is shown only this once and stored only as a bcrypt hash (${htpasswdPath}).\n` +
      'Add users with `berth user add NAME --access RULES`; reset it with `berth user passwd admin`.\n',
  );
}

