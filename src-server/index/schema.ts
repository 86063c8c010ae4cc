/** Bumped whenever the schema changes; an index of another version is dropped and rebuilt from disk. */
export const SCHEMA_VERSION = 1;

/**
 * The index schema. Repository rows (repos, tags, revisions) mirror the disk; `manifest_info` and
 * its children are facts about immutable content, keyed by digest, so they never go stale.
 * `repo_sizes` caches each repository's distinct bytes (see index/repository-listing.ts): triggers
 * drop a repository's row whenever its manifests change, however the change is written (a push, a
 * delete, a reconcile, another process), so a cached size is never stale. Tables and triggers are
 * created when missing, so an older index gains them without a rebuild.
 */
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS repos (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS tags (
  repo_id INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  digest TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (repo_id, name)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS tags_by_digest ON tags (repo_id, digest);
CREATE TABLE IF NOT EXISTS revisions (
  repo_id INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
  digest TEXT NOT NULL,
  PRIMARY KEY (repo_id, digest)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS manifest_info (
  digest TEXT PRIMARY KEY,
  media_type TEXT NOT NULL,
  size INTEGER NOT NULL,
  kind TEXT NOT NULL,
  artifact_type TEXT,
  subject TEXT,
  config_digest TEXT,
  config_media_type TEXT,
  annotations TEXT,
  image_size INTEGER
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS manifest_by_subject ON manifest_info (subject) WHERE subject IS NOT NULL;
CREATE TABLE IF NOT EXISTS manifest_refs (
  parent TEXT NOT NULL,
  child TEXT NOT NULL,
  kind TEXT NOT NULL,
  size INTEGER NOT NULL,
  media_type TEXT NOT NULL,
  os TEXT,
  architecture TEXT,
  variant TEXT,
  PRIMARY KEY (parent, kind, child)
) WITHOUT ROWID;
-- For the search across repositories (index/search.ts): tags by name, manifests by digest, and the
-- indexes listing a manifest.
CREATE INDEX IF NOT EXISTS tags_by_name ON tags (name);
CREATE INDEX IF NOT EXISTS revisions_by_digest ON revisions (digest);
CREATE INDEX IF NOT EXISTS manifest_refs_by_child ON manifest_refs (child) WHERE kind = 'manifest';
CREATE TABLE IF NOT EXISTS repo_sizes (
  repo_id INTEGER PRIMARY KEY REFERENCES repos(id) ON DELETE CASCADE,
  bytes INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS repo_sizes_by_bytes ON repo_sizes (bytes, repo_id);
CREATE TRIGGER IF NOT EXISTS repo_sizes_on_revision_added AFTER INSERT ON revisions
  BEGIN DELETE FROM repo_sizes WHERE repo_id = NEW.repo_id; END;
CREATE TRIGGER IF NOT EXISTS repo_sizes_on_revision_removed AFTER DELETE ON revisions
  BEGIN DELETE FROM repo_sizes WHERE repo_id = OLD.repo_id; END;
`;
