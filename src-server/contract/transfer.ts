/**
 * Moving images between any two places (issue 20): registries (the local one, saved connections,
 * a host named on the command line) and files in skopeo's reference syntax: an OCI image layout
 * folder (`oci:DIR[:TAG]`), an OCI archive (`oci-archive:FILE[:TAG]`) and a docker archive
 * (`docker-archive:FILE[:REPO:TAG]`, what `docker save` writes and `docker load` reads).
 * Channels: `transfer:copy`, `archive:export`, `archive:import`; progress as `transfer:progress`.
 *
 * Paths are absolute. File places are taken only from callers that own the machine (the CLI
 * through the control listener, the desktop's main process): the browser GUI's HTTP bridge refuses
 * them, and downloads or uploads archives instead.
 */

/** Credentials and trust for a host named without a saved connection. */
export interface HostAccess {
  username?: string;
  password?: string;
  /** false: accept any certificate, or plain http when the host does not speak TLS (skopeo's --tls-verify=false). */
  tlsVerify?: boolean;
  /** A CA to trust for this host (PEM). */
  caPem?: string;
}

/** Where an image is. */
export type ImagePlace =
  /** The local registry (`connection: 'local'`) or a saved connection (its id or its name). */
  | { transport: 'registry'; connection: string; repository: string; reference?: string }
  /** A registry host (`HOST[:PORT]`): its saved connection's URL and password when one names the host, else `access`. */
  | { transport: 'host'; host: string; repository: string; reference?: string; access?: HostAccess }
  /** An OCI layout folder or OCI archive; `reference` is the image's `org.opencontainers.image.ref.name` (a tag). */
  | { transport: 'oci' | 'oci-archive'; path: string; reference?: string }
  /** A docker archive; `reference` is `REPO:TAG` as in its manifest.json's RepoTags. */
  | { transport: 'docker-archive'; path: string; reference?: string };

/** The transports of {@link ImagePlace}. */
export type TransportName = ImagePlace['transport'];

/**
 * Which platforms of a multi-platform index to take: `all` keeps the index whole (same digest);
 * a list takes those (one: that image alone; several: a new index with only those); omitted takes
 * the platform of the machine Berth runs on, as skopeo does without --all.
 */
export type PlatformChoice = 'all' | string[];

/** `transfer:copy`: one image from anywhere to anywhere (`berth copy SRC DST`). */
export interface TransferCopyArgs {
  from: ImagePlace;
  to: ImagePlace;
  platforms?: PlatformChoice;
  /** Also copy the referrers (signatures, SBOMs) of every copied manifest. Default false. */
  referrers?: boolean;
  /** Replace what a destination tag holds, as skopeo does (the report names what was replaced). Default false: DESTINATION_EXISTS. */
  overwrite?: boolean;
  /** Matches `transfer:progress` events, and cancels through `transfer:cancel`. */
  operationId?: string;
}

/** What `transfer:copy` did. */
export interface TransferCopyReport {
  /** The top manifest written. */
  digest: string;
  /** Where it went, in reference syntax (`oci-archive:/tmp/a.tar:v1`, `local repo:tag`, ...). */
  target: string;
  manifests: number;
  blobsCopied: number;
  blobsSkipped: number;
  bytesCopied: number;
  /** Referrers copied along (with `referrers`). */
  referrers: number;
  /** The digest the destination tag held before, when the copy replaced it. */
  replaced?: string;
  durationMs: number;
}

/** `archive:export`: several images, with their referrers, into one archive file. */
export interface ArchiveExportArgs {
  images: ImagePlace[];
  /** The archive to write (absolute). It is written beside itself and renamed into place when whole. */
  out: string;
  /** `oci` (default): an OCI archive holding every platform and the referrers; `docker`: what `docker load` reads, one platform per image. */
  format?: 'oci' | 'docker';
  /** Default: `all` for oci, the machine's platform for docker. */
  platforms?: PlatformChoice;
  /** Default true for oci; a docker archive cannot hold referrers (they are counted in `leftOut`). */
  referrers?: boolean;
  operationId?: string;
}

/** One image written into an archive. */
export interface ArchivedImage {
  /** The name it has in the archive (`repo:tag`, or `repo@digest` for an image exported by digest). */
  name: string;
  digest: string;
  referrers: number;
}

/** What `archive:export` wrote. */
export interface ArchiveExportReport {
  path: string;
  format: 'oci' | 'docker';
  images: ArchivedImage[];
  /** The archive's size. */
  bytes: number;
  /** Referrers that the format could not hold. */
  leftOut: number;
  durationMs: number;
}

/** `archive:import`: every image of an OCI or docker archive into the local registry. */
export interface ArchiveImportArgs {
  /** The archive (absolute path). */
  path: string;
  /** Put every image into this repository (their tags kept); needed for images the archive does not name. */
  to?: string;
  operationId?: string;
}

/** One image of an imported archive. */
export interface ImportedImage {
  /** How the archive names it (`repo:tag`, a tag alone, or `#N` for an unnamed one). */
  name: string;
  /** Where it went (`repo:tag`), or null when it failed. */
  target: string | null;
  digest: string | null;
  ok: boolean;
  /** Why it failed, naming the image and what was wrong (a missing blob, a wrong digest). */
  error?: { code: string; message: string };
}

/** What `archive:import` did. Images fail one by one: a broken one imports nothing of itself and the others go on. */
export interface ArchiveImportReport {
  format: 'oci' | 'docker';
  images: ImportedImage[];
  imported: number;
  failed: number;
  durationMs: number;
}

/** Progress of a copy, an export or an import (event `transfer:progress`). */
export interface TransferProgress {
  operationId: string | null;
  /** The image being moved, in reference syntax. */
  image: string;
  imagesDone: number;
  imagesTotal: number;
  bytesDone: number;
  /** Known once the current image's manifests are read; grows as images start. */
  bytesTotal: number;
  bytesPerSecond: number | null;
}
