/**
 * The registry as its users see it: one repository-scoped API for the /v2 routes, browsing, copying
 * and the pull-through cache. The local registry implements it over its stores, and a pull-through
 * cache wraps one and implements it again; a caller cannot tell which it holds.
 */
import type { Readable } from 'node:stream';
import type { DigestAlgorithm, ParsedDigest } from '../core/digest';
import type { TagOriginRecord } from '../index/origin-store';
import type { ReferrerRow } from '../index/registry-index';
import type { ByteRange, HeldFile } from '../storage/driver';
import { UploadStore, type UploadStatus } from '../storage/uploads';

export type { UploadStatus } from '../storage/uploads';
/** A blob in storage, as a listing finds it. */
export type { StoredBlob } from '../storage/blobs';

/** True for a string shaped like an upload id (anything else is unknown without asking storage). */
export function isUploadId(value: string): boolean {
  return UploadStore.isUuid(value);
}

/** A manifest ready to serve. */
export interface ServedManifest {
  digest: string;
  mediaType: string;
  body: Buffer;
}

/** How a manifest arrives: pushed by a client (verified), or cached from an upstream. */
export interface PutManifestOptions {
  /** The upstream URL when the pull-through cache stores it; its blobs are fetched later, on demand. */
  cachedFrom?: string;
}

/** What a reader of a blob asks for, given before the blob's size is known. */
export interface BlobRequest {
  /**
   * The byte range to send once the size is known (undefined: all of it). It may throw, for a range
   * outside the blob; nothing has been sent then.
   */
  range(size: number): ByteRange | undefined;
  /** Whether a redirect to the bytes' own URL will do (registry:2's `storage.redirect`; GETs only). */
  redirect?: boolean;
  /** Whether a local file for a zero-copy send will do; otherwise the answer is a stream. */
  file?: boolean;
}

/**
 * An opened blob, in the cheapest form the registry has it: a redirect to its storage, a local file
 * for a zero-copy send (close it to give its descriptor back), or a stream of the chosen range.
 */
export type BlobContent = { size: number; range: ByteRange | undefined } & (
  | { redirect: string }
  | { file: HeldFile }
  | { stream: Readable }
);

/** Neutral outcome of a manifest put: the stored digest and the subject it names (for OCI-Subject). */
export interface PutManifestResult {
  digest: string;
  subject: string | null;
}

/** Who deletes, recorded on the trash item the delete becomes (issue 19). */
export interface DeleteContext {
  /** Default `registry-api`. */
  source?: 'registry-api' | 'app' | 'retention' | 'repository-delete';
  /** The user, when known. */
  by?: string;
  /** The retention policy that removed it. */
  policy?: string;
}

/**
 * The repository-scoped registry API. Missing things throw the neutral NotFoundError (the caller
 * picks the protocol's code), and every write is ordered against garbage collection inside.
 */
export interface RegistryService {
  /** registry:2's `storage.delete.enabled`: when false, deletes are refused. */
  readonly deleteEnabled: boolean;

  /** Size of a blob in a repository; NotFoundError when it is not there. */
  statBlob(repo: string, d: ParsedDigest): Promise<number>;
  /** `statBlob` for a pushing client deciding whether to upload it: a later manifest may name it. */
  claimBlob(repo: string, d: ParsedDigest): Promise<number>;
  /** Opens a blob to send (see {@link BlobContent}); NotFoundError when it is not there. */
  openBlob(repo: string, d: ParsedDigest, request: BlobRequest): Promise<BlobContent>;
  /** Unlinks a blob from a repository. */
  deleteBlob(repo: string, d: ParsedDigest): Promise<void>;
  /** Links an existing blob into `repo` (from `from` when named); false when there is nothing to mount. */
  mountBlob(repo: string, d: ParsedDigest, from?: string): Promise<boolean>;
  /**
   * Stores a whole blob from a stream in one upload (started, committed, cancelled on failure);
   * resolves to its size once its digest is verified and it is visible.
   */
  putBlob(repo: string, d: ParsedDigest, source: AsyncIterable<Buffer>, opts?: PutManifestOptions): Promise<number>;

  /** Starts an upload; `algorithm` is the digest it will be verified against, when known. */
  startUpload(repo: string, algorithm?: DigestAlgorithm): Promise<UploadStatus>;
  /** Appends to an upload, at `offset` when the client gave one. */
  appendUpload(repo: string, uuid: string, chunk: AsyncIterable<Buffer>, offset?: number): Promise<UploadStatus>;
  /** An upload's progress; NotFoundError for an unknown one. */
  uploadStatus(repo: string, uuid: string): Promise<UploadStatus>;
  /** Finishes an upload with its last bytes (if any), verifying the digest; resolves to the size. */
  commitUpload(repo: string, uuid: string, d: ParsedDigest, source?: AsyncIterable<Buffer>, opts?: PutManifestOptions): Promise<number>;
  /** Abandons an upload and removes its data. */
  cancelUpload(repo: string, uuid: string): Promise<void>;

  /** Repository names for `_catalog`, in order, after `last`. */
  catalog(n: number, last?: string): string[];
  /** Tags of a repository in order, after `last`; NotFoundError for an unknown repository. */
  tags(repo: string, n: number, last?: string): string[];
  /** Every tag of a repository, or null for an unknown repository. */
  allTags(repo: string): string[] | null;
  /** Brings a repository's rows up to date before they are listed (shared storage); else a no-op. */
  freshen(repo: string): Promise<void>;
  /** The digest a tag points at, or null. */
  currentTag(repo: string, tag: string): Promise<string | null>;
  /** Whether the repository holds the manifest. */
  holdsManifest(repo: string, d: ParsedDigest): Promise<boolean>;
  /** The tags of `repo` that point at `digest`. */
  tagsOf(repo: string, digest: string): string[];

  /** A manifest by tag or digest; NotFoundError when missing or for a reference that is neither. */
  getManifest(repo: string, ref: string): Promise<ServedManifest>;
  /** Validates and stores a manifest under a tag or digest reference. */
  putManifest(repo: string, ref: string, body: Buffer, contentType: string | undefined, opts?: PutManifestOptions): Promise<PutManifestResult>;
  /**
   * Deletes a tag (by tag), or a manifest and every tag pointing at it (by digest), into the trash
   * first (see DeleteContext).
   */
  deleteManifest(repo: string, ref: string, context?: DeleteContext): Promise<void>;
  /** Deletes a repository's tags, manifests, links and uploads, into the trash first; its blobs wait for GC. */
  deleteRepository(repo: string, context?: DeleteContext): Promise<{ tags: number; manifests: number }>;
  /** Manifests in `repo` naming `digest` as their subject. */
  referrers(repo: string, digest: string, artifactType?: string): ReferrerRow[];
}

/**
 * What a cache in front of the registry needs beyond the service: whether the bytes of a blob are
 * stored at all (in any repository), and the origin records of tags it fetched.
 */
export interface CacheTarget extends RegistryService {
  /** Whether the registry stores the blob's bytes, in any repository. */
  hasBlobData(d: ParsedDigest): Promise<boolean>;
  /** Where a tag came from, or null when nothing was recorded. */
  tagOrigin(repo: string, tag: string): TagOriginRecord | null;
  /** Records that a cached tag was checked against its upstream at `at` (ms since the epoch). */
  markTagChecked(repo: string, tag: string, at: number): void;
}
