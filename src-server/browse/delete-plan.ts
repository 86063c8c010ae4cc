/**
 * The plan of deleting a selection of tags, worked out for the whole selection at once: per image
 * (digest), the selected tags that go, the unselected tags that go with a deleted manifest, the tags
 * that stay, and whether the image stays tagged, is left untagged or is deleted. A tag selected
 * with its siblings is never said to keep the image.
 */
import type { DeleteMethod, TagsDeleteImage, TagsDeletePlan } from '../contract';
import type { TagHead } from './context';

/** A plan without the connection's names, its method's reason and the local GC figure. */
export type SelectionPlan = Pick<TagsDeletePlan, 'images' | 'missing' | 'unresolved' | 'totals'>;

/** Code-unit order (as registries sort tag names). */
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Plans deleting `selected` from a repository whose tags point where `heads` says, on a registry
 * deleting by `method`. An `unknown` method is planned as the worst case (whole manifests go); an
 * `unsupported` one plans nothing. Linear in the number of tags.
 */
export function planSelection(selected: readonly string[], heads: readonly TagHead[], method: DeleteMethod): SelectionPlan {
  const headOf = new Map(heads.map((h) => [h.tag, h] as const));
  const tagsOn = new Map<string, string[]>();
  for (const h of heads) if (h.digest) (tagsOn.get(h.digest) ?? tagsOn.set(h.digest, []).get(h.digest)!).push(h.tag);
  const unresolved = heads.filter((h) => h.error !== undefined).map((h) => h.tag).sort(byName);
  const missing: string[] = [];
  // Digests in the order of their first selected tag, each with its selected tags.
  const chosen = new Map<string, Set<string>>();
  for (const tag of new Set(selected)) {
    const head = headOf.get(tag);
    if (!head || (head.digest === null && head.error === undefined)) missing.push(tag);
    if (!head?.digest) continue;
    (chosen.get(head.digest) ?? chosen.set(head.digest, new Set()).get(head.digest)!).add(tag);
  }
  missing.sort(byName);
  if (method === 'unsupported') return { images: [], missing, unresolved, totals: { tags: 0, images: 0, untagged: 0, deleted: 0, reclaimable: null } };
  const wholeManifests = method === 'manifest' || method === 'unknown';
  const images: TagsDeleteImage[] = [...chosen].map(([digest, tags]) => {
    const others = tagsOn.get(digest)!.filter((t) => !tags.has(t)).sort(byName);
    const going = [...tags].sort(byName);
    if (wholeManifests) return { digest, tags: going, alsoDeleted: others, kept: [], outcome: 'deleted' };
    return { digest, tags: going, alsoDeleted: [], kept: others, outcome: others.length ? 'tagged' : 'untagged' };
  });
  const totals = {
    tags: images.reduce((n, i) => n + i.tags.length + i.alsoDeleted.length, 0),
    images: images.length,
    untagged: images.filter((i) => i.outcome === 'untagged').length,
    deleted: images.filter((i) => i.outcome === 'deleted').length,
    reclaimable: null,
  };
  return { images, missing, unresolved, totals };
}
