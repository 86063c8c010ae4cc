/**
 * Reads of the whole index that must not hold the event loop (a collection's mark, a usage measure):
 * they run on a read-only connection of their own, inside one read transaction. The index is in WAL
 * mode, so that transaction is a snapshot: the registry keeps writing on its own connection, and
 * the reader sees the index as it was when its first query ran.
 */
import Database from 'better-sqlite3';
import type { RegistryIndex } from './registry-index';

/**
 * Runs `read` on a snapshot of the index (see above) and closes the connection after. An index with
 * no file (in memory) has no second connection: `fallback` reads it on its own connection.
 */
export async function readSnapshot<T>(index: RegistryIndex, read: (db: Database.Database) => Promise<T>, fallback: () => T): Promise<T> {
  const file = index.db.name;
  if (!file || index.db.memory) return fallback();
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.exec('BEGIN');
    try {
      return await read(db);
    } finally {
      db.exec('COMMIT');
    }
  } finally {
    db.close();
  }
}
