/**
 * The local registry's repositories and tags read straight from its SQLite index: a page costs a
 * few indexed queries whatever the registry's size (10,000 repositories page as fast as 10), and a
 * sorted page one query over the whole list (see index/repository-listing.ts).
 */
import type { RepositorySort, SortDirection } from '../contract/browse';
import type { RegistryIndex } from '../index/registry-index';
import { inScope, scopeParams, type NameScope } from '../index/name-scope';
import { likeSubstring as like, RepositoryListing } from '../index/repository-listing';

/** A page of local repositories with tag counts and distinct stored bytes. */
export interface LocalRepositoryRows {
  items: Array<{ name: string; tagCount: number; size: number }>;
  next: string | null;
  total: number;
}

/** A page of local tags with their digests. */
export interface LocalTagRows {
  items: Array<{ name: string; digest: string; mediaType: string | null }>;
  next: string | null;
  total: number;
}

/** Queries over the registry's index for browsing. */
export class LocalIndexQueries {
  private readonly s;
  private readonly listing: RepositoryListing;

  constructor(index: RegistryIndex) {
    this.listing = new RepositoryListing(index);
    const p = (sql: string) => index.db.prepare(sql);
    this.s = {
      repos: p(`SELECT id, name FROM repos WHERE name LIKE ? ESCAPE '\\' AND ${inScope('name')} AND name > ? ORDER BY name LIMIT ?`),
      repoCount: p(`SELECT count(*) FROM repos WHERE name LIKE ? ESCAPE '\\' AND ${inScope('name')}`),
      repoId: p('SELECT id FROM repos WHERE name = ?'),
      tags: p(
        `SELECT t.name, t.digest, i.media_type AS mediaType FROM tags t LEFT JOIN manifest_info i ON i.digest = t.digest ` +
          `WHERE t.repo_id = ? AND t.name LIKE ? ESCAPE '\\' AND t.name > ? ORDER BY t.name LIMIT ?`,
      ),
      tagTotal: p(`SELECT count(*) FROM tags WHERE repo_id = ? AND name LIKE ? ESCAPE '\\'`),
      allTags: p('SELECT name, digest FROM tags WHERE repo_id = ? ORDER BY name'),
    };
  }

  /** A page of repositories matching `query` (in `scope`), after `last`, at most `n`. */
  repositories(n: number, last: string | undefined, query: string | undefined, scope?: NameScope): LocalRepositoryRows {
    const inside = scopeParams(scope);
    const rows = this.s.repos.all(like(query), ...inside, last ?? '', n + 1) as Array<{ id: number; name: string }>;
    const more = rows.length > n;
    if (more) rows.length = n;
    return {
      items: rows.map((r) => ({ name: r.name, tagCount: this.listing.tagCount(r.id), size: this.listing.size(r.id) })),
      next: more ? rows[rows.length - 1]!.name : null,
      total: this.s.repoCount.pluck().get(like(query), ...inside) as number,
    };
  }

  /** Page `page` (1-based) of `n` repositories matching `query` (in `scope`), in the order asked over the whole list. */
  repositoryPage(args: { query?: string; sort: RepositorySort; dir: SortDirection; page: number; n: number; scope?: NameScope }): { items: LocalRepositoryRows['items']; total: number } {
    const { items, total } = this.listing.page({ query: args.query, sort: args.sort, dir: args.dir, offset: (args.page - 1) * args.n, limit: args.n, scope: args.scope });
    return { items: items.map(({ name, tagCount, size }) => ({ name, tagCount, size })), total };
  }

  /** A page of a repository's tags matching `query`; null for an unknown repository. */
  tags(repository: string, n: number, last: string | undefined, query: string | undefined): LocalTagRows | null {
    const id = this.repoId(repository);
    if (id === null) return null;
    const rows = this.s.tags.all(id, like(query), last ?? '', n + 1) as LocalTagRows['items'];
    const more = rows.length > n;
    if (more) rows.length = n;
    return { items: rows, next: more ? rows[rows.length - 1]!.name : null, total: this.s.tagTotal.pluck().get(id, like(query)) as number };
  }

  /** Every tag of a repository with its digest; null for an unknown repository. */
  allTags(repository: string): Array<{ name: string; digest: string }> | null {
    const id = this.repoId(repository);
    return id === null ? null : (this.s.allTags.all(id) as Array<{ name: string; digest: string }>);
  }

  /** Distinct bytes a repository stores (tagged or not, as {@link repositories} counts them); null for an unknown repository. */
  storedBytes(repository: string): number | null {
    const id = this.repoId(repository);
    return id === null ? null : this.listing.size(id);
  }

  private repoId(name: string): number | null {
    return (this.s.repoId.pluck().get(name) as number | undefined) ?? null;
  }
}
