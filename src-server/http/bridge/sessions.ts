/**
 * Login sessions of the `/_berth/api` bridge, in memory only: a restart logs everyone out, and
 * nothing secret is ever written to disk. The cookie carries 32 random bytes; the store keys
 * sessions by their SHA-256, so a heap dump or a timing side channel on the Map lookup does not
 * hand out a usable cookie.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** One logged-in browser. */
export interface BridgeSession {
  /** Opaque id (the hash of the cookie value), for event routing. */
  readonly id: string;
  readonly user: string;
  /** Sent back as the `X-Berth-CSRF` header on every call. */
  readonly csrfToken: string;
  readonly createdAt: number;
  lastSeenAt: number;
  /** The user's credential stamp at login (PasswordVerifier.credentialStamp); a new password ends the session. */
  stamp?: string | null;
  /**
   * Whether the user held `admin@*` at login: an administrator's session ends when the right goes
   * (the GUI it shows is an administrator's); anyone else's lasts while they hold any right.
   */
  admin?: boolean;
}

/** Options of {@link SessionStore}. */
export interface SessionStoreOptions {
  /** A session unused this long ends (default 12 h). */
  idleMs?: number;
  /** A session ends this long after login whatever its use (default 7 days). */
  absoluteMs?: number;
  /** Most sessions held; the least recently used is dropped beyond it (default 1000). */
  maxSessions?: number;
  now?: () => number;
  /** Called when a session ends (logout, expiry, eviction), to close its event streams. */
  onEnd?: (session: BridgeSession) => void;
}

/** The name of the session cookie. */
export const SESSION_COOKIE = 'berth_session';

const hashOf = (cookie: string) => createHash('sha256').update(cookie).digest('base64url');

/** True when two secrets are equal, in time independent of where they differ. */
export function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

/** Sessions with idle and absolute expiry. */
export class SessionStore {
  private readonly sessions = new Map<string, BridgeSession>();
  private readonly idleMs: number;
  private readonly absoluteMs: number;
  private readonly max: number;
  private readonly now: () => number;

  constructor(private readonly opts: SessionStoreOptions = {}) {
    this.idleMs = opts.idleMs ?? 12 * 3600_000;
    this.absoluteMs = opts.absoluteMs ?? 7 * 24 * 3600_000;
    this.max = opts.maxSessions ?? 1000;
    this.now = opts.now ?? Date.now;
  }

  /** Starts a session for `user`; returns it and the cookie value (shown to nobody else). */
  create(user: string): { session: BridgeSession; cookie: string } {
    const cookie = randomBytes(32).toString('base64url');
    const now = this.now();
    const session: BridgeSession = { id: hashOf(cookie), user, csrfToken: randomBytes(32).toString('base64url'), createdAt: now, lastSeenAt: now };
    this.sessions.set(session.id, session);
    while (this.sessions.size > this.max) this.end(this.sessions.keys().next().value!);
    return { session, cookie };
  }

  /** The live session of a cookie value (and marks it used), or undefined. */
  get(cookie: string | undefined): BridgeSession | undefined {
    if (!cookie) return undefined;
    const id = hashOf(cookie);
    const s = this.sessions.get(id);
    if (!s) return undefined;
    const now = this.now();
    if (now - s.lastSeenAt > this.idleMs || now - s.createdAt > this.absoluteMs) {
      this.end(id);
      return undefined;
    }
    s.lastSeenAt = now;
    // Re-insert: Map order is then least recently used first, for eviction.
    this.sessions.delete(id);
    this.sessions.set(id, s);
    return s;
  }

  /** Ends the session of a cookie value, if any. */
  endCookie(cookie: string | undefined): void {
    if (cookie) this.end(hashOf(cookie));
  }

  /**
   * Ends every session of `user` except the one with id `exceptId` (the caller's own, when it
   * changes its own password); returns how many ended.
   */
  endUser(user: string, exceptId?: string): number {
    return this.endUserWhere(user, (s) => s.id !== exceptId);
  }

  /** Ends the sessions of `user` that `ends` picks; returns how many ended. */
  endUserWhere(user: string, ends: (s: BridgeSession) => boolean): number {
    let ended = 0;
    for (const [id, s] of [...this.sessions]) {
      if (s.user === user && ends(s)) {
        this.end(id);
        ended++;
      }
    }
    return ended;
  }

  /** Drops expired sessions (called on a timer). */
  sweep(): void {
    const now = this.now();
    for (const [id, s] of this.sessions) {
      if (now - s.lastSeenAt > this.idleMs || now - s.createdAt > this.absoluteMs) this.end(id);
    }
  }

  /** Number of live sessions (tests). */
  get size(): number {
    return this.sessions.size;
  }

  private end(id: string): void {
    const s = this.sessions.get(id);
    if (!s) return;
    this.sessions.delete(id);
    this.opts.onEnd?.(s);
  }
}
