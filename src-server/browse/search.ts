/**
 * `browse:search` for any connection: the local registry from its index (see index/search.ts),
 * remotes within what they list (browse/search-remote.ts).
 */
import type { SearchArgs, SearchResult } from '../contract/search';
import type { NameScope } from '../index/name-scope';
import { IndexSearch } from '../index/search';
import type { RegistryIndex } from '../index/registry-index';
import type { Browser } from './browser';
import { compareHits, digestHits, MAX_DIGEST_MATCHES, SEARCH_PAGE, tooManyDigests } from './search-hits';
import { searchRemote } from './search-remote';

const searches = new WeakMap<RegistryIndex, IndexSearch>();

/**
 * Searches a connection for tags or digests across its repositories; on the local registry only
 * those in `scope` (a caller's pull rules), which the counts cover too. Remotes are searched as the
 * connection's saved user sees them (only administrators reach them).
 */
export async function searchConnection(browser: Browser, args: SearchArgs, scope: NameScope = null): Promise<SearchResult> {
  const ctx = await browser.context(args.connection);
  if (!ctx.registry) return searchRemote(browser, ctx, args);
  const { index } = ctx.registry.forBrowsing();
  let search = searches.get(index);
  if (!search) searches.set(index, (search = new IndexSearch(index)));
  return searchLocal(search, args, scope);
}

/** Searches the local registry's index, within `scope`. */
export function searchLocal(index: IndexSearch, args: SearchArgs, scope: NameScope = null): SearchResult {
  const repositories = index.repositoryCount(args.repositories, scope);
  const n = args.n ?? SEARCH_PAGE;
  const page = args.page ?? 1;
  const searched = { repositories, of: repositories };
  if (args.kind === 'tag') {
    const { items, total } = index.tags({ prefix: args.query, repositories: args.repositories, scope, offset: (page - 1) * n, limit: n });
    return { items, page, total, searched, complete: true, limits: [] };
  }
  const { items, more } = index.digests({ prefix: args.query, repositories: args.repositories, scope, limit: MAX_DIGEST_MATCHES });
  const hits = items.flatMap(digestHits).sort(compareHits);
  return {
    items: hits.slice((page - 1) * n, page * n),
    page,
    total: hits.length,
    searched,
    complete: !more,
    limits: more ? [tooManyDigests(args.query, MAX_DIGEST_MATCHES)] : [],
  };
}
