import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { digestOf } from '../helpers/images';

/** An image as skopeo writes it with the `dir:` transport, which keeps manifests byte for byte. */
export interface DirImage {
  /** The top manifest (an index/list when copied with `--all`). */
  manifest: Buffer;
  /** Child manifests of a list, by digest. */
  children: Map<string, Buffer>;
  /** Blobs by the digest in their file name. */
  blobs: Map<string, Buffer>;
}

/** Reads a skopeo `dir:` copy. */
export function readDirImage(dir: string): DirImage {
  const children = new Map<string, Buffer>();
  const blobs = new Map<string, Buffer>();
  for (const name of readdirSync(dir)) {
    if (name === 'manifest.json' || name === 'version') continue;
    const m = /^([0-9a-f]{64})\.manifest\.json$/.exec(name);
    if (m) children.set(`sha256:${m[1]}`, readFileSync(join(dir, name)));
    else if (/^[0-9a-f]{64}$/.test(name)) blobs.set(`sha256:${name}`, readFileSync(join(dir, name)));
  }
  return { manifest: readFileSync(join(dir, 'manifest.json')), children, blobs };
}

/** Digests of blobs whose bytes do not hash to their name (should be empty). */
export function corruptBlobs(img: DirImage): string[] {
  return [...img.blobs].filter(([d, b]) => digestOf(b) !== d).map(([d]) => d);
}
