/** Gives a slot back; calling it again does nothing, so every path may call it safely. */
export type Release = () => void;

interface Waiter {
  grant: (release: Release) => void;
}

/**
 * A counting semaphore: at most `size` holders at once, the others waiting in arrival order. A
 * freed slot goes straight to the longest waiter, so a newcomer never overtakes one and no waiter
 * is ever dropped; a waiter leaves the queue only when its own signal aborts it.
 */
export class Slots {
  private used = 0;
  private readonly queue: Waiter[] = [];
  /** Index of the first live entry of `queue` (shifting a long array on every grant is quadratic). */
  private head = 0;

  constructor(
    readonly size: number,
    readonly name = 'slots',
  ) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`${name}: size must be a whole number from 1, got ${size}`);
  }

  /** Slots held now. */
  get inUse(): number {
    return this.used;
  }

  /** Callers waiting for a slot. */
  get waiting(): number {
    return this.queue.length - this.head;
  }

  /** A slot now, or null when all are taken (never waits). */
  tryAcquire(): Release | null {
    if (this.used >= this.size || this.waiting > 0) return null;
    this.used++;
    return this.releaser();
  }

  /**
   * Waits for a slot. With `signal`, an abort while waiting leaves the queue and rejects with the
   * signal's reason; a slot granted meanwhile is passed on, never lost.
   */
  acquire(signal?: AbortSignal): Promise<Release> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const now = this.tryAcquire();
    if (now) return Promise.resolve(now);
    return new Promise<Release>((resolve, reject) => {
      const waiter: Waiter = {
        grant: (release) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(release);
        },
      };
      const onAbort = () => {
        const i = this.queue.indexOf(waiter, this.head);
        if (i < 0) return;
        this.queue.splice(i, 1);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
    });
  }

  /** Runs `fn` holding a slot, given back however `fn` ends. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }

  private releaser(): Release {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.handOn();
    };
  }

  /** A freed slot: to the longest waiter if there is one (the count stays), else back to the pool. */
  private handOn(): void {
    if (this.head < this.queue.length) {
      const next = this.queue[this.head++]!;
      if (this.head === this.queue.length) {
        this.queue.length = 0;
        this.head = 0;
      } else if (this.head >= 1024 && this.head * 2 >= this.queue.length) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      next.grant(this.releaser());
      return;
    }
    this.used--;
  }
}
