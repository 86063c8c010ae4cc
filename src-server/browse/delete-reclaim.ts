/**
 * What a garbage collection that deletes untagged manifests would free once some images of a local
 * repository have lost their last tag: the collector's own mark (src-server/gc/graph, which
 * `usage` uses for its "reclaimable untagged" figure too) run over the index as it is, and again as
 * if those digests had no tag. A blob another tagged image still needs, in any repository, stays in
 * the second mark, so shared blobs are never counted; one shared only by images that all lose
 * their tags is counted once. Freed blobs are sized on disk, a bounded number at a time.
 *
 * A delete goes to the trash first (issue 19), which holds these bytes back from every collection
 * until the items expire (trash.keep) or the trash is emptied: the figure is what a GC frees then.
 */
import { mapLimit } from '../core/concurrency';
import { parseDigest } from '../core/digest';
import { loadGraph, mark } from '../gc/graph';
import type { Registry } from '../registry/registry';

/** Blob stats in flight at once (as usage and the collector do). */
const PARALLEL_STATS = 16;

/** Bytes on disk a delete-untagged GC frees after `untagged` (digests) of `repository` lose every tag and the trash lets them go. */
export async function reclaimableAfterUntagging(registry: Registry, repository: string, untagged: readonly string[]): Promise<number> {
  if (untagged.length === 0) return 0;
  const reads = registry.forBrowsing();
  const graph = loadGraph(reads.index);
  const repo = graph.repos.find((r) => r.name === repository);
  if (!repo) return 0;
  const before = mark(graph, true).keptBlobs;
  for (const digest of untagged) repo.tagged.delete(digest);
  const after = mark(graph, true).keptBlobs;
  const freed = [...before].filter((d) => !after.has(d));
  const sizes = await mapLimit(freed, PARALLEL_STATS, async (d) => {
    const parsed = parseDigest(d);
    return parsed ? ((await reads.blobSize(parsed)) ?? 0) : 0;
  });
  return sizes.reduce((a, b) => a + b, 0);
}
