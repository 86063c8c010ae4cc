/**
 * Browsing any connection, written once against RegistrySource: repositories, tags with sizes,
 * image details and repository sizes, and safe tag deletion (browse/deletes.ts). The local
 * registry's names, tags and origins come straight from its index; remote ones are read over the
 * Distribution API through the cache (content by digest for ever, tag lists and digests briefly).
 */
import type {
  ImageArgs,
  ImageDetails,
  RepositoriesArgs,
  RepositoriesPage,
  RepositorySize,
  TagDeleteArgs,
  TagDeletePlan,
  TagDeleteResult,
  TagRef,
  TagsArgs,
  TagsDeleteArgs,
  TagsDeletePlan,
  TagsDeletePlanArgs,
  TagsPage,
  TagSummary,
} from '../contract';
import { looksLikeDigest } from '../core/digest';
import { NotFoundError } from '../core/errors';
import type { NameScope } from '../index/name-scope';
import type { Registry } from '../registry/registry';
import { DEFAULT_TAG_TTL_MS, type BrowseCache, type ImageFacts } from './cache';
import { ContentReader, MissingContentError } from './content';
import type { BrowseContext, BrowseCore, TagHead } from './context';
import type { DeleteRun } from './delete-run';
import { Deletes } from './deletes';
import { imageDetails } from './details';
import { Limiter } from './limiter';
import { LocalIndexQueries } from './local-index';
import { localOrigin } from './origins';
import { RemoteListings } from './remote-listing';
import { remoteRepositories } from './remote-repositories';
import type { RegistrySource } from './source';
import { SingleFlight } from './single-flight';

/** Options of a {@link Browser}. */
export interface BrowserOptions {
  cache: BrowseCache;
  /** The source of a connection id (throws for an unknown one). */
  source: (connection: string) => Promise<RegistrySource>;
  /** The local registry: counts, sizes and origins straight from its index. */
  registry?: Registry;
  now?: () => number;
  /** How long tag lists and tag digests are trusted (default 60 s). */
  tagTtlMs?: number;
  /** Remote fetches in flight (default 8). */
  concurrency?: number;
}

const DEFAULT_PAGE = 100;

export type { BrowseContext, TagHead } from './context';

/** The browse channels over any connection. */
export class Browser implements BrowseCore {
  readonly cache: BrowseCache;
  readonly limiter: Limiter;
  private readonly now: () => number;
  private readonly ttl: number;
  private readonly readers = new Map<string, ContentReader>();
  private readonly flights = new SingleFlight();
  private readonly local: LocalIndexQueries | null;
  private readonly deletes: Deletes;
  /** Remote connections' whole repository lists, for sorted pages and searches. */
  readonly listings: RemoteListings;

  constructor(private readonly opts: BrowserOptions) {
    this.cache = opts.cache;
    this.now = opts.now ?? Date.now;
    this.ttl = opts.tagTtlMs ?? DEFAULT_TAG_TTL_MS;
    this.limiter = new Limiter(opts.concurrency ?? 8);
    this.local = opts.registry ? new LocalIndexQueries(opts.registry.forBrowsing().index) : null;
    this.deletes = new Deletes(this);
    this.listings = new RemoteListings(this.limiter, this.now, this.ttl);
  }

  /**
   * A page of repositories: the local index with counts and sizes, or a remote's names. By `page`
   * (or any order other than by name ascending) the whole list is sorted, then paged; by `last`
   * (or neither) it pages by name from the cursor. On the local registry only the repositories in
   * `scope` (a caller's pull rules) are listed, and counted; remotes list what their saved user may
   * see (only administrators reach them).
   */
  async repositories(args: RepositoriesArgs, scope: NameScope = null): Promise<RepositoriesPage> {
    const ctx = await this.context(args.connection);
    const n = args.n ?? DEFAULT_PAGE;
    const sort = args.sort ?? 'name';
    const dir = args.dir ?? 'asc';
    const paged = args.page !== undefined || sort !== 'name' || dir !== 'asc';
    const view = { query: args.query, sort, dir, page: args.page ?? 1, n };
    if (ctx.registry && this.local) {
      if (paged) return { ...this.local.repositoryPage({ ...view, scope }), next: null, source: 'index', page: view.page };
      return { ...this.local.repositories(n, args.last, args.query, scope), source: 'index' };
    }
    if (args.refresh === true) {
      forgetListings(ctx.source);
      this.listings.forget(ctx.connection);
    }
    return paged ? this.listings.page(ctx, view) : remoteRepositories(ctx, this.limiter, n, args.last, args.query);
  }

  /** A page of tags, each with its digest, platforms, size and created date (or an error of its own). */
  async tags(args: TagsArgs): Promise<TagsPage> {
    const ctx = await this.context(args.connection);
    const n = args.n ?? DEFAULT_PAGE;
    const repo = args.repository;
    if (ctx.registry && this.local) {
      const rows = this.local.tags(repo, n, args.last, args.query);
      if (!rows) throw new NotFoundError('repository');
      const items = await Promise.all(
        rows.items.map((r) => this.tagSummary(ctx, repo, r.name, { digest: r.digest, mediaType: r.mediaType ?? '' })),
      );
      return { items, next: rows.next, total: rows.total, listedAt: new Date(this.now()).toISOString() };
    }
    const list = await this.tagList(ctx, repo, args.refresh === true);
    const q = args.query?.toLowerCase();
    const matching = q ? list.tags.filter((t) => t.toLowerCase().includes(q)) : list.tags;
    const start = args.last === undefined ? 0 : matching.findIndex((t) => t > args.last!);
    const rest = start < 0 ? [] : matching.slice(start);
    const page = rest.slice(0, n);
    const items = await Promise.all(
      page.map(async (tag) => {
        try {
          const head = await this.head(ctx, repo, tag, args.refresh === true);
          if (!head) return failed(tag, null, 'the tag is listed but its manifest was not found');
          return await this.tagSummary(ctx, repo, tag, head);
        } catch (err) {
          return failed(tag, null, describe(err));
        }
      }),
    );
    return { items, next: rest.length > n ? page[page.length - 1]! : null, total: matching.length, listedAt: new Date(list.listedAt).toISOString() };
  }

  /** Everything the image screen shows, by tag or digest. */
  async image(args: ImageArgs): Promise<ImageDetails> {
    const ctx = await this.context(args.connection);
    const { repository: repo, reference } = args;
    const byDigest = looksLikeDigest(reference);
    let digest = byDigest ? reference : (await this.head(ctx, repo, reference, false))?.digest;
    let top = digest ? await ctx.reader.manifest(repo, digest) : null;
    if (!top && !byDigest && !ctx.registry) {
      // The cached digest may be gone (the tag moved, the manifest was deleted): ask once more.
      digest = (await this.head(ctx, repo, reference, true))?.digest;
      top = digest ? await ctx.reader.manifest(repo, digest) : null;
    }
    if (!top) throw new NotFoundError('manifest');
    const siblings = this.knownTagsOf(ctx, repo, top.digest).filter((t) => t !== reference);
    const origin = ctx.registry ? localOrigin(ctx.registry, repo, byDigest ? null : reference, top.digest) : null;
    return imageDetails({ reader: ctx.reader, limiter: this.limiter, repository: repo, reference, top, siblings, origin });
  }

  /** Distinct bytes of every tagged image of a repository (blobs shared between tags counted once). */
  async repositorySize(args: { connection: string; repository: string; refresh?: boolean }): Promise<RepositorySize> {
    const ctx = await this.context(args.connection);
    const repo = args.repository;
    const heads = await this.allHeads(ctx, repo, args.refresh === true);
    const failedTags: string[] = [];
    const byDigest = new Map<string, Promise<ImageFacts | null>>();
    for (const { digest } of heads) {
      if (digest && !byDigest.has(digest)) byDigest.set(digest, ctx.reader.facts(repo, digest).catch(() => null));
    }
    const blobs = new Map<string, number>();
    let images = 0;
    for (const { tag, digest } of heads) {
      const facts = digest ? await byDigest.get(digest)! : null;
      if (!facts) failedTags.push(tag);
    }
    for (const p of byDigest.values()) {
      const facts = await p;
      if (!facts) continue;
      images++;
      for (const [d, s] of facts.blobs) blobs.set(d, s);
    }
    const bytes = [...blobs.values()].reduce((a, b) => a + b, 0);
    this.cache.putRepositorySize(ctx.connection, repo, bytes, this.now());
    // The local list counts every manifest the repository stores, untagged ones too: say the same here.
    const stored = ctx.registry && this.local ? this.local.storedBytes(repo) : null;
    return { repository: repo, tags: heads.length - failedTags.length, images, bytes, failed: failedTags, ...(stored !== null ? { stored } : {}) };
  }

  /**
   * Forgets cached tag lists, digests and repository sizes (of one repository, or of the whole
   * connection, whose source also drops the repository names it keeps).
   */
  async refresh(args: { connection: string; repository?: string }): Promise<void> {
    this.cache.forget(args.connection, args.repository);
    if (args.repository === undefined) {
      this.deletes.forgetMethod(args.connection);
      this.listings.forget(args.connection);
      forgetListings(await this.opts.source(args.connection));
    }
  }

  /** What deleting a tag will do: its digest, the tags sharing it, and how the registry deletes. */
  async deletePreview(ref: TagRef): Promise<TagDeletePlan> {
    return this.deletes.preview(await this.context(ref.connection), ref);
  }

  /** Deletes a tag if it still points at the confirmed digest (see browse/deletes.ts). */
  async deleteTag(args: TagDeleteArgs): Promise<TagDeleteResult> {
    return this.deletes.deleteTag(await this.context(args.connection), args);
  }

  /** What deleting a selection of tags would do, worked out for the whole selection (see browse/delete-plan.ts). */
  async deletePlan(args: TagsDeletePlanArgs): Promise<TagsDeletePlan> {
    return this.deletes.plan(await this.context(args.connection), args);
  }

  /** Carries out a delete plan exactly as previewed (see browse/delete-run.ts). */
  async deleteTags(args: TagsDeleteArgs): Promise<DeleteRun> {
    return this.deletes.deleteTags(await this.context(args.connection), args);
  }

  /** Deletes every tagged manifest of a repository of a connection (the local one at once). */
  async deleteRepository(connection: string, name: string): Promise<{ tags: number; manifests: number }> {
    return this.deletes.deleteRepository(await this.context(connection), name);
  }

  /** The context of a connection id. */
  async context(connection: string): Promise<BrowseContext> {
    const source = await this.opts.source(connection);
    let reader = this.readers.get(connection);
    // A connection edited since (new URL, new credentials) comes back as a new source object.
    if (!reader || reader.source !== source) {
      reader = new ContentReader(this.cache, source, this.limiter);
      this.readers.set(connection, reader);
    }
    return { connection, source, reader, registry: source.local && this.opts.registry ? this.opts.registry : null };
  }

  /** What a tag points at: the local index, a fresh cached answer, or the registry (then cached). */
  async head(ctx: BrowseContext, repo: string, tag: string, fresh: boolean): Promise<{ digest: string; mediaType: string } | null> {
    if (ctx.registry) {
      const { index } = ctx.registry.forBrowsing();
      const digest = index.resolveTag(repo, tag);
      return digest ? { digest, mediaType: index.manifestMediaType(digest) ?? '' } : null;
    }
    if (!fresh) {
      const cached = this.cache.tagHead(ctx.connection, repo, tag, this.now() - this.ttl);
      if (cached) return cached;
    }
    return this.flights.run(`h:${ctx.connection}:${repo}:${tag}`, async () => {
      // A tag seen before has its content cached most likely: HEAD says whether it moved. A new
      // one is fetched whole by tag, which is the one request that gives its digest and content.
      const seen = this.cache.tagHead(ctx.connection, repo, tag, -Infinity) !== null;
      const head = seen
        ? await this.limiter.run(() => ctx.source.headManifest(repo, tag))
        : await ctx.reader.manifestByTag(repo, tag).then((m) => m && { digest: m.digest, mediaType: m.mediaType });
      if (!head) {
        this.cache.dropTagHead(ctx.connection, repo, tag);
        return null;
      }
      this.cache.putTagHead(ctx.connection, repo, tag, head, this.now());
      return { digest: head.digest, mediaType: head.mediaType };
    });
  }

  /**
   * Every tag of a repository with its digest: null where it did not resolve, with the `error` when
   * the lookup failed rather than found nothing. NotFoundError for an unknown repository.
   */
  async allHeads(ctx: BrowseContext, repo: string, fresh: boolean): Promise<TagHead[]> {
    if (ctx.registry && this.local) {
      const rows = this.local.allTags(repo);
      if (!rows) throw new NotFoundError('repository');
      return rows.map((r) => ({ tag: r.name, digest: r.digest }));
    }
    const list = await this.tagList(ctx, repo, fresh);
    return Promise.all(
      list.tags.map(async (tag): Promise<TagHead> => {
        try {
          return { tag, digest: (await this.head(ctx, repo, tag, fresh))?.digest ?? null };
        } catch (error) {
          return { tag, digest: null, error };
        }
      }),
    );
  }

  /** Tags known to point at `digest` (local: the index; remote: the cached tag digests). */
  knownTagsOf(ctx: BrowseContext, repo: string, digest: string): string[] {
    return ctx.registry ? ctx.registry.tagsOf(repo, digest) : this.cache.tagsWithDigest(ctx.connection, repo, digest);
  }

  /**
   * Forgets what a change in a repository made stale: its tag list, its tags' digests and its size
   * (content by digest stays), and the connection's repository list (a copy may have made the
   * repository, a delete removed it). For whoever writes to a connection (a delete here, a copy to it).
   */
  invalidate(connection: string, repository: string): void {
    this.listings.forget(connection);
    this.cache.forget(connection, repository);
  }

  /** A repository's tags in code-unit order: the cached list when fresh (or not `fresh`-asked), else read and kept. */
  async tagList(ctx: BrowseContext, repo: string, fresh: boolean): Promise<{ tags: string[]; listedAt: number }> {
    const cached = fresh ? null : this.cache.tagList(ctx.connection, repo, this.now() - this.ttl);
    if (cached) return cached;
    return this.flights.run(`l:${ctx.connection}:${repo}`, async () => {
      const tags = await this.limiter.run(() => ctx.source.tags(repo));
      if (!tags) throw new NotFoundError('repository');
      // Code-unit order, the order `last` pages by.
      const sorted = [...new Set(tags)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const listedAt = this.now();
      this.cache.putTagList(ctx.connection, repo, sorted, listedAt);
      return { tags: sorted, listedAt };
    });
  }


  private async tagSummary(ctx: BrowseContext, repo: string, tag: string, head: { digest: string; mediaType: string }): Promise<TagSummary> {
    const origin = ctx.registry ? localOrigin(ctx.registry, repo, tag, head.digest) : null;
    try {
      const facts = await ctx.reader.facts(repo, head.digest);
      return { name: tag, digest: head.digest, mediaType: facts.mediaType, platforms: facts.platforms, size: facts.size, created: facts.created, origin };
    } catch (err) {
      return { ...failed(tag, head.digest, describe(err)), mediaType: head.mediaType || null, origin };
    }
  }
}

/** Asks a source that keeps repository names (RemoteSource's Docker Hub listings) to read them again. */
function forgetListings(source: RegistrySource): void {
  (source as { forgetListings?: () => void }).forgetListings?.();
}

function failed(name: string, digest: string | null, error: string): TagSummary {
  return { name, digest, mediaType: null, platforms: [], size: null, created: null, origin: null, error };
}

/** A failure in words for a tag row. */
function describe(err: unknown): string {
  if (err instanceof MissingContentError) return `${err.message} in the registry`;
  return err instanceof Error ? err.message : String(err);
}
