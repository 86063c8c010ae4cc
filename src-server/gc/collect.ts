/**
 * Online mark-and-sweep garbage collection of the local registry.
 *
 * Mark reads the index, never the repositories tree (the index agrees with the disk: reconciled at
 * start, on shared storage again under the collection lease, and every write goes to disk first,
 * then to the index). The blobs on disk are listed from folder names; only blobs whose size the
 * index does not know (and, with a grace period, blobs no manifest ever referenced) are stat-ed.
 * The sweep removes what no kept manifest references, claiming each digest in the write gate (see
 * sweep.ts): writes to other digests go on without waiting, and a digest a write touched since the
 * collection began stays. With `deleteUntagged` it first removes the manifests no tag reaches, as
 * registry:2's `garbage-collect --delete-untagged` does, except that children of kept indexes and
 * referrers of kept manifests stay.
 */
import type { GcOptions, GcProgress, GcReport } from '../contract';
import { mapLimit } from '../core/concurrency';
import type { Logger } from '../logger';
import { LeaseHeldError } from '../registry/collection-lease';
import type { CollectionAccess, Collectable, TrashHold } from '../registry/views';
import { closeOver, knownSizes, loadGraph, mark, type MarkResult, type RegistryGraph } from './graph';
import { ProgressThrottle } from './progress';
import { listLayerLinks, removeBlobs, removeLayerLinks, removeUntagged, tagHistories, type OnDisk, type TagHistories } from './sweep';

/** Storage stats in flight at once while planning. */
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
  /** Untagged manifests removed per index transaction (default 64); a PUT of one of them waits for its batch. */
  batchSize?: number;
}

/** The mark: what the index says stays, what the trash holds, and the blobs on disk. */
interface Marking {
  graph: RegistryGraph;
  marked: MarkResult;
  onDisk: OnDisk[];
  /** Digests a manifest the index knows (stored now, or once) references, and those manifests. */
  referenced: Set<string>;
}

/** What a collection would remove; no locks, no changes. Also used by usage accounting. */
export async function planCollection(registry: Collectable, opts: { deleteUntagged: boolean; graceMs?: number }): Promise<CollectionPlan> {
  return planWith(registry.forCollection(), opts);
}

async function planWith(store: CollectionAccess, opts: { deleteUntagged: boolean; graceMs?: number }): Promise<CollectionPlan> {
  const graceMs = opts.graceMs ?? 0;
  const m = await markFromIndex(store, opts.deleteUntagged, graceMs);
  const spared = await applyGrace(store, m, Date.now() - graceMs, graceMs);
  const manifests = m.marked.removable.filter((x) => !m.marked.keptManifests.get(x.repository)!.has(x.digest));
  const blobs = m.onDisk
    .filter((b) => !m.marked.keptBlobs.has(b.digest.digest) && !spared(b))
    .map((b) => ({ digest: b.digest.digest, size: b.size }));
  blobs.sort((a, b) => a.digest.localeCompare(b.digest));
  return {
    manifests,
    blobs,
    blobsKept: m.onDisk.length - blobs.length,
    manifestsKept: countRevisions(m.graph) - manifests.length,
  };
}

/** Marks from the index (with what the trash holds) and lists the blobs on disk. */
async function markFromIndex(store: CollectionAccess, deleteUntagged: boolean, graceMs: number): Promise<Marking> {
  const graph = loadGraph(store.index);
  const marked = mark(graph, deleteUntagged);
  holdForTrash(graph, marked, await store.trashHolds());
  const referenced = everReferenced(graph);
  const onDisk = await listOnDisk(store, knownSizes(store.index), (d) => graceMs > 0 && !referenced.has(d));
  return { graph, marked, onDisk, referenced };
}

/** Every blob in storage with its size (from the index where it knows it, else a stat), as a collection sees them. */
export async function blobsOnDisk(store: CollectionAccess): Promise<Array<{ digest: string; size: number }>> {
  return (await listOnDisk(store, knownSizes(store.index), () => false)).map((b) => ({ digest: b.digest.digest, size: b.size }));
}

/**
 * The blobs on disk, from folder names; sizes from the index where it knows them (the descriptors'
 * sizes, as usage counts them), a stat for the others and for those whose age `needsAge` asks for.
 * Folders without a `data` file that the index knows nothing of are skipped.
 */
async function listOnDisk(store: CollectionAccess, sizes: Map<string, number>, needsAge: (digest: string) => boolean): Promise<OnDisk[]> {
  const out: OnDisk[] = [];
  const unknown = [];
  for (const d of await store.listBlobDigests()) {
    const size = sizes.get(d.digest);
    if (size !== undefined && !needsAge(d.digest)) out.push({ digest: d, size, modified: null });
    else unknown.push(d);
  }
  const stats = await mapLimit(unknown, PARALLEL_STATS, (d) => store.statBlob(d));
  for (const s of stats) if (s) out.push(s);
  return out;
}

/**
 * Keeps what the trash holds: each item's manifest (with what it reaches) in its repository while
 * the revision exists, and every blob the item recorded, whatever the index knows of it.
 */
function holdForTrash(graph: RegistryGraph, marked: MarkResult, holds: TrashHold[]): void {
  const repos = new Map(graph.repos.map((r) => [r.name, r]));
  for (const h of holds) {
    const repo = repos.get(h.repository);
    if (repo) closeOver(graph, repo, [h.digest], marked.keptManifests.get(h.repository)!, marked.keptBlobs);
    for (const b of h.blobs) marked.keptBlobs.add(b);
  }
}

/** The repositories with manifests to remove: their tag histories are read (registry:2's vacuum edits them). */
const removableRepos = (marked: MarkResult) => marked.removable.map((m) => m.repository);

/**
 * Applies the grace period (see CollectOptions.graceMs): keeps recent never-tagged manifests in
 * `marked`, and returns the test for blobs it spares.
 */
async function applyGrace(store: CollectionAccess, m: Marking, cutoff: number, graceMs: number, history?: TagHistories): Promise<(b: OnDisk) => boolean> {
  if (graceMs <= 0) return () => false;
  await spareRecentManifests(store, m, history ?? (await tagHistories(store, removableRepos(m.marked))), cutoff);
  return (b) =>
    !m.marked.keptBlobs.has(b.digest.digest) &&
    ((!m.referenced.has(b.digest.digest) && b.modified !== null && b.modified.getTime() > cutoff) || store.claimedSince(b.digest.digest, cutoff));
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
    // Mark: everything that finished before beginCollection is in the index; later writes are protected.
    progress.report('mark', 0, 0);
    const graceMs = opts.graceMs ?? 0;
    const m = await markFromIndex(store, deleteUntagged, graceMs);
    progress.report('mark', 1, 1);

    const history = await tagHistories(store, removableRepos(m.marked));
    const spared = await applyGrace(store, m, startedMs - graceMs, graceMs, history);
    const manifestsRemoved = await removeUntagged(store, m.graph, m.marked, history, progress, Math.max(1, opts.batchSize ?? 64));

    // Manifests that survived brought their closure into keptBlobs, so sweep candidates come after.
    const unkept = m.onDisk.filter((b) => !m.marked.keptBlobs.has(b.digest.digest));
    const candidates = unkept.filter((b) => !spared(b));
    const links = listLayerLinks(store);
    links.catch(() => undefined); // awaited below; not unhandled if the blob sweep throws first
    const swept = await removeBlobs(store, candidates, progress);
    const onDisk = new Set(m.onDisk.map((b) => b.digest.digest));
    const dangling = (d: string) => !onDisk.has(d) && !m.marked.keptBlobs.has(d);
    await removeLayerLinks(store, await links, swept.removed, dangling, progress);

    const removed = swept.removed.map((b) => ({ digest: b.digest.digest, size: b.size })).sort((x, y) => x.digest.localeCompare(y.digest));
    const report: GcReport = {
      ...base,
      durationMs: Date.now() - startedMs,
      manifestsRemoved,
      blobsRemoved: removed,
      bytesRemoved: removed.reduce((x, y) => x + y.size, 0),
      blobsKept: m.onDisk.length - removed.length,
      manifestsKept: countRevisions(m.graph) - manifestsRemoved.length,
      blobsProtected: unkept.length - candidates.length + swept.protectedCount,
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
async function spareRecentManifests(store: CollectionAccess, { graph, marked }: Marking, history: TagHistories, cutoff: number): Promise<void> {
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
