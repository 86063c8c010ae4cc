/**
 * Browsing any connection: repositories, tags, image details, and deleting tags safely. The same
 * DTOs describe the local registry (read in-process from the index) and remote ones (read over the
 * Distribution API, cached in SQLite: manifests and configs by digest for ever, tag lists briefly).
 */
import type { ApiError, ContentOrigin } from './envelope';

/** A page request. `last` is the last item of the previous page (the spec's `last`). */
export interface PageArgs {
  n?: number;
  last?: string;
}

/** One page of items; `next` is the `last` to pass for the following page, null at the end. */
export interface Page<T> {
  items: T[];
  next: string | null;
}

/** What a repository list is ordered by: the name, the number of tags, or the distinct bytes stored. */
export type RepositorySort = 'name' | 'tags' | 'size';

/** Which way a list is ordered. */
export type SortDirection = 'asc' | 'desc';

/** Most rows a paged answer skips (`page` times `n`): deeper pages are refused. */
export const MAX_LIST_OFFSET = 1_000_000;

/**
 * `browse:repositories`. Two ways to page: `page` (1-based, `n` rows each) in any order over the
 * whole list, which is what the GUI uses and keeps in its address; or `last` (the spec's cursor),
 * by name ascending only.
 */
export interface RepositoriesArgs extends PageArgs {
  connection: string;
  /** Case-insensitive substring filter on the name. */
  query?: string;
  /** Bypass the cached list. */
  refresh?: boolean;
  /** Order of the whole list (default `name`); equal tag counts or sizes go by name. */
  sort?: RepositorySort;
  /** Default `asc`. */
  dir?: SortDirection;
  /** The 1-based page of `n` rows in that order (not with `last`). */
  page?: number;
}

/** One repository in a list. Counts and sizes are null where they are not known cheaply (remote). */
export interface RepositorySummary {
  name: string;
  tagCount: number | null;
  /** Distinct bytes stored (local), or the last computed size (remote), else null. */
  size: number | null;
}

/**
 * Why a registry's catalog was not listed, so that its saved names are shown instead:
 * `AUTH_REQUIRED` (only for users who log in, and the connection has no credentials), `DENIED` (the
 * credentials are right, but this user may not list it), `UNSUPPORTED` (the registry has none).
 * Wrong credentials are never this: the call fails with AUTH_FAILED.
 */
export interface CatalogRefusal {
  code: 'AUTH_REQUIRED' | 'DENIED' | 'UNSUPPORTED';
  message: string;
}

/** A page of repositories, and where the names came from. */
export interface RepositoriesPage extends Page<RepositorySummary> {
  /** `catalog` (`_catalog`), `namespace` (Docker Hub's API), `saved` (names the user added), `index` (local). */
  source: 'index' | 'catalog' | 'namespace' | 'saved';
  /** Total matching repositories when known (local), else null. */
  total: number | null;
  /** Source `saved` where the registry has a catalog: why it was not listed. */
  catalogRefusal?: CatalogRefusal;
  /** The page answered, when asked by `page`. */
  page?: number;
  /**
   * A remote listing more names than Berth reads at once (100,000): order, filter and total cover
   * the names read. Absent otherwise.
   */
  truncated?: boolean;
}

/** `browse:tags`. */
export interface TagsArgs extends PageArgs {
  connection: string;
  repository: string;
  query?: string;
  /** Re-read the tag list and the tags' digests from the registry (manifests by digest stay cached). */
  refresh?: boolean;
}

/** One tag with what its manifest says. Fields are null when the manifest could not be read. */
export interface TagSummary {
  name: string;
  digest: string | null;
  mediaType: string | null;
  /** `os/arch[/variant]` of each platform; one entry for a single image. */
  platforms: string[];
  /** Distinct compressed bytes of the image (all platforms: manifests, configs, layers). */
  size: number | null;
  /** The config's `created` (the newest platform's), ISO 8601. */
  created: string | null;
  /** Local registry only: pushed, or cached from an upstream. */
  origin: ContentOrigin | null;
  /** Why the details are missing (e.g. the manifest could not be fetched). */
  error?: string;
}

/** A page of tags of one repository. */
export interface TagsPage extends Page<TagSummary> {
  /** When the tag list was read from the registry (ISO 8601); older than now when served from cache. */
  listedAt: string;
  /** Total tags when known. */
  total: number | null;
}

/** `browse:image`: an image by tag or digest. */
export interface ImageArgs {
  connection: string;
  repository: string;
  /** A tag or a digest. */
  reference: string;
}

/** The parts of an image config a user looks at. */
export interface ImageConfigSummary {
  created: string | null;
  author: string | null;
  os: string | null;
  architecture: string | null;
  variant: string | null;
  entrypoint: string[] | null;
  cmd: string[] | null;
  env: string[];
  workingDir: string | null;
  user: string | null;
  labels: Record<string, string>;
  exposedPorts: string[];
  volumes: string[];
}

/** One line of an image's history. */
export interface HistoryEntry {
  created: string | null;
  createdBy: string | null;
  comment: string | null;
  /** True for a step that added no layer (ENV, CMD...). */
  emptyLayer: boolean;
  /** The size of the layer it made, when it made one and the count matches. */
  size: number | null;
}

/** One layer (or an artifact's blob). */
export interface LayerInfo {
  digest: string;
  mediaType: string;
  size: number;
  /** True when another platform of the same image has this blob too. */
  shared: boolean;
}

/** One platform of an image (or the whole image when it is not an index). */
export interface PlatformDetails {
  /** `os/arch[/variant]`, or `unknown` (e.g. an attestation manifest). */
  platform: string;
  digest: string;
  mediaType: string;
  /** Manifest bytes. */
  manifestSize: number;
  /** Config + layers, compressed: what a pull of this platform downloads. */
  size: number;
  /** The part of `size` shared with other platforms of the same image. */
  sharedBytes: number;
  uniqueBytes: number;
  config: ImageConfigSummary | null;
  configDigest: string | null;
  layers: LayerInfo[];
  history: HistoryEntry[];
  /** For an artifact: its artifactType. */
  artifactType: string | null;
}

/** A manifest that refers to the image (signature, SBOM, attestation). */
export interface ReferrerSummary {
  digest: string;
  mediaType: string;
  artifactType: string | null;
  size: number;
  annotations: Record<string, string>;
}

/** Everything the image screen shows. */
export interface ImageDetails {
  connection: string;
  repository: string;
  reference: string;
  digest: string;
  mediaType: string;
  /** Manifest bytes of the top manifest. */
  manifestSize: number;
  /** True for an OCI index or Docker manifest list. */
  isIndex: boolean;
  /** Every other tag pointing at the same digest (as far as the tag list shows). */
  tags: string[];
  platforms: PlatformDetails[];
  /** Distinct bytes over all platforms, manifests included. */
  totalBytes: number;
  /** Bytes stored once but used by more than one platform. */
  sharedBytes: number;
  referrers: ReferrerSummary[];
  /** False when the registry has no referrers API and no fallback tag. */
  referrersSupported: boolean;
  annotations: Record<string, string>;
  origin: ContentOrigin | null;
  /** A pull command for this image by digest. */
  pullByDigest: string;
}

/** `browse:repository-size`. */
export interface RepositorySize {
  repository: string;
  tags: number;
  /** Distinct images (digests) the tags point at. */
  images: number;
  /** Distinct bytes of every tagged image (blobs shared between tags counted once). */
  bytes: number;
  /** Tags whose manifest could not be read (not counted). */
  failed: string[];
  /**
   * Local registry only: distinct bytes the repository stores in all, untagged manifests and
   * referrers included (what the repository list shows); more than `bytes` when a tag delete left
   * images untagged.
   */
  stored?: number;
}

/** `tag:delete-preview` and the guard of `tag:delete`. */
export interface TagRef {
  connection: string;
  repository: string;
  tag: string;
}

/** What deleting a tag will do, shown before the user confirms. */
export interface TagDeletePlan {
  tag: string;
  digest: string;
  /** The other tags pointing at the same digest. */
  siblings: string[];
  /**
   * `tag`: the registry deletes tags themselves (Berth, OCI 1.1 registries); siblings stay.
   * `manifest`: only deleting the manifest by digest works (registry:2); siblings go with it.
   * `unsupported`: the registry refuses deletes (405 UNSUPPORTED).
   */
  method: 'tag' | 'manifest' | 'unsupported';
  /** In words, for the confirmation dialog. */
  message: string;
  /**
   * Tags whose digest could not be checked (the registry failed to answer for them): any may point
   * at `digest` too. Absent when every tag was checked.
   */
  unresolved?: string[];
}

/** `tag:delete`. `digest` is the one the user confirmed: if the tag moved since, nothing is deleted. */
export interface TagDeleteArgs extends TagRef {
  digest: string;
  /** Required true when the plan's method is `manifest` and there are siblings. */
  deleteSiblings?: boolean;
}

/** What `tag:delete` did. */
export interface TagDeleteResult {
  digest: string;
  method: 'tag' | 'manifest';
  /** Every tag that no longer exists (the tag, and its siblings when the manifest went). */
  removedTags: string[];
}

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

/**
 * How a connection deletes tags, as far as Berth found out. `tag`: tags are deleted alone (Berth,
 * OCI 1.1 registries). `manifest`: only whole manifests by digest (registry:2), every tag on one goes
 * with it. `unsupported`: the registry refuses deletes. `unknown`: Berth could not tell (see the reason).
 */
export type DeleteMethod = 'tag' | 'manifest' | 'unsupported' | 'unknown';

/** `tags:delete-plan`: what deleting a selection of tags of one repository would do. */
export interface TagsDeletePlanArgs {
  connection: string;
  repository: string;
  /** The selected tags: 1 to 1,000, each once. */
  tags: string[];
}

/** One image (manifest digest) a selection touches, and what becomes of it. */
export interface TagsDeleteImage {
  digest: string;
  /** Selected tags on it: they go. */
  tags: string[];
  /**
   * Tags not selected that go too because the whole manifest is deleted (`manifest`), or would go if
   * the registry turns out to delete by digest only (`unknown`).
   */
  alsoDeleted: string[];
  /** Tags that stay on the image. */
  kept: string[];
  /**
   * `tagged`: kept tags still point at it. `untagged`: it stays in the registry without a tag until a
   * garbage collection that deletes untagged manifests. `deleted`: its manifest is deleted.
   */
  outcome: 'tagged' | 'untagged' | 'deleted';
}

/** What deleting a selection will do, worked out for the whole selection before the user confirms. */
export interface TagsDeletePlan {
  connection: string;
  repository: string;
  method: DeleteMethod;
  /** How Berth knows the method, in words (or why it could not tell). */
  methodReason: string;
  /** The images the selection touches, in the order of their first selected tag. */
  images: TagsDeleteImage[];
  /** Selected tags the repository does not have (any more): nothing to delete. */
  missing: string[];
  /**
   * Tags whose digest could not be checked (the registry failed to answer for them). Selected ones
   * are not deleted; with `manifest` or `unknown`, any of the others may point at a deleted manifest
   * and would go with it.
   */
  unresolved: string[];
  totals: {
    /** Every tag that goes: selected, and also deleted with their manifests. */
    tags: number;
    images: number;
    /** Images left without a tag. */
    untagged: number;
    /** Images whose manifest is deleted. */
    deleted: number;
    /**
     * Bytes a garbage collection that deletes untagged manifests frees afterwards because of this
     * delete (blobs no other tagged image in any repository needs); null where it cannot be known (remotes).
     */
    reclaimable: number | null;
  };
}

/** `tags:delete`: carries out a plan as it was previewed, and nothing more. */
export interface TagsDeleteArgs {
  connection: string;
  repository: string;
  /** The plan's method: if the registry turns out to need more than it said, that image is refused. */
  method: DeleteMethod;
  /** The plan's images: each digest with its selected tags and the tags previewed to go with it. */
  images: Array<{ digest: string; tags: string[]; alsoDeleted: string[] }>;
  /** The plan's unresolved tags, which the user accepted may go with a deleted manifest. */
  unresolved?: string[];
}

/** What `tags:delete` did. */
export interface TagsDeleteResult {
  /** Every tag that no longer exists because of this call. */
  removed: string[];
  /** Manifests deleted, by digest. */
  deletedManifests: string[];
  /** Images left in the registry without a tag. */
  untagged: string[];
  /** Images of the plan left alone or half done, with their tags and why (TAG_MOVED, SIBLINGS_AFFECTED...). */
  failed: Array<{ digest: string; tags: string[]; error: ApiError }>;
}
