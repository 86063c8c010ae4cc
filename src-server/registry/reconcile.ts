import { mapLimit } from '../core/concurrency';
import { parseManifest } from '../core/manifest';
import type { ManifestRecord, RegistryIndex, RepoSnapshot } from '../index/registry-index';
import type { BlobStore } from '../storage/blobs';
import type { ManifestStore } from '../storage/manifests';

/** The stores a reconcile reads and writes (a Registry has them; so may a command without one). */
export interface ReconcileStores {
  readonly index: RegistryIndex;
  readonly blobs: BlobStore;
  readonly manifests: ManifestStore;
}

/** What a reconcile found. */
export interface ReconcileReport {
  repositories: number;
  tags: number;
  manifests: number;
  /** Problems on disk that were left out of the index (broken links, unreadable manifests). */
  warnings: string[];
  ms: number;
}

/**
 * Makes the index agree with the disk: walks every repository's revisions and tags (cheap: link
 * files), parses only manifests whose digest the index has never seen, and replaces the index rows
 * in one transaction. Run at every start, so that neither a crash nor registry:2 writing the same
 * folder while Berth was stopped can leave the index wrong.
 */
export async function reconcileIndex(registry: ReconcileStores): Promise<ReconcileReport> {
  const started = Date.now();
  const warnings: string[] = [];
  const info = new Map<string, ManifestRecord>();
  const names = await registry.manifests.listRepositories();
  const snaps = await mapLimit(names, 8, (name) => snapshotRepository(registry, name, info, warnings));
  const snapshots = snaps.filter((s): s is RepoSnapshot => s !== null);
  registry.index.reconcile(snapshots, info);
  return {
    repositories: snapshots.length,
    tags: snapshots.reduce((a, s) => a + s.tags.length, 0),
    manifests: snapshots.reduce((a, s) => a + s.revisions.length, 0),
    warnings,
    ms: Date.now() - started,
  };
}

/** One repository as storage has it: its readable revisions and the tags pointing at them. */
async function snapshotRepository(registry: ReconcileStores, name: string, info: Map<string, ManifestRecord>, warnings: string[]): Promise<RepoSnapshot | null> {
  const [revisions, tags] = await Promise.all([registry.manifests.listRevisions(name), registry.manifests.listTags(name)]);
  const good = new Set<string>();
  await mapLimit(revisions, 16, async (d) => {
    if (registry.index.hasManifestInfo(d.digest) || info.has(d.digest)) {
      if ((await registry.blobs.size(d)) !== null) good.add(d.digest);
      else warnings.push(`${name}@${d.digest}: manifest content missing`);
      return;
    }
    const body = await registry.blobs.read(d);
    if (!body) {
      warnings.push(`${name}@${d.digest}: manifest content missing`);
      return;
    }
    try {
      info.set(d.digest, { digest: d.digest, size: body.length, info: parseManifest(body, undefined) });
      good.add(d.digest);
    } catch (err) {
      warnings.push(`${name}@${d.digest}: ${(err as Error).message}`);
    }
  });
  const goodTags = tags.filter((t) => {
    if (good.has(t.digest.digest)) return true;
    warnings.push(`${name}:${t.tag}: points at ${t.digest.digest}, which the repository does not hold`);
    return false;
  });
  if (good.size === 0 && goodTags.length === 0) return null;
  // A tag new to the index (a registry:2 volume opened for the first time, a rebuilt index, another
  // instance's push) takes its push time from storage, so retention's "most recently pushed" holds.
  const snapTags = await mapLimit(goodTags, 16, async (t) => {
    const known = registry.index.resolveTag(name, t.tag) === t.digest.digest;
    const pushedAt = known ? undefined : (await registry.manifests.tagModified(name, t.tag))?.getTime();
    return { tag: t.tag, digest: t.digest.digest, ...(pushedAt !== undefined ? { pushedAt } : {}) };
  });
  return { name, revisions: [...good].sort(), tags: snapTags };
}

/**
 * Makes the index agree with storage for one repository (on storage shared with other instances,
 * when a request finds the index behind). Returns the problems left out, as reconcileIndex does.
 */
export async function refreshRepository(registry: ReconcileStores, name: string): Promise<string[]> {
  const warnings: string[] = [];
  const info = new Map<string, ManifestRecord>();
  const snapshot = await snapshotRepository(registry, name, info, warnings);
  registry.index.reconcileRepository(name, snapshot, info);
  return warnings;
}
