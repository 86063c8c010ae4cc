/**
 * The bookkeeping behind Throttle: failure times in a sliding window (with the attempts still
 * running counted beside them), and keys that hold until a time. Both stay within a key budget.
 */

/**
 * Failure times per key, oldest first, beside the start times of attempts still running (which
 * count as failures until they end). Map order (insertion) drives eviction.
 */
export class FailureTimes {
  private readonly times = new Map<string, number[]>();
  private readonly pending = new Map<string, number[]>();

  constructor(
    private readonly windowMs: number,
    private readonly maxKeys: number,
  ) {}

  /** Keys held (failures and running attempts). */
  get size(): number {
    return this.times.size + this.pending.size;
  }

  /** Every key held, for size accounting. */
  *keys(): IterableIterator<string> {
    yield* this.times.keys();
    yield* this.pending.keys();
  }

  /** Times of a key still inside the window (drops the key when none are). */
  private static live(map: Map<string, number[]>, key: string, from: number): number[] | undefined {
    const times = map.get(key);
    if (!times) return undefined;
    while (times.length && times[0]! <= from) times.shift();
    if (!times.length) {
      map.delete(key);
      return undefined;
    }
    return times;
  }

  /** Failures and running attempts of a key inside the window, oldest first. */
  private all(key: string, now: number): number[] {
    const from = now - this.windowMs;
    const failed = FailureTimes.live(this.times, key, from) ?? [];
    const running = FailureTimes.live(this.pending, key, from);
    return running ? [...failed, ...running].sort((a, b) => a - b) : failed;
  }

  /** When a key with `max` failures in the window may try again (0 when it may now). */
  blockedUntil(key: string, max: number, now: number): number {
    const times = this.all(key, now);
    return times.length >= max ? times[times.length - max]! + this.windowMs : 0;
  }

  /** Failures and running attempts of a key inside the window. */
  count(key: string, now: number): number {
    return this.all(key, now).length;
  }

  /** Records a failure at `at` (the start of the attempt); only the newest `max` are kept. */
  add(key: string, at: number, max: number, now = at): void {
    const times = FailureTimes.live(this.times, key, now - this.windowMs) ?? [];
    let i = times.length;
    while (i > 0 && times[i - 1]! > at) i--;
    times.splice(i, 0, at);
    // Only the newest `max` failures decide anything.
    if (times.length > max) times.shift();
    this.times.delete(key);
    this.times.set(key, times);
    this.bound(this.times, now);
  }

  /** Records the start of an attempt that counts as a failure until it is settled. */
  start(key: string, now: number): void {
    const running = FailureTimes.live(this.pending, key, now - this.windowMs) ?? [];
    running.push(now);
    this.pending.delete(key);
    this.pending.set(key, running);
    this.bound(this.pending, now);
  }

  /** Ends an attempt started at `at`: it becomes a failure when `failed`, otherwise it is forgotten. */
  settle(key: string, at: number, failed: boolean, max: number, now: number): void {
    const running = this.pending.get(key);
    const i = running?.indexOf(at) ?? -1;
    if (i >= 0) running!.splice(i, 1);
    if (running && !running.length) this.pending.delete(key);
    if (failed && at > now - this.windowMs) this.add(key, at, max, now);
  }

  /** Forgets a key's failures (attempts still running keep counting). */
  clear(key: string): void {
    this.times.delete(key);
  }

  private bound(map: Map<string, number[]>, now: number): void {
    if (map.size <= this.maxKeys) return;
    for (const key of [...map.keys()]) FailureTimes.live(map, key, now - this.windowMs);
    // Still too many live keys (a flood of names): forget the least recently failing ones.
    for (const key of map.keys()) {
      if (map.size <= this.maxKeys) break;
      map.delete(key);
    }
  }
}

/** Keys with a time until which they hold, bounded by dropping the oldest. */
export class ExpiringSet {
  private readonly until = new Map<string, number>();

  constructor(private readonly maxKeys: number) {}

  /** Keys held. */
  get size(): number {
    return this.until.size;
  }

  /** Every key held, for size accounting. */
  keys(): IterableIterator<string> {
    return this.until.keys();
  }

  /** The time stored for a key, if it is still in the future. */
  get(key: string, now: number): number | undefined {
    const t = this.until.get(key);
    if (t === undefined) return undefined;
    if (t > now) return t;
    this.until.delete(key);
    return undefined;
  }

  /** Holds a key until `until` (dropping expired, then the oldest, keys beyond the budget). */
  set(key: string, until: number, now: number): void {
    this.until.delete(key);
    this.until.set(key, until);
    if (this.until.size <= this.maxKeys) return;
    for (const [k, t] of this.until) if (t <= now) this.until.delete(k);
    for (const k of this.until.keys()) {
      if (this.until.size <= this.maxKeys) break;
      this.until.delete(k);
    }
  }
}
