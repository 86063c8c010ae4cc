/**
 * Browsing any connection: repositories, tags and image details. The same DTOs describe the local
 * registry (read in-process from the index) and remote ones (read over the Distribution API, cached
 * in SQLite: manifests and configs by digest for ever, tag lists briefly). Searching is in
 * search.ts, deleting tags in tag-delete.ts.
 */
import type { ContentOrigin } from './envelope';

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

