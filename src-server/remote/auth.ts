import type { Dispatcher } from 'undici';
import { parseChallenges, type Challenge } from './challenge';
import { RemoteAuthError, RemoteProtocolError, RemoteUnavailableError } from './errors';
import { TokenCache } from './token-cache';
import { send, type TransportTimeouts } from './transport';

/** A user name and password for a remote registry. */
export interface RemoteCredentials {
  username: string;
  password: string;
}

/** Largest token response read. */
const MAX_TOKEN_RESPONSE = 1 << 20;

/**
 * Answers a registry's authentication challenges: Basic with the credentials, or Bearer through the
 * token service the challenge names (anonymously, or with the credentials as Basic), caching each
 * token per scope until it expires. Once a challenge is seen, later requests carry credentials
 * from the start instead of being refused first.
 */
export class RemoteAuth {
  private readonly tokens: TokenCache;
  /** The last challenge seen: how this registry wants to be spoken to. */
  private known: Challenge | null = null;

  constructor(
    private readonly credentials: RemoteCredentials | undefined,
    private readonly timeouts: TransportTimeouts,
    now: () => number = Date.now,
    /** The registry's own connection pool (its TLS trust), used for a token service on the same origin. */
    private readonly trusted?: { origin: string; dispatcher: Dispatcher },
    /** The registry's origin: an https registry's password never goes to a plain-http token service. */
    private readonly registryOrigin?: string,
  ) {
    this.tokens = new TokenCache(now);
  }

  /** The Authorization header to send for `scope` without waiting for a challenge, if any is known. */
  async headerFor(scope: string): Promise<string | undefined> {
    if (!this.known) return undefined;
    if (this.known.scheme === 'basic') return this.basic();
    const cached = this.tokens.get(this.tokenKey(this.known, scope));
    if (cached) return `Bearer ${cached}`;
    return `Bearer ${await this.fetchToken(this.known, scope)}`;
  }

  /**
   * Answers a 401's `WWW-Authenticate` for `scope`: a fresh Authorization header. Throws
   * RemoteAuthError when it cannot be answered (no credentials for Basic, the token service refuses).
   */
  async answer(header: string | null, scope: string, url: string): Promise<string> {
    const challenges = parseChallenges(header);
    const challenge = challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
    if (!challenge) throw new RemoteAuthError(`${url} asks for authentication Berth does not support (${header ?? 'no challenge'})`, url, 401, !!this.credentials);
    this.known = challenge;
    if (challenge.scheme === 'basic') {
      const basic = this.basic();
      if (!basic) throw new RemoteAuthError(`${url} requires a user name and password`, url, 401, false);
      return basic;
    }
    // Asks for what the challenge names and what we need (a mount needs pull on its source too,
    // which the challenge does not name), but files the token under the scope we asked for, where
    // headerFor looks it up next time.
    this.tokens.delete(this.tokenKey(challenge, scope));
    const wanted = [...new Set([...(challenge.params.scope ?? '').split(' '), ...scope.split(' ')].filter(Boolean))].join(' ');
    return `Bearer ${await this.fetchToken(challenge, wanted, scope)}`;
  }

  /** True when credentials are configured. */
  get hasCredentials(): boolean {
    return this.credentials !== undefined;
  }

  private basic(): string | undefined {
    if (!this.credentials) return undefined;
    return `Basic ${Buffer.from(`${this.credentials.username}:${this.credentials.password}`).toString('base64')}`;
  }

  private tokenKey(c: Challenge, scope: string): string {
    return `${c.params.realm ?? ''}\n${c.params.service ?? ''}\n${scope}`;
  }

  /** GET realm?service=…&scope=… (https://distribution.github.io/distribution/spec/auth/token/). */
  private async fetchToken(c: Challenge, scope: string, keyScope = scope): Promise<string> {
    const realm = c.params.realm;
    let url: URL;
    try {
      url = new URL(realm ?? '');
      if (!/^https?:$/.test(url.protocol)) throw new Error('not http(s)');
    } catch {
      throw new RemoteProtocolError(`the registry's Bearer challenge names no usable token service (realm ${JSON.stringify(realm ?? null)})`, realm ?? '');
    }
    if (c.params.service) url.searchParams.set('service', c.params.service);
    for (const s of scope.split(' ').filter(Boolean)) url.searchParams.append('scope', s);
    const headers: Record<string, string> = { accept: 'application/json' };
    const basic = this.basic();
    if (basic && url.protocol === 'http:' && this.registryOrigin?.startsWith('https:'))
      throw new RemoteProtocolError(
        `${this.registryOrigin} sends its logins to the token service ${url.origin}${url.pathname} without TLS; Berth does not send the password there`,
        `${url.origin}${url.pathname}`,
      );
    if (basic) headers.authorization = basic;
    const dispatcher = this.trusted && url.origin === this.trusted.origin ? this.trusted.dispatcher : undefined;
    const res = await send({ method: 'GET', url: url.toString(), headers, dispatcher }, this.timeouts);
    const where = `${url.origin}${url.pathname}`;
    if (res.status === 401 || res.status === 403) {
      await res.discard();
      const msg = basic ? `the token service ${where} refused the credentials` : `the token service ${where} requires a user name and password`;
      throw new RemoteAuthError(msg, where, res.status, !!basic);
    }
    if (res.status >= 500) {
      await res.discard();
      throw new RemoteUnavailableError(`the token service ${where} answered ${res.status}`, where, res.status);
    }
    if (res.status !== 200) {
      await res.discard();
      throw new RemoteProtocolError(`the token service ${where} answered ${res.status}`, where, res.status);
    }
    let body: { token?: unknown; access_token?: unknown; expires_in?: unknown; issued_at?: unknown };
    try {
      body = JSON.parse((await res.bytes(MAX_TOKEN_RESPONSE)).toString('utf8'));
    } catch (err) {
      if (err instanceof RemoteUnavailableError || err instanceof RemoteProtocolError) throw err;
      throw new RemoteProtocolError(`the token service ${where} answered something other than JSON`, where, 200);
    }
    const token = typeof body.token === 'string' && body.token ? body.token : body.access_token;
    if (typeof token !== 'string' || !token) throw new RemoteProtocolError(`the token service ${where} sent no token`, where, 200);
    const expires = typeof body.expires_in === 'number' ? body.expires_in : undefined;
    this.tokens.set(this.tokenKey(c, keyScope), token, expires, typeof body.issued_at === 'string' ? body.issued_at : undefined);
    return token;
  }
}
