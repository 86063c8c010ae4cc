import Database from 'better-sqlite3';
import type { ManifestInfo } from '../core/manifest';
import { SCHEMA, SCHEMA_VERSION } from './schema';

/** What the index records about a manifest's content. */
export interface ManifestRecord {
  digest: string;
  size: number;
  info: ManifestInfo;
}

/** A referrer as the referrers API lists it. */
export interface ReferrerRow {
  digest: string;
  mediaType: string;
  size: number;
  artifactType: string | null;
  annotations: Record<string, string> | null;
}

/** The state of one repository on disk, for reconciling the index. */
export interface RepoSnapshot {
  name: string;
  revisions: string[];
  /**
   * `pushedAt` (ms since the epoch): when storage says the tag got its digest, for a tag the index
   * does not already hold at that digest (a tag it holds keeps the time it has).
   */
  tags: Array<{ tag: string; digest: string; pushedAt?: number }>;
}

type Stmt = Database.Statement;

/**
 * SQLite index of repositories, tags and manifests, so that catalog and tag paging cost O(page).
 * A cache of the disk: writes land on disk first, then here; `reconcile` makes it agree again.
 */
export class RegistryIndex {
  readonly db: Database.Database;
  private readonly s: Record<string, Stmt>;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version !== SCHEMA_VERSION) {
      for (const t of ['meta', 'repo_sizes', 'tags', 'revisions', 'repos', 'manifest_refs', 'manifest_info']) {
        this.db.exec(`DROP TABLE IF EXISTS ${t}`);
      }
    }
    this.db.exec(SCHEMA);
    this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
    const p = (sql: string) => this.db.prepare(sql);
    this.s = {
      repoId: p('SELECT id FROM repos WHERE name = ?'),
      insertRepo: p('INSERT INTO repos (name) VALUES (?) ON CONFLICT(name) DO UPDATE SET name = excluded.name RETURNING id'),
      deleteRepo: p('DELETE FROM repos WHERE name = ?'),
      catalogFirst: p('SELECT name FROM repos ORDER BY name LIMIT ?'),
      catalogAfter: p('SELECT name FROM repos WHERE name > ? ORDER BY name LIMIT ?'),
      allRepos: p('SELECT name FROM repos ORDER BY name'),
      tagsFirst: p('SELECT name FROM tags WHERE repo_id = ? ORDER BY name LIMIT ?'),
      tagsAfter: p('SELECT name FROM tags WHERE repo_id = ? AND name > ? ORDER BY name LIMIT ?'),
      resolveTag: p('SELECT t.digest FROM tags t JOIN repos r ON r.id = t.repo_id WHERE r.name = ? AND t.name = ?'),
      // updated_at is when the tag got its current digest (retention's "pushed"): a push of the
      // same digest again, or a reconcile, keeps it.
      setTag: p(
        'INSERT INTO tags (repo_id, name, digest, updated_at) VALUES (?, ?, ?, ?) ' +
          'ON CONFLICT(repo_id, name) DO UPDATE SET digest = excluded.digest, ' +
          'updated_at = CASE WHEN tags.digest = excluded.digest THEN tags.updated_at ELSE excluded.updated_at END',
      ),
      tagTimes: p('SELECT name, digest, updated_at FROM tags WHERE repo_id = ?'),
      deleteTag: p('DELETE FROM tags WHERE repo_id = ? AND name = ?'),
      tagsOfDigest: p('SELECT name FROM tags WHERE repo_id = ? AND digest = ? ORDER BY name'),
      deleteTagsOfDigest: p('DELETE FROM tags WHERE repo_id = ? AND digest = ?'),
      hasRevision: p('SELECT 1 FROM revisions v JOIN repos r ON r.id = v.repo_id WHERE r.name = ? AND v.digest = ?'),
      addRevision: p('INSERT OR IGNORE INTO revisions (repo_id, digest) VALUES (?, ?)'),
      deleteRevision: p('DELETE FROM revisions WHERE repo_id = ? AND digest = ?'),
      hasInfo: p('SELECT 1 FROM manifest_info WHERE digest = ?'),
      mediaType: p('SELECT media_type FROM manifest_info WHERE digest = ?'),
      insertInfo: p(
        'INSERT OR IGNORE INTO manifest_info (digest, media_type, size, kind, artifact_type, subject, config_digest, ' +
          'config_media_type, annotations, image_size) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      insertRef: p(
        'INSERT OR IGNORE INTO manifest_refs (parent, child, kind, size, media_type, os, architecture, variant) ' +
          'VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      referrers: p(
        'SELECT i.digest, i.media_type, i.size, i.artifact_type, i.config_media_type, i.annotations FROM manifest_info i ' +
          'JOIN revisions v ON v.digest = i.digest WHERE v.repo_id = ? AND i.subject = ? ORDER BY i.digest',
      ),
      revisionCountById: p('SELECT count(*) FROM revisions WHERE repo_id = ?'),
      deleteRepoById: p('DELETE FROM repos WHERE id = ?'),
      revisionCount: p('SELECT count(*) FROM revisions v JOIN repos r ON r.id = v.repo_id WHERE r.name = ?'),
      clearRepoTags: p('DELETE FROM tags WHERE repo_id = ?'),
      clearRepoRevisions: p('DELETE FROM revisions WHERE repo_id = ?'),
    };
  }

  /** Repository names in lexical order after `last`, at most `n`. */
  catalog(n: number, last?: string): string[] {
    const rows = last ? this.s.catalogAfter!.pluck().all(last, n) : this.s.catalogFirst!.pluck().all(n);
    return rows as string[];
  }

  /** Every repository name. */
  repositories(): string[] {
    return this.s.allRepos!.pluck().all() as string[];
  }

  /** True when the repository exists in the index. */
  hasRepo(name: string): boolean {
    return this.s.repoId!.get(name) !== undefined;
  }

  /** Tags in lexical order after `last`, at most `n`; null for an unknown repository. */
  tags(repo: string, n: number, last?: string): string[] | null {
    const id = this.repoId(repo);
    if (id === null) return null;
    const rows = last ? this.s.tagsAfter!.pluck().all(id, last, n) : this.s.tagsFirst!.pluck().all(id, n);
    return rows as string[];
  }

  /** The digest a tag points at. */
  resolveTag(repo: string, tag: string): string | null {
    return (this.s.resolveTag!.pluck().get(repo, tag) as string | undefined) ?? null;
  }

  /** True when the repository holds the manifest. */
  hasManifest(repo: string, digest: string): boolean {
    return this.s.hasRevision!.get(repo, digest) !== undefined;
  }

  /** True when the content facts of this manifest digest are known. */
  hasManifestInfo(digest: string): boolean {
    return this.s.hasInfo!.get(digest) !== undefined;
  }

  /** The stored media type of a manifest digest. */
  manifestMediaType(digest: string): string | null {
    return (this.s.mediaType!.pluck().get(digest) as string | undefined) ?? null;
  }

  /** Records a manifest stored in a repository (and, once, the facts about its content). */
  addManifest(repo: string, rec: ManifestRecord): void {
    this.db.transaction(() => {
      this.recordInfo(rec);
      this.s.addRevision!.run(this.ensureRepo(repo), rec.digest);
    })();
  }

  /** Points a tag at a digest. */
  setTag(repo: string, tag: string, digest: string): void {
    this.s.setTag!.run(this.ensureRepo(repo), tag, digest, Date.now());
  }

  /** How many manifests a repository holds. */
  revisionCount(repo: string): number {
    return this.s.revisionCount!.pluck().get(repo) as number;
  }

  /** Removes a tag; false when it was not there. */
  deleteTag(repo: string, tag: string): boolean {
    const id = this.repoId(repo);
    return id !== null && this.s.deleteTag!.run(id, tag).changes > 0;
  }

  /** Tags that point at a digest. */
  tagsOf(repo: string, digest: string): string[] {
    const id = this.repoId(repo);
    return id === null ? [] : (this.s.tagsOfDigest!.pluck().all(id, digest) as string[]);
  }

  /** Removes a manifest and every tag pointing at it from a repository; a repository left without manifests goes too. */
  deleteManifest(repo: string, digest: string): void {
    const id = this.repoId(repo);
    if (id === null) return;
    this.db.transaction(() => {
      this.s.deleteTagsOfDigest!.run(id, digest);
      this.s.deleteRevision!.run(id, digest);
      // A repository without manifests leaves the catalog now, as reconcile leaves it out at start.
      if (this.s.revisionCountById!.pluck().get(id) === 0) this.s.deleteRepoById!.run(id);
    })();
  }

  /** Forgets a repository. */
  deleteRepo(repo: string): void {
    this.s.deleteRepo!.run(repo);
  }

  /** Manifests in the repository whose subject is `digest`, optionally of one artifact type. */
  referrers(repo: string, subject: string, artifactType?: string): ReferrerRow[] {
    const id = this.repoId(repo);
    if (id === null) return [];
    const rows = this.s.referrers!.all(id, subject) as Array<Record<string, unknown>>;
    return rows
      .map((r) => ({
        digest: r.digest as string,
        mediaType: r.media_type as string,
        size: r.size as number,
        artifactType: (r.artifact_type as string | null) ?? (r.config_media_type as string | null),
        annotations: r.annotations ? (JSON.parse(r.annotations as string) as Record<string, string>) : null,
      }))
      .filter((r) => artifactType === undefined || r.artifactType === artifactType);
  }

  /**
   * Makes the index agree with the disk: repositories not in `snapshots` are dropped, and each
   * snapshot replaces its repository's tags and revisions. `info` supplies facts for new digests.
   */
  reconcile(snapshots: RepoSnapshot[], info: Map<string, ManifestRecord>): void {
    this.db.transaction(() => {
      const keep = new Set(snapshots.map((s) => s.name));
      for (const name of this.repositories()) if (!keep.has(name)) this.deleteRepo(name);
      for (const rec of info.values()) this.recordInfo(rec);
      const now = Date.now();
      for (const snap of snapshots) this.replaceRepository(this.ensureRepo(snap.name), snap, now);
    })();
  }

  /**
   * Makes one repository's rows agree with storage (another instance wrote it): the snapshot
   * replaces its tags and revisions, or null drops it. `info` supplies facts for new digests.
   */
  reconcileRepository(name: string, snapshot: RepoSnapshot | null, info: Map<string, ManifestRecord>): void {
    this.db.transaction(() => {
      if (!snapshot) {
        if (this.hasRepo(name)) this.deleteRepo(name);
        return;
      }
      for (const rec of info.values()) this.recordInfo(rec);
      this.replaceRepository(this.ensureRepo(name), snapshot, Date.now());
    })();
  }

  /** Replaces a repository's tags and revisions; a tag still on the same digest keeps its time. */
  private replaceRepository(id: number, snap: RepoSnapshot, now: number): void {
    const times = new Map<string, { digest: string; at: number }>();
    for (const r of this.s.tagTimes!.all(id) as Array<{ name: string; digest: string; updated_at: number }>) times.set(r.name, { digest: r.digest, at: r.updated_at });
    this.s.clearRepoTags!.run(id);
    this.s.clearRepoRevisions!.run(id);
    for (const d of snap.revisions) this.s.addRevision!.run(id, d);
    for (const t of snap.tags) {
      const before = times.get(t.tag);
      this.s.setTag!.run(id, t.tag, t.digest, before?.digest === t.digest ? before.at : (t.pushedAt ?? now));
    }
  }

  /** Closes the database. */
  close(): void {
    this.db.close();
  }

  private repoId(name: string): number | null {
    const row = this.s.repoId!.get(name) as { id: number } | undefined;
    return row ? row.id : null;
  }

  private ensureRepo(name: string): number {
    return this.repoId(name) ?? (this.s.insertRepo!.get(name) as { id: number }).id;
  }

  private recordInfo({ digest, size, info }: ManifestRecord): void {
    if (this.hasManifestInfo(digest)) return;
    const imageSize =
      info.kind === 'image' ? (info.config?.size ?? 0) + info.layers.reduce((a, l) => a + l.size, 0) : null;
    this.s.insertInfo!.run(
      digest,
      info.mediaType,
      size,
      info.kind,
      info.artifactType,
      info.subject?.digest ?? null,
      info.config?.digest ?? null,
      info.config?.mediaType ?? null,
      info.annotations ? JSON.stringify(info.annotations) : null,
      imageSize,
    );
    if (info.config) this.s.insertRef!.run(digest, info.config.digest, 'config', info.config.size, info.config.mediaType, null, null, null);
    for (const l of info.layers) this.s.insertRef!.run(digest, l.digest, 'layer', l.size, l.mediaType, null, null, null);
    for (const m of info.manifests) {
      this.s.insertRef!.run(
        digest,
        m.digest,
        'manifest',
        m.size,
        m.mediaType,
        m.platform?.os ?? null,
        m.platform?.architecture ?? null,
        m.platform?.variant ?? null,
      );
    }
  }
}
