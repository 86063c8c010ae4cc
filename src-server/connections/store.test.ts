import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openAppDatabase } from './app-db';
import { ConnectionStore, type StoredConnection } from './store';

let dir: string;
let db: Database.Database;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'berth-conn-store-'));
  db = openAppDatabase(join(dir, 'nested', 'app.db'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const conn = (over: Partial<StoredConnection> = {}): StoredConnection => ({
  id: 'c1',
  name: 'Work',
  kind: 'harbor',
  url: 'https://harbor.example.com',
  username: 'me',
  trust: { mode: 'pin', pinSha256: 'AB:CD' },
  repositories: ['team/app'],
  namespaces: [],
  createdAt: '2024-01-02T03:04:05.000Z',
  ...over,
});

describe('openAppDatabase', () => {
  it('creates its folder (0700) and opens with WAL, a busy timeout and foreign keys', () => {
    expect(statSync(join(dir, 'nested')).mode & 0o777).toBe(0o700);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
  });
});

describe('ConnectionStore', () => {
  it('round-trips every field, and lists oldest first', () => {
    const s = new ConnectionStore(db);
    s.insert(conn({ id: 'late', name: 'Late', createdAt: '2025-01-01T00:00:00.000Z' }));
    s.insert(conn());
    expect(s.get('c1')).toEqual(conn());
    expect(s.list().map((c) => c.id)).toEqual(['c1', 'late']);
    expect(s.get('nope')).toBeNull();
  });

  it('keeps names unique whatever their case, and finds by name in any case', () => {
    const s = new ConnectionStore(db);
    s.insert(conn());
    expect(() => s.insert(conn({ id: 'c2', name: 'WORK' }))).toThrow(expect.objectContaining({ code: 'SQLITE_CONSTRAINT_UNIQUE' }));
    expect(s.findByName('wOrK')?.id).toBe('c1');
    expect(s.findByName('other')).toBeNull();
  });

  it('updates fields but not the id or creation time; deletes', () => {
    const s = new ConnectionStore(db);
    s.insert(conn());
    expect(s.update(conn({ name: 'Renamed', username: null, createdAt: '1999-01-01T00:00:00.000Z', repositories: [] }))).toBe(true);
    expect(s.get('c1')).toEqual(conn({ name: 'Renamed', username: null, repositories: [] }));
    expect(s.update(conn({ id: 'missing' }))).toBe(false);
    expect(s.delete('c1')).toBe(true);
    expect(s.delete('c1')).toBe(false);
    expect(s.list()).toEqual([]);
  });

  it('has no column that could hold a secret', () => {
    new ConnectionStore(db);
    const columns = (db.prepare('PRAGMA table_info(connections)').all() as { name: string }[]).map((c) => c.name);
    expect(columns).toEqual(['id', 'name', 'kind', 'url', 'username', 'trust_json', 'repositories_json', 'namespaces_json', 'created_at']);
  });

  it('survives reopening the file (a second store over the same table)', () => {
    new ConnectionStore(db).insert(conn());
    db.close();
    db = openAppDatabase(join(dir, 'nested', 'app.db'));
    expect(new ConnectionStore(db).list()).toEqual([conn()]);
  });
});
