import Database from 'better-sqlite3';

/** Where content came from: pushed by a client, or cached from an upstream by the pull-through cache. */
export type OriginSource = 'pushed' | 'cached';

/** The recorded origin of a blob, manifest or tag. */
export interface OriginRecord {
  source: OriginSource;
  /** The upstream's URL for cached content, else null. */
  upstream: string | null;
  /** When it arrived (ms since the epoch). */
  at: number;
}

/** A tag's origin, with the digest it was recorded for and when the upstream was last asked. */
export interface TagOriginRecord extends OriginRecord {
  digest: string;
  /** For cached tags: when the upstream last confirmed or changed the digest (ms since the epoch). */
  checkedAt: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS blob_origins (
  digest TEXT PRIMARY KEY, source TEXT NOT NULL, upstream TEXT, at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS manifest_origins (
  repo TEXT NOT NULL, digest TEXT NOT NULL, source TEXT NOT NULL, upstream TEXT, at INTEGER NOT NULL,
  tagged INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (repo, digest)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tag_origins (
  repo TEXT NOT NULL, tag TEXT NOT NULL, digest TEXT NOT NULL, source TEXT NOT NULL, upstream TEXT,
  at INTEGER NOT NULL, checked_at INTEGER NOT NULL,
  PRIMARY KEY (repo, tag)
) WITHOUT ROWID;
`;

type Row = { source: OriginSource; upstream: string | null; at: number };

/**
 * Origins of blobs, manifests and tags, in their own SQLite file (`berth/origins.db`). Unlike the
 * index, this is not derived from the disk: `berth reindex` keeps it. Content without a record
 * arrived some other way (registry:2 on the same folder, or before Berth recorded origins).
 */
export class OriginStore {
  private readonly db: Database.Database;
  private readonly s: Record<string, Database.Statement>;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(SCHEMA);
    const p = (sql: string) => this.db.prepare(sql);
    this.s = {
      blob: p('SELECT source, upstream, at FROM blob_origins WHERE digest = ?'),
      // The first arrival is the origin: a later push of bytes already cached does not rewrite it.
      setBlob: p('INSERT OR IGNORE INTO blob_origins (digest, source, upstream, at) VALUES (?, ?, ?, ?)'),
      dropBlob: p('DELETE FROM blob_origins WHERE digest = ?'),
      manifest: p('SELECT source, upstream, at FROM manifest_origins WHERE repo = ? AND digest = ?'),
      setManifest: p('INSERT OR IGNORE INTO manifest_origins (repo, digest, source, upstream, at) VALUES (?, ?, ?, ?, ?)'),
      markTagged: p('UPDATE manifest_origins SET tagged = 1 WHERE repo = ? AND digest = ?'),
      wasTagged: p('SELECT tagged FROM manifest_origins WHERE repo = ? AND digest = ?'),
      dropManifest: p('DELETE FROM manifest_origins WHERE repo = ? AND digest = ?'),
      tag: p('SELECT digest, source, upstream, at, checked_at AS checkedAt FROM tag_origins WHERE repo = ? AND tag = ?'),
      setTag: p(
        'INSERT INTO tag_origins (repo, tag, digest, source, upstream, at, checked_at) VALUES (?, ?, ?, ?, ?, ?, ?) ' +
          'ON CONFLICT(repo, tag) DO UPDATE SET digest = excluded.digest, source = excluded.source, ' +
          'upstream = excluded.upstream, at = excluded.at, checked_at = excluded.checked_at',
      ),
      checked: p('UPDATE tag_origins SET checked_at = ? WHERE repo = ? AND tag = ?'),
      dropTag: p('DELETE FROM tag_origins WHERE repo = ? AND tag = ?'),
      dropRepoTags: p('DELETE FROM tag_origins WHERE repo = ?'),
      dropRepoManifests: p('DELETE FROM manifest_origins WHERE repo = ?'),
      repoTags: p('SELECT tag, digest, source, upstream, at, checked_at AS checkedAt FROM tag_origins WHERE repo = ?'),
      repoManifests: p('SELECT digest, source, upstream, at FROM manifest_origins WHERE repo = ?'),
    };
  }

  /** Records a blob's origin unless one is recorded. */
  recordBlob(digest: string, source: OriginSource, upstream: string | null = null, at = Date.now()): void {
    this.s.setBlob!.run(digest, source, upstream, at);
  }

  /** A blob's origin, or null when unknown. */
  blob(digest: string): OriginRecord | null {
    return (this.s.blob!.get(digest) as Row | undefined) ?? null;
  }

  /** Forgets a blob (garbage collection removed it). */
  forgetBlob(digest: string): void {
    this.s.dropBlob!.run(digest);
  }

  /** Records a manifest's origin in a repository unless one is recorded. */
  recordManifest(repo: string, digest: string, source: OriginSource, upstream: string | null = null, at = Date.now()): void {
    this.s.setManifest!.run(repo, digest, source, upstream, at);
  }

  /** A manifest's origin in a repository, or null when unknown. */
  manifest(repo: string, digest: string): OriginRecord | null {
    return (this.s.manifest!.get(repo, digest) as Row | undefined) ?? null;
  }

  /** Notes that a tag pointed at this manifest (record the manifest first). */
  markTagged(repo: string, digest: string): void {
    this.s.markTagged!.run(repo, digest);
  }

  /**
   * True when a tag ever pointed at this manifest, as far as Berth recorded: an untagged manifest
   * that never had a tag may be the child of an index whose push is still under way.
   */
  wasTagged(repo: string, digest: string): boolean {
    return (this.s.wasTagged!.pluck().get(repo, digest) as number | undefined) === 1;
  }

  /** Forgets a manifest of a repository. */
  forgetManifest(repo: string, digest: string): void {
    this.s.dropManifest!.run(repo, digest);
  }

  /** Records (replaces) where a tag's current digest came from. */
  recordTag(repo: string, tag: string, digest: string, source: OriginSource, upstream: string | null = null, at = Date.now()): void {
    this.s.setTag!.run(repo, tag, digest, source, upstream, at, at);
  }

  /** Notes that the upstream confirmed a cached tag at `at`. */
  markTagChecked(repo: string, tag: string, at = Date.now()): void {
    this.s.checked!.run(at, repo, tag);
  }

  /** A tag's origin, or null when unknown. */
  tag(repo: string, tag: string): TagOriginRecord | null {
    return (this.s.tag!.get(repo, tag) as TagOriginRecord | undefined) ?? null;
  }

  /** Forgets a tag. */
  forgetTag(repo: string, tag: string): void {
    this.s.dropTag!.run(repo, tag);
  }

  /** Every recorded tag origin of a repository, by tag. */
  tagsOf(repo: string): Map<string, TagOriginRecord> {
    const rows = this.s.repoTags!.all(repo) as Array<TagOriginRecord & { tag: string }>;
    return new Map(rows.map(({ tag, ...r }) => [tag, r]));
  }

  /** Every recorded manifest origin of a repository, by digest. */
  manifestsOf(repo: string): Map<string, OriginRecord> {
    const rows = this.s.repoManifests!.all(repo) as Array<Row & { digest: string }>;
    return new Map(rows.map(({ digest, ...r }) => [digest, r]));
  }

  /** Forgets everything recorded for a repository (it was deleted). */
  forgetRepository(repo: string): void {
    this.db.transaction(() => {
      this.s.dropRepoTags!.run(repo);
      this.s.dropRepoManifests!.run(repo);
    })();
  }

  /** Closes the database. */
  close(): void {
    this.db.close();
  }
}
