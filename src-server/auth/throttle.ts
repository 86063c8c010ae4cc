import { RegistryError } from '../core/errors';

/** Options of a Throttle. */
export interface ThrottleOptions {
  /** Failures within the window that block a client or a user name (default 10). */
  maxFailures?: number;
  /** Length of the sliding window in ms (default 60 s). */
  windowMs?: number;
  /** Most keys remembered; the oldest are dropped beyond it (default 10,000). */
  maxKeys?: number;
  now?: () => number;
}

/**
 * Counts failed logins per client address and per user name in a sliding window. Once either has
 * `maxFailures` failures within `windowMs`, check() answers 429 TOOMANYREQUESTS with `Retry-After`
 * until the oldest of them leaves the window. A blocked user name stays blocked for correct
 * passwords too: otherwise a guesser spread over many addresses would learn when it guessed right.
 * Memory is bounded: at most `maxKeys` keys, each with at most `maxFailures` timestamps.
 */
export class Throttle {
  private readonly max: number;
  private readonly windowMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;
  /** Key to failure times, oldest first; Map order is insertion order, used for eviction. */
  private readonly failures = new Map<string, number[]>();

  constructor(opts: ThrottleOptions = {}) {
    this.max = opts.maxFailures ?? 10;
    this.windowMs = opts.windowMs ?? 60_000;
    this.maxKeys = opts.maxKeys ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  private keys(ip: string, user?: string): string[] {
    return user === undefined ? [`ip ${ip}`] : [`ip ${ip}`, `user ${user}`];
  }

  /** Failure times of a key still inside the window (drops the key when none are). */
  private live(key: string, now: number): number[] | undefined {
    const times = this.failures.get(key);
    if (!times) return undefined;
    while (times.length && times[0]! <= now - this.windowMs) times.shift();
    if (!times.length) {
      this.failures.delete(key);
      return undefined;
    }
    return times;
  }

  /** Seconds until the client and the user may try again; 0 when they may now. */
  retryAfter(ip: string, user?: string): number {
    if (this.failures.size === 0) return 0;
    const now = this.now();
    let until = 0;
    for (const key of this.keys(ip, user)) {
      const times = this.live(key, now);
      if (times && times.length >= this.max) until = Math.max(until, times[times.length - this.max]! + this.windowMs);
    }
    return until > now ? Math.ceil((until - now) / 1000) : 0;
  }

  /** Throws 429 TOOMANYREQUESTS with Retry-After while the client or the user name is blocked. */
  check(ip: string, user?: string): void {
    const seconds = this.retryAfter(ip, user);
    if (seconds > 0) {
      throw new RegistryError('TOOMANYREQUESTS', {
        message: 'too many failed logins; try again later',
        detail: { retryAfterSeconds: seconds },
        headers: { 'Retry-After': String(seconds) },
      });
    }
  }

  /** Records a failed login of `user` (if a name was given) from `ip`. */
  fail(ip: string, user?: string): void {
    const now = this.now();
    for (const key of this.keys(ip, user)) {
      const times = this.live(key, now) ?? [];
      times.push(now);
      // Only the newest `max` failures decide anything.
      if (times.length > this.max) times.shift();
      this.failures.delete(key);
      this.failures.set(key, times);
    }
    if (this.failures.size > this.maxKeys) this.evict(now);
  }

  /** Number of keys held (for tests and metrics). */
  get size(): number {
    return this.failures.size;
  }

  private evict(now: number): void {
    for (const key of [...this.failures.keys()]) this.live(key, now);
    // Still too many live keys (a flood of names): forget the least recently failing ones.
    for (const key of this.failures.keys()) {
      if (this.failures.size <= this.maxKeys) break;
      this.failures.delete(key);
    }
  }
}
