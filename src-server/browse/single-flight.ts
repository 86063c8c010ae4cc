/**
 * Calls that share one run per key while it is in flight: concurrent asks for the same manifest or
 * tag list (a tag page and a repository size at once) cost one request, not one each.
 */
export class SingleFlight {
  private readonly inflight = new Map<string, Promise<unknown>>();

  /** Runs `fn` for `key`, or joins the run already in flight for it. */
  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const running = this.inflight.get(key) as Promise<T> | undefined;
    if (running) return running;
    const p = fn().finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }
}
