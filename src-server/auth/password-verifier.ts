import bcrypt from 'bcryptjs';
import { createHash, randomBytes } from 'node:crypto';
import type { Logger } from '../logger';
import { BcryptPool, type BcryptPoolOptions, type BcryptPoolStats } from './bcrypt-pool';
import { type HtpasswdEntries, HtpasswdFile, readHtpasswdFile } from './htpasswd';
import { VerifyCache } from './verify-cache';

/** Options of a PasswordVerifier. */
export interface PasswordVerifierOptions {
  /** Path of the htpasswd file (read at once; a missing file throws). Ignored when `file` is given. */
  path?: string;
  /** An HtpasswdFile already open (e.g. shared with user management). */
  file?: HtpasswdFile;
  log: Logger;
  /** How long a successful check is remembered (default 60 s). */
  cacheTtlMs?: number;
  /** The threads bcrypt runs on and how many checks may wait for them (BcryptPool's defaults). */
  pool?: BcryptPoolOptions;
  now?: () => number;
}

const BCRYPT_ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A random, well-formed bcrypt hash at the cost the file's users have, compared against for unknown
 * users. Made from random characters rather than by hashing, so a reload never blocks on bcrypt.
 */
function dummyHashFor(entries: HtpasswdEntries): string {
  const first = entries.users.values().next().value;
  const cost = first ? bcrypt.getRounds(first) : 5;
  const chars = [...randomBytes(53)].map((b) => BCRYPT_ALPHABET[b & 63]).join('');
  return `$2b$${String(cost).padStart(2, '0')}$${chars}`;
}

/**
 * Checks user names and passwords against an htpasswd file (bcrypt only), shared by Basic auth, the
 * /token endpoint and the GUI's login. bcrypt runs on a BcryptPool's threads, never on the event
 * loop, behind a bounded queue (429 when full). Unknown users pay the same bcrypt cost as known
 * ones, so timing does not reveal who exists; verified passwords are remembered (as keyed hashes,
 * never in clear) so that authenticated requests skip bcrypt and the queue; concurrent checks of the
 * same credentials share one bcrypt run.
 */
export class PasswordVerifier {
  private readonly file: HtpasswdFile;
  private readonly cache: VerifyCache;
  private readonly inflight = new Map<string, Promise<boolean>>();
  private dummyHash = '';
  private readonly pool: BcryptPool;
  /** Credential versions of the file generation `versionsOf`. */
  private versions = new Map<string, string>();
  private versionsOf = -1;

  /** Opens the htpasswd file (throws if it cannot be read). */
  constructor(opts: PasswordVerifierOptions) {
    const onReload = (entries: HtpasswdEntries) => {
      this.dummyHash = dummyHashFor(entries);
      if (entries.unsupported.length) {
        opts.log.warn(`htpasswd: users without a bcrypt hash cannot log in (use htpasswd -B): ${entries.unsupported.join(', ')}`);
      }
      opts.log.debug(`htpasswd: ${entries.users.size} users loaded from ${this.file?.path ?? opts.path}`);
    };
    if (opts.file) {
      this.file = opts.file;
      onReload(this.file.current());
    } else {
      if (!opts.path) throw new Error('PasswordVerifier needs an htpasswd path or file');
      this.file = new HtpasswdFile(opts.path, { now: opts.now, onReload: (e) => onReload(e), onError: (msg) => opts.log.warn(msg) });
    }
    this.cache = new VerifyCache(opts.cacheTtlMs ?? 60_000, opts.now);
    this.pool = new BcryptPool({ ...opts.pool, onError: (m) => opts.log.warn(m) });
  }

  /** What the password-check threads are doing. */
  get poolStats(): BcryptPoolStats {
    return this.pool.stats;
  }

  /** Stops the password-check threads (checks still waiting fail). */
  close(): Promise<void> {
    return this.pool.close();
  }

  /** Makes the next check read the htpasswd file at once (a user was just changed by this process). */
  recheck(): void {
    this.file.recheck();
  }

  /** True when the user is in the htpasswd file with a usable hash. */
  hasUser(user: string): boolean {
    return this.file.current().users.has(user);
  }

  /**
   * A digest of the user's stored hash, null for an unknown user: it changes exactly when the
   * password does, so a session can end when its password changed (also by hand or by the CLI).
   * `fresh` reads the file now rather than within the second the change check allows.
   */
  credentialStamp(user: string, fresh = false): string | null {
    const hash = (fresh ? readHtpasswdFile(this.file.path) : this.file.current()).users.get(user);
    return hash === undefined ? null : createHash('sha256').update(hash).digest('base64url');
  }

  /**
   * The version of the user's credentials that tokens carry (their `cv` claim), null for an unknown
   * user. It is derived from the stored hash, which gets a new salt on every password change and on
   * every re-add, so it changes with both; it is a domain-separated digest, so a token never shows
   * the session stamp. Cached per file generation: checking a token costs a map lookup.
   */
  credentialVersion(user: string): string | null {
    const entries = this.file.current();
    if (this.versionsOf !== this.file.generation) {
      this.versions = new Map();
      this.versionsOf = this.file.generation;
    }
    const known = this.versions.get(user);
    if (known !== undefined) return known;
    const hash = entries.users.get(user);
    if (hash === undefined) return null;
    const version = createHash('sha256').update(`berth token credential version\0${hash}`).digest('base64url').slice(0, 22);
    this.versions.set(user, version);
    return version;
  }

  /** True when these credentials were verified recently: no bcrypt and no queue needed. */
  isVerified(user: string, password: string): boolean {
    // current() first: a changed file (a removed user, a new password) must end the cached success.
    this.file.current();
    return this.cache.has(this.cache.key(user, password), this.file.generation);
  }

  /** The check of the same credentials already running, if any (joining it costs nothing). */
  running(user: string, password: string): Promise<boolean> | undefined {
    return this.inflight.get(this.cache.key(user, password));
  }

  /**
   * True when the password is the user's; false for unknown users, after the same bcrypt work.
   * Rejects with 429 TOOMANYREQUESTS when the password-check queue is full.
   */
  verify(user: string, password: string): Promise<boolean> {
    const entries = this.file.current();
    // A shared file may have reloaded through another owner: rebuild the dummy hash lazily.
    if (!this.dummyHash) this.dummyHash = dummyHashFor(entries);
    const generation = this.file.generation;
    const key = this.cache.key(user, password);
    if (this.cache.has(key, generation)) return Promise.resolve(true);
    const running = this.inflight.get(key);
    if (running) return running;
    const hash = entries.users.get(user);
    const check = this.pool
      .compare(password, hash ?? this.dummyHash)
      .then((ok) => {
        const good = ok && hash !== undefined;
        if (good) this.cache.add(key, generation);
        return good;
      })
      .finally(() => this.inflight.delete(key));
    this.inflight.set(key, check);
    return check;
  }
}
