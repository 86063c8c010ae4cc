/**
 * Puts a trash item back (issue 19), whole and pullable even after a collection removed its
 * revisions: run inside the registry's write gate, so no collection sweeps meanwhile.
 */
import { parseDigest } from '../core/digest';
import { RegistryError } from '../core/errors';
import { parseManifest } from '../core/manifest';
import type { OriginStore } from '../index/origin-store';
import type { RegistryIndex } from '../index/registry-index';
import type { BlobStore } from '../storage/blobs';
import type { ManifestStore } from '../storage/manifests';

/** What a restore reads from a trash record. */
export interface RestorableItem {
  repository: string;
  digest: string;
  tags: readonly string[];
  /** Parents before children. */
  manifests: readonly string[];
  blobs: ReadonlyArray<{ digest: string; size: number }>;
}

/** The stores a restore writes. */
export interface RestoreStores {
  index: RegistryIndex;
  blobs: BlobStore;
  manifests: ManifestStore;
  origins: OriginStore;
  /** The digest a tag points at now (storage on a shared bucket, else the index). */
  currentTag(repo: string, tag: string): Promise<string | null>;
}

/** What a restore put back. */
export interface RestoreOutcome {
  restoredTags: string[];
  relinkedManifests: number;
}

/**
 * Checks, then writes: every blob must still be stored (else RESTORE_INCOMPLETE naming what is
 * missing) and no tag may point at another digest now (RESTORE_CONFLICT); nothing changes when
 * either fails. Then the blobs are linked into the repository, the missing revisions written
 * children first (and indexed from their stored bodies), and the tags pointed back.
 */
export async function restoreItem(stores: RestoreStores, item: RestorableItem): Promise<RestoreOutcome> {
  const { repository: repo } = item;
  const missing: string[] = [];
  for (const b of item.blobs) if ((await stores.blobs.size(parseDigest(b.digest)!)) === null) missing.push(b.digest);
  if (missing.length) {
    throw new RegistryError('RESTORE_INCOMPLETE', {
      message: `${repo}@${item.digest} cannot be restored: ${missing.length} blob${missing.length === 1 ? ' is' : 's are'} no longer stored (${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''})`,
      detail: { missing },
    });
  }
  for (const tag of item.tags) {
    const now = await stores.currentTag(repo, tag);
    if (now !== null && now !== item.digest) {
      throw new RegistryError('RESTORE_CONFLICT', {
        message: `${repo}:${tag} points at ${now} now, not at ${item.digest}: delete or move that tag first, or restore under the digest`,
        detail: { tag, current: now },
      });
    }
  }
  const manifestSet = new Set(item.manifests);
  for (const b of item.blobs) {
    if (manifestSet.has(b.digest)) continue;
    const d = parseDigest(b.digest)!;
    if (!(await stores.blobs.isLinked(repo, d))) await stores.blobs.link(repo, d);
  }
  let relinked = 0;
  for (const digest of [...item.manifests].reverse()) {
    const d = parseDigest(digest)!;
    const stored = await stores.manifests.has(repo, d);
    if (stored && stores.index.hasManifest(repo, digest)) continue;
    const body = await stores.blobs.read(d);
    if (!body) throw new RegistryError('RESTORE_INCOMPLETE', { message: `${repo}@${item.digest} cannot be restored: manifest ${digest} is no longer stored`, detail: { missing: [digest] } });
    const info = parseManifest(body, undefined);
    if (!stored) {
      await stores.manifests.put(repo, d, body);
      relinked++;
      stores.origins.recordManifest(repo, digest, 'pushed');
    }
    stores.index.addManifest(repo, { digest, size: body.length, info });
  }
  const d = parseDigest(item.digest)!;
  for (const tag of item.tags) {
    await stores.manifests.tag(repo, tag, d);
    stores.index.setTag(repo, tag, item.digest);
    stores.origins.markTagged(repo, item.digest);
    stores.origins.recordTag(repo, tag, item.digest, 'pushed');
  }
  return { restoredTags: [...item.tags], relinkedManifests: relinked };
}
