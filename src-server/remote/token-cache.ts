/** A bearer token and when it stops being usable (ms since the epoch). */
export interface CachedToken {
  token: string;
  expiresAt: number;
}

/** Lifetime assumed when a token service names none (the Docker token spec's default). */
export const DEFAULT_TOKEN_SECONDS = 60;
/** Tokens are dropped this long before they expire, so a request never starts with a dying one. */
const MARGIN_MS = 5_000;

/**
 * Bearer tokens by key (the token service, its `service` and the scope asked for), each until
 * shortly before it expires. The clock is passed in for tests.
 */
export class TokenCache {
  private readonly tokens = new Map<string, CachedToken>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A token still valid for the key, or null. */
  get(key: string): string | null {
    const t = this.tokens.get(key);
    if (!t) return null;
    if (t.expiresAt - MARGIN_MS <= this.now()) {
      this.tokens.delete(key);
      return null;
    }
    return t.token;
  }

  /**
   * Stores a token from a token response: `expires_in` seconds (default 60) counted from
   * `issued_at` when the service gives one, else from now.
   */
  set(key: string, token: string, expiresInSeconds?: number, issuedAt?: string): void {
    const seconds = expiresInSeconds !== undefined && Number.isFinite(expiresInSeconds) && expiresInSeconds > 0 ? expiresInSeconds : DEFAULT_TOKEN_SECONDS;
    const issued = issuedAt ? Date.parse(issuedAt) : NaN;
    // A service clock ahead of ours must not stretch the lifetime past what we measured.
    const from = Number.isFinite(issued) ? Math.min(issued, this.now()) : this.now();
    this.tokens.set(key, { token, expiresAt: from + seconds * 1000 });
  }

  /** Drops a token the registry refused. */
  delete(key: string): void {
    this.tokens.delete(key);
  }
}
