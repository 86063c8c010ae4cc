/**
 * Storage usage of the registry: how many bytes each repository, image and platform holds, how much
 * of it is shared with other content, and what garbage collection would free.
 *
 * Everything is computed from the index (a few queries, then Maps and typed arrays) plus one walk of
 * the blob store: sizes come from the descriptors in the index, counted only for blobs that are on
 * disk (a pull-through cache stores manifests before the layers it fetches on demand).
 */
import type { ContentOrigin, ImageUsage, PlatformUsage, RepositoryUsage, RepositoryUsageDetail, UsageReport } from '../contract';
import { mapLimit } from '../core/concurrency';
import { parseDigest } from '../core/digest';
import { NotFoundError } from '../core/errors';
import { loadGraph as loadGcGraph, mark } from '../gc/graph';
import type { OriginRecord } from '../index/origin-store';
import type { Measurable, UsageAccess } from '../registry/views';
import { cmp, UsageGraph } from './graph';

/**
 * Usage of every repository, largest first (by stored bytes, then name), with registry totals.
 * A repository's `shared` bytes are those another repository references too; `untagged` bytes are
 * those only its untagged manifests hold (children of tagged indexes and referrers of kept
 * manifests are not untagged garbage, as in `gc --delete-untagged`).
 */
export async function registryUsage(registry: Measurable): Promise<UsageReport> {
  return measure(registry.forUsage(), true);
}

/** The registry's totals alone ({@link registryUsage} without the per-repository rows). */
export async function registryTotals(registry: Measurable): Promise<UsageReport['totals']> {
  return (await measure(registry.forUsage(), false)).totals;
}

async function measure(store: UsageAccess, withRows: boolean): Promise<UsageReport> {
  const { graph, present } = await load(store);
  // What a collection frees, marked by the collector's own code (planCollection marks the same way)
  // over the one walk of the disk made here instead of a stat of every blob per plan.
  const gc = loadGcGraph(store.index);
  const kept = mark(gc, false).keptBlobs;
  const keptTagged = mark(gc, true);
  const repositories = withRows ? repositoryRows(graph, keptTagged.keptManifests).sort((a, b) => b.stored - a.stored || cmp(a.name, b.name)) : [];
  const stat = await sizesOnDisk(store, [...present].filter((d) => graph.sizeOf(d) === null));
  // The trash holds its items' blobs back from any collection, as gc/collect.ts does.
  const holds = (await store.trashHolds?.()) ?? [];
  const held = new Set(holds.flatMap((h) => h.blobs));
  const totals = { repositories: graph.repos.length, manifests: 0, blobs: 0, stored: 0, reclaimable: 0, reclaimableUntagged: 0, trashItems: holds.length, trashHeldBytes: 0 };
  for (const r of graph.repos) totals.manifests += r.revisions.size;
  for (const d of present) {
    const size = graph.sizeOf(d) ?? stat.get(d);
    if (size === undefined) continue;
    totals.blobs++;
    totals.stored += size;
    if (!kept.has(d) && !held.has(d)) totals.reclaimable += size;
    if (!keptTagged.keptBlobs.has(d)) {
      if (held.has(d)) totals.trashHeldBytes += size;
      else totals.reclaimableUntagged += size;
    }
  }
  return { totals, repositories };
}

/** The index's content graph, sized by what is on disk. */
async function load(store: UsageAccess): Promise<{ graph: UsageGraph; present: Set<string> }> {
  // Folder names only: the index knows the sizes of what manifests reference.
  const present = new Set((await store.listBlobDigests()).map((d) => d.digest));
  const graph = UsageGraph.load(store.index.db);
  graph.setPresent(present);
  return { graph, present };
}

/** Sizes of blobs on disk that no manifest describes (blobs gone meanwhile are left out). */
async function sizesOnDisk(store: UsageAccess, digests: string[]): Promise<Map<string, number>> {
  const sizes = await mapLimit(digests, 32, (d) => store.blobSize(parseDigest(d)!));
  return new Map(digests.flatMap((d, i) => (sizes[i] === null ? [] : [[d, sizes[i]!] as const])));
}

/**
 * One repository's usage and its images: each tagged manifest, untagged manifest and referrer
 * (platforms of an index are rows of that index). An image's `shared` bytes are those any other
 * image references (in this or another repository); a platform's are those anything outside that
 * platform references, other platforms of the same index included. NotFoundError('repository')
 * when the repository is unknown.
 */
export async function repositoryUsage(registry: Measurable, name: string): Promise<RepositoryUsageDetail> {
  const store = registry.forUsage();
  if (!store.index.hasRepo(name)) throw new NotFoundError('repository');
  const { graph } = await load(store);
  const repo = graph.byName.get(name);
  if (!repo) throw new NotFoundError('repository');
  const keptTagged = mark(loadGcGraph(store.index), true).keptManifests;
  const row = repositoryRows(graph, keptTagged).find((r) => r.name === name)!;

  // How many images (manifest roots, in any repository) reference each blob.
  const rootsByRepo = new Map(graph.repos.map((r) => [r, graph.roots(r)] as const));
  for (const roots of rootsByRepo.values()) for (const d of roots) graph.closure(d);
  const rootCount = new Uint32Array(graph.blobCount);
  for (const roots of rootsByRepo.values()) for (const d of roots) for (const id of graph.closure(d)) rootCount[id]!++;

  const manifestOrigins = store.origins.manifestsOf(name);
  const tagOrigins = store.origins.tagsOf(name);
  const images = rootsByRepo.get(repo)!.map((digest): ImageUsage => {
    const ids = graph.closure(digest);
    const tags = repo.tagsByDigest.get(digest) ?? [];
    const record = manifestOrigins.get(digest) ?? tags.map((t) => tagOrigins.get(t)).find((t) => t?.digest === digest) ?? null;
    const subject = graph.subject(digest);
    return {
      digest,
      mediaType: graph.mediaType(digest) ?? 'unknown',
      tags,
      ...bytesOf(graph, ids, (id) => rootCount[id]! > 1),
      platforms: platformRows(graph, digest, rootCount),
      origin: originOf(record),
      ...(subject ? { subject } : {}),
    };
  });
  images.sort(imageOrder);
  return { repository: row, images };
}

/** Stored, shared and unique bytes of a set of blob ids. */
function bytesOf(graph: UsageGraph, ids: Iterable<number>, isShared: (id: number) => boolean): { stored: number; shared: number; unique: number } {
  let stored = 0;
  let shared = 0;
  for (const id of ids) {
    const b = graph.bytes(id);
    stored += b;
    if (isShared(id)) shared += b;
  }
  return { stored, shared, unique: stored - shared };
}

/**
 * Per-repository rows (unsorted). `keptTagged` is what `gc --delete-untagged` keeps in each
 * repository (the collector's mark), so `untagged` is exactly what that collection would free.
 */
function repositoryRows(graph: UsageGraph, keptTagged: Map<string, Set<string>>): RepositoryUsage[] {
  const sets = graph.repos.map((r) => {
    const ids = new Set<number>();
    for (const d of r.revisions) for (const id of graph.closure(d)) ids.add(id);
    return ids;
  });
  const repoCount = new Uint32Array(graph.blobCount);
  for (const ids of sets) for (const id of ids) repoCount[id]!++;
  return graph.repos.map((repo, i) => {
    const ids = sets[i]!;
    const kept = new Set<number>();
    for (const d of keptTagged.get(repo.name) ?? []) for (const id of graph.closure(d)) kept.add(id);
    return {
      name: repo.name,
      tags: repo.tagCount,
      manifests: repo.revisions.size,
      ...bytesOf(graph, ids, (id) => repoCount[id]! > 1),
      untagged: graph.sum(ids, (id) => repoCount[id] === 1 && !kept.has(id)),
    };
  });
}

/** Per-platform rows of an index (empty for a single image). */
function platformRows(graph: UsageGraph, digest: string, rootCount: Uint32Array): PlatformUsage[] {
  const children = graph.childManifests(digest);
  if (!children.length) return [];
  // How many platforms of this index reference each blob.
  const within = new Map<number, number>();
  for (const c of children) for (const id of graph.closure(c.digest)) within.set(id, (within.get(id) ?? 0) + 1);
  return children.map((c) => ({
    platform: c.platform,
    digest: c.digest,
    ...bytesOf(graph, graph.closure(c.digest), (id) => rootCount[id]! > 1 || within.get(id)! > 1),
  }));
}

/** The DTO form of a recorded origin; `unknown` when nothing was recorded. */
export function originOf(record: OriginRecord | null): ContentOrigin {
  if (!record) return { source: 'unknown', upstream: null, at: null };
  return { source: record.source, upstream: record.upstream, at: new Date(record.at).toISOString() };
}

/** Tagged images first (by first tag), then untagged ones, then referrers, each by digest. */
function imageOrder(a: ImageUsage, b: ImageUsage): number {
  const rank = (i: ImageUsage) => (i.tags.length ? 0 : i.subject ? 2 : 1);
  return rank(a) - rank(b) || cmp(a.tags[0] ?? '', b.tags[0] ?? '') || cmp(a.digest, b.digest);
}
