/**
 * What the parts of browsing share, below the Browser that composes them: one connection as a call
 * sees it, a tag's head, and the few Browser services that deletes and listings call back into.
 * Kept apart so those parts depend on this, not on browser.ts (which imports them).
 */
import type { Registry } from '../registry/registry';
import type { ContentReader } from './content';
import type { Limiter } from './limiter';
import type { RegistrySource } from './source';

/** One connection as a call sees it. */
export interface BrowseContext {
  connection: string;
  source: RegistrySource;
  reader: ContentReader;
  /** The local registry, when this connection is it. */
  registry: Registry | null;
}

/** A tag of a repository and what it points at now; `error` when asking failed (429, 5xx, network). */
export interface TagHead {
  tag: string;
  /** Null when it did not resolve: the manifest is missing, or see `error`. */
  digest: string | null;
  /** Why the lookup failed; absent when the registry answered (with a digest or "not found"). */
  error?: unknown;
}

/** The Browser's services that deletes use: bounded remote calls, tag heads, and forgetting cached listings. */
export interface BrowseCore {
  readonly limiter: Limiter;
  /** What a tag points at now (`fresh`: not from the cache), or null when it does not resolve. */
  head(ctx: BrowseContext, repo: string, tag: string, fresh: boolean): Promise<{ digest: string; mediaType: string } | null>;
  /** Every tag of a repository with what it points at. */
  allHeads(ctx: BrowseContext, repo: string, fresh: boolean): Promise<TagHead[]>;
  /** Forgets what is cached of a repository's listings on a connection. */
  invalidate(connection: string, repository: string): void;
}
