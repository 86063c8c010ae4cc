import type { Context } from 'koa';
import type { AuditSink } from '../../audit/audit-log';
import { RegistryError } from '../../core/errors';
import type { Logger } from '../../logger';
import type { AccessSource } from '../authorizer';
import { basicChallenge, type Credentials, isAnonymous, parseBasicAuthorization } from '../basic-auth';
import { checkLogin } from '../login-check';
import type { PasswordVerifier } from '../password-verifier';
import type { Throttle } from '../throttle';
import { grantScopes, parseScopes } from './scope';
import type { TokenAccess, TokenSigner } from './signer';

/** Options of createTokenRoute. */
export interface TokenRouteOptions {
  verifier: PasswordVerifier;
  access: AccessSource;
  signer: TokenSigner;
  /** The Basic realm asked for on bad credentials. */
  realm: string;
  throttle?: Throttle;
  log: Logger;
  /** Where failed logins are recorded. */
  audit?: AuditSink;
}

const MAX_FORM = 64 * 1024;

async function readForm(ctx: Context): Promise<URLSearchParams> {
  const type = ctx.get('Content-Type');
  if (!/^application\/x-www-form-urlencoded\b/i.test(type)) {
    throw new RegistryError('UNSUPPORTED', { status: 400, message: 'expected an application/x-www-form-urlencoded body' });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of ctx.req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_FORM) throw new RegistryError('UNSUPPORTED', { status: 413, message: 'form too large' });
    chunks.push(c);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/**
 * The token endpoint of the Docker token spec, mounted at `/token`:
 * - GET with `service`, repeated `scope` and optional Basic credentials (none: anonymous, granted
 *   what the anonymous rules allow) answers `{token, access_token, expires_in, issued_at}`;
 * - POST of the OAuth2 password grant form (`grant_type=password`, `username`, `password`,
 *   `service`, `scope`) answers `{access_token, expires_in, issued_at, scope}`; no refresh tokens.
 * The token carries the requested actions the user holds (never more); bad credentials get 401
 * with the Basic challenge and count toward the throttle (see checkLogin).
 * https://distribution.github.io/distribution/spec/auth/token/
 * https://distribution.github.io/distribution/spec/auth/oauth/
 */
export function createTokenRoute(opts: TokenRouteOptions): (ctx: Context) => Promise<void> {
  const challenge = { 'WWW-Authenticate': basicChallenge(opts.realm) };

  /** The user the credentials name ('' for none); throws on bad ones. */
  const login = async (ctx: Context, creds: Credentials | null): Promise<string> => {
    if (!creds || isAnonymous(creds)) return '';
    if (await checkLogin(opts, ctx.ip, creds, 'token request')) return creds.user;
    throw new RegistryError('UNAUTHORIZED', { headers: challenge });
  };

  const grant = (user: string, scopes: string[]) => {
    const rules = user ? opts.access.rulesFor(user) : opts.access.anonymousRules();
    return grantScopes(parseScopes(scopes), rules, user !== '');
  };

  /** A token bound to the user's current credentials, so a new password or a re-added name ends it. */
  const issue = (user: string, access: TokenAccess[]) => {
    const credentialVersion = user ? opts.verifier.credentialVersion(user) : null;
    return opts.signer.issue(user, access, credentialVersion === null ? {} : { credentialVersion });
  };

  return async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    if (ctx.method === 'GET') {
      const user = await login(ctx, parseBasicAuthorization(ctx.get('Authorization') || undefined));
      const scopes = ctx.query.scope === undefined ? [] : ([] as string[]).concat(ctx.query.scope);
      const issued = await issue(user, grant(user, scopes));
      ctx.body = { token: issued.token, access_token: issued.token, expires_in: issued.expiresIn, issued_at: issued.issuedAt };
      return;
    }
    if (ctx.method === 'POST') {
      const form = await readForm(ctx);
      const grantType = form.get('grant_type');
      if (grantType !== 'password') {
        ctx.status = 400;
        ctx.body = { error: 'unsupported_grant_type', error_description: 'only grant_type=password is supported' };
        return;
      }
      const user = await login(ctx, { user: form.get('username') ?? '', password: form.get('password') ?? '' });
      const scopes = form.getAll('scope');
      const access = grant(user, scopes);
      const issued = await issue(user, access);
      ctx.body = {
        access_token: issued.token,
        expires_in: issued.expiresIn,
        issued_at: issued.issuedAt,
        scope: access.map((a) => `${a.type}:${a.name}:${a.actions.join(',')}`).join(' '),
      };
      return;
    }
    throw new RegistryError('UNSUPPORTED', { detail: { method: ctx.method } });
  };
}
