/**
 * The checks a manifest passes before the registry stores or serves it: the reference names
 * something (a valid tag or digest), the body is a manifest within the limits and matches a digest
 * reference, and the blobs it lists are in the repository. Pure of registry state: the Registry
 * calls these and keeps the writes, the index and shared storage to itself.
 */
import { digestOf, looksLikeDigest, parseDigest } from '../core/digest';
import {
  DigestMismatchError,
  InvalidManifestError,
  InvalidReferenceError,
  ManifestTooLargeError,
  MissingReferencesError,
  NotFoundError,
} from '../core/errors';
import { mapLimit } from '../core/concurrency';
import { MAX_MANIFEST_DESCRIPTORS, ManifestParseError, TooManyDescriptorsError, parseManifest, type ManifestInfo } from '../core/manifest';
import { isValidTag } from '../core/names';
import type { BlobStore } from '../storage/blobs';

/** Largest manifest accepted (the spec asks registries to take at least 4 MiB). */
export const MAX_MANIFEST_BYTES = 4 << 20;

/**
 * Blobs of a pushed manifest checked at once (each check reads a link file and stats the blob):
 * enough to overlap the thread pool's four threads, small enough that many pushes at once stay
 * far from the process's descriptor budget.
 */
export const PARALLEL_REFERENCE_CHECKS = 8;

/** A pushed manifest that passed {@link checkPushedManifest}. */
export interface CheckedManifest {
  /** True when the reference is a digest (no tag is set). */
  byDigest: boolean;
  /** The manifest's digest, in the algorithm of a digest reference (else sha256). */
  digest: string;
  info: ManifestInfo;
}

/**
 * Checks a manifest pushed under `ref`: the reference is a valid digest (DIGEST_INVALID) or tag
 * (TAG_INVALID), the body is at most {@link MAX_MANIFEST_BYTES} (413 MANIFEST_INVALID) and parses
 * with at most MAX_MANIFEST_DESCRIPTORS descriptors (MANIFEST_INVALID), and its digest is the one
 * a digest reference names (DIGEST_INVALID).
 */
export function checkPushedManifest(ref: string, body: Buffer, contentType: string | undefined): CheckedManifest {
  const byDigest = looksLikeDigest(ref);
  const refDigest = byDigest ? parseDigest(ref) : null;
  if (byDigest && !refDigest) throw new InvalidReferenceError('digest', ref);
  if (!byDigest && !isValidTag(ref)) throw new InvalidReferenceError('tag', ref);
  if (body.length > MAX_MANIFEST_BYTES) {
    throw new ManifestTooLargeError(MAX_MANIFEST_BYTES);
  }
  let info: ManifestInfo;
  try {
    info = parseManifest(body, contentType, { maxDescriptors: MAX_MANIFEST_DESCRIPTORS });
  } catch (err) {
    if (err instanceof TooManyDescriptorsError) {
      throw new InvalidManifestError(err.message, { limit: err.limit, descriptors: err.descriptors });
    }
    if (err instanceof ManifestParseError) throw new InvalidManifestError(err.message);
    throw err;
  }
  const digest = digestOf(body, refDigest?.algorithm ?? 'sha256');
  if (refDigest && digest !== refDigest.digest) {
    throw new DigestMismatchError(refDigest.digest, digest);
  }
  return { byDigest, digest, info };
}

/**
 * Checks that the blobs a pushed manifest lists are linked into the repository and stored:
 * MANIFEST_BLOB_UNKNOWN naming the missing ones (sorted) otherwise. Each distinct digest is
 * checked once, at most {@link PARALLEL_REFERENCE_CHECKS} at a time.
 */
export async function assertBlobsPresent(blobs: BlobStore, repo: string, info: ManifestInfo): Promise<void> {
  const listed = referencedBlobs(info);
  const present = await mapLimit(listed, PARALLEL_REFERENCE_CHECKS, async (digest) => {
    const d = parseDigest(digest)!;
    return (await blobs.isLinked(repo, d)) && (await blobs.size(d)) !== null;
  });
  const missing = listed.filter((_, i) => !present[i]);
  if (missing.length) throw new MissingReferencesError('blob', missing.sort());
}

/** The distinct digests of the config and layers a manifest lists (foreign layers excluded). */
export function referencedBlobs(info: ManifestInfo): string[] {
  const digests = new Set(info.layers.map((l) => l.digest));
  if (info.config) digests.add(info.config.digest);
  return [...digests];
}

/**
 * A reference that is neither a valid tag nor a valid digest names no manifest: NotFoundError, so
 * that GET, HEAD and DELETE answer 404 MANIFEST_UNKNOWN, as registry:2 does (its routes do not
 * match such a reference) and as clients expect of a lookup. Only a PUT is told that its reference
 * is invalid (TAG_INVALID, DIGEST_INVALID). Checked before anything else, so a pull-through cache
 * never sends such a reference upstream.
 */
export function assertNameable(ref: string): void {
  if (looksLikeDigest(ref) ? !parseDigest(ref) : !isValidTag(ref)) throw new NotFoundError('manifest');
}
