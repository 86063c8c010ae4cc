/**
 * The hits every search answers with, local or remote: repository:tag with the digest, one per tag
 * that reaches a manifest found by digest, ordered by repository, tag and digest.
 */
import type { SearchHit } from '../contract/search';
import type { DigestFound } from '../index/search';

/** Hits per page unless asked otherwise. */
export const SEARCH_PAGE = 50;
/** Manifests a digest search expands at most (a short prefix can match many). */
export const MAX_DIGEST_MATCHES = 1000;

/** The hits of a manifest found by digest: one per tag on it or on an index listing it, or one untagged. */
export function digestHits(found: DigestFound): SearchHit[] {
  const hits: SearchHit[] = found.tags.map((tag) => ({ repository: found.repository, tag, digest: found.digest }));
  for (const ix of found.indexes) {
    for (const tag of ix.tags) hits.push({ repository: found.repository, tag, digest: found.digest, index: { digest: ix.digest, platform: ix.platform } });
  }
  if (hits.length > 0) return hits;
  const through = found.indexes[0];
  return [{ repository: found.repository, tag: null, digest: found.digest, ...(through ? { index: { digest: through.digest, platform: through.platform } } : {}) }];
}

/** Orders hits by repository, tag (untagged last) and digest, in code-unit order as tags page. */
export function compareHits(a: SearchHit, b: SearchHit): number {
  const by = (x: string | null, y: string | null) => (x === y ? 0 : x === null ? 1 : y === null ? -1 : x < y ? -1 : 1);
  return by(a.repository, b.repository) || by(a.tag, b.tag) || by(a.digest, b.digest);
}

/** The words for a digest search that matched more manifests than it expands. */
export function tooManyDigests(query: string, limit: number): string {
  return `more than ${limit.toLocaleString('en')} manifests start with ${query}: only the first ${limit.toLocaleString('en')} (by repository) are shown; type more of the digest`;
}
