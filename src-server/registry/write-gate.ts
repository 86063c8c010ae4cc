/**
 * Coordinates writes with an online garbage collection.
 *
 * Writes that make content referenced or visible (a manifest PUT, an upload commit, a mount, a
 * cache fill) run through {@link WriteGate.write} and name the digests they touch. A collection
 * starts with {@link WriteGate.beginCollection}, which waits for writes in flight, so every write
 * either finished before the collection's mark phase (and is in the index the mark reads) or names
 * its digests while the collection runs (and they are protected from its sweep). The sweep deletes
 * in short {@link WriteGate.exclusive} sections, in which no write runs: a write that checked a
 * blob exists can never see it deleted before it is done.
 */
export class WriteGate {
  private sharedHolders = 0;
  private exclusiveHeld = false;
  private readonly waitingShared: Array<() => void> = [];
  private readonly waitingExclusive: Array<() => void> = [];
  private touched: Set<string> | null = null;

  /** Runs `fn` as a write that touches `digests`; many writes run at once, never during an exclusive section. */
  async write<T>(digests: Iterable<string>, fn: () => Promise<T>): Promise<T> {
    await this.acquireShared();
    try {
      if (this.touched) for (const d of digests) this.touched.add(d);
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

  /** True when a write touched `digest` since the collection began (call inside `exclusive`). */
  isProtected(digest: string): boolean {
    return this.touched?.has(digest) ?? false;
  }

  /** Ends the collection and forgets the touched digests. */
  endCollection(): void {
    this.touched = null;
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
