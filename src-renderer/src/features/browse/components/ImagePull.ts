/** Pull references of an image: by tag (`host/repo:tag`) and by digest (the server's `pullByDigest`). */
import type { ImageDetails } from '../../../../../src-server/contract';

/** True when a reference is a digest (`sha256:...`) rather than a tag. */
export function isDigestReference(reference: string): boolean {
  // A tag never holds a colon; a digest always does.
  return reference.includes(':');
}

/** The host clients pull from: `pullByDigest` without `/<repository>@<digest>`. */
export function pullHostOf(image: Pick<ImageDetails, 'pullByDigest' | 'repository'>): string {
  const at = image.pullByDigest.lastIndexOf('@');
  const base = at >= 0 ? image.pullByDigest.slice(0, at) : image.pullByDigest;
  const suffix = `/${image.repository}`;
  return base.endsWith(suffix) ? base.slice(0, -suffix.length) : (base.split('/')[0] ?? base);
}

/** The tag to pull by: the reference when it is a tag, else the first tag on the digest, else null. */
export function pullTagOf(image: Pick<ImageDetails, 'reference' | 'tags'>): string | null {
  if (!isDigestReference(image.reference)) return image.reference;
  return image.tags[0] ?? null;
}

/** `host/repo:tag`, or null when the image has no tag. */
export function pullByTag(image: Pick<ImageDetails, 'pullByDigest' | 'repository' | 'reference' | 'tags'>): string | null {
  const tag = pullTagOf(image);
  return tag === null ? null : `${pullHostOf(image)}/${image.repository}:${tag}`;
}
