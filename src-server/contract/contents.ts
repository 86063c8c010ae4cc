/**
 * Image contents: the merged filesystem of one platform of an image, each layer's changes, a file's
 * bytes, and the difference between two images. Shared by the `contents:*` channels, the GUI's
 * Files, Layers and Compare views and `berth files|extract|diff --json`.
 *
 * Paths are relative to the image's root, `/`-separated, without a leading `/` or `./`
 * (`etc/os-release`); the root itself is never an entry.
 */

/** Which image: a tag or digest of a repository on a connection (`local` for the embedded registry). */
export interface ContentsRef {
  connection: string;
  repository: string;
  /** A tag or a digest. */
  reference: string;
  /**
   * `os/arch[/variant]`. A multi-arch image needs it unless one of its platforms matches the
   * machine that reads it; an unknown one is refused with the list of those the image has.
   */
  platform?: string;
}

/** The kind of a filesystem entry. */
export type FileType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

/** One entry of an image's filesystem (or of a layer). */
export interface FileEntry {
  path: string;
  type: FileType;
  /** Bytes of a regular file's content; 0 for the other types. */
  size: number;
  /** Permission bits with setuid, setgid and sticky (`mode & 0o7777`). */
  mode: number;
  uid: number;
  gid: number;
  /** A symlink's target as written, or a hardlink's target path (relative to the root). */
  link?: string;
  /** `sha256:<hex>` of a regular file's content. */
  digest?: string;
  /** Index (from 0, base first) of the layer that last wrote the entry. */
  layer: number;
}

/** How a later layer hid a file an earlier layer wrote. */
export type HiddenHow = 'deleted' | 'overwritten';

/** A file that a layer wrote and a later layer deleted or overwrote: bytes in the image no one sees. */
export interface HiddenEntry {
  path: string;
  type: FileType;
  size: number;
  /** The layer that wrote it. */
  layer: number;
  /** The layer that deleted or overwrote it. */
  by: number;
  how: HiddenHow;
}

/** What a layer did to one path. */
export type ChangeKind = 'added' | 'modified' | 'deleted';

/** One change a layer made. `size` is the new size (added, modified) or the removed one (deleted). */
export interface LayerChange {
  path: string;
  kind: ChangeKind;
  type: FileType;
  size: number;
}

/** One layer of an image and what it did. */
export interface ContentsLayer {
  index: number;
  digest: string;
  mediaType: string;
  /** Bytes of the blob as stored (compressed). */
  size: number;
  /** Bytes of its tar; null when it was not read (a foreign layer). */
  uncompressedSize: number | null;
  /** The config history's `created_by` of this layer, when known. */
  createdBy: string | null;
  /** A foreign (non-distributable) layer: reported, never fetched; its files are unknown. */
  foreign: boolean;
  added: number;
  modified: number;
  deleted: number;
  /** Bytes of files this layer writes that a later layer overwrites or deletes. */
  wasted: number;
  /** Entries skipped or doubtful (e.g. `../x skipped: it leaves the image's root`). */
  warnings: string[];
}

/** The image a listing or a diff was made of. */
export interface ContentsImage {
  /** Digest of the image manifest read (the platform's, for a multi-arch image). */
  digest: string;
  /** Digest of the index it was chosen from, or null for a single image. */
  indexDigest: string | null;
  /** `os/arch[/variant]` of the image read, when known. */
  platform: string | null;
  /** Every platform the index lists (one entry, or none, for a single image). */
  platforms: string[];
}

/** The merged filesystem of an image. */
export interface ImageFiles extends ContentsImage {
  layers: ContentsLayer[];
  /** The merged filesystem, sorted by path (under `path` only, when asked). */
  entries: FileEntry[];
  /** Files deleted or overwritten by a later layer, sorted by path. */
  hidden: HiddenEntry[];
  /** Sum of `size` of the entries. */
  totalSize: number;
  /** Sum of the layers' `wasted`. */
  wasted: number;
  /** Warnings of the whole image (each layer's are in its ContentsLayer too). */
  warnings: string[];
}

/** A layer with the list of its changes. */
export interface LayerChanges extends ContentsLayer {
  changes: LayerChange[];
}

/** Each layer's changes, in order (dive's view). */
export interface ImageLayers extends ContentsImage {
  layers: LayerChanges[];
  wasted: number;
  warnings: string[];
}

/** Arguments of `contents:files`. */
export interface ContentsFilesArgs extends ContentsRef {
  /** Only what is under this path (the path itself included). */
  path?: string;
}

/** Arguments of the calls on one path of an image (preview, download). */
export interface ContentsPathArgs extends ContentsRef {
  path: string;
}

/** Largest file `contents:preview` returns. */
export const MAX_PREVIEW_BYTES = 256 * 1024;

/** The start of a file, as text when it is text. */
export interface FilePreview {
  path: string;
  size: number;
  /** Its first MAX_PREVIEW_BYTES as UTF-8, or null when it is not text (or not a regular file). */
  text: string | null;
  /** True when the file is longer than what `text` holds. */
  truncated: boolean;
}

/** One side of a file's change between two images: the entry without its path and layer. */
export type FileSide = Omit<FileEntry, 'path' | 'layer'>;

/** What differs about a path present in both images. */
export type FileAspect = 'type' | 'size' | 'mode' | 'owner' | 'content' | 'link';

/** A path that differs between two images. */
export interface FileDiff {
  path: string;
  kind: 'added' | 'removed' | 'changed';
  left?: FileSide;
  right?: FileSide;
  /** For `changed`: what differs. */
  aspects: FileAspect[];
}

/** A config field compared by `berth diff`. */
export type ConfigField = 'env' | 'entrypoint' | 'cmd' | 'workdir' | 'user' | 'labels' | 'exposedPorts';

/** One change of the image config. `key` names the variable, label or port of a map-like field. */
export interface ConfigChange {
  field: ConfigField;
  key?: string;
  /** JSON text of the left value (null: absent). */
  left: string | null;
  right: string | null;
}

/** A layer blob named in a diff. */
export interface DiffLayer {
  digest: string;
  size: number;
}

/** The difference between two images. */
export interface ImageDiff {
  left: ContentsImage;
  right: ContentsImage;
  files: FileDiff[];
  config: ConfigChange[];
  layers: { shared: DiffLayer[]; leftOnly: DiffLayer[]; rightOnly: DiffLayer[] };
  /** Compressed bytes (config + layers) of each side, and right - left. */
  size: { left: number; right: number; delta: number };
  warnings: string[];
}

/** Arguments of `contents:diff`: two images, possibly on different connections. */
export interface ContentsDiffArgs {
  left: ContentsRef;
  right: ContentsRef;
}
