/**
 * Deleting tags safely: the plan shown before the user confirms and what the delete did, for one tag
 * (`tag:delete-preview`, `tag:delete`) and for a selection of tags of one repository
 * (`tags:delete-plan`, `tags:delete`).
 */
import type { ApiError } from './envelope';

/** `tag:delete-preview` and the guard of `tag:delete`. */
export interface TagRef {
  connection: string;
  repository: string;
  tag: string;
}

/** What deleting a tag will do, shown before the user confirms. */
export interface TagDeletePlan {
  tag: string;
  digest: string;
  /** The other tags pointing at the same digest. */
  siblings: string[];
  /**
   * `tag`: the registry deletes tags themselves (Berth, OCI 1.1 registries); siblings stay.
   * `manifest`: only deleting the manifest by digest works (registry:2); siblings go with it.
   * `unsupported`: the registry refuses deletes (405 UNSUPPORTED).
   */
  method: 'tag' | 'manifest' | 'unsupported';
  /** In words, for the confirmation dialog. */
  message: string;
  /**
   * Tags whose digest could not be checked (the registry failed to answer for them): any may point
   * at `digest` too. Absent when every tag was checked.
   */
  unresolved?: string[];
}

/** `tag:delete`. `digest` is the one the user confirmed: if the tag moved since, nothing is deleted. */
export interface TagDeleteArgs extends TagRef {
  digest: string;
  /** Required true when the plan's method is `manifest` and there are siblings. */
  deleteSiblings?: boolean;
}

/** What `tag:delete` did. */
export interface TagDeleteResult {
  digest: string;
  method: 'tag' | 'manifest';
  /** Every tag that no longer exists (the tag, and its siblings when the manifest went). */
  removedTags: string[];
}

/**
 * How a connection deletes tags, as far as Berth found out. `tag`: tags are deleted alone (Berth,
 * OCI 1.1 registries). `manifest`: only whole manifests by digest (registry:2), every tag on one goes
 * with it. `unsupported`: the registry refuses deletes. `unknown`: Berth could not tell (see the reason).
 */
export type DeleteMethod = 'tag' | 'manifest' | 'unsupported' | 'unknown';

/** `tags:delete-plan`: what deleting a selection of tags of one repository would do. */
export interface TagsDeletePlanArgs {
  connection: string;
  repository: string;
  /** The selected tags: 1 to 1,000, each once. */
  tags: string[];
}

/** One image (manifest digest) a selection touches, and what becomes of it. */
export interface TagsDeleteImage {
  digest: string;
  /** Selected tags on it: they go. */
  tags: string[];
  /**
   * Tags not selected that go too because the whole manifest is deleted (`manifest`), or would go if
   * the registry turns out to delete by digest only (`unknown`).
   */
  alsoDeleted: string[];
  /** Tags that stay on the image. */
  kept: string[];
  /**
   * `tagged`: kept tags still point at it. `untagged`: it stays in the registry without a tag until a
   * garbage collection that deletes untagged manifests. `deleted`: its manifest is deleted.
   */
  outcome: 'tagged' | 'untagged' | 'deleted';
}

/** What deleting a selection will do, worked out for the whole selection before the user confirms. */
export interface TagsDeletePlan {
  connection: string;
  repository: string;
  method: DeleteMethod;
  /** How Berth knows the method, in words (or why it could not tell). */
  methodReason: string;
  /** The images the selection touches, in the order of their first selected tag. */
  images: TagsDeleteImage[];
  /** Selected tags the repository does not have (any more): nothing to delete. */
  missing: string[];
  /**
   * Tags whose digest could not be checked (the registry failed to answer for them). Selected ones
   * are not deleted; with `manifest` or `unknown`, any of the others may point at a deleted manifest
   * and would go with it.
   */
  unresolved: string[];
  totals: {
    /** Every tag that goes: selected, and also deleted with their manifests. */
    tags: number;
    images: number;
    /** Images left without a tag. */
    untagged: number;
    /** Images whose manifest is deleted. */
    deleted: number;
    /**
     * Bytes a garbage collection that deletes untagged manifests frees afterwards because of this
     * delete (blobs no other tagged image in any repository needs); null where it cannot be known (remotes).
     */
    reclaimable: number | null;
  };
}

/** `tags:delete`: carries out a plan as it was previewed, and nothing more. */
export interface TagsDeleteArgs {
  connection: string;
  repository: string;
  /** The plan's method: if the registry turns out to need more than it said, that image is refused. */
  method: DeleteMethod;
  /** The plan's images: each digest with its selected tags and the tags previewed to go with it. */
  images: Array<{ digest: string; tags: string[]; alsoDeleted: string[] }>;
  /** The plan's unresolved tags, which the user accepted may go with a deleted manifest. */
  unresolved?: string[];
}

/** What `tags:delete` did. */
export interface TagsDeleteResult {
  /** Every tag that no longer exists because of this call. */
  removed: string[];
  /** Manifests deleted, by digest. */
  deletedManifests: string[];
  /** Images left in the registry without a tag. */
  untagged: string[];
  /** Images of the plan left alone or half done, with their tags and why (TAG_MOVED, SIBLINGS_AFFECTED...). */
  failed: Array<{ digest: string; tags: string[]; error: ApiError }>;
}
