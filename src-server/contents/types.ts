/**
 * What the parts of image contents share: a layer's listing as read from its tar (before merging),
 * the errors a layer read ends in, and the small reader interface every image source (a registry
 * repository, a remote connection, an OCI layout) offers to it.
 */
import type { FileType } from '../contract/contents';
import type { SourceBlob, SourceManifest } from '../browse/source';

/** One entry of a layer's tar, its path normalized (no leading `/` or `./`, no `..`). */
export interface RawEntry {
  path: string;
  type: FileType;
  size: number;
  /** `mode & 0o7777`. */
  mode: number;
  uid: number;
  gid: number;
  /** A symlink's target as written; a hardlink's target path, normalized like `path`. */
  link?: string;
  /** `sha256:<hex>` of a regular file's content. */
  digest?: string;
}

/** Everything a layer says, in tar order, once its whiteouts are told apart from its files. */
export interface LayerListing {
  /** Files, folders and links the layer writes (whiteout markers excluded). */
  entries: RawEntry[];
  /** Paths the layer deletes (`dir/.wh.name` gives `dir/name`). */
  whiteouts: string[];
  /** Folders whose lower contents the layer hides (`dir/.wh..wh..opq` gives `dir`). */
  opaque: string[];
  /** Bytes of the uncompressed tar. */
  uncompressedSize: number;
  /** What was skipped or doubtful, in words (`../etc/passwd skipped: it leaves the image's root`). */
  warnings: string[];
}

/** A layer as its manifest names it. */
export interface LayerDescriptor {
  digest: string;
  mediaType: string;
  size: number;
  /** Where a foreign layer lives (never fetched). */
  urls?: string[];
}

/** Why reading a layer failed. */
export type LayerErrorKind =
  /** The bytes do not hash to the layer's digest. */
  | 'DIGEST_MISMATCH'
  /** The compression or the tar is truncated or corrupt. */
  | 'CORRUPT'
  /** It expands beyond the ratio or size limit (a decompression bomb). */
  | 'TOO_LARGE'
  /** A media type that is not a layer Berth can read. */
  | 'UNSUPPORTED'
  /** The registry does not have the blob. */
  | 'MISSING';

/** A layer that could not be read, with words that name it. */
export class LayerError extends Error {
  constructor(
    readonly kind: LayerErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'LayerError';
  }
}

/** Reads the blobs of one image (a repository of a registry, or an OCI layout). */
export interface BlobReader {
  /** A blob's bytes, or null when it is not there. `signal` aborts the read. */
  blob(digest: string, signal?: AbortSignal): Promise<SourceBlob | null>;
}

/** Reads one repository's manifests and blobs: what listing, extracting and diffing need. */
export interface ImageReader extends BlobReader {
  /** How messages name it: `127.0.0.1:5000/team/app`, `oci:/tmp/layout`, `local team/app`. */
  readonly label: string;
  /** A manifest by tag or digest, or null when there is none. */
  manifest(reference: string): Promise<SourceManifest | null>;
  /** Frees what it holds (a remote's connections). */
  close?(): Promise<void>;
}
