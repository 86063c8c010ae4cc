/**
 * An OCI archive (`oci-archive:FILE`): an uncompressed tar of an OCI image layout, read in place.
 * Its headers are indexed once; blobs are byte ranges of the file, checked against their digests
 * as they stream. Only regular entries are blobs: links in the tar are never followed.
 */
import { realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseDigest } from '../core/digest';
import { archiveInvalid, type BlobStore, type StoredBlob } from './blob-store';
import { createFileSource } from './file-source';
import { readLayoutIndex, type ReadRootFile } from './oci-index';
import { openTarIndex, type TarIndex } from './tar-index';
import type { FileSource } from './types';

/** Opens `file` as an OCI archive; ARCHIVE_INVALID when it is not one. */
export async function openOciArchiveSource(file: string): Promise<FileSource> {
  const label = `oci-archive:${file}`;
  const path = await realFile(file, label);
  const tar = await openTarIndex(path, label);
  try {
    const store = tarBlobStore(tar);
    const index = await readLayoutIndex(tarRootReader(tar, label), store, label, 'an OCI archive');
    return createFileSource({ transport: 'oci-archive', path, label, store, ...index });
  } catch (err) {
    await tar.close();
    throw err;
  }
}

/** The real path of a file to read, or ARCHIVE_INVALID saying it is missing. */
export async function realFile(file: string, label: string): Promise<string> {
  try {
    return await realpath(resolve(file));
  } catch {
    throw archiveInvalid(`${label}: no such file`);
  }
}

/** Blobs at `blobs/<alg>/<hex>` of a tar (regular entries only). */
export function tarBlobStore(tar: TarIndex): BlobStore {
  return {
    async find(digest): Promise<StoredBlob | null> {
      const d = parseDigest(digest);
      if (!d) return null;
      const entry = tar.file(`blobs/${d.algorithm}/${d.hex}`);
      if (!entry) return null;
      return { size: entry.size, what: `blob ${digest}`, open: (signal) => tar.stream(entry, signal) };
    },
    close: () => tar.close(),
  };
}

/** Reads a small file at the root of a tar, or null when it has none. */
export function tarRootReader(tar: TarIndex, label: string): ReadRootFile {
  return async (name, max) => {
    const entry = tar.file(name);
    if (!entry) {
      if (tar.entries.has(name)) throw archiveInvalid(`${label}: ${name} is not a regular file in the archive`);
      return null;
    }
    if (entry.size > max) throw archiveInvalid(`${label}: ${name} has ${entry.size} bytes, more than the ${max} read`);
    return tar.head(entry, entry.size);
  };
}
