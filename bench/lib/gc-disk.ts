/**
 * What is on disk in a registry:2 tree, counted straight from the files: the bench checks every
 * collector's work against the disk, not against what the collector says it did.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const V2 = 'docker/registry/v2';

/** Blobs (digest → size of `data`) and manifest revision links under a storage root. */
export interface DiskCount {
  blobs: Map<string, number>;
  revisions: number;
}

/** Walks `<root>/docker/registry/v2`: every `blobs/sha256/xx/<hex>/data` and every revision link. */
export function countDisk(root: string): DiskCount {
  const blobs = new Map<string, number>();
  const blobRoot = join(root, V2, 'blobs/sha256');
  for (const rel of readdirSync(blobRoot, { recursive: true, encoding: 'utf8' })) {
    const m = /^[0-9a-f]{2}\/([0-9a-f]{64})\/data$/.exec(rel);
    if (m) blobs.set(`sha256:${m[1]}`, statSync(join(blobRoot, rel)).size);
  }
  let revisions = 0;
  for (const rel of readdirSync(join(root, V2, 'repositories'), { recursive: true, encoding: 'utf8' })) {
    if (/\/_manifests\/revisions\/sha256\/[0-9a-f]{64}\/link$/.test(rel)) revisions++;
  }
  return { blobs, revisions };
}

/** What went from `before` to `after`: blobs (and their bytes) and manifest revisions removed. */
export function removedBetween(before: DiskCount, after: DiskCount): { manifests: number; blobs: number; bytes: number } {
  let blobs = 0;
  let bytes = 0;
  for (const [digest, size] of before.blobs) {
    if (!after.blobs.has(digest)) {
      blobs++;
      bytes += size;
    }
  }
  return { manifests: before.revisions - after.revisions, blobs, bytes };
}
