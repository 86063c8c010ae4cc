/** Bumped whenever the schema changes; an index of another version is dropped and rebuilt from disk. */
export const SCHEMA_VERSION = 1;

/**
 * The index schema. Repository rows (repos, tags, revisions) mirror the disk; `manifest_info` and
 * its children are facts about immutable content, keyed by digest, so they never go stale.
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
`;
