/**
 * `browse:search` on a remote connection, which has no index to ask: it searches within the
 * repositories the connection lists (its kept listing), bounded so that a search costs a known
 * number of requests, and says in the answer what it left out.
 *
 * - At most {@link MAX_SEARCH_REPOSITORIES} repositories (in name order, after the repository
 *   filter), {@link SEARCH_CONCURRENCY} at a time, through the browser's limiter.
 * - Tags: each repository's tag list (the cached one when fresh, else one request each); the
 *   digests of the page's hits come from the cache or one lookup per hit (a page is at most 200).
 * - Digests: only what Berth has read before (tags it resolved, indexes it fetched), since finding
 *   a digest would otherwise mean fetching every manifest of every repository. A full digest is
 *   also asked of each searched repository with one HEAD (at most 100).
 */
import type { SearchArgs, SearchHit, SearchResult } from '../contract/search';
import { mapLimit } from '../core/concurrency';
import { parseManifest } from '../core/manifest';
import type { DigestFound } from '../index/search';
import { RemoteAuthError } from '../remote/errors';
import type { BrowseContext, Browser } from './browser';
import { platformName } from './config';
import { compareHits, digestHits, MAX_DIGEST_MATCHES, SEARCH_PAGE, tooManyDigests } from './search-hits';

/** Repositories one remote search looks into at most. */
export const MAX_SEARCH_REPOSITORIES = 100;
/** Repositories read at the same time. */
export const SEARCH_CONCURRENCY = 4;
/** Hits one remote search collects at most. */
export const MAX_SEARCH_HITS = 10_000;
/** Cached tag digests a digest search looks at most. */
export const MAX_TAGS_EXAMINED = 100_000;

const count = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

/** Searches a remote connection within what it lists (see the module comment for the bounds). */
export async function searchRemote(browser: Browser, ctx: BrowseContext, args: SearchArgs): Promise<SearchResult> {
  const n = args.n ?? SEARCH_PAGE;
  const page = args.page ?? 1;
  const listing = await browser.listings.listing(ctx);
  const filter = args.repositories?.toLowerCase();
  const names = filter ? listing.names.filter((name) => name.toLowerCase().includes(filter)) : listing.names;
  const scanned = names.slice(0, MAX_SEARCH_REPOSITORIES);
  const limits: string[] = [];
  // Without a catalog, the names are only those the user saved: say so rather than answer "nothing".
  if (listing.source === 'saved')
    limits.push(`the registry does not list its repositories${listing.catalogRefusal ? ` (${listing.catalogRefusal.message})` : ''}: only the repositories added by name in the connection's settings were searched`);
  if (listing.source === 'namespace') limits.push("Docker Hub has no catalog: only the repositories of the namespaces and names added in the connection's settings were searched");
  if (listing.truncated) limits.push('the registry lists more repositories than Berth reads at once: only the first were considered');
  if (names.length > scanned.length)
    limits.push(`searched the first ${count(scanned.length, 'repository', 'repositories')} of ${names.length.toLocaleString('en')} (by name): narrow the search with a repository filter`);

  const found = args.kind === 'tag' ? await tagHits(browser, ctx, scanned, args.query, limits) : await digestSearch(browser, ctx, scanned, args.query, limits);
  if (found.length > MAX_SEARCH_HITS) {
    found.length = MAX_SEARCH_HITS;
    limits.push(`more than ${count(MAX_SEARCH_HITS, 'hit')}: only the first are shown`);
  }
  const items = found.slice((page - 1) * n, page * n);
  if (args.kind === 'tag') await resolveDigests(browser, ctx, items);
  return { items, page, total: found.length, searched: { repositories: scanned.length, of: names.length }, complete: limits.length === 0, limits };
}

/** Tags starting with `prefix` in each repository's tag list. */
async function tagHits(browser: Browser, ctx: BrowseContext, repos: string[], prefix: string, limits: string[]): Promise<SearchHit[]> {
  type Read = { repository: string; tags: string[] } | { repository: string; error: unknown };
  const lists = await mapLimit(repos, SEARCH_CONCURRENCY, async (repository): Promise<Read> => {
    try {
      return { repository, tags: (await browser.tagList(ctx, repository, false)).tags };
    } catch (error) {
      return { repository, error };
    }
  });
  const failed = lists.filter((l): l is { repository: string; error: unknown } => 'error' in l);
  // Refused everywhere: that is the answer, not an empty search.
  if (failed.length > 0 && failed.length === lists.length && failed[0]!.error instanceof RemoteAuthError) throw failed[0]!.error;
  if (failed.length > 0) limits.push(unreadable(failed));
  const hits: SearchHit[] = [];
  for (const l of lists) {
    if (!('tags' in l)) continue;
    for (const tag of l.tags) if (tag.startsWith(prefix)) hits.push({ repository: l.repository, tag, digest: null });
  }
  return hits.sort(compareHits);
}

/** The digests of a page of tag hits: the cache's fresh answer, or one lookup each (limiter-bound). */
async function resolveDigests(browser: Browser, ctx: BrowseContext, hits: SearchHit[]): Promise<void> {
  await mapLimit(hits, SEARCH_CONCURRENCY, async (hit) => {
    try {
      hit.digest = (await browser.head(ctx, hit.repository, hit.tag!, false))?.digest ?? null;
      if (!hit.digest) hit.error = 'the tag is listed but its manifest was not found';
    } catch (err) {
      hit.error = err instanceof Error ? err.message : String(err);
    }
  });
}

/** Manifests whose digest starts with `prefix` among what Berth has read of these repositories. */
async function digestSearch(browser: Browser, ctx: BrowseContext, repos: string[], prefix: string, limits: string[]): Promise<SearchHit[]> {
  const cache = ctx.reader.cache;
  const found = new Map<string, DigestFound>();
  const entry = (repository: string, digest: string) => {
    const key = `${repository}@${digest}`;
    let f = found.get(key);
    if (!f) found.set(key, (f = { repository, digest, tags: [], indexes: [] }));
    return f;
  };
  let examined = 0;
  let unopened = 0;
  let unresolved = 0;
  for (const repository of repos) {
    const list = cache.tagList(ctx.connection, repository, -Infinity);
    if (!list) {
      unopened++;
      continue;
    }
    for (const tag of list.tags) {
      if (++examined > MAX_TAGS_EXAMINED) break;
      const head = cache.tagHead(ctx.connection, repository, tag, -Infinity);
      if (!head) {
        unresolved++;
        continue;
      }
      if (head.digest.startsWith(prefix)) entry(repository, head.digest).tags.push(tag);
      for (const child of cachedChildren(ctx, head.digest)) {
        if (!child.digest.startsWith(prefix)) continue;
        const f = entry(repository, child.digest);
        const ix = f.indexes.find((i) => i.digest === head.digest);
        if (ix) ix.tags.push(tag);
        else f.indexes.push({ digest: head.digest, platform: child.platform, tags: [tag] });
      }
    }
  }
  const whole = /^(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$/.test(prefix);
  if (examined > MAX_TAGS_EXAMINED) limits.push(`looked at the first ${count(MAX_TAGS_EXAMINED, 'tag')} Berth has read`);
  const unread = [
    unopened > 0 ? `${count(unopened, 'repository', 'repositories')} not opened in Berth yet` : null,
    unresolved > 0 ? `${count(unresolved, 'tag')} whose digest Berth has not read` : null,
  ].filter((x): x is string => x !== null);
  if (unread.length > 0) limits.push(`a remote is searched by digest among the tags Berth has read: ${unread.join(' and ')} ${unopened + unresolved === 1 ? 'was' : 'were'} not looked into${whole ? ' by tag' : ''}`);
  if (!whole) limits.push('manifests no tag points at are found on a remote only by their whole digest');
  if (whole) {
    // A whole digest can be asked for directly: one HEAD per repository not known to hold it.
    const unknown = repos.filter((r) => !found.has(`${r}@${prefix}`));
    const held = await mapLimit(unknown, SEARCH_CONCURRENCY, (r) => browser.limiter.run(() => ctx.source.headManifest(r, prefix)).then((h) => h !== null, () => false));
    unknown.forEach((r, i) => {
      if (held[i]) entry(r, prefix).tags.push(...cache.tagsWithDigest(ctx.connection, r, prefix));
    });
  }
  const manifests = [...found.values()].sort((a, b) => (a.repository < b.repository ? -1 : a.repository > b.repository ? 1 : a.digest < b.digest ? -1 : 1));
  if (manifests.length > MAX_DIGEST_MATCHES) {
    manifests.length = MAX_DIGEST_MATCHES;
    limits.push(tooManyDigests(prefix, MAX_DIGEST_MATCHES));
  }
  return manifests.flatMap((f) => digestHits({ ...f, tags: [...new Set(f.tags)].sort() })).sort(compareHits);
}

/** The children of an index Berth has cached (none when it is not an index or not cached). */
function cachedChildren(ctx: BrowseContext, digest: string): Array<{ digest: string; platform: string | null }> {
  const m = ctx.reader.cache.manifest(ctx.connection, digest);
  if (!m) return [];
  try {
    const info = parseManifest(m.body, m.mediaType);
    return info.manifests.map((c) => {
      const name = platformName(c.platform);
      return { digest: c.digest, platform: name === 'unknown' ? null : name };
    });
  } catch {
    return [];
  }
}

/** "N repositories could not be read: a (why), b (why) …". */
function unreadable(failed: Array<{ repository: string; error: unknown }>): string {
  const shown = failed.slice(0, 3).map((f) => `${f.repository} (${f.error instanceof Error ? f.error.message : String(f.error)})`);
  return `${count(failed.length, 'repository', 'repositories')} could not be read: ${shown.join(', ')}${failed.length > 3 ? ', …' : ''}`;
}
