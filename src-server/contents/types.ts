/**
 * What the parts of image contents share: a layer's listing as read from its tar (before merging),
 * the errors a layer read ends in, and the small reader interface every image source (a registry
 * repository, a remote connection, an OCI layout) offers to it.
 */
import type { Readable } from 'node:stream';
import type { FileEntry, FilePreview, ImageDiff, ImageFiles, ImageLayers } from '../contract/contents';
import type { SourceBlob, SourceManifest } from '../browse/source';

/**
 * One entry of a layer's tar: a FileEntry before merging gives it a layer. Its path is normalized
 * (no leading `/` or `./`, no `..`); a hardlink's target is normalized like it.
 */
export type RawEntry = Omit<FileEntry, 'layer'>;

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
  /**
   * Paths the tar holds more than once, with how many times (the listing keeps the last): so a
   * file's bytes are taken from that last place too. Absent when there are none.
   */
  repeated?: Record<string, number>;
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

/** What `extract` wrote. */
export interface ExtractReport {
  /** Entries written under the output folder (files, folders, links). */
  written: number;
  /** Bytes of file content written. */
  bytes: number;
  /** What was not written, and why (a device file, a link leaving the tree, ...). */
  skipped: { path: string; reason: string }[];
  /** What was written differently from the image (setuid, setgid and sticky bits dropped, ...). */
  notes?: string[];
}

/** A file's bytes, or a folder as a tar, streamed from its layers. */
export interface ContentsDownload {
  /** A file name for a save dialog: the file's own name, or `<folder>.tar`. */
  name: string;
  kind: 'file' | 'tar';
  /** Bytes, when known before streaming (a file's size). */
  size: number | null;
  stream: Readable;
}

/** Options of the calls on one image. */
export interface ContentsOptions {
  /** `os/arch[/variant]`; see ContentsRef.platform. */
  platform?: string;
  signal?: AbortSignal;
}

/** One image as the contents calls take it: where to read it and which tag or digest. */
export interface ImageAt {
  reader: ImageReader;
  reference: string;
  platform?: string;
}

/**
 * Image contents over any reader: the merged filesystem, each layer's changes, a file's start or
 * bytes, extraction into a folder and the diff of two images. Layer listings are cached by digest.
 */
export interface ContentsService {
  files(image: ImageAt, opts?: { path?: string; signal?: AbortSignal }): Promise<ImageFiles>;
  layers(image: ImageAt, opts?: { signal?: AbortSignal }): Promise<ImageLayers>;
  preview(image: ImageAt, path: string, opts?: { signal?: AbortSignal }): Promise<FilePreview>;
  download(image: ImageAt, path: string, opts?: { signal?: AbortSignal }): Promise<ContentsDownload>;
  extract(image: ImageAt, paths: string[], outDir: string, opts?: { signal?: AbortSignal }): Promise<ExtractReport>;
  diff(left: ImageAt, right: ImageAt, opts?: { signal?: AbortSignal }): Promise<ImageDiff>;
}
