/**
 * The sweep of an online collection: removes untagged manifests, blobs and `_layers` links while
 * the registry serves. Each removal claims its digest in the write gate first (WriteGate.claim): a
 * digest a write touched since the collection began is skipped, and a write naming a digest being
 * removed waits for that one removal only, while writes naming other digests never wait.
 */
import { mapLimit } from '../core/concurrency';
import { parseDigest } from '../core/digest';
import type { ParsedDigest } from '../core/digest';
import type { CollectionAccess } from '../registry/views';
import { closeOver, type MarkResult, type RegistryGraph } from './graph';
import type { ProgressThrottle } from './progress';

/** Removals in flight at once: enough to keep the disk busy, few enough to leave room for requests. */
const PARALLEL_REMOVALS = 8;
/** Repositories whose folders are listed at once (tag histories, `_layers`). */
const PARALLEL_LISTINGS = 8;

/** A blob on disk: its size (from the index when it knows it) and, when it was needed, its mtime. */
export interface OnDisk {
  digest: ParsedDigest;
  size: number;
  /** Null when the blob was not stat-ed (its size came from the index and no grace needed its age). */
  modified: Date | null;
}

/** repository -> digest -> tags whose history holds it. */
export type TagHistories = Map<string, Map<string, string[]>>;

/** Reads the tag histories of `repositories` (a few at a time), once per collection. */
export async function tagHistories(store: CollectionAccess, repositories: Iterable<string>): Promise<TagHistories> {
  const names = [...new Set(repositories)];
  const found = await mapLimit(names, PARALLEL_LISTINGS, (name) => store.tagHistory(name));
  return new Map(names.map((name, i) => [name, found[i]!]));
}

/**
 * Removes the marked untagged manifests as registry:2's vacuum does (revision link, tag history
 * entries), then from the index and the origins, a batch at a time. A manifest a write touched
 * meanwhile, or that a tag points at again, stays, with everything it reaches (kept in `marked`).
 * A batch's claims last until the index has forgotten its manifests: a PUT of one of them waits, so
 * the index never forgets a manifest that was just stored again.
 */
export async function removeUntagged(
  store: CollectionAccess,
  graph: RegistryGraph,
  marked: MarkResult,
  history: TagHistories,
  progress: ProgressThrottle,
  batchSize: number,
): Promise<Array<{ repository: string; digest: string }>> {
  const removed: Array<{ repository: string; digest: string }> = [];
  const repos = new Map(graph.repos.map((r) => [r.name, r]));
  const items = marked.removable;
  progress.report('manifests', 0, items.length);
  for (let i = 0; i < items.length; i += batchSize) {
    const batch = items.slice(i, i + batchSize);
    // Decide in order, and claim in the same turn: a manifest that stays keeps what it reaches, which comes later.
    const doomed = batch.filter(({ repository, digest }) => {
      const kept = marked.keptManifests.get(repository)!;
      if (kept.has(digest) || !store.index.hasManifest(repository, digest)) return false;
      if (store.gate.isProtected(digest) || store.index.tagsOf(repository, digest).length > 0) {
        closeOver(graph, repos.get(repository)!, [digest], kept, marked.keptBlobs);
        return false;
      }
      return true;
    });
    const claim = store.gate.claim(doomed.map((m) => m.digest));
    try {
      // Disk first, then the index, as every write does.
      await mapLimit(doomed, PARALLEL_REMOVALS, ({ repository, digest }) =>
        store.removeRevision(repository, parseDigest(digest)!, history.get(repository)?.get(digest) ?? []),
      );
      store.forgetManifests(doomed);
    } finally {
      claim.release();
    }
    removed.push(...doomed);
    progress.report('manifests', Math.min(items.length, i + batch.length), items.length);
  }
  return removed;
}

/** Removes `candidates` from storage, each unless a write touched it; returns those removed, and how many were protected. */
export async function removeBlobs(store: CollectionAccess, candidates: OnDisk[], progress: ProgressThrottle): Promise<{ removed: OnDisk[]; protectedCount: number }> {
  const removed: OnDisk[] = [];
  let protectedCount = 0;
  let done = 0;
  progress.report('blobs', 0, candidates.length);
  await mapLimit(candidates, PARALLEL_REMOVALS, async (b) => {
    const claim = store.gate.claim([b.digest.digest]);
    if (claim.digests.length === 0) protectedCount++;
    else {
      try {
        await store.removeBlob(b.digest);
        removed.push(b);
      } finally {
        claim.release();
      }
    }
    progress.report('blobs', ++done, candidates.length);
  });
  return { removed, protectedCount };
}

/**
 * Every `_layers` link on disk, by digest: the repositories linking it. One listing per repository
 * (a few at a time); it runs beside the blob sweep. A link written after the listing is a write's,
 * and its digest is protected.
 */
export async function listLayerLinks(store: CollectionAccess): Promise<Map<string, string[]>> {
  const repos = await store.listRepositories();
  const linked = await mapLimit(repos, PARALLEL_LISTINGS, (repo) => store.listLinkedBlobs(repo));
  const out = new Map<string, string[]>();
  repos.forEach((repo, i) => {
    for (const d of linked[i]!) {
      const list = out.get(d.digest);
      if (list) list.push(repo);
      else out.set(d.digest, [repo]);
    }
  });
  return out;
}

/**
 * Removes the links to `removed` blobs, and links left dangling by earlier runs (to blobs `dangling`
 * says are neither on disk at the mark nor kept), from every repository that has one, unless a
 * write touched the digest.
 */
export async function removeLayerLinks(
  store: CollectionAccess,
  links: Map<string, string[]>,
  removed: OnDisk[],
  dangling: (digest: string) => boolean,
  progress: ProgressThrottle,
): Promise<void> {
  const doomed = [...new Set([...removed.map((b) => b.digest.digest).filter((d) => links.has(d)), ...[...links.keys()].filter(dangling)])];
  const total = doomed.reduce((a, d) => a + links.get(d)!.length, 0);
  let done = 0;
  progress.report('links', 0, total);
  await mapLimit(doomed, PARALLEL_REMOVALS, async (digest) => {
    const repos = links.get(digest)!;
    const claim = store.gate.claim([digest]);
    try {
      const d = parseDigest(digest)!;
      if (claim.digests.length > 0) for (const repo of repos) await store.unlinkBlob(repo, d);
    } finally {
      claim.release();
    }
    done += repos.length;
    progress.report('links', done, total);
  });
}
