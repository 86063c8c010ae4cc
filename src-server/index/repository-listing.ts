/**
 * The local registry's repository list from the index, sorted over the whole list (by name, tag
 * count or distinct bytes, either way, ties by name) and paged by offset.
 *
 * Sizes are the costly part: a repository's distinct bytes walk its manifests, their children and
 * every blob. They are kept in `repo_sizes` (see schema.ts: triggers drop a repository's row when its
 * manifests change), filled one repository at a time for a page, or for every repository at once
 * in one set-based query before sorting by size.
 */
import type { RepositorySort, SortDirection } from '../contract/browse';
import { inScope, scopeParams, type NameScope } from './name-scope';
import type { RegistryIndex } from './registry-index';

/** One page's request. `query` is a case-insensitive literal substring of the name. */
export interface ListingQuery {
  query?: string;
  sort: RepositorySort;
  dir: SortDirection;
  offset: number;
  limit: number;
  /** Only these repositories (a caller's pull rules); order, paging and total are over them alone. */
  scope?: NameScope;
}

/** One repository with its tag count and distinct bytes. */
export interface ListedRepository {
  id: number;
  name: string;
  tagCount: number;
  size: number;
}

/** A LIKE pattern for a literal, case-insensitive substring (LIKE ignores ASCII case; names are lower case). */
export function likeSubstring(query: string | undefined): string {
  return `%${(query ?? '').replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

// The manifests of repositories and the manifests they list, then each distinct blob once per repository.
const REACH = `
reach(repo_id, digest) AS (
  SELECT v.repo_id, v.digest FROM revisions v JOIN wanted w ON w.repo_id = v.repo_id
  UNION SELECT reach.repo_id, r.child FROM manifest_refs r JOIN reach ON r.parent = reach.digest WHERE r.kind = 'manifest'
),
blobs(repo_id, d, size) AS (
  SELECT reach.repo_id, i.digest, i.size FROM manifest_info i JOIN reach ON i.digest = reach.digest
  UNION SELECT reach.repo_id, r.child, r.size FROM manifest_refs r JOIN reach ON r.parent = reach.digest WHERE r.kind <> 'manifest'
)`;

const FILL = (wanted: string) => `
WITH RECURSIVE wanted(repo_id) AS (${wanted}), ${REACH}
INSERT OR REPLACE INTO repo_sizes (repo_id, bytes)
SELECT w.repo_id, coalesce((SELECT sum(b.size) FROM blobs b WHERE b.repo_id = w.repo_id), 0) FROM wanted w`;

const TAG_COUNT = '(SELECT count(*) FROM tags t WHERE t.repo_id = r.id)';
const ORDER: Record<RepositorySort, string> = { name: 'r.name', tags: TAG_COUNT, size: 's.bytes' };

/** Sorted, filtered, paged repository rows of a registry index. */
export class RepositoryListing {
  private readonly s;

  constructor(index: RegistryIndex) {
    const p = (sql: string) => index.db.prepare(sql);
    const page = (sort: RepositorySort, dir: SortDirection) =>
      p(
        `SELECT r.id, r.name, ${TAG_COUNT} AS tagCount FROM repos r ${sort === 'size' ? 'JOIN repo_sizes s ON s.repo_id = r.id' : ''} ` +
          `WHERE r.name LIKE ? ESCAPE '\\' AND ${inScope('r.name')} ORDER BY ${ORDER[sort]} ${dir === 'asc' ? 'ASC' : 'DESC'}${sort === 'name' ? '' : ', r.name ASC'} LIMIT ? OFFSET ?`,
      );
    this.s = {
      pages: {
        name: { asc: page('name', 'asc'), desc: page('name', 'desc') },
        tags: { asc: page('tags', 'asc'), desc: page('tags', 'desc') },
        size: { asc: page('size', 'asc'), desc: page('size', 'desc') },
      },
      total: p(`SELECT count(*) FROM repos r WHERE r.name LIKE ? ESCAPE '\\' AND ${inScope('r.name')}`),
      tagCount: p('SELECT count(*) FROM tags WHERE repo_id = ?'),
      size: p('SELECT bytes FROM repo_sizes WHERE repo_id = ?'),
      fillOne: p(FILL('SELECT ?')),
      fillMissing: p(FILL('SELECT id FROM repos WHERE id NOT IN (SELECT repo_id FROM repo_sizes)')),
    };
  }

  /** One page of repositories matching `query` (in `scope`) in the order asked, and how many match in all. */
  page(q: ListingQuery): { items: ListedRepository[]; total: number } {
    if (q.sort === 'size') this.fillSizes();
    const pattern = likeSubstring(q.query);
    const scope = scopeParams(q.scope);
    const rows = this.s.pages[q.sort][q.dir].all(pattern, ...scope, q.limit, q.offset) as Array<{ id: number; name: string; tagCount: number }>;
    return {
      items: rows.map((r) => ({ ...r, size: this.size(r.id) })),
      total: this.s.total.pluck().get(pattern, ...scope) as number,
    };
  }

  /** A repository's tag count. */
  tagCount(repoId: number): number {
    return this.s.tagCount.pluck().get(repoId) as number;
  }

  /** A repository's distinct bytes: cached, or computed now and kept. */
  size(repoId: number): number {
    const cached = this.s.size.pluck().get(repoId) as number | undefined;
    if (cached !== undefined) return cached;
    this.s.fillOne.run(repoId);
    return this.s.size.pluck().get(repoId) as number;
  }

  /** Computes the size of every repository that has none cached, in one query; returns how many. */
  fillSizes(): number {
    return this.s.fillMissing.run().changes;
  }
}
