/**
 * Layer listings cached by layer digest, in their own SQLite file beside the index, so reopening
 * an image (or listing another that shares layers) downloads nothing. A cache only: `berth
 * reindex` deletes the file, a row that cannot be read is a miss, and a file that is not a
 * database is replaced. The total is bounded; the least recently used listings go first.
 *
 *   <dataDir>/berth/layer-listings.db
 *   ┌─ listings_v1 ─────────────────────────────────────────────────────────────────────┐
 *   │ digest  TEXT PRIMARY KEY   the layer blob's digest (`sha256:…`)                     │
 *   │ body    BLOB NOT NULL      gzip of the LayerListing as JSON                         │
 *   │ bytes   INTEGER NOT NULL   length of body: what counts against maxBytes             │
 *   │ used    INTEGER NOT NULL   last use, a counter that only grows (LRU order)          │
 *   └─ index listings_v1_used (used) ───────────────────────────────────────────────────┘
 *
 * A new listing format gets a new table name (`listings_v2`); older tables are dropped on open.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { BERTH_DIR } from '../storage/layout';
import type { LayerListing } from './types';

const TABLE = 'listings_v1';
/** SQLite's codes for a file that is not a database, or a damaged one. */
const UNREADABLE = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT']);

/** Default bound on the stored (compressed) listings: 256 MiB. */
export const DEFAULT_LISTING_CACHE_BYTES = 256 * 1024 ** 2;

/** Where the listing cache lives in a data directory: `<dataDir>/berth/layer-listings.db`. */
export function listingCachePath(dataDir: string): string {
  return join(dataDir, BERTH_DIR, 'layer-listings.db');
}

/** The files SQLite keeps for the database at `path` (the database, its WAL and shared memory). */
export function listingCacheFiles(path: string): string[] {
  return ['', '-wal', '-shm'].map((suffix) => path + suffix);
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string');
}

/** The listing a row's JSON holds, or null when it is not one (then the row is a miss). */
function asListing(v: unknown): LayerListing | null {
  if (typeof v !== 'object' || v === null) return null;
  const l = v as Partial<LayerListing>;
  const ok =
    Array.isArray(l.entries) &&
    l.entries.every((e) => typeof e === 'object' && e !== null && typeof e.path === 'string' && typeof e.type === 'string') &&
    isStringArray(l.whiteouts) &&
    isStringArray(l.opaque) &&
    isStringArray(l.warnings) &&
    typeof l.uncompressedSize === 'number';
  return ok ? (l as LayerListing) : null;
}

function open(path: string): Database.Database {
  const db = new Database(path);
  try {
    db.pragma('busy_timeout = 5000');
    db.pragma('journal_mode = WAL');
    // A cache: losing the last writes to a crash costs a download, never a wrong answer.
    db.pragma('synchronous = NORMAL');
    for (const { name } of db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'listings_v%'`).all() as { name: string }[]) {
      if (name !== TABLE) db.exec(`DROP TABLE "${name.replaceAll('"', '""')}"`);
    }
    db.exec(`CREATE TABLE IF NOT EXISTS ${TABLE} (
      digest TEXT PRIMARY KEY, body BLOB NOT NULL, bytes INTEGER NOT NULL, used INTEGER NOT NULL)`);
    db.exec(`CREATE INDEX IF NOT EXISTS ${TABLE}_used ON ${TABLE} (used)`);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/** Layer listings by digest over SQLite, bounded to `maxBytes` of stored data (LRU). */
export class ListingCache {
  private readonly db: Database.Database;
  private readonly maxBytes: number;
  private readonly stmt: {
    get: Database.Statement<[string], { body: Buffer }>;
    touch: Database.Statement<[string]>;
    put: Database.Statement<[string, Buffer, number]>;
    drop: Database.Statement<[string]>;
    total: Database.Statement<[], { total: number | null }>;
    oldest: Database.Statement<[string], { digest: string; bytes: number }>;
  };

  /**
   * Opens (creating it and its folder) the cache at `path`. A file that is not a readable
   * database is deleted and started afresh: it only ever held copies.
   */
  constructor(path: string, opts: { maxBytes?: number } = {}) {
    this.maxBytes = opts.maxBytes ?? DEFAULT_LISTING_CACHE_BYTES;
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    try {
      this.db = open(path);
    } catch (err) {
      if (!UNREADABLE.has((err as { code?: string }).code ?? '')) throw err;
      for (const f of listingCacheFiles(path)) rmSync(f, { force: true });
      this.db = open(path);
    }
    const next = `(SELECT COALESCE(MAX(used), 0) + 1 FROM ${TABLE})`;
    this.stmt = {
      get: this.db.prepare(`SELECT body FROM ${TABLE} WHERE digest = ?`),
      touch: this.db.prepare(`UPDATE ${TABLE} SET used = ${next} WHERE digest = ?`),
      put: this.db.prepare(`INSERT OR REPLACE INTO ${TABLE} (digest, body, bytes, used) VALUES (?, ?, ?, ${next})`),
      drop: this.db.prepare(`DELETE FROM ${TABLE} WHERE digest = ?`),
      total: this.db.prepare(`SELECT SUM(bytes) AS total FROM ${TABLE}`),
      oldest: this.db.prepare(`SELECT digest, bytes FROM ${TABLE} WHERE digest != ? ORDER BY used LIMIT 1`),
    };
  }

  /** The listing of a layer, or null (also when its row cannot be read: the row is dropped). */
  get(digest: string): LayerListing | null {
    const row = this.stmt.get.get(digest);
    if (!row) return null;
    let listing: LayerListing | null = null;
    try {
      listing = asListing(JSON.parse(gunzipSync(row.body).toString('utf8')));
    } catch {
      listing = null;
    }
    if (!listing) {
      this.stmt.drop.run(digest);
      return null;
    }
    this.stmt.touch.run(digest);
    return listing;
  }

  /**
   * Stores a layer's listing, then drops the least recently used others until the total fits.
   * A listing bigger than the whole bound is not stored.
   */
  put(digest: string, listing: LayerListing): void {
    const body = gzipSync(JSON.stringify(listing), { level: 6 });
    if (body.length > this.maxBytes) {
      this.stmt.drop.run(digest);
      return;
    }
    this.db.transaction(() => {
      this.stmt.put.run(digest, body, body.length);
      let total = this.stmt.total.get()?.total ?? 0;
      while (total > this.maxBytes) {
        const victim = this.stmt.oldest.get(digest);
        if (!victim) break;
        this.stmt.drop.run(victim.digest);
        total -= victim.bytes;
      }
    })();
  }

  /** Drops every listing. */
  clear(): void {
    this.db.exec(`DELETE FROM ${TABLE}`);
  }

  /** Closes the database; the cache is not used afterwards. */
  close(): void {
    this.db.close();
  }
}
