import type { Context } from 'koa';
import type { AuditSink } from '../audit/audit-log';
import { RegistryError } from '../core/errors';
import type { Logger } from '../logger';
import { basicChallenge, parseBasicAuthorization, quote } from './basic-auth';
import type { PasswordVerifier } from './password-verifier';
import { type AccessTarget, type Need, type RequiredAccess, requiredAccess } from './required-access';
import { allows, allowsEverywhere, type Rule } from './rules';
import { checkLogin } from './login-check';
import type { Throttle } from './throttle';
import { challengeScope, tokenGrants } from './token/scope';
import type { TokenClaims, TokenSigner } from './token/signer';

/** Where rights come from (AccessFile satisfies it). */
export interface AccessSource {
  /** The rules of a user who has logged in. */
  rulesFor(user: string): Rule[];
  /** The rules of callers without credentials (none unless configured). */
  anonymousRules(): Rule[];
}

/** Options of createAuthorizer. */
export interface AuthorizerOptions {
  /** `basic`: HTTP Basic on every request; `token`: Bearer tokens from Berth's /token. */
  mode: 'basic' | 'token';
  verifier: PasswordVerifier;
  access: AccessSource;
  /** The Basic realm. */
  realm: string;
  /** The token service name (`aud` of tokens, `service` of the Bearer challenge). */
  service: string;
  /** The token endpoint URL for the Bearer challenge (default: this server's `/token`). */
  tokenRealm?: (ctx: Context) => string;
  /** Needed in token mode. */
  signer?: TokenSigner;
  throttle?: Throttle;
  log: Logger;
  /** Where failed logins are recorded. */
  audit?: AuditSink;
}

/** The authorize hook createRegistryServer calls before every `/v2` route. */
export type Authorize = (ctx: Context, target: AccessTarget) => Promise<void>;

/** Keeps a mount only when the caller may read where the blob comes from; otherwise the upload route starts a plain upload. */
function limitMount(ctx: Context, req: RequiredAccess, canPull: (repo: string) => boolean, canPullEverywhere: () => boolean): void {
  const allowed = req.mountFrom !== undefined ? canPull(req.mountFrom) : !req.automaticMount || canPullEverywhere();
  if (!allowed) ctx.state.mountAllowed = false;
}

function denied(need: Need): RegistryError {
  return new RegistryError('DENIED', { detail: { repository: need.repo, right: need.right } });
}

function catalogFilter(ctx: Context, rules: readonly Rule[]): void {
  if (!allowsEverywhere(rules, 'pull')) ctx.state.repoFilter = (name: string) => allows(rules, 'pull', name);
}

/**
 * Builds the authorize hook: who is calling (Basic credentials or a Bearer token) and whether they
 * hold the rights the request needs (see requiredAccess). 401 with a challenge when not logged in
 * or the credentials are bad, 403 DENIED naming the repository and right for a user without it,
 * 429 while the throttle blocks the client or the password checks are saturated (see checkLogin).
 * Sets `ctx.state.user`, and for the catalog `ctx.state.repoFilter` when the caller may not pull
 * everything. Secrets are never logged.
 */
export function createAuthorizer(opts: AuthorizerOptions): Authorize {
  const basic = { 'WWW-Authenticate': basicChallenge(opts.realm) };

  const basicMode: Authorize = async (ctx, target) => {
    const req = requiredAccess(ctx.method, target, ctx.query);
    const creds = parseBasicAuthorization(ctx.get('Authorization') || undefined);
    let rules: Rule[];
    if (!creds) {
      if (req === 'login') throw new RegistryError('UNAUTHORIZED', { headers: basic });
      rules = opts.access.anonymousRules();
      // Anonymous callers are asked to log in rather than told no.
      if (!req.needs.every((n) => allows(rules, n.right, n.repo))) throw new RegistryError('UNAUTHORIZED', { headers: basic });
    } else {
      if (!(await checkLogin(opts, ctx.ip, creds))) throw new RegistryError('UNAUTHORIZED', { headers: basic });
      ctx.state.user = creds.user;
      rules = opts.access.rulesFor(creds.user);
      if (req === 'login') {
        if (target.resource === 'catalog') catalogFilter(ctx, rules);
        return;
      }
      const missing = req.needs.find((n) => !allows(rules, n.right, n.repo));
      if (missing) throw denied(missing);
    }
    limitMount(ctx, req, (repo) => allows(rules, 'pull', repo), () => allowsEverywhere(rules, 'pull'));
  };

  const tokenMode: Authorize = async (ctx, target) => {
    const signer = opts.signer;
    if (!signer) throw new Error('token mode needs a signer');
    const req = requiredAccess(ctx.method, target, ctx.query);
    const challenge = (error?: string) => {
      const realm = opts.tokenRealm?.(ctx) ?? `${ctx.protocol}://${ctx.host}/token`;
      // A mount's source is asked for too (as registry:2 does), so a client's token can cover it.
      const scope =
        req === 'login'
          ? target.resource === 'catalog' ? 'registry:catalog:*' : ''
          : challengeScope(req.mountFrom === undefined ? req.needs : [...req.needs, { repo: req.mountFrom, right: 'pull' }]);
      let v = `Bearer realm=${quote(realm)},service=${quote(opts.service)}`;
      if (scope) v += `,scope=${quote(scope)}`;
      if (error) v += `,error=${quote(error)}`;
      return { 'WWW-Authenticate': v };
    };
    const m = /^Bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/i.exec(ctx.get('Authorization'));
    if (!m) throw new RegistryError('UNAUTHORIZED', { headers: challenge() });
    const claims: TokenClaims | null = await signer.verify(m[1]!);
    // A token outlives neither its expiry nor its user's credentials: a new password, a removal
    // and a re-added name all change the credential version it was issued with.
    if (!claims || (claims.sub !== '' && (claims.cv === undefined || claims.cv !== opts.verifier.credentialVersion(claims.sub)))) {
      throw new RegistryError('UNAUTHORIZED', { message: 'invalid or expired token', headers: challenge('invalid_token') });
    }
    const user = claims.sub;
    if (user) ctx.state.user = user;
    // The token says what was granted when it was issued; current rules take rights away at once.
    const rules = user ? opts.access.rulesFor(user) : opts.access.anonymousRules();
    if (req === 'login') {
      if (!user) throw new RegistryError('UNAUTHORIZED', { headers: challenge() });
      if (target.resource === 'catalog') catalogFilter(ctx, rules);
      return;
    }
    for (const need of req.needs) {
      if (tokenGrants(claims.access, need) && allows(rules, need.right, need.repo)) continue;
      // A token that merely lacks the scope earns a new one; a user who lacks the right is told no.
      if (user && !allows(rules, need.right, need.repo)) throw denied(need);
      throw new RegistryError('UNAUTHORIZED', {
        message: 'token does not grant the access needed',
        detail: { repository: need.repo, right: need.right },
        headers: challenge('insufficient_scope'),
      });
    }
    limitMount(
      ctx,
      req,
      (repo) => tokenGrants(claims.access, { repo, right: 'pull' }) && allows(rules, 'pull', repo),
      () => allowsEverywhere(rules, 'pull'),
    );
  };

  return opts.mode === 'token' ? tokenMode : basicMode;
}
