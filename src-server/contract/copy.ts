/**
 * Copying an image from one connection to another (the GUI's `skopeo copy`): a preview that says
 * what the target tag holds now, the copy itself (which never overwrites a tag unasked), its
 * progress with a rate, and cancelling it.
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
  /** Chosen by the caller to match `copy:progress` events to this call, and to cancel it. */
  operationId?: string;
  /**
   * What the target tag must point at when the copy writes it, as `image:copy-preview` showed it:
   * a digest (the user confirmed replacing that image, and only that one), or null (the tag must
   * not exist). Omitted: the tag must not exist or already hold the copied digest. Otherwise the
   * copy is refused before anything moves (DESTINATION_EXISTS, DESTINATION_CHANGED), and checked
   * again just before the tag is written. Only with a target tag.
   */
  expectDestination?: string | null;
  /**
   * Also copy the referrers (signatures, SBOMs, attestations) of every copied manifest, found
   * through the source's referrers API or its `sha256-<hex>` fallback tag. Default false: a copy
   * writes what was asked for, and the preview says how many there are.
   */
  referrers?: boolean;
}

/** `image:copy-preview`: the copy as it would run. */
export type CopyPreviewArgs = Omit<CopyArgs, 'operationId' | 'expectDestination'>;

/** What a manifest is, in brief, for the overwrite warning. */
export interface ManifestBrief {
  digest: string;
  mediaType: string;
  /** `index` (an OCI index or Docker manifest list) or `image` (an image manifest or an artifact). */
  kind: 'index' | 'image';
  /** An index's platforms (`os/arch[/variant]`, attestations left out); a single image's when known; else empty. */
  platforms: string[];
}

/** What a copy would do to its target. */
export interface CopyPreview {
  /** The manifest the copy writes under the target (after choosing platforms). */
  source: ManifestBrief;
  /** What the target tag points at now; null when it does not exist or no tag is given. */
  destination: ManifestBrief | null;
  /**
   * `new`: the tag does not exist; `same`: it holds the copied digest already; `overwrite`: it
   * holds another image, which the copy would replace; `untagged`: no target tag (a push by digest
   * replaces nothing).
   */
  outcome: 'new' | 'same' | 'overwrite' | 'untagged';
  /** Referrers of the copied manifests at the source; null when the source cannot list them. */
  referrers: number | null;
}

/** `image:copy-cancel`. */
export interface CopyCancelArgs {
  operationId: string;
}

/** What `image:copy-cancel` did: true when a running copy was told to stop (its call then ends with CANCELLED, or with its report if it had already written the tag). */
export interface CopyCancelResult {
  cancelled: boolean;
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
  /** Bytes a second over the last few seconds; null until there is enough to measure. */
  bytesPerSecond: number | null;
  /** Seconds left at that rate; null while there is no rate, or outside the blob phase. */
  etaSeconds: number | null;
}

/** The referrers a copy took along (with `referrers: true`). */
export interface CopyReferrersReport {
  /** Referrers found at the source for the copied manifests (and for referrers of those). */
  found: number;
  /** Written to the target. */
  copied: number;
  /** Found but not copied: past the limit of one copy. */
  leftOut: number;
  /** Fallback tags (`sha256-<hex>`) written at a target without a referrers API, so that clients find them there. */
  fallbackTags: number;
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
  /** The image the target tag pointed at before, when the copy replaced one. */
  replaced?: string;
  /** With `referrers: true`. */
  referrers?: CopyReferrersReport;
}
