/**
 * An OCI image layout folder (`oci:DIR`) as a FileSource: `oci-layout`, `index.json`, and blobs
 * under `blobs/<alg>/<hex>`. Nothing outside the folder is read: every file's real path (links
 * resolved) must lie inside it, and every byte read is checked against its digest.
 */
import { constants, createReadStream } from 'node:fs';
import { open, realpath, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { parseDigest } from '../core/digest';
import { archiveInvalid, type BlobStore, type StoredBlob } from './blob-store';
import { createFileSource } from './file-source';
import { readLayoutIndex } from './oci-index';
import type { FileSource } from './types';

const NO_FOLLOW = constants.O_RDONLY | constants.O_NOFOLLOW;

/** Opens the folder `dir` as an OCI image layout; ARCHIVE_INVALID when it is not one. */
export async function openOciLayoutSource(dir: string): Promise<FileSource> {
  const label = `oci:${dir}`;
  let root: string;
  try {
    root = await realpath(resolve(dir));
  } catch {
    throw archiveInvalid(`${label}: no such folder`);
  }
  if (!(await stat(root)).isDirectory()) throw archiveInvalid(`${label}: not a folder`);
  const store = folderStore(root, label);
  const read = (name: string, max: number) => readInside(root, join(root, name), max, label);
  const index = await readLayoutIndex(read, store, label, 'an OCI image layout');
  return createFileSource({ transport: 'oci', path: root, label, store, ...index });
}

/** Blobs under `root/blobs`, by digest, refused when their real path leaves it. */
function folderStore(root: string, label: string): BlobStore {
  const blobsRoot = join(root, 'blobs');
  return {
    async find(digest): Promise<StoredBlob | null> {
      const d = parseDigest(digest);
      if (!d) return null;
      let real: string;
      try {
        real = await realpath(join(blobsRoot, d.algorithm, d.hex));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
      const rootReal = await realpath(blobsRoot);
      if (!real.startsWith(rootReal + sep)) throw archiveInvalid(`${label}: blob ${digest} points outside the layout (${real}): refused`);
      const st = await stat(real);
      if (!st.isFile()) throw archiveInvalid(`${label}: blob ${digest} is not a regular file`);
      return {
        size: st.size,
        what: `blob ${digest}`,
        // O_NOFOLLOW: a blob swapped for a link after the check above is not read through. Node
        // passes numeric flags on to open(2); its types name only the string forms.
        open: (signal) => createReadStream(real, { signal, flags: NO_FOLLOW as unknown as string }),
      };
    },
    close: async () => {},
  };
}

/** A small file inside `root` (links resolved), or null when it is missing; longer than `max` is refused. */
async function readInside(root: string, path: string, max: number, label: string): Promise<Buffer | null> {
  let real: string;
  try {
    real = await realpath(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw archiveInvalid(`${label}: cannot read ${path}: ${(err as Error).message}`);
  }
  if (!real.startsWith(root + sep)) throw archiveInvalid(`${label}: ${path} points outside the layout: refused`);
  const fh = await open(real, 'r');
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw archiveInvalid(`${label}: ${path} is not a regular file`);
    if (st.size > max) throw archiveInvalid(`${label}: ${path} has ${st.size} bytes, more than the ${max} read`);
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}
