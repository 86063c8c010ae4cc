/**
 * One registry as the app core sees it, whichever it is: the embedded one (read in-process through
 * the index, see LocalSource) or a remote one over the Distribution API (RemoteSource in
 * src-server/remote). Browsing, tag deletion and copying are written once against this interface.
 *
 * Failures are neutral: a missing thing resolves null; a registry that refuses a delete throws
 * RegistryError('UNSUPPORTED'); other failures throw RegistryError or the remote's RemoteError.
 */
import type { CatalogRefusal } from '../contract/browse';

/** A manifest as read. */
export interface SourceManifest {
  digest: string;
  mediaType: string;
  body: Buffer;
}

/** A manifest's identity without its body. */
export interface SourceManifestHead {
  digest: string;
  mediaType: string;
  size: number;
}

/** A blob being read: its size and its bytes (read once). */
export interface SourceBlob {
  size: number;
  chunks: AsyncIterable<Buffer>;
  /** Stops the read without consuming it. */
  cancel(): Promise<void>;
}

/** A page of repository names and where they came from. */
export interface SourceRepositoryPage {
  names: string[];
  /** The `last` for the next page, or null at the end. */
  next: string | null;
  source: 'index' | 'catalog' | 'namespace' | 'saved';
  /** Source `saved` from a registry with a catalog: why the catalog was not listed. */
  catalogRefusal?: CatalogRefusal;
}

/** A referrer as the referrers API lists it (an OCI descriptor). */
export interface SourceReferrer {
  digest: string;
  mediaType: string;
  artifactType: string | null;
  size: number;
  annotations: Record<string, string>;
}

/** What deleting a tag by its name did. */
export type TagDeleteOutcome = 'deleted' | 'unsupported';

/** A registry, local or remote. */
export interface RegistrySource {
  /** The connection id. */
  readonly id: string;
  /** The connection's name as the user knows it: what messages call it (never the id). */
  readonly name: string;
  /** `host[:port]` as clients pull from it (`ghcr.io`, `127.0.0.1:5000`); for pull commands. */
  readonly pullHost: string;
  /** True for the embedded registry (origins known, deletes in-process). */
  readonly local: boolean;

  /** A page of repository names in lexical order, after `last`, at most `n`. */
  repositories(n: number, last?: string): Promise<SourceRepositoryPage>;
  /** Every tag of a repository (all pages), or null when the repository is unknown. */
  tags(repository: string): Promise<string[] | null>;
  /** A manifest's digest, media type and size by tag or digest (HEAD), or null. */
  headManifest(repository: string, reference: string): Promise<SourceManifestHead | null>;
  /** A manifest by tag or digest, its digest verified when fetched by digest, or null. */
  getManifest(repository: string, reference: string): Promise<SourceManifest | null>;
  /** A blob's size, or null when the repository does not have it. */
  headBlob(repository: string, digest: string): Promise<number | null>;
  /** A blob's bytes, or null. `signal` (optional) aborts the download, the body's reads included. */
  getBlob(repository: string, digest: string, signal?: AbortSignal): Promise<SourceBlob | null>;
  /** Manifests whose subject is `digest`, or null when the registry has no referrers API. */
  referrers(repository: string, digest: string): Promise<SourceReferrer[] | null>;

  /** Mounts a blob from another repository of the same registry; false when it could not. */
  mountBlob(repository: string, digest: string, from: string): Promise<boolean>;
  /** Uploads a blob from a stream; the registry verifies it against `digest`. `signal` (optional) aborts it. */
  putBlob(repository: string, digest: string, size: number, chunks: AsyncIterable<Buffer>, signal?: AbortSignal): Promise<void>;
  /** Stores a manifest under a tag or its digest; returns the digest. */
  putManifest(repository: string, reference: string, body: Buffer, mediaType: string): Promise<string>;
  /** Deletes a tag by its name (OCI 1.1); 'unsupported' when the registry only deletes by digest. */
  deleteTag(repository: string, tag: string): Promise<TagDeleteOutcome>;
  /** Deletes a manifest by digest (and with it every tag on it); UNSUPPORTED when refused. */
  deleteManifest(repository: string, digest: string): Promise<void>;
  /** Frees what the source holds open (a remote's connection pool); it is not used afterwards. */
  close?(): Promise<void>;
}
