/**
 * The image references `berth files|extract|diff` take, told apart as docker tells them:
 *
 *   repo[:tag] | repo@digest                 the local registry (tag `latest` when none is given)
 *   HOST[:PORT]/repo[:tag] | ...@digest      a remote registry: the first component has a `.` or a
 *                                            `:`, or is `localhost`
 *   oci:DIR[:TAG]                            an OCI image layout folder
 */
import { parseDigest } from '../core/digest';
import { isValidName, isValidTag } from '../core/names';

/** A parsed image reference. */
export type ImageRef =
  | { kind: 'local'; repository: string; reference: string }
  | { kind: 'remote'; host: string; repository: string; reference: string }
  | { kind: 'oci'; dir: string; tag?: string };

/** A reference that cannot be read, with words that say why. */
export class ImageRefError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImageRefError';
  }
}

/** `host`, `host:port`, `[v6]:port`: letters, digits, dots, dashes, and a port. */
const HOST_RE = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?|\[[0-9a-fA-F:.]+\])(?::[0-9]{1,5})?$/;

/** Parses one image reference; throws ImageRefError naming what is wrong. */
export function parseImageRef(text: string): ImageRef {
  if (typeof text !== 'string' || text.trim() === '') throw new ImageRefError('an image reference is empty');
  if (/\s/.test(text)) throw new ImageRefError(`${JSON.stringify(text)} is not an image reference: it contains spaces`);
  if (text.startsWith('oci:')) return parseOciRef(text);
  const slash = text.indexOf('/');
  const first = slash < 0 ? '' : text.slice(0, slash);
  if (slash > 0 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    if (!HOST_RE.test(first)) throw new ImageRefError(`${JSON.stringify(first)} in ${JSON.stringify(text)} is not a registry host[:port]`);
    const port = /:(\d+)$/.exec(first)?.[1];
    if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) throw new ImageRefError(`port ${port} of ${JSON.stringify(text)} is out of range`);
    const { repository, reference } = nameAndReference(text.slice(slash + 1), text);
    return { kind: 'remote', host: first.toLowerCase(), repository, reference };
  }
  return { kind: 'local', ...nameAndReference(text, text) };
}

/** `oci:DIR[:TAG]`: the last `:` starts a tag only when what follows is a tag (a path may hold `:`). */
function parseOciRef(text: string): ImageRef {
  const rest = text.slice('oci:'.length);
  if (!rest) throw new ImageRefError('oci: needs a folder, as in oci:./layout or oci:/tmp/layout:v1');
  const colon = rest.lastIndexOf(':');
  if (colon > 0) {
    const tag = rest.slice(colon + 1);
    // OCI layouts name images by `org.opencontainers.image.ref.name`, which allows more than tags.
    if (tag && !tag.includes('/') && /^[A-Za-z0-9._@+-]+$/.test(tag)) return { kind: 'oci', dir: rest.slice(0, colon), tag };
  }
  return { kind: 'oci', dir: rest };
}

/** Splits `repo[:tag]` or `repo@digest`, checking the name's grammar. */
function nameAndReference(rest: string, whole: string): { repository: string; reference: string } {
  const at = rest.indexOf('@');
  let repository: string;
  let reference: string;
  if (at >= 0) {
    repository = rest.slice(0, at);
    reference = rest.slice(at + 1);
    // `repo:tag@digest` (docker's form): the digest decides.
    const tagColon = repository.lastIndexOf(':');
    if (tagColon > repository.lastIndexOf('/')) repository = repository.slice(0, tagColon);
    if (!parseDigest(reference)) throw new ImageRefError(`${JSON.stringify(reference)} in ${JSON.stringify(whole)} is not a digest (sha256:<64 hex digits>)`);
  } else {
    const colon = rest.lastIndexOf(':');
    const hasTag = colon > rest.lastIndexOf('/');
    repository = hasTag ? rest.slice(0, colon) : rest;
    reference = hasTag ? rest.slice(colon + 1) : 'latest';
    if (!isValidTag(reference)) throw new ImageRefError(`${JSON.stringify(reference)} in ${JSON.stringify(whole)} is not a tag (letters, digits, . _ -, at most 128)`);
  }
  if (!isValidName(repository)) {
    const hint = /[A-Z]/.test(repository) ? ' (repository names are lower case)' : '';
    throw new ImageRefError(`${JSON.stringify(repository)} in ${JSON.stringify(whole)} is not a repository name${hint}`);
  }
  return { repository, reference };
}

/** The reference as a user would write it again (`oci:/dir:tag`, `host/repo@sha256:...`). */
export function formatImageRef(ref: ImageRef): string {
  if (ref.kind === 'oci') return `oci:${ref.dir}${ref.tag ? `:${ref.tag}` : ''}`;
  const sep = ref.reference.includes(':') ? '@' : ':';
  const name = ref.kind === 'remote' ? `${ref.host}/${ref.repository}` : ref.repository;
  return `${name}${sep}${ref.reference}`;
}

/** True for a tag or a well-formed digest: what may go into a manifest URL or path. */
export function isReference(reference: string): boolean {
  return isValidTag(reference) || parseDigest(reference) !== null;
}

/** Throws ImageRefError unless `digest` is a well-formed digest (before it goes into a URL or path). */
export function checkDigest(digest: string, where: string): string {
  if (!parseDigest(digest)) throw new ImageRefError(`${where}: ${JSON.stringify(digest)} is not a digest`);
  return digest;
}

/** Throws ImageRefError unless `reference` is a tag or a digest. */
export function checkReference(reference: string, where: string): string {
  if (!isReference(reference)) throw new ImageRefError(`${where}: ${JSON.stringify(reference)} is not a tag or digest`);
  return reference;
}
