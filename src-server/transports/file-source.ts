/**
 * A FileSource made of its parts: the file's images and listed referrers, and the store its blobs
 * are read from. The three readers (OCI layout, OCI archive, docker archive) differ only in those
 * parts; reading, naming and refusing writes are the same for all and live here.
 */
import type { SourceBlob, SourceManifest, SourceManifestHead, SourceRepositoryPage } from '../browse/source';
import { parseDigest } from '../core/digest';
import { RegistryError } from '../core/errors';
import { ManifestParseError, parseManifest } from '../core/manifest';
import { archiveInvalid, MAX_MANIFEST_BYTES, readVerified, verifiedChunks, type BlobStore } from './blob-store';
import { findImage, repositoriesOf, resolveImage, tagsOf } from './file-image-names';
import type { ListedReferrer } from './oci-index';
import type { FileImage, FileSource, FileTransport } from './types';

/** What a reader found in its file. */
export interface FileSourceParts {
  transport: FileTransport;
  /** The file's real path. */
  path: string;
  /** How messages name it: the reference text (`oci-archive:/tmp/a.tar`). */
  label: string;
  store: BlobStore;
  images: FileImage[];
  referrers: ListedReferrer[];
  /** Media types the file's index gives manifests, by digest (a body may omit its own). */
  mediaTypes: ReadonlyMap<string, string>;
}

/** A read-only RegistrySource over a file's parts; `repository` arguments do not matter except to name images. */
export function createFileSource(parts: FileSourceParts): FileSource {
  const { label, store, images } = parts;
  let closed = false;
  const refuse = async (): Promise<never> => {
    throw new RegistryError('UNSUPPORTED', { message: `${label} is opened for reading: it cannot be written to` });
  };

  const manifest = async (repository: string, reference: string): Promise<SourceManifest | null> => {
    const digest = findImage(images, reference, label, repository);
    if (!digest || !parseDigest(digest)) return null;
    const blob = await store.find(digest);
    if (!blob) return null;
    if (blob.size > MAX_MANIFEST_BYTES) {
      throw archiveInvalid(`${label}: manifest ${digest} has ${blob.size} bytes, more than the ${MAX_MANIFEST_BYTES} a manifest may have`);
    }
    const body = await readVerified(blob, digest, label, MAX_MANIFEST_BYTES);
    try {
      const info = parseManifest(body, parts.mediaTypes.get(digest));
      return { digest, mediaType: info.mediaType, body };
    } catch (err) {
      if (err instanceof ManifestParseError) throw archiveInvalid(`${label}: ${digest} is not a manifest that can be read: ${err.message}`, { digest });
      throw err;
    }
  };

  return {
    transport: parts.transport,
    path: parts.path,
    images,
    id: `file:${parts.path}`,
    name: label,
    pullHost: '',
    local: false,
    resolve: (reference) => resolveImage(images, reference, label),

    async repositories(n: number, last?: string): Promise<SourceRepositoryPage> {
      const all = repositoriesOf(images).filter((r) => last === undefined || r > last);
      const names = all.slice(0, Math.max(0, n));
      return { names, next: all.length > names.length && names.length > 0 ? names[names.length - 1]! : null, source: 'index' };
    },
    tags: async (repository) => tagsOf(images, repository),
    getManifest: manifest,
    async headManifest(repository, reference): Promise<SourceManifestHead | null> {
      const m = await manifest(repository, reference);
      return m && { digest: m.digest, mediaType: m.mediaType, size: m.body.length };
    },
    async headBlob(_repository, digest) {
      if (!parseDigest(digest)) return null;
      return (await store.find(digest))?.size ?? null;
    },
    async getBlob(_repository, digest, signal): Promise<SourceBlob | null> {
      const d = parseDigest(digest);
      if (!d) return null;
      const blob = await store.find(digest);
      if (!blob) return null;
      const stream = blob.open(signal);
      stream.on('error', () => {});
      return { size: blob.size, chunks: verifiedChunks(stream, d, blob.size, label, blob.what), cancel: async () => void stream.destroy() };
    },
    async referrers(_repository, digest) {
      return parts.referrers.filter((r) => r.subject === digest).map(({ subject: _subject, ...descriptor }) => descriptor);
    },

    mountBlob: refuse,
    putBlob: refuse,
    putManifest: refuse,
    deleteTag: refuse,
    deleteManifest: refuse,
    async close() {
      if (closed) return;
      closed = true;
      await store.close();
    },
  };
}
