/**
 * Opening an {@link ImagePlace} as one side of a copy: a registry through the opener, a file as a
 * FileSource (read) or a FileSink (written). Each side comes back as a RegistrySource with the
 * repository and reference the copy engine then uses, and words for messages.
 */
import type { RegistrySource } from '../browse/source';
import type { ImagePlace } from '../contract';
import { parseDigest } from '../core/digest';
import { RegistryError } from '../core/errors';
import { isValidName, isValidTag } from '../core/names';
import { openFileSource } from '../transports/open-source';
import { createFileSink } from '../transports/open-sink';
import type { FileSink, FileSource } from '../transports/types';
import type { RegistryEndpoint, RegistryOpener } from './endpoints';

/** The repository a file's unnamed image is read under (a file has one namespace). */
export const FILE_REPOSITORY = 'image';

/** A place opened to read from. */
export interface OpenedSource {
  source: RegistrySource;
  repository: string;
  /** A tag or a digest. */
  reference: string;
  /** The image's tag, when the place names one (or, for a file, its index does): what a destination without a name takes. */
  tag: string | undefined;
  /** The place in reference syntax, for messages and reports. */
  label: string;
  /** Set when the place is a file. */
  file: FileSource | null;
  close(): Promise<void>;
}

/** A place opened to write to. */
export interface OpenedDestination {
  source: RegistrySource;
  repository: string;
  /** The tag to write; undefined pushes by digest only (registries). */
  tag: string | undefined;
  label: string;
  /** Set when the place is a file: committed when the copy succeeded, aborted otherwise. */
  sink: FileSink | null;
  close(): Promise<void>;
}

/** The place in skopeo's reference syntax (`oci-archive:/tmp/a.tar:v1`, `local app:v1`, `HOST/REPO:TAG`). */
export function placeLabel(p: ImagePlace): string {
  const ref = (r: string | undefined) => (r === undefined ? '' : parseDigest(r) ? `@${r}` : `:${r}`);
  switch (p.transport) {
    case 'registry':
      return p.connection === 'local' ? `${p.repository}${ref(p.reference)}` : `${p.connection}:${p.repository}${ref(p.reference)}`;
    case 'host':
      return `${p.host}/${p.repository}${ref(p.reference)}`;
    default:
      return `${p.transport}:${p.path}${p.reference === undefined ? '' : `:${p.reference}`}`;
  }
}

function invalid(message: string, place: ImagePlace): RegistryError {
  return new RegistryError('IMAGE_PLACE_INVALID', { message, detail: { place: placeLabel(place) } });
}

function checkRepository(name: string, place: ImagePlace): string {
  if (!isValidName(name)) throw invalid(`${JSON.stringify(name)} is not a repository name (in ${placeLabel(place)})`, place);
  return name;
}

function checkReference(ref: string, place: ImagePlace): string {
  if (!isValidTag(ref) && !parseDigest(ref)) throw invalid(`${JSON.stringify(ref)} is neither a tag nor a digest (in ${placeLabel(place)})`, place);
  return ref;
}

/** The registry a registry or host place names. */
function endpointOf(place: Extract<ImagePlace, { transport: 'registry' | 'host' }>): RegistryEndpoint {
  return place.transport === 'registry' ? { connection: place.connection } : { host: place.host, access: place.access };
}

/** Opens `place` to read an image from (`latest` when a registry place names no reference). */
export async function openSource(place: ImagePlace, opener: RegistryOpener): Promise<OpenedSource> {
  const label = placeLabel(place);
  if (place.transport === 'registry' || place.transport === 'host') {
    const opened = await opener.open(endpointOf(place));
    const reference = checkReference(place.reference ?? 'latest', place);
    return {
      source: opened.source,
      repository: checkRepository(place.repository, place),
      reference,
      tag: parseDigest(reference) ? undefined : reference,
      label,
      file: null,
      close: () => opened.close(),
    };
  }
  const file = await openFileSource(place.transport, place.path);
  try {
    const digest = file.resolve(place.reference);
    const image = file.images.find((i) => i.digest === digest);
    const tag = file.images.find((i) => i.digest === digest && i.tag !== null)?.tag ?? undefined;
    return { source: file, repository: image?.repository ?? FILE_REPOSITORY, reference: digest, tag, label, file, close: () => file.close?.() ?? Promise.resolve() };
  } catch (err) {
    await file.close?.().catch(() => {});
    throw err;
  }
}

/**
 * Opens `place` to write the image read from `from` (`fromRepository`, `fromTag`: how the source
 * names it; a file place without a name takes them, as a registry place without a reference takes
 * the tag).
 */
export async function openDestination(place: ImagePlace, opener: RegistryOpener, fromRepository: string, fromTag: string | undefined): Promise<OpenedDestination> {
  const label = placeLabel(place);
  if (place.transport === 'registry' || place.transport === 'host') {
    const ref = place.reference ?? fromTag;
    if (ref !== undefined) checkReference(ref, place);
    const repository = checkRepository(place.repository, place);
    const opened = await opener.open(endpointOf(place));
    return { source: opened.source, repository, tag: ref !== undefined && !parseDigest(ref) ? ref : undefined, label, sink: null, close: () => opened.close() };
  }
  // A file names the image `TAG` or `REPO:TAG` (skopeo's docker-archive takes `REPO:TAG`, `REPO` meaning `REPO:latest`).
  let repository = fromRepository;
  let tag = fromTag;
  let naming: 'tag' | 'repository-tag' = 'tag';
  if (place.reference !== undefined) {
    const colon = place.reference.lastIndexOf(':');
    const slashAfter = colon >= 0 && place.reference.slice(colon + 1).includes('/');
    if (colon > 0 && !slashAfter) {
      repository = place.reference.slice(0, colon);
      tag = place.reference.slice(colon + 1);
      naming = 'repository-tag';
    } else if (place.transport === 'docker-archive') {
      repository = place.reference;
      tag = 'latest';
    } else {
      tag = place.reference;
    }
  }
  if (place.transport === 'docker-archive') naming = 'repository-tag';
  if (tag === undefined) throw invalid(`name the image in the file (${place.transport}:${place.path}:${place.transport === 'docker-archive' ? 'REPO:TAG' : 'TAG'}): it is copied by digest and has no tag`, place);
  checkRepository(repository, place);
  if (!isValidTag(tag)) throw invalid(`${JSON.stringify(tag)} is not a tag (in ${label})`, place);
  const sink = await createFileSink(place.transport, place.path, { naming });
  return {
    source: sink,
    repository,
    tag,
    label,
    sink,
    close: async () => {
      await sink.abort().catch(() => {});
    },
  };
}
