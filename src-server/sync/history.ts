/**
 * The history of sync runs (`<data>/berth/sync-history.jsonl`): one JSON line per run, appended,
 * the oldest dropped beyond a bound. Records hold counts, job names and failures in words: never a
 * credential (failure messages name hosts, not passwords).
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SyncRunRecord } from '../contract';
import { writeFileAtomic } from '../core/files';
import { BERTH_DIR } from '../storage/layout';

/** Runs kept. */
export const MAX_HISTORY_RUNS = 1000;
/** Failures kept per run. */
export const MAX_RECORD_FAILURES = 20;

/** Where a data directory's sync history lives. */
export function syncHistoryPath(dataDir: string): string {
  return join(dataDir, BERTH_DIR, 'sync-history.jsonl');
}

/** The runs of one data directory. */
export class SyncHistory {
  private count: number | null = null;

  constructor(
    readonly file: string,
    private readonly max = MAX_HISTORY_RUNS,
  ) {}

  /** Every run kept, oldest first (lines that cannot be read are passed over). */
  private all(): SyncRunRecord[] {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: SyncRunRecord[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const r = JSON.parse(line) as SyncRunRecord;
        if (r && typeof r.id === 'string' && Array.isArray(r.jobs)) out.push(r);
      } catch {
        // A line cut by a crash: the rest of the history stands.
      }
    }
    return out;
  }

  /** Records a run; beyond the bound the oldest go. */
  add(record: SyncRunRecord): void {
    const r = { ...record, failures: record.failures.slice(0, MAX_RECORD_FAILURES) };
    if (this.count === null) this.count = this.all().length;
    if (this.count + 1 > this.max) {
      const kept = [...this.all(), r].slice(-this.max);
      writeFileAtomic(this.file, kept.map((x) => JSON.stringify(x)).join('\n') + '\n', 0o600);
      this.count = kept.length;
      return;
    }
    appendFileSync(this.file, JSON.stringify(r) + '\n', { mode: 0o600 });
    this.count++;
  }

  /** The last runs, newest first, of one job or all. */
  list(opts: { job?: string; limit?: number } = {}): SyncRunRecord[] {
    const limit = opts.limit ?? 50;
    const runs = this.all().reverse();
    return (opts.job === undefined ? runs : runs.filter((r) => r.jobs.includes(opts.job!))).slice(0, limit);
  }

  /** The last run of each job named. */
  lastRuns(): Map<string, SyncRunRecord> {
    const out = new Map<string, SyncRunRecord>();
    for (const r of this.all()) for (const j of r.jobs) out.set(j, r);
    return out;
  }
}
