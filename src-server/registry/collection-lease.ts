import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { StorageDriver } from '../storage/driver';

/** Where the lease lives: beside registry:2's `docker/` tree, which registry:2 never reads. */
export const LEASE_PATH = 'berth/gc-lease.json';

/** What the lease object holds. */
export interface LeaseBody {
  /** The collecting instance (random per process). */
  holder: string;
  host: string;
  pid: number;
  /** When the collection began, by the holder's clock (for messages only). */
  startedAt: string;
  /** Bumped at every renewal: observers judge liveness by change, on their own clock. */
  seq: number;
}

/** Timing of the lease; the defaults suit a bucket's latency. */
export interface LeaseTimings {
  /** How long an instance may act on what it last read of the lease (default 2 s). */
  pollMs: number;
  /** A lease whose `seq` has not changed for this long is a dead collector's (default 60 s). */
  ttlMs: number;
  /** Time a just-written lease is given to reach every instance, beyond `pollMs` (default 5 s). */
  settleMs: number;
}

const DEFAULTS: LeaseTimings = { pollMs: 2000, ttlMs: 60_000, settleMs: 5000 };

/** Thrown by {@link CollectionLease.acquire} when another instance is collecting. */
export class LeaseHeldError extends Error {
  constructor(readonly lease: LeaseBody) {
    super(`a garbage collection is running on another instance on this storage (${lease.host}, pid ${lease.pid}, since ${lease.startedAt})`);
    this.name = 'LeaseHeldError';
  }
}

/**
 * The garbage-collection lease of storage shared by several instances (a bucket): a collection
 * on one instance holds it, and every instance holds back its writes (manifest PUTs, upload
 * commits, mounts) while another instance's lease is live. The collector waits `pollMs + settleMs`
 * after writing the lease before it re-reads storage and marks, so a write either finished before
 * the mark read storage or waits for the sweep to end: no instance can make content referenced
 * behind a sweep's back. A collector that dies leaves a lease nobody renews; it stops counting
 * after `ttlMs` of silence, judged on each observer's own clock (no clock is compared across hosts).
 */
export class CollectionLease {
  readonly id = randomUUID();
  readonly timings: LeaseTimings;
  private held: LeaseBody | null = null;
  private renewTimer: NodeJS.Timeout | null = null;
  /** The renewal being written, which a release waits for (else it would write the lease back). */
  private renewing: Promise<void> | null = null;
  /** What this instance last read, and when (its own clock). */
  private seen: { body: LeaseBody | null; readAt: number } | null = null;
  /** The `seq` last seen of a foreign lease, and since when it has not changed. */
  private silence: { holder: string; seq: number; since: number } | null = null;

  constructor(
    private readonly driver: StorageDriver,
    timings: Partial<LeaseTimings> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.timings = { ...DEFAULTS, ...timings };
  }

  /**
   * Takes the lease for a collection, then waits until every instance has seen it. Throws
   * {@link LeaseHeldError} when another instance's lease is renewed meanwhile (it is collecting),
   * or took the lease at the same moment; takes over a lease that stays silent for `ttlMs`.
   */
  async acquire(): Promise<void> {
    // A foreign lease is either renewed (someone is collecting) or falls silent (its collector died).
    let current = await this.read();
    const first = current;
    while (current && this.isLive(current)) {
      if (current.holder !== first!.holder || current.seq !== first!.seq) throw new LeaseHeldError(current);
      await sleep(this.timings.pollMs);
      current = await this.read();
    }
    this.held = { holder: this.id, host: hostname(), pid: process.pid, startedAt: new Date(this.now()).toISOString(), seq: 1 };
    await this.driver.writeFile(LEASE_PATH, JSON.stringify(this.held));
    await sleep(this.timings.pollMs + this.timings.settleMs);
    // S3 has no create-if-absent here: two collectors that wrote at once both see who won.
    const after = await this.read();
    if (!after || after.holder !== this.id) {
      this.held = null;
      if (after) throw new LeaseHeldError(after);
      throw new Error('the garbage-collection lease disappeared from storage while it was being taken');
    }
    this.renewTimer = setInterval(() => void this.renew(), Math.max(10, Math.floor(this.timings.ttlMs / 4)));
    this.renewTimer.unref();
  }

  /** Gives the lease up (deletes it, unless another instance has taken it over). */
  async release(): Promise<void> {
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.renewTimer = null;
    if (!this.held) return;
    this.held = null;
    // A renewal already on its way would land after the delete and bring the lease back.
    await this.renewing;
    const current = await this.read();
    if (current?.holder === this.id) await this.driver.delete(LEASE_PATH);
  }

  /**
   * Resolves when no other instance's live lease stands in the way of a write: at once in the
   * usual case (what was read within `pollMs` is trusted), else after the collection ends or its
   * lease goes silent. Throws after `maxWaitMs`.
   */
  async waitUntilClear(maxWaitMs = 10 * 60_000): Promise<void> {
    const deadline = this.now() + maxWaitMs;
    for (;;) {
      const fresh = this.seen && this.now() - this.seen.readAt < this.timings.pollMs;
      const body = fresh ? this.seen!.body : await this.read();
      if (!body || body.holder === this.id || !this.isLive(body)) return;
      if (this.now() >= deadline) throw new LeaseHeldError(body);
      await sleep(Math.min(1000, this.timings.pollMs));
    }
  }

  /** Reads the lease from storage (null when none, or unreadable: a torn write is no lease). */
  private async read(): Promise<LeaseBody | null> {
    const readAt = this.now();
    const raw = await this.driver.readFile(LEASE_PATH);
    let body: LeaseBody | null = null;
    if (raw) {
      try {
        const parsed = JSON.parse(raw.toString('utf8')) as Partial<LeaseBody>;
        if (typeof parsed.holder === 'string' && typeof parsed.seq === 'number') body = parsed as LeaseBody;
      } catch {
        body = null;
      }
    }
    this.seen = { body, readAt };
    return body;
  }

  /** A foreign lease is live until its `seq` has stood still for `ttlMs` on this instance's clock. */
  private isLive(body: LeaseBody): boolean {
    if (body.holder === this.id) return true;
    const s = this.silence;
    if (!s || s.holder !== body.holder || s.seq !== body.seq) {
      this.silence = { holder: body.holder, seq: body.seq, since: this.seen?.readAt ?? this.now() };
      return true;
    }
    return this.now() - s.since < this.timings.ttlMs;
  }

  private renew(): Promise<void> {
    if (!this.held || this.renewing) return this.renewing ?? Promise.resolve();
    const next = { ...this.held, seq: this.held.seq + 1 };
    this.renewing = (async () => {
      try {
        await this.driver.writeFile(LEASE_PATH, JSON.stringify(next));
        // Released meanwhile: the lease stays given up.
        if (this.held) this.held = next;
      } catch {
        // A missed renewal is retried at the next tick; only ttlMs of silence ends the lease.
      } finally {
        this.renewing = null;
      }
    })();
    return this.renewing;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
