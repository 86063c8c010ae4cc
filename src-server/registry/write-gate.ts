/**
 * Coordinates writes with an online garbage collection.
 *
 * Writes that make content referenced or visible (a manifest PUT, an upload commit, a mount, a
 * cache fill) run through {@link WriteGate.write} and name the digests they touch. A collection
 * starts with {@link WriteGate.beginCollection}, which waits for writes in flight, so every write
 * either finished before the collection's mark phase (and is in the index the mark reads) or names
 * its digests while the collection runs (and they are protected from its sweep). The sweep
 * {@link WriteGate.claim}s the digests it is about to delete, per digest: a write naming a claimed
 * digest waits until that deletion is over, and a claimed digest was touched by no write meanwhile,
 * so a write that checked a blob exists can never see it deleted before it is done. Writes naming
 * other digests never wait for the sweep.
 */
export class WriteGate {
  private sharedHolders = 0;
  private exclusiveHeld = false;
  private readonly waitingShared: Array<() => void> = [];
  private readonly waitingExclusive: Array<() => void> = [];
  private touched: Set<string> | null = null;
  /** Digests the sweep is deleting -> settles when that deletion is over. */
  private readonly claimed = new Map<string, Promise<void>>();

  /**
   * Runs `fn` as a write that touches `digests`; many writes run at once, never during an exclusive
   * section, and never while one of `digests` is being deleted (see {@link claim}). A write that
   * can enter at once is protected from the moment it is called: a claim made after the call never
   * takes its digests.
   */
  write<T>(digests: Iterable<string>, fn: () => Promise<T>): Promise<T> {
    const named = [...digests];
    if (!this.exclusiveHeld && this.waitingExclusive.length === 0 && this.deletionsOf(named).length === 0) {
      this.sharedHolders++;
      return this.run(named, fn);
    }
    return this.enterLater(named, fn);
  }

  private async enterLater<T>(named: string[], fn: () => Promise<T>): Promise<T> {
    await this.acquireShared();
    try {
      // Wait out deletions of what this write names; the protection is added in the same turn as
      // the last check, so no claim can slip in between.
      for (let busy = this.deletionsOf(named); busy.length > 0; busy = this.deletionsOf(named)) await Promise.all(busy);
    } catch (err) {
      this.releaseShared();
      throw err;
    }
    return this.run(named, fn);
  }

  /** Protects `named` (synchronously, before `fn` starts), runs `fn`, then leaves the shared section. */
  private async run<T>(named: readonly string[], fn: () => Promise<T>): Promise<T> {
    try {
      if (this.touched) for (const d of named) this.touched.add(d);
      return await fn();
    } finally {
      this.releaseShared();
    }
  }

  /** Runs `fn` alone: no write runs meanwhile. Keep it short; writes queue behind it. */
  async exclusive<T>(fn: () => Promise<T> | T): Promise<T> {
    await this.acquireExclusive();
    try {
      return await fn();
    } finally {
      this.releaseExclusive();
    }
  }

  /**
   * Starts protecting digests that writes touch, after the writes in flight have finished. Throws
   * when a collection is already running (one at a time).
   */
  async beginCollection(): Promise<void> {
    if (this.touched) throw new Error('a garbage collection is already running');
    this.touched = new Set();
    await this.exclusive(() => undefined);
  }

  /** True while a collection runs. */
  get collecting(): boolean {
    return this.touched !== null;
  }

  /** True when a write touched `digest` since the collection began (decide in the turn of the claim). */
  isProtected(digest: string): boolean {
    return this.touched?.has(digest) ?? false;
  }

  /** Ends the collection and forgets the touched digests. */
  endCollection(): void {
    this.touched = null;
  }

  /**
   * Claims for deletion, in one step, those of `digests` that no write touched since the collection
   * began (and no other claim holds): until each is released, a write naming it waits. Any other
   * check the caller makes (the index, say) must run in the same turn, before the claim. Release
   * each digest as soon as its deletion is over, or all at once.
   */
  claim(digests: Iterable<string>): SweepClaim {
    const waiting = new Map<string, () => void>();
    for (const d of digests) {
      if (this.isProtected(d) || this.claimed.has(d) || waiting.has(d)) continue;
      let resolve!: () => void;
      this.claimed.set(d, new Promise<void>((r) => (resolve = r)));
      waiting.set(d, resolve);
    }
    const release = (d: string) => {
      const resolve = waiting.get(d);
      if (!resolve) return;
      waiting.delete(d);
      this.claimed.delete(d);
      resolve();
    };
    return {
      digests: [...waiting.keys()],
      release: (d?: string) => {
        if (d !== undefined) release(d);
        else for (const k of [...waiting.keys()]) release(k);
      },
    };
  }

  /** True while a sweep holds a claim on `digest`. */
  isClaimed(digest: string): boolean {
    return this.claimed.has(digest);
  }

  private deletionsOf(digests: readonly string[]): Array<Promise<void>> {
    if (this.claimed.size === 0) return [];
    const out: Array<Promise<void>> = [];
    for (const d of digests) {
      const p = this.claimed.get(d);
      if (p) out.push(p);
    }
    return out;
  }

  private acquireShared(): Promise<void> {
    // Writer preference: a waiting exclusive section goes before new writes, so a sweep is never starved.
    if (!this.exclusiveHeld && this.waitingExclusive.length === 0) {
      this.sharedHolders++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waitingShared.push(resolve));
  }

  private releaseShared(): void {
    this.sharedHolders--;
    if (this.sharedHolders === 0) this.wakeExclusive();
  }

  private acquireExclusive(): Promise<void> {
    if (!this.exclusiveHeld && this.sharedHolders === 0) {
      this.exclusiveHeld = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waitingExclusive.push(resolve));
  }

  private releaseExclusive(): void {
    this.exclusiveHeld = false;
    // Writes that queued behind this section go first; the next exclusive waits for them.
    if (this.waitingShared.length > 0) {
      const ready = this.waitingShared.splice(0);
      this.sharedHolders += ready.length;
      for (const r of ready) r();
      return;
    }
    this.wakeExclusive();
  }

  private wakeExclusive(): void {
    if (this.exclusiveHeld || this.sharedHolders > 0) return;
    const next = this.waitingExclusive.shift();
    if (next) {
      this.exclusiveHeld = true;
      next();
    }
  }
}

/** Digests a sweep claimed (see {@link WriteGate.claim}). */
export interface SweepClaim {
  /** The digests claimed: no write touched them; writes naming them now wait. */
  readonly digests: readonly string[];
  /** Ends the claim on one digest (its deletion is over), or on every digest still claimed. */
  release(digest?: string): void;
}
