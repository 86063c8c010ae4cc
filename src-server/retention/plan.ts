/**
 * What a retention run removes, and the bytes that frees, from the index alone: the tags no policy
 * keeps; with `untagged`, the manifests no remaining tag reaches (never the children of a kept index
 * nor the referrers of kept images: the reach is garbage collection's own, gc/graph.ts); and the
 * bytes counted as garbage collection will count them, each blob once across the registry.
 * Manifests the trash holds are neither roots nor removable, and what the trash holds is never
 * counted as freed.
 */
import type { RetentionRemoval } from '../contract';
import { closeOver, mark, type RegistryGraph, type RepoGraph } from '../gc/graph';
import type { RegistryIndex } from '../index/registry-index';
import type { TrashHold } from '../registry/views';
import type { RepoDecision, RepoTags } from './evaluate';

/** The removals of a run. */
export interface RemovalPlan {
  tags: RetentionRemoval[];
  manifests: RetentionRemoval[];
}

/** The bytes a set of removals frees (see RetentionReport). */
export interface RemovalBytes {
  bytesFreed: number;
  bytesLeftUntagged: number;
}

/**
 * Every repository (those without tags too: `untagged` concerns them) with each tag and the time
 * it got its current digest, from the index.
 */
export function readTags(index: RegistryIndex): RepoTags[] {
  const rows = index.db
    .prepare('SELECT r.name, t.name, t.digest, t.updated_at FROM repos r LEFT JOIN tags t ON t.repo_id = r.id ORDER BY r.name, t.name')
    .raw()
    .all() as Array<[string, string | null, string | null, number | null]>;
  const out: RepoTags[] = [];
  for (const [repository, tag, digest, pushedAt] of rows) {
    let last = out[out.length - 1];
    if (!last || last.repository !== repository) out.push((last = { repository, tags: [] }));
    if (tag !== null) last.tags.push({ tag, digest: digest!, pushedAt: pushedAt! });
  }
  return out;
}

/** The removals the decisions make on `graph` (read in the same moment as the tags). */
export function planRemovals(graph: RegistryGraph, tags: readonly RepoTags[], decisions: readonly RepoDecision[], holds: readonly TrashHold[]): RemovalPlan {
  const removedTags: RetentionRemoval[] = [];
  for (const d of decisions) for (const t of d.removed) removedTags.push({ repository: d.repository, tag: t.tag, digest: t.digest, policies: d.policies });
  const untagged = new Map(decisions.filter((d) => d.untagged).map((d) => [d.repository, d.policies]));
  const manifests: RetentionRemoval[] = [];
  if (untagged.size > 0) {
    const held = new Set(holds.map((h) => `${h.repository}@${h.digest}`));
    const after = withTags(graph, remainingTagged(tags, removedTags));
    for (const m of mark(after, true).removable) {
      const policies = untagged.get(m.repository);
      if (policies && !held.has(`${m.repository}@${m.digest}`)) manifests.push({ ...m, policies });
    }
  }
  return { tags: removedTags, manifests };
}

/**
 * The bytes the removals free once they leave the trash and a `berth gc` runs (blobs only removed
 * manifests need), and those only manifests left untagged hold afterwards (what `gc
 * --delete-untagged` would also free). `onDisk` is storage's blob listing, as a collection sees it.
 */
export function measureRemovals(
  graph: RegistryGraph,
  tags: readonly RepoTags[],
  plan: RemovalPlan,
  holds: readonly TrashHold[],
  onDisk: ReadonlyArray<{ digest: string; size: number }>,
): RemovalBytes {
  const before = keptBlobs(graph, false, holds);
  const removedRevisions = new Set(plan.manifests.map((m) => `${m.repository}@${m.digest}`));
  const after = withTags(graph, remainingTagged(tags, plan.tags), removedRevisions);
  const afterAll = keptBlobs(after, false, holds);
  const afterTagged = keptBlobs(after, true, holds);
  let bytesFreed = 0;
  let bytesLeftUntagged = 0;
  for (const b of onDisk) {
    if (before.has(b.digest) && !afterAll.has(b.digest)) bytesFreed += b.size;
    if (afterAll.has(b.digest) && !afterTagged.has(b.digest)) bytesLeftUntagged += b.size;
  }
  return { bytesFreed, bytesLeftUntagged };
}

/** repository -> digests tags still point at once `removed` are gone. */
function remainingTagged(tags: readonly RepoTags[], removed: readonly RetentionRemoval[]): Map<string, Set<string>> {
  const gone = new Set(removed.map((r) => `${r.repository}:${r.tag}`));
  const out = new Map<string, Set<string>>();
  for (const repo of tags) {
    const set = new Set<string>();
    for (const t of repo.tags) if (!gone.has(`${repo.repository}:${t.tag}`)) set.add(t.digest);
    out.set(repo.repository, set);
  }
  return out;
}

/** `graph` with each repository's tags replaced, and `removed` (`repo@digest`) revisions taken out. */
function withTags(graph: RegistryGraph, tagged: Map<string, Set<string>>, removed: ReadonlySet<string> = new Set()): RegistryGraph {
  const repos = graph.repos.map((r): RepoGraph => {
    const gone = (d: string) => removed.has(`${r.name}@${d}`);
    const referrers = new Map<string, string[]>();
    for (const [subject, list] of r.referrers) {
      const left = list.filter((d) => !gone(d));
      if (left.length) referrers.set(subject, left);
    }
    return {
      name: r.name,
      revisions: new Set([...r.revisions].filter((d) => !gone(d))),
      tagged: new Set([...(tagged.get(r.name) ?? [])].filter((d) => !gone(d))),
      referrers,
    };
  });
  return { repos, children: graph.children, blobs: graph.blobs };
}

/** The blobs a collection keeps on `graph` (with or without deleteUntagged), the trash's holds included. */
function keptBlobs(graph: RegistryGraph, deleteUntagged: boolean, holds: readonly TrashHold[]): Set<string> {
  const marked = mark(graph, deleteUntagged);
  const repos = new Map(graph.repos.map((r) => [r.name, r]));
  for (const h of holds) {
    const repo = repos.get(h.repository);
    if (repo) closeOver(graph, repo, [h.digest], marked.keptManifests.get(h.repository)!, marked.keptBlobs);
    for (const b of h.blobs) marked.keptBlobs.add(b);
  }
  return marked.keptBlobs;
}
