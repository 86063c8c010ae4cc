/**
 * What a trash item needs (issue 19): the closure of a manifest in its repository, read from the
 * index before the delete changes anything, and the repository's root manifests for a repository
 * delete (one item each).
 */
import type { RegistryIndex } from '../index/registry-index';
import type { TrashRecord, TrashStore } from '../trash/trash-store';
import type { DeleteContext } from './service';
import type { TrashHold } from './views';

/** A manifest's closure: its manifests in the repository, parents before children, and every blob it needs once. */
export interface TrashClosure {
  mediaType: string;
  manifests: string[];
  blobs: Array<{ digest: string; size: number }>;
}

/**
 * The closure of `digest` in `repo`: the manifest, an index's children, the referrers of each
 * (manifests of the repository naming it as subject), recursively; with every config, layer and
 * manifest blob they need, each once, sized from the index.
 */
export function trashClosure(index: RegistryIndex, repo: string, digest: string): TrashClosure {
  const db = index.db;
  const info = db.prepare('SELECT media_type, size FROM manifest_info WHERE digest = ?');
  const refs = db.prepare('SELECT child, kind, size FROM manifest_refs WHERE parent = ?');
  const manifests: string[] = [];
  const sizes = new Map<string, number>();
  const seen = new Set<string>();
  const queue: Array<{ digest: string; size: number | null }> = [{ digest, size: null }];
  while (queue.length) {
    const next = queue.shift()!;
    if (seen.has(next.digest)) continue;
    seen.add(next.digest);
    const row = info.get(next.digest) as { media_type: string; size: number } | undefined;
    const size = row?.size ?? next.size;
    if (size !== null && !sizes.has(next.digest)) sizes.set(next.digest, size);
    if (index.hasManifest(repo, next.digest)) manifests.push(next.digest);
    for (const r of refs.all(next.digest) as Array<{ child: string; kind: string; size: number }>) {
      if (r.kind === 'manifest') queue.push({ digest: r.child, size: r.size });
      else if (!sizes.has(r.child)) sizes.set(r.child, r.size);
    }
    for (const r of index.referrers(repo, next.digest)) queue.push({ digest: r.digest, size: r.size });
  }
  const mediaType = (info.get(digest) as { media_type: string } | undefined)?.media_type ?? 'application/octet-stream';
  return { mediaType, manifests, blobs: [...sizes].map(([d, size]) => ({ digest: d, size })) };
}

/**
 * The repository's revisions no other revision of it reaches (as an index's child or as a
 * referrer), and the tagged ones: each is one trash item of a repository delete, holding what it
 * reaches with it.
 */
export function rootRevisions(index: RegistryIndex, repo: string): string[] {
  const rows = index.db
    .prepare('SELECT v.digest FROM revisions v JOIN repos r ON r.id = v.repo_id WHERE r.name = ? ORDER BY v.digest')
    .pluck()
    .all(repo) as string[];
  const revisions = new Set(rows);
  const reached = new Set<string>();
  const refs = index.db.prepare("SELECT child FROM manifest_refs WHERE parent = ? AND kind = 'manifest'").pluck();
  const subject = index.db.prepare('SELECT subject FROM manifest_info WHERE digest = ?').pluck();
  for (const d of rows) {
    for (const c of refs.all(d) as string[]) if (c !== d && revisions.has(c)) reached.add(c);
    const s = subject.get(d) as string | null | undefined;
    if (s && s !== d && revisions.has(s)) reached.add(d);
  }
  // A tagged child (of an index, or a tagged referrer) is an item of its own, so its tags come back too.
  const roots = rows.filter((d) => !reached.has(d) || index.tagsOf(repo, d).length > 0);
  // A cycle of referrers has no root: keep each of its members then, so nothing goes unrecorded.
  const covered = new Set<string>();
  for (const r of roots) for (const m of trashClosure(index, repo, r).manifests) covered.add(m);
  return [...roots, ...rows.filter((d) => !covered.has(d))];
}

/** Who deleted, as a trash record keeps it. */
type Deleter = Pick<TrashRecord, 'source' | 'by' | 'policy'>;

function deleter(context: DeleteContext | undefined, fallback: TrashRecord['source']): Deleter {
  return {
    source: context?.source ?? fallback,
    ...(context?.by !== undefined ? { by: context.by } : {}),
    ...(context?.policy !== undefined ? { policy: context.policy } : {}),
  };
}

/**
 * Records a delete in the trash before it happens (a crash in between leaves an extra item, never
 * a lost image): a tag (`kind: tag`) or a manifest with the tags that pointed at it (`kind: manifest`).
 * Nothing is recorded when the trash is off (trash.keep 0).
 */
export async function trashDelete(
  trash: TrashStore | null,
  index: RegistryIndex,
  what: { repo: string; digest: string; kind: 'tag' | 'manifest'; tags: string[] },
  context: DeleteContext | undefined,
): Promise<void> {
  if (!trash?.enabled) return;
  const closure = trashClosure(index, what.repo, what.digest);
  // Tags of this manifest deleted before it (a retention run removes tags, then the untagged
  // manifest) join its item, unless a tag of that name exists again (its restore would conflict).
  const folded = what.kind === 'manifest' ? (await trash.tagItemsOf(what.repo, what.digest)).filter((r) => r.tags.every((t) => index.resolveTag(what.repo, t) === null)) : [];
  const tags = [...new Set([...what.tags, ...folded.flatMap((r) => r.tags)])].sort();
  await trash.add({ repository: what.repo, digest: what.digest, kind: what.kind, tags, ...closure, ...deleter(context, 'registry-api') });
  // After the item that replaces them is written: a crash in between leaves one item too many, never one too few.
  for (const r of folded) await trash.remove(r.id);
}

/** Records a repository delete: one `manifest` item per root revision (see rootRevisions), with its tags. */
export async function trashRepository(trash: TrashStore | null, index: RegistryIndex, repo: string, context: DeleteContext | undefined): Promise<void> {
  if (!trash?.enabled) return;
  const who = deleter(context, 'repository-delete');
  for (const digest of rootRevisions(index, repo)) {
    const closure = trashClosure(index, repo, digest);
    // Tags of the manifests the item brings back with it (a child of an index may be tagged too).
    const tags = index.tagsOf(repo, digest);
    await trash.add({ repository: repo, digest, kind: 'manifest', tags, ...closure, ...who });
  }
}

/** What the unexpired records hold back from a collection. */
export async function trashHolds(trash: TrashStore | null): Promise<TrashHold[]> {
  if (!trash) return [];
  return (await trash.list({ liveOnly: true })).map((r) => ({ repository: r.repository, digest: r.digest, blobs: r.blobs.map((b) => b.digest) }));
}
