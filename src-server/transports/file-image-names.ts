/**
 * How a file names its images, and which image a reference names: index.json's annotations
 * (containerd's `io.containerd.image.name`, OCI's `org.opencontainers.image.ref.name`), a docker
 * archive's RepoTags, or `#N` for an unnamed one.
 */
import { parseDigest } from '../core/digest';
import { archiveInvalid } from './blob-store';
import type { FileImage } from './types';

/** The annotation that names an image of an OCI layout (a tag, or `repo:tag`). */
export const REF_NAME = 'org.opencontainers.image.ref.name';
/** containerd's annotation naming an image in full (`docker.io/library/alpine:3`). */
export const CONTAINERD_NAME = 'io.containerd.image.name';

/** A name split into repository and tag. */
export interface SplitName {
  repository: string | null;
  tag: string | null;
}

/**
 * `docker.io/library/alpine` → `library/alpine`: the first component goes when it is a registry
 * host (it has a `.` or a `:`, or is `localhost`) and something follows it.
 */
export function stripRegistryHost(repository: string): string {
  const slash = repository.indexOf('/');
  if (slash < 0) return repository;
  const first = repository.slice(0, slash);
  return first.includes('.') || first.includes(':') || first === 'localhost' ? repository.slice(slash + 1) : repository;
}

/**
 * Splits `host/repo:tag` (host taken off) into repository and tag; `repo@digest` keeps no tag; a
 * name with no `:` after its last `/` is a repository without a tag.
 */
export function splitRepoTag(name: string): SplitName {
  const at = name.indexOf('@');
  const base = at >= 0 ? name.slice(0, at) : name;
  const colon = base.lastIndexOf(':');
  if (colon > base.lastIndexOf('/') && colon > 0) {
    return { repository: stripRegistryHost(base.slice(0, colon)), tag: base.slice(colon + 1) || null };
  }
  return { repository: stripRegistryHost(base), tag: null };
}

/** An image's name from its index.json annotations; `ordinal` (1-based) names an unnamed one `#N`. */
export function nameFromAnnotations(annotations: Record<string, unknown> | undefined, ordinal: number): { repository: string | null; tag: string | null; name: string } {
  const containerd = annotations?.[CONTAINERD_NAME];
  if (typeof containerd === 'string' && containerd !== '') {
    const { repository, tag } = splitRepoTag(containerd);
    if (repository) return { repository, tag, name: tag ? `${repository}:${tag}` : repository };
  }
  const ref = annotations?.[REF_NAME];
  if (typeof ref === 'string' && ref !== '') {
    const { repository, tag } = splitRepoTag(ref);
    if (repository && tag) return { repository, tag, name: `${repository}:${tag}` };
    return { repository: null, tag: ref, name: ref };
  }
  return { repository: null, tag: null, name: `#${ordinal}` };
}

/**
 * The digest `reference` names among `images`, or null when it names none: a digest as it is; a
 * name exactly as an image has it; `repository:reference` when `repository` is given; `repo:tag`
 * with a registry host; or a bare tag that one image has. Throws ARCHIVE_INVALID when it names
 * several different images.
 */
export function findImage(images: readonly FileImage[], reference: string, label: string, repository?: string): string | null {
  if (parseDigest(reference)) return reference;
  const tries: Array<(i: FileImage) => boolean> = [
    (i) => i.name === reference,
    (i) => !!repository && i.repository === repository && i.tag === reference,
    (i) => {
      const { repository: r, tag } = splitRepoTag(reference);
      return tag !== null && i.repository === r && i.tag === tag;
    },
    (i) => i.tag === reference,
  ];
  for (const match of tries) {
    const found = images.filter(match);
    const digests = [...new Set(found.map((i) => i.digest))];
    if (digests.length === 1) return digests[0]!;
    if (digests.length > 1) {
      throw archiveInvalid(`${label}: ${JSON.stringify(reference)} names ${digests.length} different images (${found.map((i) => i.name).join(', ')}): name one in full`);
    }
  }
  return null;
}

/**
 * FileSource.resolve: the digest a reference names, or the file's only image without one;
 * ARCHIVE_INVALID listing the names when it names none or several.
 */
export function resolveImage(images: readonly FileImage[], reference: string | undefined, label: string): string {
  const names = images.map((i) => i.name).join(', ');
  if (reference === undefined || reference === '') {
    const digests = [...new Set(images.map((i) => i.digest))];
    if (digests.length === 1) return digests[0]!;
    if (digests.length === 0) throw archiveInvalid(`${label} holds no image`);
    throw archiveInvalid(`${label} holds ${digests.length} images: name one (${names})`);
  }
  const digest = findImage(images, reference, label);
  if (digest) return digest;
  throw archiveInvalid(`${label} has no image named ${JSON.stringify(reference)}; ${images.length ? `its images: ${names}` : 'it holds no image'}`);
}

/** The repositories images are named in, sorted, without repeats. */
export function repositoriesOf(images: readonly FileImage[]): string[] {
  return [...new Set(images.map((i) => i.repository).filter((r): r is string => r !== null))].sort();
}

/** The tags of `repository` (images without a repository are under ''), or null when it has none. */
export function tagsOf(images: readonly FileImage[], repository: string): string[] | null {
  const mine = images.filter((i) => (i.repository ?? '') === repository);
  if (mine.length === 0) return null;
  return [...new Set(mine.map((i) => i.tag).filter((t): t is string => t !== null))];
}
