/**
 * The usage history on disk: the registry's totals once per UTC day, in a SQLite file of its own,
 * `<data>/berth/usage-history.db`. Unlike `index.db` it is not derived from the content (yesterday's
 * size cannot be measured again), so it lives apart from the index and `berth reindex` keeps it,
 * as it keeps `origins.db`.
 *
 *   usage_daily                          one row per UTC day: the latest measurement of the day
 *   ├── day           TEXT PRIMARY KEY   'YYYY-MM-DD', UTC
 *   ├── at            INTEGER            when it was measured, ms since the epoch
 *   ├── stored        INTEGER            bytes of every blob in storage (berth usage's totals.stored)
 *   ├── repositories  INTEGER            repositories, manifests and blobs at that time
 *   ├── manifests     INTEGER
 *   └── blobs         INTEGER
 */
import Database from 'better-sqlite3';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS usage_daily (
  day TEXT PRIMARY KEY,
  at INTEGER NOT NULL,
  stored INTEGER NOT NULL,
  repositories INTEGER NOT NULL,
  manifests INTEGER NOT NULL,
  blobs INTEGER NOT NULL
) WITHOUT ROWID;
`;

/** One day's row. */
export interface HistoryRow {
  /** `YYYY-MM-DD` (UTC). */
  day: string;
  /** When it was measured (ms since the epoch). */
  at: number;
  stored: number;
  repositories: number;
  manifests: number;
  blobs: number;
}

/** The `usage_daily` table: record, read in day order, prune. */
export class UsageHistoryStore {
  private readonly db: Database.Database;
  private readonly s: Record<'put' | 'has' | 'since' | 'prune', Database.Statement>;

  constructor(file: string) {
    this.db = new Database(file);
    try {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('busy_timeout = 5000');
      this.db.exec(SCHEMA);
    } catch (err) {
      this.db.close();
      throw err;
    }
    const p = (sql: string) => this.db.prepare(sql);
    this.s = {
      // Measurements may finish out of order (a slow one started before a quick one): the one
      // taken last wins, whichever is written last.
      put: p(
        'INSERT INTO usage_daily (day, at, stored, repositories, manifests, blobs) VALUES (@day, @at, @stored, @repositories, @manifests, @blobs) ' +
          'ON CONFLICT(day) DO UPDATE SET at = excluded.at, stored = excluded.stored, repositories = excluded.repositories, ' +
          'manifests = excluded.manifests, blobs = excluded.blobs WHERE excluded.at >= usage_daily.at',
      ),
      has: p('SELECT 1 FROM usage_daily WHERE day = ?'),
      since: p('SELECT day, at, stored, repositories, manifests, blobs FROM usage_daily WHERE day >= ? ORDER BY day'),
      prune: p('DELETE FROM usage_daily WHERE day < ?'),
    };
  }

  /** Records a day's measurement unless one taken later is already there. */
  record(row: HistoryRow): void {
    this.s.put.run(row);
  }

  /** True when the day has a row. */
  has(day: string): boolean {
    return this.s.has.get(day) !== undefined;
  }

  /** Rows from `day` on, oldest first. */
  since(day: string): HistoryRow[] {
    return this.s.since.all(day) as HistoryRow[];
  }

  /** Deletes rows older than `day`; returns how many went. */
  pruneBefore(day: string): number {
    return this.s.prune.run(day).changes;
  }

  /** Closes the file. */
  close(): void {
    this.db.close();
  }
}
