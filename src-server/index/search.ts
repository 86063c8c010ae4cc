/**
 * Search across the repositories of the local registry, from the index: tags by name or the
 * beginning of one (case-sensitive, as tags are), and manifests by digest or the beginning of one,
 * index children included. Both are range scans over an index (`tags_by_name`,
 * `revisions_by_digest`), never a pattern built from what the user typed: the only LIKE is the
 * repository filter, whose wildcards are escaped.
 */
import { inScope, scopeParams, type NameScope } from './name-scope';
import { likeSubstring } from './repository-listing';
import type { RegistryIndex } from './registry-index';

/** A tag found. */
export interface TagFound {
  repository: string;
  tag: string;
  digest: string;
}

/** A manifest found by digest, with the tags on it and the indexes of the same repository listing it. */
export interface DigestFound {
  repository: string;
  digest: string;
  tags: string[];
  indexes: Array<{ digest: string; platform: string | null; tags: string[] }>;
}

// Every character a tag or a hex digest may hold sorts below these, so [prefix, prefix + END) is
// exactly the strings starting with the prefix.
const TAG_END = '\u007f';
const HEX_END = 'g';

/** Queries of the search over one registry index. */
export class IndexSearch {
  private readonly s;

  constructor(index: RegistryIndex) {
    const p = (sql: string) => index.db.prepare(sql);
    const tagWhere = `t.name >= ? AND t.name < ? AND r.name LIKE ? ESCAPE '\\' AND ${inScope('r.name')}`;
    this.s = {
      tags: p(`SELECT r.name AS repository, t.name AS tag, t.digest FROM tags t JOIN repos r ON r.id = t.repo_id WHERE ${tagWhere} ORDER BY r.name, t.name LIMIT ? OFFSET ?`),
      tagTotal: p(`SELECT count(*) FROM tags t JOIN repos r ON r.id = t.repo_id WHERE ${tagWhere}`),
      manifests: p(
        `SELECT r.id AS repoId, r.name AS repository, v.digest FROM revisions v JOIN repos r ON r.id = v.repo_id ` +
          `WHERE v.digest >= ? AND v.digest < ? AND r.name LIKE ? ESCAPE '\\' AND ${inScope('r.name')} ORDER BY r.name, v.digest LIMIT ?`,
      ),
      tagsOn: p('SELECT name FROM tags WHERE repo_id = ? AND digest = ? ORDER BY name'),
      repoCount: p(`SELECT count(*) FROM repos WHERE name LIKE ? ESCAPE '\\' AND ${inScope('name')}`),
      parents: p(
        `SELECT m.parent AS digest, m.os, m.architecture, m.variant FROM manifest_refs m JOIN revisions v ON v.digest = m.parent AND v.repo_id = ? ` +
          `WHERE m.child = ? AND m.kind = 'manifest' ORDER BY m.parent`,
      ),
    };
  }

  /** How many repositories (in `scope`) have a name containing `repositories` (all without it). */
  repositoryCount(repositories?: string, scope?: NameScope): number {
    return this.s.repoCount.pluck().get(likeSubstring(repositories), ...scopeParams(scope)) as number;
  }

  /** Tags starting with `prefix` in repositories (in `scope`) whose name contains `repositories`, by repository then tag. */
  tags(q: { prefix: string; repositories?: string; scope?: NameScope; offset: number; limit: number }): { items: TagFound[]; total: number } {
    const args = [q.prefix, q.prefix + TAG_END, likeSubstring(q.repositories), ...scopeParams(q.scope)];
    return {
      items: this.s.tags.all(...args, q.limit, q.offset) as TagFound[],
      total: this.s.tagTotal.pluck().get(...args) as number,
    };
  }

  /**
   * Manifests whose digest starts with `prefix` (`sha256:` and hex digits) in repositories in `scope`, at most `limit`, by
   * repository then digest; `more` when there are others.
   */
  digests(q: { prefix: string; repositories?: string; scope?: NameScope; limit: number }): { items: DigestFound[]; more: boolean } {
    const rows = this.s.manifests.all(q.prefix, q.prefix + HEX_END, likeSubstring(q.repositories), ...scopeParams(q.scope), q.limit + 1) as Array<{ repoId: number; repository: string; digest: string }>;
    const more = rows.length > q.limit;
    if (more) rows.length = q.limit;
    const tagsOn = (repoId: number, digest: string) => this.s.tagsOn.pluck().all(repoId, digest) as string[];
    return {
      items: rows.map((r) => ({
        repository: r.repository,
        digest: r.digest,
        tags: tagsOn(r.repoId, r.digest),
        indexes: (this.s.parents.all(r.repoId, r.digest) as Array<{ digest: string; os: string | null; architecture: string | null; variant: string | null }>).map((m) => ({
          digest: m.digest,
          platform: m.os && m.architecture ? [m.os, m.architecture, m.variant].filter(Boolean).join('/') : null,
          tags: tagsOn(r.repoId, m.digest),
        })),
      })),
      more,
    };
  }
}
