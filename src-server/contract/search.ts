/**
 * Searching a connection (`browse:search`): tags by name or manifests by digest across its
 * repositories, paged by number, with what the search could not cover.
 */

/** What `browse:search` looks for: tags by name, or manifests by digest. */
export type SearchKind = 'tag' | 'digest';

/** Longest search text `browse:search` takes (a `sha512:` digest is 135 characters). */
export const MAX_SEARCH_QUERY = 160;

/**
 * `browse:search`: tags or manifests across the repositories of a connection, paged by number.
 * The local registry is searched in its index; a remote within the repositories it lists, bounded
 * (see {@link SearchResult.limits}).
 */
export interface SearchArgs {
  connection: string;
  /**
   * `tag`: a tag or its beginning, case-sensitive as tags are. `digest`: a manifest digest or its
   * beginning, with or without `sha256:`, at least 4 hex digits.
   */
  query: string;
  kind: SearchKind;
  /** Only repositories whose name contains this (case-insensitive), e.g. `team/`. */
  repositories?: string;
  /** Hits per page (default 50, at most 200). */
  n?: number;
  /** 1-based. */
  page?: number;
}

/** One hit: a tag of a repository and what it points at, or a manifest found by its digest. */
export interface SearchHit {
  repository: string;
  /**
   * The tag found (tag search), or a tag on the manifest or on the index listing it (digest
   * search); null for a manifest no tag reaches, as far as is known.
   */
  tag: string | null;
  /** The manifest: what the tag points at, or the one found. Null when a remote tag could not be resolved. */
  digest: string | null;
  /** Digest search: the index that lists this manifest as a platform, when the hit is through it (its tag is `tag`). */
  index?: { digest: string; platform: string | null };
  /** Why `digest` is missing (a remote that failed to answer for this tag). */
  error?: string;
}

/** The answer of `browse:search`. */
export interface SearchResult {
  items: SearchHit[];
  page: number;
  /** Hits found in what was searched. */
  total: number;
  /** Repositories searched, and how many the connection lists (matching `repositories`). */
  searched: { repositories: number; of: number };
  /** False when the search did not look at everything it could have: `limits` says what it left out. */
  complete: boolean;
  /** What the search could not cover, in words (empty when complete). */
  limits: string[];
}
