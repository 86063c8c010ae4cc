/**
 * The browse cache in SQLite, keyed by connection id: what is addressed by digest (manifests, image
 * configs, facts derived from them) is kept for ever, because it cannot change; what names point at
 * (tag lists, tag → digest) is kept briefly, and `forget` drops it (and the repository sizes computed
 * from it) for a refresh.
 */
import type Database from 'better-sqlite3';
import type { ImageConfigSummary } from '../contract';

/** How long a tag list or a tag's digest is trusted without asking the registry again. */
export const DEFAULT_TAG_TTL_MS = 60_000;

/** Configs larger than this are not read (a config is small; a huge one is not worth the memory). */
export const MAX_CACHED_CONFIG_BYTES = 4 << 20;

/** A history step as the config records it (its layer's size is known from the manifest). */
export interface ConfigHistoryStep {
  created: string | null;
  createdBy: string | null;
  comment: string | null;
  emptyLayer: boolean;
}

/** What the browse screens need from an image config. */
export interface CachedConfig {
  summary: ImageConfigSummary;
  history: ConfigHistoryStep[];
}

/**
 * Facts about an image (a manifest and everything under it) that the tag list and repository sizes
 * need, derived once from content addressed by digest.
 */
export interface ImageFacts {
  mediaType: string;
  /** `os/arch[/variant]` of each platform (`unknown` where none is named). */
  platforms: string[];
  /** The newest platform config's `created`. */
  created: string | null;
  /** Every distinct blob and manifest of the image, the top manifest included: [digest, size]. */
  blobs: Array<[string, number]>;
  /** Sum of `blobs`. */
  size: number;
}

/** A tag list as read from the registry. */
export interface CachedTagList {
  tags: string[];
  /** When it was read (ms since the epoch). */
  listedAt: number;
}

/** What a tag pointed at when last asked. */
export interface CachedTagHead {
  digest: string;
  mediaType: string;
  at: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS browse_manifests (
  connection TEXT NOT NULL, digest TEXT NOT NULL, media_type TEXT NOT NULL, body BLOB NOT NULL,
  PRIMARY KEY (connection, digest)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS browse_configs (
  connection TEXT NOT NULL, digest TEXT NOT NULL, json TEXT NOT NULL,
  PRIMARY KEY (connection, digest)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS browse_images (
  connection TEXT NOT NULL, digest TEXT NOT NULL, json TEXT NOT NULL,
  PRIMARY KEY (connection, digest)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS browse_tag_lists (
  connection TEXT NOT NULL, repository TEXT NOT NULL, tags TEXT NOT NULL, listed_at INTEGER NOT NULL,
  PRIMARY KEY (connection, repository)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS browse_tag_heads (
  connection TEXT NOT NULL, repository TEXT NOT NULL, tag TEXT NOT NULL,
  digest TEXT NOT NULL, media_type TEXT NOT NULL, at INTEGER NOT NULL,
  PRIMARY KEY (connection, repository, tag)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS browse_tag_heads_by_digest ON browse_tag_heads (connection, repository, digest);
CREATE TABLE IF NOT EXISTS browse_repo_sizes (
  connection TEXT NOT NULL, repository TEXT NOT NULL, bytes INTEGER NOT NULL, at INTEGER NOT NULL,
  PRIMARY KEY (connection, repository)
) WITHOUT ROWID;
`;

/** The browse cache over a better-sqlite3 handle (its tables are created when missing). */
export class BrowseCache {
  private readonly s: Record<string, Database.Statement>;

  constructor(private readonly db: Database.Database) {
    db.exec(SCHEMA);
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      manifest: p('SELECT media_type AS mediaType, body FROM browse_manifests WHERE connection = ? AND digest = ?'),
      putManifest: p('INSERT OR IGNORE INTO browse_manifests (connection, digest, media_type, body) VALUES (?, ?, ?, ?)'),
      config: p('SELECT json FROM browse_configs WHERE connection = ? AND digest = ?'),
      putConfig: p('INSERT OR IGNORE INTO browse_configs (connection, digest, json) VALUES (?, ?, ?)'),
      image: p('SELECT json FROM browse_images WHERE connection = ? AND digest = ?'),
      putImage: p('INSERT OR REPLACE INTO browse_images (connection, digest, json) VALUES (?, ?, ?)'),
      tagList: p('SELECT tags, listed_at AS listedAt FROM browse_tag_lists WHERE connection = ? AND repository = ?'),
      putTagList: p('INSERT OR REPLACE INTO browse_tag_lists (connection, repository, tags, listed_at) VALUES (?, ?, ?, ?)'),
      tagHead: p('SELECT digest, media_type AS mediaType, at FROM browse_tag_heads WHERE connection = ? AND repository = ? AND tag = ?'),
      putTagHead: p('INSERT OR REPLACE INTO browse_tag_heads (connection, repository, tag, digest, media_type, at) VALUES (?, ?, ?, ?, ?, ?)'),
      dropTagHead: p('DELETE FROM browse_tag_heads WHERE connection = ? AND repository = ? AND tag = ?'),
      tagsWithDigest: p('SELECT tag FROM browse_tag_heads WHERE connection = ? AND repository = ? AND digest = ? ORDER BY tag'),
      repoSize: p('SELECT bytes FROM browse_repo_sizes WHERE connection = ? AND repository = ?'),
      putRepoSize: p('INSERT OR REPLACE INTO browse_repo_sizes (connection, repository, bytes, at) VALUES (?, ?, ?, ?)'),
      dropRepoSize: p('DELETE FROM browse_repo_sizes WHERE connection = ? AND repository = ?'),
      forgetListsRepo: p('DELETE FROM browse_tag_lists WHERE connection = ? AND repository = ?'),
      forgetHeadsRepo: p('DELETE FROM browse_tag_heads WHERE connection = ? AND repository = ?'),
      forgetLists: p('DELETE FROM browse_tag_lists WHERE connection = ?'),
      forgetHeads: p('DELETE FROM browse_tag_heads WHERE connection = ?'),
      forgetSizes: p('DELETE FROM browse_repo_sizes WHERE connection = ?'),
    };
  }

  /** A manifest by digest, or null. */
  manifest(connection: string, digest: string): { mediaType: string; body: Buffer } | null {
    return (this.s.manifest!.get(connection, digest) as { mediaType: string; body: Buffer } | undefined) ?? null;
  }

  /** Keeps a manifest (its digest verified by the caller) for ever. */
  putManifest(connection: string, digest: string, mediaType: string, body: Buffer): void {
    this.s.putManifest!.run(connection, digest, mediaType, body);
  }

  /** A parsed image config by digest, or null. */
  config(connection: string, digest: string): CachedConfig | null {
    const json = this.s.config!.pluck().get(connection, digest) as string | undefined;
    return json === undefined ? null : (JSON.parse(json) as CachedConfig);
  }

  /** Keeps a parsed image config for ever. */
  putConfig(connection: string, digest: string, config: CachedConfig): void {
    this.s.putConfig!.run(connection, digest, JSON.stringify(config));
  }

  /** The facts of an image by its manifest digest, or null. */
  image(connection: string, digest: string): ImageFacts | null {
    const json = this.s.image!.pluck().get(connection, digest) as string | undefined;
    return json === undefined ? null : (JSON.parse(json) as ImageFacts);
  }

  /** Keeps an image's facts for ever. */
  putImage(connection: string, digest: string, facts: ImageFacts): void {
    this.s.putImage!.run(connection, digest, JSON.stringify(facts));
  }

  /** A repository's tag list when read at or after `notBefore` (ms since the epoch), else null. */
  tagList(connection: string, repository: string, notBefore: number): CachedTagList | null {
    const row = this.s.tagList!.get(connection, repository) as { tags: string; listedAt: number } | undefined;
    if (!row || row.listedAt < notBefore) return null;
    return { tags: JSON.parse(row.tags) as string[], listedAt: row.listedAt };
  }

  /** The number of tags of the last list read, however old, or null. */
  tagCount(connection: string, repository: string): number | null {
    return this.tagList(connection, repository, -Infinity)?.tags.length ?? null;
  }

  /** Keeps a repository's tag list, read at `listedAt`. */
  putTagList(connection: string, repository: string, tags: string[], listedAt: number): void {
    this.s.putTagList!.run(connection, repository, JSON.stringify(tags), listedAt);
  }

  /** What a tag pointed at when asked at or after `notBefore`, else null. */
  tagHead(connection: string, repository: string, tag: string, notBefore: number): CachedTagHead | null {
    const row = this.s.tagHead!.get(connection, repository, tag) as CachedTagHead | undefined;
    return row && row.at >= notBefore ? row : null;
  }

  /** Notes what a tag points at, as asked at `at`. */
  putTagHead(connection: string, repository: string, tag: string, head: { digest: string; mediaType: string }, at: number): void {
    this.s.putTagHead!.run(connection, repository, tag, head.digest, head.mediaType, at);
  }

  /** Forgets one tag's digest (it failed to resolve, or was deleted). */
  dropTagHead(connection: string, repository: string, tag: string): void {
    this.s.dropTagHead!.run(connection, repository, tag);
  }

  /** Tags known (from any earlier resolution) to point at `digest`. */
  tagsWithDigest(connection: string, repository: string, digest: string): string[] {
    return this.s.tagsWithDigest!.pluck().all(connection, repository, digest) as string[];
  }

  /** The last computed size of a repository, or null. */
  repositorySize(connection: string, repository: string): number | null {
    return (this.s.repoSize!.pluck().get(connection, repository) as number | undefined) ?? null;
  }

  /** Keeps a repository's computed size (until a delete in it). */
  putRepositorySize(connection: string, repository: string, bytes: number, at: number): void {
    this.s.putRepoSize!.run(connection, repository, bytes, at);
  }

  /** Forgets a repository's computed size (its content changed). */
  dropRepositorySize(connection: string, repository: string): void {
    this.s.dropRepoSize!.run(connection, repository);
  }

  /**
   * Forgets tag lists, tag digests and repository sizes of one repository, or of the whole
   * connection: a size is computed from the tags, so it is as stale as they are.
   */
  forget(connection: string, repository?: string): void {
    this.db.transaction(() => {
      if (repository === undefined) {
        this.s.forgetLists!.run(connection);
        this.s.forgetHeads!.run(connection);
        this.s.forgetSizes!.run(connection);
      } else {
        this.s.forgetListsRepo!.run(connection, repository);
        this.s.forgetHeadsRepo!.run(connection, repository);
        this.s.dropRepoSize!.run(connection, repository);
      }
    })();
  }
}
