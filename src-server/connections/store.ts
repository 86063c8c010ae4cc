/**
 * The saved remote connections, in the app database. There is no secret column, on purpose: a
 * connection's password lives in the SecretStore under `connection:<id>`.
 */
import type Database from 'better-sqlite3';
import type { ConnectionDraft, ConnectionTrust } from '../contract';

/** A saved connection as stored (the GUI's ConnectionInfo without `hasSecret`). */
export interface StoredConnection {
  id: string;
  name: string;
  kind: ConnectionDraft['kind'];
  url: string;
  username: string | null;
  trust: ConnectionTrust;
  repositories: string[];
  namespaces: string[];
  /** ISO 8601. */
  createdAt: string;
}

interface Row {
  id: string;
  name: string;
  kind: string;
  url: string;
  username: string | null;
  trust_json: string;
  repositories_json: string;
  namespaces_json: string;
  created_at: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS connections (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  kind TEXT NOT NULL,
  url TEXT NOT NULL,
  username TEXT,
  trust_json TEXT NOT NULL,
  repositories_json TEXT NOT NULL,
  namespaces_json TEXT NOT NULL,
  created_at TEXT NOT NULL
)`;

/** Reads and writes the `connections` table (created when missing). Validation is the manager's job. */
export class ConnectionStore {
  constructor(private readonly db: Database.Database) {
    db.exec(SCHEMA);
  }

  /** Every saved connection, oldest first. */
  list(): StoredConnection[] {
    return (this.db.prepare('SELECT * FROM connections ORDER BY created_at, name').all() as Row[]).map(fromRow);
  }

  /** One connection, or null. */
  get(id: string): StoredConnection | null {
    const row = this.db.prepare('SELECT * FROM connections WHERE id = ?').get(id) as Row | undefined;
    return row ? fromRow(row) : null;
  }

  /** The connection named `name` (any case), or null. */
  findByName(name: string): StoredConnection | null {
    const row = this.db.prepare('SELECT * FROM connections WHERE name = ? COLLATE NOCASE').get(name) as Row | undefined;
    return row ? fromRow(row) : null;
  }

  /** Adds a connection; throws SQLite's constraint error on a taken id or name. */
  insert(c: StoredConnection): void {
    this.db
      .prepare(
        `INSERT INTO connections (id, name, kind, url, username, trust_json, repositories_json, namespaces_json, created_at)
         VALUES (@id, @name, @kind, @url, @username, @trust_json, @repositories_json, @namespaces_json, @created_at)`,
      )
      .run(toRow(c));
  }

  /** Replaces a connection's fields (not its id or creation time); false when it does not exist. */
  update(c: StoredConnection): boolean {
    const { created_at: _, ...row } = toRow(c);
    const r = this.db
      .prepare(
        `UPDATE connections SET name = @name, kind = @kind, url = @url, username = @username, trust_json = @trust_json,
         repositories_json = @repositories_json, namespaces_json = @namespaces_json WHERE id = @id`,
      )
      .run(row);
    return r.changes > 0;
  }

  /** Removes a connection; false when it did not exist. */
  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM connections WHERE id = ?').run(id).changes > 0;
  }
}

function toRow(c: StoredConnection): Row {
  return {
    id: c.id,
    name: c.name,
    kind: c.kind,
    url: c.url,
    username: c.username,
    trust_json: JSON.stringify(c.trust),
    repositories_json: JSON.stringify(c.repositories),
    namespaces_json: JSON.stringify(c.namespaces),
    created_at: c.createdAt,
  };
}

function fromRow(r: Row): StoredConnection {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind as StoredConnection['kind'],
    url: r.url,
    username: r.username,
    trust: JSON.parse(r.trust_json) as ConnectionTrust,
    repositories: JSON.parse(r.repositories_json) as string[],
    namespaces: JSON.parse(r.namespaces_json) as string[],
    createdAt: r.created_at,
  };
}
