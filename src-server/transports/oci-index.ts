/**
 * An OCI image layout's index (`oci-layout` and `index.json`), wherever the layout is (a folder,
 * or a tar): its images with their names, and the manifests it lists as referrers (those with a
 * `subject`, left out of the images).
 */
import { mapLimit } from '../core/concurrency';
import { parseDigest } from '../core/digest';
import { parseManifest, referrerArtifactType } from '../core/manifest';
import { MediaType } from '../core/mediatypes';
import type { SourceReferrer } from '../browse/source';
import { archiveInvalid, MAX_MANIFEST_BYTES, parseJsonFile, readVerified, type BlobStore } from './blob-store';
import { nameFromAnnotations } from './file-image-names';
import type { FileImage } from './types';

/** Most index.json entries read. */
export const MAX_INDEX_ENTRIES = 10_000;
/** Manifests of index.json read at once while it is opened. */
const READ_CONCURRENCY = 8;
/**
 * Most bytes of index.json's manifests read at open to find referrers (10,000 entries of 4 MiB
 * would be 40 GB); past it the remaining entries are taken as images without being read.
 */
export const MAX_INDEX_READ_BYTES = 256 << 20;

/** A referrer index.json lists: its descriptor, and the digest of its subject. */
export interface ListedReferrer extends SourceReferrer {
  subject: string;
}

/** What a layout's index says. */
export interface LayoutIndex {
  images: FileImage[];
  referrers: ListedReferrer[];
  /** Media types index.json gives its entries, by digest. */
  mediaTypes: Map<string, string>;
}

/** The files at a layout's root that are not blobs. */
export type ReadRootFile = (name: 'oci-layout' | 'index.json', max: number) => Promise<Buffer | null>;

/** One valid entry of index.json. */
interface IndexEntry {
  digest: string;
  mediaType: string;
  size: number;
  annotations?: Record<string, string>;
}

/**
 * Reads `oci-layout` and `index.json` through `read`, and each listed manifest from `blobs` to
 * tell images from referrers. A manifest that cannot be read is kept as an image: reading it
 * later says what is wrong, and the layout's other images stay usable.
 */
export async function readLayoutIndex(read: ReadRootFile, blobs: BlobStore, label: string, what: string): Promise<LayoutIndex> {
  const layoutFile = await read('oci-layout', 64 * 1024);
  if (!layoutFile) throw archiveInvalid(`${label}: not ${what}: it has no oci-layout file`);
  const version = parseJsonFile(layoutFile, `${label}: oci-layout`) as { imageLayoutVersion?: unknown } | null;
  if (typeof version?.imageLayoutVersion !== 'string') throw archiveInvalid(`${label}: oci-layout has no imageLayoutVersion`);
  const body = await read('index.json', MAX_MANIFEST_BYTES);
  if (!body) throw archiveInvalid(`${label}: not ${what}: index.json is missing`);
  const entries = indexEntries(parseJsonFile(body, `${label}: index.json`), label);
  const mediaTypes = new Map(entries.map((e) => [e.digest, e.mediaType]));

  const budget = { left: MAX_INDEX_READ_BYTES };
  const subjects = await mapLimit(entries, READ_CONCURRENCY, (e) => subjectOf(e, blobs, label, budget));
  const images: FileImage[] = [];
  const referrers: ListedReferrer[] = [];
  entries.forEach((e, i) => {
    const ref = subjects[i];
    if (ref) referrers.push(ref);
    // A referrer is an image too only when index.json names it.
    if (ref && nameFromAnnotations(e.annotations, 0).name === '#0') return;
    const { repository, tag, name } = nameFromAnnotations(e.annotations, images.length + 1);
    images.push({ repository, tag, name, digest: e.digest, mediaType: e.mediaType, size: e.size });
  });
  return { images, referrers, mediaTypes };
}

function indexEntries(index: unknown, label: string): IndexEntry[] {
  const manifests = (index as { manifests?: unknown } | null)?.manifests;
  if (!Array.isArray(manifests)) throw archiveInvalid(`${label}: index.json has no manifests list`);
  if (manifests.length > MAX_INDEX_ENTRIES) throw archiveInvalid(`${label}: index.json lists ${manifests.length} manifests, more than ${MAX_INDEX_ENTRIES}`);
  return manifests.map((m: unknown, i) => {
    const e = m as Partial<IndexEntry> | null;
    const ok =
      e &&
      typeof e.digest === 'string' &&
      parseDigest(e.digest) &&
      typeof e.mediaType === 'string' &&
      typeof e.size === 'number' &&
      Number.isSafeInteger(e.size) &&
      e.size >= 0 &&
      (e.annotations === undefined || (typeof e.annotations === 'object' && e.annotations !== null));
    if (!ok) throw archiveInvalid(`${label}: index.json entry ${i + 1} is not a descriptor (digest, mediaType and size)`);
    return e as IndexEntry;
  });
}

/** The referrer an index.json entry is, or null when it has no subject (or cannot be read now). */
async function subjectOf(e: IndexEntry, blobs: BlobStore, label: string, budget: { left: number }): Promise<ListedReferrer | null> {
  try {
    const blob = await blobs.find(e.digest);
    if (!blob || blob.size !== e.size || blob.size > MAX_MANIFEST_BYTES || blob.size > budget.left) return null;
    budget.left -= blob.size;
    const body = await readVerified(blob, e.digest, label, MAX_MANIFEST_BYTES);
    const info = parseManifest(body, e.mediaType === MediaType.OciManifest || e.mediaType === MediaType.OciIndex ? e.mediaType : undefined);
    if (!info.subject) return null;
    return {
      subject: info.subject.digest,
      digest: e.digest,
      mediaType: info.mediaType,
      artifactType: referrerArtifactType(info),
      size: e.size,
      annotations: info.annotations ?? {},
    };
  } catch {
    return null;
  }
}
