import { randomBytes } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import type { TokenKey } from './key';

/** One entry of a token's `access` claim (Docker token spec). */
export interface TokenAccess {
  type: string;
  name: string;
  actions: string[];
}

/** What a verified token says. */
export interface TokenClaims {
  /** The user; '' for an anonymous token. */
  sub: string;
  access: TokenAccess[];
  /** Expiry, seconds since the epoch. */
  exp: number;
  /** The user's credential version when the token was issued (`cv`); absent in anonymous tokens. */
  cv?: string;
}

/** What else a token is bound to. */
export interface IssueOptions {
  /** The user's credential version (PasswordVerifier.credentialVersion), checked on every request. */
  credentialVersion?: string;
}

/** A freshly issued token. */
export interface IssuedToken {
  token: string;
  expiresIn: number;
  issuedAt: string;
}

/** Issues and verifies Berth's bearer tokens. */
export interface TokenSigner {
  issue(sub: string, access: TokenAccess[], opts?: IssueOptions): Promise<IssuedToken>;
  /** The claims of a valid, unexpired token of ours; null otherwise. */
  verify(token: string): Promise<TokenClaims | null>;
}

/** Options of createTokenSigner. */
export interface TokenSignerOptions {
  key: TokenKey;
  /** The `aud` claim: the registry's service name (the `service` of the challenge). */
  service: string;
  /** The `iss` claim (default: the service). */
  issuer?: string;
  /** Token lifetime in seconds (default 300). */
  ttlSeconds?: number;
  now?: () => number;
  /** Verified tokens remembered (default 10,000). */
  cacheSize?: number;
}

function isAccessList(v: unknown): v is TokenAccess[] {
  return (
    Array.isArray(v) &&
    v.every(
      (a) =>
        a && typeof a === 'object' && typeof a.type === 'string' && typeof a.name === 'string' &&
        Array.isArray(a.actions) && a.actions.every((x: unknown) => typeof x === 'string'),
    )
  );
}

/**
 * JWTs signed with ES256 (`kid` in the header; `iss`, `sub`, `aud`, `exp`, `nbf`, `iat`, `jti` and
 * `access` claims as the Docker token spec describes, plus Berth's `cv`, the user's credential version). Verified tokens are cached by their string
 * until they expire, so a registry request costs a map lookup rather than an ECDSA verification.
 * https://distribution.github.io/distribution/spec/auth/jwt/
 */
export function createTokenSigner(opts: TokenSignerOptions): TokenSigner {
  const now = opts.now ?? Date.now;
  const issuer = opts.issuer ?? opts.service;
  const ttl = opts.ttlSeconds ?? 300;
  const maxCache = opts.cacheSize ?? 10_000;
  const cache = new Map<string, TokenClaims>();

  const remember = (token: string, claims: TokenClaims) => {
    if (cache.size >= maxCache) {
      const t = now() / 1000;
      for (const [k, c] of cache) if (c.exp <= t) cache.delete(k);
      if (cache.size >= maxCache) cache.clear();
    }
    cache.set(token, claims);
  };

  return {
    async issue(sub, access, extra = {}) {
      const iat = Math.floor(now() / 1000);
      const claims = extra.credentialVersion === undefined ? { access } : { access, cv: extra.credentialVersion };
      const token = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: opts.key.kid })
        .setIssuer(issuer)
        .setSubject(sub)
        .setAudience(opts.service)
        .setIssuedAt(iat)
        .setNotBefore(iat - 10)
        .setExpirationTime(iat + ttl)
        .setJti(randomBytes(16).toString('base64url'))
        .sign(opts.key.privateKey);
      return { token, expiresIn: ttl, issuedAt: new Date(iat * 1000).toISOString() };
    },

    async verify(token) {
      const t = now() / 1000;
      const hit = cache.get(token);
      if (hit) {
        if (hit.exp > t) return hit;
        cache.delete(token);
        return null;
      }
      // Bound the work a garbage header can cause before any crypto runs.
      if (token.length > 16_384) return null;
      try {
        const { payload } = await jwtVerify(token, opts.key.publicKey, {
          algorithms: ['ES256'],
          issuer,
          audience: opts.service,
          currentDate: new Date(now()),
          clockTolerance: 10,
          requiredClaims: ['exp'],
        });
        const claims: TokenClaims = {
          sub: typeof payload.sub === 'string' ? payload.sub : '',
          access: isAccessList(payload.access) ? payload.access : [],
          exp: payload.exp!,
          ...(typeof payload.cv === 'string' ? { cv: payload.cv } : {}),
        };
        // The tolerance above is for other clocks; our own expiry is exact.
        if (claims.exp <= t) return null;
        remember(token, claims);
        return claims;
      } catch {
        return null;
      }
    },
  };
}
