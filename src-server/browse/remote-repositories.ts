/**
 * A page of a remote connection's repositories: names from the source (`_catalog`, a namespace
 * listing, or saved names), filtered, with counts and sizes only where the cache knows them.
 */
import type { RepositoriesPage, RepositorySummary } from '../contract';
import type { BrowseContext } from './context';
import type { Limiter } from './limiter';
import type { SourceRepositoryPage } from './source';

/** Names read per source page while filtering (a filter may match few names of many). */
export const SCAN_PAGE = 1000;

/** Source pages read for one filtered page at most (100,000 names); the rest is one "more" away. */
export const MAX_SCAN_PAGES = 100;

const refusal = (page: SourceRepositoryPage) => (page.catalogRefusal ? { catalogRefusal: page.catalogRefusal } : {});

/** Up to `n` repositories after `last` whose name contains `query` (case-insensitive). */
export async function remoteRepositories(ctx: BrowseContext, limiter: Limiter, n: number, last?: string, query?: string): Promise<RepositoriesPage> {
  const summary = (name: string): RepositorySummary => ({
    name,
    tagCount: ctx.reader.cache.tagCount(ctx.connection, name),
    size: ctx.reader.cache.repositorySize(ctx.connection, name),
  });
  const q = query?.toLowerCase();
  if (!q) {
    const page = await limiter.run(() => ctx.source.repositories(n, last));
    return { items: page.names.map(summary), next: page.next, source: page.source, total: null, ...refusal(page) };
  }
  const items: RepositorySummary[] = [];
  let cursor = last;
  for (let pages = 1; ; pages++) {
    const page = await limiter.run(() => ctx.source.repositories(SCAN_PAGE, cursor));
    for (const [i, name] of page.names.entries()) {
      if (!name.toLowerCase().includes(q)) continue;
      items.push(summary(name));
      if (items.length === n) {
        const atEnd = page.next === null && i === page.names.length - 1;
        return { items, next: atEnd ? null : name, source: page.source, total: null, ...refusal(page) };
      }
    }
    const done = { items, next: null, source: page.source, total: null, ...refusal(page) };
    if (page.next === null || page.names.length === 0) return done;
    // A registry that hands back the same cursor (or one that goes backwards) would be read for ever.
    if (cursor !== undefined && page.next <= cursor) return done;
    // Enough scanned for one answer: the caller asks for more from the last name read.
    if (pages >= MAX_SCAN_PAGES) return { ...done, next: page.next };
    cursor = page.next;
  }
}
