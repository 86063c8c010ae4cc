/**
 * A remote connection's whole repository list, read once and kept briefly, so that it can be
 * sorted (by name, or by tag count and size where the cache knows them) and paged by page number,
 * and searched. Reading is bounded: at most {@link MAX_LISTED} names (100 catalog pages of 1,000),
 * one listing per connection at a time; a longer catalog is marked `truncated`.
 */
import type { CatalogRefusal, RepositoriesPage, RepositorySort, RepositorySummary, SortDirection } from '../contract/browse';
import type { BrowseCache } from './cache';
import type { Limiter } from './limiter';
import { MAX_SCAN_PAGES, SCAN_PAGE } from './remote-repositories';
import { SingleFlight } from './single-flight';
import type { RegistrySource, SourceRepositoryPage } from './source';

/** Most names kept of one connection's listing. */
export const MAX_LISTED = MAX_SCAN_PAGES * SCAN_PAGE;

/** A connection's names as listed, sorted by name (code-unit order, as registries page). */
export interface RemoteListing {
  names: string[];
  source: SourceRepositoryPage['source'];
  catalogRefusal?: CatalogRefusal;
  /** More names than {@link MAX_LISTED}, or a registry whose paging went backwards: only these were read. */
  truncated: boolean;
  listedAt: number;
}

/** What a sorted page asks for. */
export interface ListingView {
  query?: string;
  sort: RepositorySort;
  dir: SortDirection;
  page: number;
  n: number;
}

/** The part of a connection's browse context a listing needs. */
export interface ListingContext {
  connection: string;
  source: RegistrySource;
  reader: { cache: BrowseCache };
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The listings of remote connections, each kept for `ttlMs` or until forgotten. */
export class RemoteListings {
  private readonly entries = new Map<string, { source: RegistrySource; listing: RemoteListing }>();
  private readonly flights = new SingleFlight();

  constructor(
    private readonly limiter: Limiter,
    private readonly now: () => number,
    private readonly ttlMs: number,
  ) {}

  /** Forgets a connection's listing: the next call reads it again. */
  forget(connection: string): void {
    this.entries.delete(connection);
  }

  /** The connection's listing: kept, or read now (one read per connection at a time). */
  async listing(ctx: ListingContext): Promise<RemoteListing> {
    const kept = this.entries.get(ctx.connection);
    // A connection edited since (new URL or credentials) comes back as a new source.
    if (kept && kept.source === ctx.source && kept.listing.listedAt >= this.now() - this.ttlMs) return kept.listing;
    return this.flights.run(`listing:${ctx.connection}`, async () => {
      const listing = await this.read(ctx.source);
      this.entries.set(ctx.connection, { source: ctx.source, listing });
      return listing;
    });
  }

  /** One page of the listing, filtered by `query` and sorted over all of it. */
  async page(ctx: ListingContext, view: ListingView): Promise<RepositoriesPage> {
    const listing = await this.listing(ctx);
    const q = view.query?.toLowerCase();
    const names = q ? listing.names.filter((name) => name.toLowerCase().includes(q)) : listing.names;
    const summary = (name: string): RepositorySummary => ({
      name,
      tagCount: ctx.reader.cache.tagCount(ctx.connection, name),
      size: ctx.reader.cache.repositorySize(ctx.connection, name),
    });
    const start = (view.page - 1) * view.n;
    let items: RepositorySummary[];
    if (view.sort === 'name') {
      const ordered = view.dir === 'asc' ? names : [...names].reverse();
      items = ordered.slice(start, start + view.n).map(summary);
    } else {
      const key = view.sort === 'tags' ? 'tagCount' : 'size';
      const sign = view.dir === 'asc' ? 1 : -1;
      // Counts and sizes are known only for repositories opened before: the unknown go last, by name.
      items = names
        .map(summary)
        .sort((a, b) => {
          const x = a[key];
          const y = b[key];
          if (x === null || y === null) return x === y ? byName(a.name, b.name) : x === null ? 1 : -1;
          return sign * (x - y) || byName(a.name, b.name);
        })
        .slice(start, start + view.n);
    }
    return {
      items,
      next: null,
      source: listing.source,
      total: names.length,
      page: view.page,
      ...(listing.catalogRefusal ? { catalogRefusal: listing.catalogRefusal } : {}),
      ...(listing.truncated ? { truncated: true } : {}),
    };
  }

  private async read(source: RegistrySource): Promise<RemoteListing> {
    const names = new Set<string>();
    let cursor: string | undefined;
    let page: SourceRepositoryPage | undefined;
    let complete = false;
    read: for (let pages = 0; pages < MAX_SCAN_PAGES; pages++) {
      const at = cursor;
      page = await this.limiter.run(() => source.repositories(SCAN_PAGE, at));
      for (const name of page.names) {
        if (names.size >= MAX_LISTED && !names.has(name)) break read;
        names.add(name);
      }
      if (page.next === null || page.names.length === 0) {
        complete = true;
        break;
      }
      // A registry that hands back the same cursor (or one that goes backwards) would be read for ever.
      if (cursor !== undefined && page.next <= cursor) break;
      cursor = page.next;
    }
    return {
      names: [...names].sort(byName),
      source: page?.source ?? 'catalog',
      ...(page?.catalogRefusal ? { catalogRefusal: page.catalogRefusal } : {}),
      truncated: !complete,
      listedAt: this.now(),
    };
  }
}
