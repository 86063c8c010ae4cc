import type { Context } from 'koa';
import type { RegistryService } from '../../registry/service';
import { pageParams, setNextLink } from './util';

/** Default and largest page of `_catalog`. */
const CATALOG_PAGE = 1000;
const MAX_PAGE = 10000;

/** GET /v2/_catalog — https://distribution.github.io/distribution/spec/api/#catalog */
export function getCatalog(ctx: Context, registry: RegistryService): void {
  const { n, last } = pageParams(ctx, CATALOG_PAGE, MAX_PAGE);
  const filter = ctx.state.repoFilter as ((name: string) => boolean) | undefined;
  const repos = n === 0 ? [] : filter ? filteredPage(registry, filter, n + 1, last) : registry.catalog(n + 1, last);
  if (repos.length > n) {
    repos.length = n;
    setNextLink(ctx, '/v2/_catalog', n, repos[n - 1]!);
  }
  ctx.body = { repositories: repos };
}

/**
 * A catalog page of repositories the caller may see: pages of the index are read until `want`
 * visible names are found or the catalog ends, so paging stays correct for any filter.
 */
function filteredPage(registry: RegistryService, visible: (name: string) => boolean, want: number, last?: string): string[] {
  const out: string[] = [];
  let cursor = last;
  for (;;) {
    const page = registry.catalog(Math.max(want, 100), cursor);
    for (const name of page) {
      if (visible(name)) out.push(name);
      if (out.length === want) return out;
    }
    if (page.length === 0) return out;
    cursor = page[page.length - 1];
  }
}

/** GET /v2/<name>/tags/list — https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-tags */
export async function getTags(ctx: Context, registry: RegistryService, repo: string): Promise<void> {
  // On a bucket shared with other instances, their pushes show within a few seconds.
  await registry.freshen(repo);
  // Without `n`, all tags (as registry:2 does); with it, a page and a Link to the next.
  const { n, last } = pageParams(ctx, Number.MAX_SAFE_INTEGER - 1, MAX_PAGE);
  const tags = n === 0 ? (registry.tags(repo, 0), []) : registry.tags(repo, n + 1, last);
  if (tags.length > n) {
    tags.length = n;
    setNextLink(ctx, `/v2/${repo}/tags/list`, n, tags[n - 1]!);
  }
  ctx.body = { name: repo, tags };
}
