/**
 * The app core's own SQLite database (connections, the remote cache, ...), apart from the registry
 * index, which is a rebuildable cache of the disk: this one holds what the user entered.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/**
 * Opens (creating it and its folder, mode 0700) the app database at `path`: WAL, a 5 s busy
 * timeout (another Berth process may be writing), foreign keys on. Each module adds its own tables
 * with `CREATE TABLE IF NOT EXISTS` on the handle.
 */
export function openAppDatabase(path: string): Database.Database {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}
