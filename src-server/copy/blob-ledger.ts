/**
 * What the copies of one run (a sync of many images) have written to a destination, so that images
 * copied at the same time never move the same blob twice: the first copy that needs a blob in a
 * repository moves it, the others wait for it; a copy that needs it in another repository of the same
 * destination mounts it from where it landed instead of streaming it again (as skopeo does).
 */

/** What a copy should do about one blob. */
export type LedgerAdvice = { kind: 'written' } | { kind: 'mount'; from: string } | { kind: 'move'; done(ok: boolean): void };

interface Entry {
  /** Repositories of the destination that hold the blob (written or mounted by this run). */
  repos: Set<string>;
  /** Settles when the move in flight ends (done or failed). */
  inflight: Promise<void> | null;
}

/** The blobs one run has moved, per destination. */
export class BlobLedger {
  private readonly entries = new Map<string, Entry>();

  /**
   * Advice for `digest` into `repository` of destination `to` (a RegistrySource id): `written`
   * when this run put it there already; `mount` from another repository of the destination that
   * has it; `move` to stream it (call `done` when the move ends). Waits for a move in flight.
   */
  async advise(to: string, repository: string, digest: string): Promise<LedgerAdvice> {
    const key = `${to}\n${digest}`;
    for (;;) {
      const e = this.entries.get(key);
      if (e?.repos.has(repository)) return { kind: 'written' };
      if (e?.inflight) {
        await e.inflight;
        continue;
      }
      const from = e ? [...e.repos][0] : undefined;
      if (from !== undefined) return { kind: 'mount', from };
      let settle!: () => void;
      const entry: Entry = e ?? { repos: new Set(), inflight: null };
      entry.inflight = new Promise<void>((r) => (settle = r));
      this.entries.set(key, entry);
      return {
        kind: 'move',
        done: (ok) => {
          if (ok) entry.repos.add(repository);
          entry.inflight = null;
          settle();
        },
      };
    }
  }

  /** Records that `repository` of `to` holds `digest` (a mount that worked). */
  record(to: string, repository: string, digest: string): void {
    const key = `${to}\n${digest}`;
    const e = this.entries.get(key) ?? { repos: new Set<string>(), inflight: null };
    e.repos.add(repository);
    this.entries.set(key, e);
  }
}
