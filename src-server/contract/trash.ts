/**
 * The trash of the local registry (issue 19): every tag or manifest delete (registry API, GUI,
 * retention, `berth repo rm`) first becomes a trash item, kept for `trash.keep` (default 7 days).
 * While an item is in the trash, garbage collection frees nothing it needs, so a restore gives the
 * tag back whole. Channels: `trash:list`, `trash:restore`, `trash:empty`.
 */

/** Who deleted what a trash item holds. */
export type TrashSource = 'registry-api' | 'app' | 'retention' | 'repository-delete';

/** One deleted tag or manifest, as the trash keeps it. */
export interface TrashItem {
  /** Stable id (time-ordered), for the GUI's Restore button. */
  id: string;
  repository: string;
  /** The manifest the item holds (an image, an index, or an artifact). */
  digest: string;
  mediaType: string;
  /**
   * `tag`: a tag was deleted and its manifest stayed (possibly untagged now); restoring puts the tag
   * back. `manifest`: the manifest itself was deleted, with `tags` that pointed at it; restoring
   * puts the manifest and those tags back.
   */
  kind: 'tag' | 'manifest';
  /** The deleted tag (kind `tag`: exactly one), or the tags deleted with the manifest. */
  tags: string[];
  /** ISO 8601. */
  deletedAt: string;
  /** When the item leaves the trash for good (ISO 8601): deletedAt + trash.keep. */
  expiresAt: string;
  source: TrashSource;
  /** The user who deleted it, when known (the registry API's or the GUI's user, the OS user of the CLI). */
  by?: string;
  /** For retention: the policy that removed it. */
  policy?: string;
  /** Bytes of every blob the item needs (manifests, configs, layers), each counted once. */
  bytes: number;
  /**
   * Of `bytes`, what nothing outside the trash needs now (no tag, no other manifest): what emptying
   * this item and then a `gc --delete-untagged` frees.
   */
  heldBytes: number;
}

/** `trash:list`: every item, newest first, with totals. */
export interface TrashListing {
  items: TrashItem[];
  /** How long an item stays, in seconds (trash.keep). */
  keepSeconds: number;
  totals: {
    items: number;
    /** Distinct bytes the items need, each blob once. */
    bytes: number;
    /** Distinct bytes only the trash holds back from garbage collection. */
    heldBytes: number;
  };
}

/**
 * `trash:restore`: one item, by `id`, or by `reference`: `REPO:TAG` (the newest item holding that
 * tag) or `REPO@DIGEST` (the newest item holding that manifest).
 */
export type TrashRestoreArgs = { id: string } | { reference: string };

/** What a restore put back. */
export interface TrashRestoreResult {
  item: TrashItem;
  repository: string;
  digest: string;
  /** Tags that point at `digest` again. */
  restoredTags: string[];
  /** Manifests whose revision had been removed (by GC or the delete) and were linked back. */
  relinkedManifests: number;
}

/** `trash:empty`: every item, or those deleted more than `olderThanSeconds` ago, or the items named. */
export interface TrashEmptyArgs {
  olderThanSeconds?: number;
  ids?: string[];
}

/** What emptying removed. */
export interface TrashEmptyResult {
  removed: number;
  /** The items' heldBytes before they went: what a GC can now free. */
  heldBytes: number;
}
