/**
 * Copying an image from one connection to another (the GUI's `skopeo copy`).
 */

/** An image on a connection. */
export interface ImageLocation {
  connection: string;
  repository: string;
  /** A tag or a digest (source); a tag, or omitted to push by digest only (target). */
  reference?: string;
}

/** `image:copy`. */
export interface CopyArgs {
  from: ImageLocation & { reference: string };
  to: ImageLocation;
  /**
   * For an index: omitted copies the index as it is (every platform, same digest); one platform
   * (`linux/amd64`) copies that image alone; several write a new index with only those.
   */
  platforms?: string[];
  /** Chosen by the caller to match `copy:progress` events to this call. */
  operationId?: string;
}

/** Progress of a copy (event `copy:progress`). Byte totals are known once the manifests are read. */
export interface CopyProgress {
  operationId: string | null;
  phase: 'resolve' | 'blobs' | 'manifests' | 'done';
  bytesDone: number;
  bytesTotal: number;
  blobsDone: number;
  blobsTotal: number;
  /** The blob being transferred. */
  current: string | null;
}

/** What a copy did. */
export interface CopyReport {
  /** Digest of the top manifest written to the target. */
  digest: string;
  /** The target reference (`repo:tag` or `repo@digest`). */
  target: string;
  manifests: number;
  /** Blobs streamed across, mounted from another repository of the target, and already present. */
  blobsCopied: number;
  blobsMounted: number;
  blobsSkipped: number;
  bytesCopied: number;
  durationMs: number;
}
