/**
 * Online mark-and-sweep garbage collection of the local registry.
 *
 * Mark reads the index (it agrees with the disk: reconciled at start, and every write goes to disk
 * first, then to the index). Sweep walks the blobs on disk and removes what no kept manifest
 * references, in short exclusive sections of the registry's write gate, skipping digests a write
 * touched since the collection began (see WriteGate). With `deleteUntagged` it first removes the
 * manifests no tag reaches, as registry:2's `garbage-collect --delete-untagged` does, except that
 * children of kept indexes and referrers of kept manifests stay.
 */
import type { GcOptions, GcProgress, GcReport } from '../contract';
import { mapLimit } from '../core/concurrency';
import { parseDigest } from '../core/digest';
import type { Logger } from '../logger';
import { LeaseHeldError } from '../registry/collection-lease';
import type { Collectable, CollectionAccess, TrashHold } from '../registry/views';
import type { StoredBlob } from '../registry/service';
import { closeOver, loadGraph, mark, type RegistryGraph } from './graph';
import { ProgressThrottle } from './progress';

/** Storage stats in flight at once while planning (as BlobStore.listAll does). */
const PARALLEL_STATS = 32;

/** Thrown when a collection is asked for while another one runs. */
export class GcBusyError extends Error {
  constructor(message = 'a garbage collection is already running') {
    super(message);
    this.name = 'GcBusyError';
  }
}

/** What a collection would remove. */
export interface CollectionPlan {
  /** Untagged manifests to remove (only when deleteUntagged). */
  manifests: Array<{ repository: string; digest: string }>;
  /** Blobs on disk no kept manifest references. */
  blobs: Array<{ digest: string; size: number }>;
  blobsKept: number;
  manifestsKept: number;
}

/** Options of {@link collectGarbage} beyond the contract's. */
export interface CollectOptions extends GcOptions {
  onProgress?: (p: GcProgress) => void;
  log?: Logger;
  /**
   * Grace period (default 0): keep blobs that arrived less than this long before the collection and
   * that no manifest the registry knows has ever referenced, untagged manifests stored within it that
   * were never tagged nor referenced by an index, and blobs a client checked (HEAD) or mounted within
   * it. A client uploads layers (and the children of an index) before the manifest that references
   * them, and checks that a layer exists before it skips uploading it; without a grace period a
   * collection between the two removes them and the push fails (MANIFEST_BLOB_UNKNOWN, never a
   * broken image). Content once referenced by a manifest that is gone is collected at once.
   */
  graceMs?: number;
  /** Deletions per exclusive section of the write gate (default 64): writes wait at most one batch. */
  batchSize?: number;
}

/** What a collection would remove; no locks, no changes. Also used by usage accounting. */
export async function planCollection(registry: Collectable, opts: { deleteUntagged: boolean; graceMs?: number }): Promise<CollectionPlan> {
  return planWith(registry.forCollection(), opts);
}

async function planWith(store: CollectionAccess, opts: { deleteUntagged: boolean; graceMs?: number }): Promise<CollectionPlan> {
  const graph = loadGraph(store.index);
  const marked = mark(graph, opts.deleteUntagged);
  holdForTrash(graph, marked, await store.trashHolds());
  const onDisk = await store.listBlobs();
  const history = await tagHistories(store, marked);
  const spared = await applyGrace(store, graph, marked, history, Date.now() - (opts.graceMs ?? 0), opts.graceMs ?? 0);
  const manifests = marked.removable.filter((m) => !marked.keptManifests.get(m.repository)!.has(m.digest));
  const blobs = onDisk
    .filter((b) => !marked.keptBlobs.has(b.digest.digest) && !spared(b))
    .map((b) => ({ digest: b.digest.digest, size: b.size }));
  blobs.sort((a, b) => a.digest.localeCompare(b.digest));
  return {
    manifests,
    blobs,
    blobsKept: onDisk.length - blobs.length,
    manifestsKept: countRevisions(graph) - manifests.length,
  };
}

/**
 * Keeps what the trash holds: each item's manifest (with what it reaches) in its repository while
 * the revision exists, and every blob the item recorded, whatever the index knows of it.
 */
function holdForTrash(graph: RegistryGraph, marked: ReturnType<typeof mark>, holds: TrashHold[]): void {
  const repos = new Map(graph.repos.map((r) => [r.name, r]));
  for (const h of holds) {
    const repo = repos.get(h.repository);
    if (repo) closeOver(graph, repo, [h.digest], marked.keptManifests.get(h.repository)!, marked.keptBlobs);
    for (const b of h.blobs) marked.keptBlobs.add(b);
  }
}

/** repository -> digest -> tags whose history holds it, for the repositories with removable manifests. */
type TagHistories = Map<string, Map<string, string[]>>;

/** Reads the tag histories of the repositories that have manifests to remove, once per collection. */
async function tagHistories(store: CollectionAccess, marked: ReturnType<typeof mark>): Promise<TagHistories> {
  const history: TagHistories = new Map();
  for (const name of new Set(marked.removable.map((m) => m.repository))) history.set(name, await store.tagHistory(name));
  return history;
}

/**
 * Applies the grace period (see CollectOptions.graceMs): keeps recent never-tagged manifests in
 * `marked`, and returns the test for blobs it spares.
 */
async function applyGrace(
  store: CollectionAccess,
  graph: RegistryGraph,
  marked: ReturnType<typeof mark>,
  history: TagHistories,
  cutoff: number,
  graceMs: number,
): Promise<(b: StoredBlob) => boolean> {
  if (graceMs <= 0) return () => false;
  const referenced = everReferenced(graph);
  await spareRecentManifests(store, graph, marked, history, cutoff);
  return (b) =>
    !marked.keptBlobs.has(b.digest.digest) &&
    ((!referenced.has(b.digest.digest) && b.modified.getTime() > cutoff) || store.claimedSince(b.digest.digest, cutoff));
}

/**
 * Runs a garbage collection while the registry serves (or, with `dryRun`, reports what one would
 * remove). Throws {@link GcBusyError} when one is already running.
 */
export async function collectGarbage(registry: Collectable, opts: CollectOptions): Promise<GcReport> {
  const store = registry.forCollection();
  const startedMs = Date.now();
  const deleteUntagged = opts.deleteUntagged ?? false;
  const progress = new ProgressThrottle(opts.onProgress);
  const base = { dryRun: opts.dryRun ?? false, deleteUntagged, startedAt: new Date(startedMs).toISOString() };
  if (opts.dryRun) {
    progress.report('mark', 0, 0);
    if (store.sharedStorage) await store.reconcile();
    const plan = await planWith(store, { deleteUntagged, graceMs: opts.graceMs });
    progress.report('mark', 1, 1);
    const report: GcReport = {
      ...base,
      durationMs: Date.now() - startedMs,
      manifestsRemoved: plan.manifests,
      blobsRemoved: plan.blobs,
      bytesRemoved: plan.blobs.reduce((a, b) => a + b.size, 0),
      blobsKept: plan.blobsKept,
      manifestsKept: plan.manifestsKept,
      blobsProtected: 0,
    };
    opts.log?.info(summary(report));
    return report;
  }

  const gate = store.gate;
  if (gate.collecting) throw new GcBusyError();
  try {
    await gate.beginCollection();
  } catch {
    throw new GcBusyError();
  }
  try {
    await takeSharedStorage(store, progress);
  } catch (err) {
    gate.endCollection();
    throw err;
  }
  try {
    const batchSize = Math.max(1, opts.batchSize ?? 64);
    const inBatches: InBatches = async (items, phase, fn) => {
      progress.report(phase, 0, items.length);
      for (let i = 0; i < items.length; i += batchSize) {
        const batch = items.slice(i, i + batchSize);
        await gate.exclusive(() => fn(batch));
        progress.report(phase, Math.min(items.length, i + batch.length), items.length);
      }
    };

    // Mark: everything that finished before beginCollection is in the index; later writes are protected.
    progress.report('mark', 0, 0);
    const graph = loadGraph(store.index);
    const marked = mark(graph, deleteUntagged);
    holdForTrash(graph, marked, await store.trashHolds());
    const onDisk = await store.listBlobs();
    progress.report('mark', 1, 1);

    const graceMs = opts.graceMs ?? 0;
    const history = await tagHistories(store, marked);
    const spared = await applyGrace(store, graph, marked, history, startedMs - graceMs, graceMs);
    const manifestsRemoved = await removeUntagged(store, graph, marked, history, inBatches);

    // Manifests that survived brought their closure into keptBlobs, so sweep candidates come after.
    const unkept = onDisk.filter((b) => !marked.keptBlobs.has(b.digest.digest));
    const candidates = unkept.filter((b) => !spared(b));
    const blobsRemoved: StoredBlob[] = [];
    let blobsProtected = unkept.length - candidates.length;
    await inBatches(candidates, 'blobs', async (batch) => {
      const doomed = batch.filter((b) => !gate.isProtected(b.digest.digest));
      blobsProtected += batch.length - doomed.length;
      await Promise.all(doomed.map((b) => store.removeBlob(b.digest)));
      blobsRemoved.push(...doomed);
    });

    await removeLayerLinks(store, new Set(blobsRemoved.map((b) => b.digest.digest)), inBatches);

    const removed = blobsRemoved.map((b) => ({ digest: b.digest.digest, size: b.size })).sort((a, b) => a.digest.localeCompare(b.digest));
    const report: GcReport = {
      ...base,
      durationMs: Date.now() - startedMs,
      manifestsRemoved,
      blobsRemoved: removed,
      bytesRemoved: removed.reduce((a, b) => a + b.size, 0),
      blobsKept: onDisk.length - removed.length,
      manifestsKept: countRevisions(graph) - manifestsRemoved.length,
      blobsProtected,
    };
    opts.log?.info(summary(report));
    return report;
  } finally {
    gate.endCollection();
    await store.lease?.release().catch((err: Error) => opts.log?.warn(`gc: could not release the lease on storage: ${err.message}`));
  }
}

/**
 * On storage shared with other instances: takes the collection lease (their writes wait from now
 * until the sweep ends, see CollectionLease) and re-reads storage into the index, so the mark sees
 * everything any instance finished. A no-op on storage of one's own.
 */
async function takeSharedStorage(store: CollectionAccess, progress: ProgressThrottle): Promise<void> {
  if (!store.lease) return;
  progress.report('mark', 0, 0);
  try {
    await store.lease.acquire();
  } catch (err) {
    if (err instanceof LeaseHeldError) throw new GcBusyError(err.message);
    throw err;
  }
  try {
    await store.reconcile();
  } catch (err) {
    await store.lease.release().catch(() => undefined);
    throw err;
  }
}

/** Runs `fn` over `items` in batches, each inside one exclusive section of the write gate, reporting progress. */
type InBatches = <T>(items: T[], phase: GcProgress['phase'], fn: (batch: T[]) => Promise<void>) => Promise<void>;

/**
 * Removes the marked untagged manifests as registry:2's vacuum does (revision link, tag history
 * entries), then from the index and the origins. A manifest a write touched meanwhile, or that a
 * tag points at again, stays, with everything it reaches (kept in `marked`).
 */
async function removeUntagged(
  store: CollectionAccess,
  graph: RegistryGraph,
  marked: ReturnType<typeof mark>,
  history: TagHistories,
  inBatches: InBatches,
): Promise<Array<{ repository: string; digest: string }>> {
  const removed: Array<{ repository: string; digest: string }> = [];
  const repos = new Map(graph.repos.map((r) => [r.name, r]));
  await inBatches(marked.removable, 'manifests', async (batch) => {
    // Decide in order first: a manifest that stays keeps what it reaches, which comes later in the list.
    const doomed = batch.filter(({ repository, digest }) => {
      const kept = marked.keptManifests.get(repository)!;
      if (kept.has(digest) || !store.index.hasManifest(repository, digest)) return false;
      if (store.gate.isProtected(digest) || store.index.tagsOf(repository, digest).length > 0) {
        closeOver(graph, repos.get(repository)!, [digest], kept, marked.keptBlobs);
        return false;
      }
      return true;
    });
    // Disk first, then the index, as every write does.
    await Promise.all(
      doomed.map(async ({ repository, digest }) => {
        const d = parseDigest(digest)!;
        await store.removeRevision(repository, d, history.get(repository)?.get(digest) ?? []);
      }),
    );
    store.forgetManifests(doomed);
    removed.push(...doomed);
  });
  return removed;
}

/** Every digest a manifest the index knows (stored now, or once) references, and those manifests. */
function everReferenced(graph: RegistryGraph): Set<string> {
  const out = new Set<string>();
  for (const refs of [graph.blobs, graph.children]) {
    for (const [parent, list] of refs) {
      out.add(parent);
      for (const d of list) out.add(d);
    }
  }
  return out;
}

/**
 * Keeps untagged manifests stored after `cutoff` (ms since the epoch) that no tag ever pointed at
 * and no index references, with what they reach: a client pushes the children of an index before
 * the index itself. A manifest a tag once pointed at is an old image, collected at once.
 */
async function spareRecentManifests(
  store: CollectionAccess,
  graph: RegistryGraph,
  marked: ReturnType<typeof mark>,
  history: TagHistories,
  cutoff: number,
): Promise<void> {
  const repos = new Map(graph.repos.map((r) => [r.name, r]));
  const recent: Array<{ repository: string; digest: string }> = [];
  const isChild = new Set([...graph.children.values()].flat());
  // One stat per untagged manifest, and there may be hundreds of thousands: a few at a time.
  await mapLimit(marked.removable, PARALLEL_STATS, async (m) => {
    if (isChild.has(m.digest) || store.wasTagged(m.repository, m.digest)) return;
    if ((history.get(m.repository)?.get(m.digest)?.length ?? 0) > 0) return;
    const modified = await store.revisionModified(m.repository, m.digest);
    if (modified && modified.getTime() > cutoff) recent.push(m);
  });
  for (const { repository, digest } of recent) {
    closeOver(graph, repos.get(repository)!, [digest], marked.keptManifests.get(repository)!, marked.keptBlobs);
  }
}

/** Removes `_layers` links to removed blobs from every repository on disk (unless a write re-linked them). */
async function removeLayerLinks(store: CollectionAccess, removed: Set<string>, inBatches: InBatches): Promise<void> {
  const links: Array<{ repo: string; digest: string }> = [];
  if (removed.size > 0) {
    for (const repo of await store.listRepositories()) {
      for (const d of await store.listLinkedBlobs(repo)) if (removed.has(d.digest)) links.push({ repo, digest: d.digest });
    }
  }
  await inBatches(links, 'links', async (batch) => {
    const doomed = batch.filter((l) => !store.gate.isProtected(l.digest));
    await Promise.all(doomed.map((l) => store.unlinkBlob(l.repo, parseDigest(l.digest)!)));
  });
}

function countRevisions(graph: RegistryGraph): number {
  return graph.repos.reduce((a, r) => a + r.revisions.size, 0);
}

function summary(r: GcReport): string {
  const mib = (r.bytesRemoved / (1024 * 1024)).toFixed(1);
  return (
    `gc${r.dryRun ? ' (dry run)' : ''}: ${r.dryRun ? 'would remove' : 'removed'} ${r.manifestsRemoved.length} manifests, ` +
    `${r.blobsRemoved.length} blobs (${mib} MiB); kept ${r.manifestsKept} manifests, ${r.blobsKept} blobs` +
    `${r.blobsProtected ? `, ${r.blobsProtected} protected by concurrent writes` : ''}; ${r.durationMs} ms`
  );
}
