import { hash } from 'node:crypto';
import { RegistryError } from '../core/errors';
import { ExpiringSet, FailureTimes } from './failure-window';

/** Options of a Throttle. */
export interface ThrottleOptions {
  /** Failed logins of one user name from one address within the window that block that pair (default 10). */
  maxFailures?: number;
  /** Failed logins from one address, whatever the names, that block the address (default 30). */
  maxAddressFailures?: number;
  /**
   * Failed logins of one name from all addresses after which addresses it never logged in from get
   * one try per `windowMs / maxNameFailures` at that name (default 10).
   */
  maxNameFailures?: number;
  /** Length of the sliding window in ms (default 60 s). */
  windowMs?: number;
  /** How long a successful login makes its address known for that name (default 24 h). */
  knownMs?: number;
  /** Most keys of each kind remembered; the oldest are dropped beyond it (default 10,000). */
  maxKeys?: number;
  now?: () => number;
}

/** A login attempt the throttle let through; it counts as a failure from its start until it ends. */
export interface Attempt {
  /** The password was wrong: the attempt stays counted as a failure. */
  failed(): void;
  /** The password was right: the attempt is not a failure, and the address becomes known for the name. */
  succeeded(): void;
  /** No password was checked (the server was too busy): the attempt does not count. */
  abandoned(): void;
}

/** Names this long or longer are kept as a digest, so a key never costs more than a short name. */
const LONG_NAME = 64;

function nameKey(user: string): string {
  return user.length < LONG_NAME ? user : `#${hash('sha256', user, 'base64')}`;
}

/**
 * Counts failed logins in a sliding window, per user name at an address and per address; each
 * blocks with 429 TOOMANYREQUESTS and `Retry-After` once it reaches its limit. A name is never
 * blocked as a whole, so nobody can lock a known user out by guessing at it from elsewhere: failures
 * of one address block that name at that address only. To keep a guesser spread over many addresses
 * from getting many guesses at one name, a name with `maxNameFailures` failures in the window gives
 * addresses it never logged in from one try per `windowMs / maxNameFailures`; addresses it logged in
 * from before are never slowed, and callers never bring credentials they already verified here
 * (see checkLogin), so a user at work stays at work.
 *
 * An attempt counts as a failure from its start ({@link begin}) until it succeeds, so concurrent
 * guesses cannot outrun the count. Memory is bounded: at most `maxKeys` keys of each kind, each with
 * at most its limit of timestamps; long names are kept as digests.
 */
export class Throttle {
  private readonly maxPair: number;
  private readonly maxAddress: number;
  private readonly maxName: number;
  private readonly windowMs: number;
  private readonly knownMs: number;
  private readonly now: () => number;
  private readonly failures: FailureTimes;
  /** Pairs (address + name) that logged in successfully, until when they count as known. */
  private readonly known: ExpiringSet;
  /** Names over their budget: when an unknown address may next try each. */
  private readonly slots: ExpiringSet;

  constructor(opts: ThrottleOptions = {}) {
    this.maxPair = opts.maxFailures ?? 10;
    this.maxAddress = opts.maxAddressFailures ?? 30;
    this.maxName = opts.maxNameFailures ?? 10;
    this.windowMs = opts.windowMs ?? 60_000;
    this.knownMs = opts.knownMs ?? 24 * 3600_000;
    this.now = opts.now ?? Date.now;
    const maxKeys = opts.maxKeys ?? 10_000;
    this.failures = new FailureTimes(this.windowMs, maxKeys);
    this.known = new ExpiringSet(maxKeys);
    this.slots = new ExpiringSet(maxKeys);
  }

  private static keys(ip: string, user: string) {
    const name = nameKey(user);
    return { address: `a ${ip}`, pair: `p ${ip}\0${name}`, name: `n ${name}`, slot: name };
  }

  private static tooMany(waitMs: number): RegistryError {
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    return new RegistryError('TOOMANYREQUESTS', {
      message: 'too many failed logins; try again later',
      detail: { retryAfterSeconds: seconds },
      headers: { 'Retry-After': String(seconds) },
    });
  }

  /**
   * Lets a login attempt of `user` from `ip` through, counted as a failure until it ends (an attempt
   * that never ends counts for one window);
   * throws 429 TOOMANYREQUESTS with Retry-After while the address or the name at this address is
   * blocked, or the name is over its budget and this address has no turn yet.
   */
  begin(ip: string, user: string): Attempt {
    const now = this.now();
    const k = Throttle.keys(ip, user);
    let until = Math.max(this.failures.blockedUntil(k.address, this.maxAddress, now), this.failures.blockedUntil(k.pair, this.maxPair, now));
    const slowed = this.known.get(k.pair, now) === undefined && this.failures.count(k.name, now) >= this.maxName;
    if (slowed) until = Math.max(until, this.slots.get(k.slot, now) ?? 0);
    if (until > now) throw Throttle.tooMany(until - now);
    if (slowed) this.slots.set(k.slot, now + this.windowMs / this.maxName, now);
    const keys = [k.address, k.pair, k.name];
    const limits = [this.maxAddress, this.maxPair, this.maxName];
    for (const key of keys) this.failures.start(key, now);
    let open = true;
    const settle = (failed: boolean) => {
      if (!open) return false;
      open = false;
      const at = this.now();
      keys.forEach((key, i) => this.failures.settle(key, now, failed, limits[i]!, at));
      return true;
    };
    return {
      failed: () => void settle(true),
      succeeded: () => {
        if (!settle(false)) return;
        this.failures.clear(k.pair);
        this.known.set(k.pair, this.now() + this.knownMs, this.now());
      },
      abandoned: () => void settle(false),
    };
  }

  /** Throws 429 TOOMANYREQUESTS with Retry-After while the address is blocked (logins without a name). */
  check(ip: string): void {
    const now = this.now();
    const until = this.failures.blockedUntil(`a ${ip}`, this.maxAddress, now);
    if (until > now) throw Throttle.tooMany(until - now);
  }

  /** Records a failed login without a name from `ip` (the GUI's login token). */
  fail(ip: string): void {
    this.failures.add(`a ${ip}`, this.now(), this.maxAddress);
  }

  /** Number of keys held (for tests and metrics). */
  get size(): number {
    return this.failures.size + this.known.size + this.slots.size;
  }

  /** Characters of all keys held (for tests and metrics: memory stays bounded whatever the names). */
  get heldChars(): number {
    let n = 0;
    for (const set of [this.failures, this.known, this.slots]) for (const k of set.keys()) n += k.length;
    return n;
  }
}
