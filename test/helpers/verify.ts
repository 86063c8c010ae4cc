import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** registry:2's tree inside a storage root. */
const V2 = 'docker/registry/v2';
const MARKERS = ['_manifests', '_layers', '_uploads'];

/** What a walk over `blobs/` found. */
export interface BlobCheck {
  /** Digests whose `data` hashes to the digest in its path. */
  good: string[];
  /** `data` files whose content does not match the digest in their path. */
  bad: Array<{ digest: string; actual: string; size: number }>;
  /** Anything else in the blob tree (temp files, blob folders without `data`), relative to the root. */
  strays: string[];
}

/** A repository as its link files on disk describe it. */
export interface RepoOnDisk {
  /** tag -> digest in `_manifests/tags/<tag>/current/link` (tags without a readable link are left out). */
  tags: Map<string, string>;
  /** Digests of `_manifests/revisions/<alg>/<hex>/link` whose link names that digest. */
  revisions: string[];
  /** Digests of `_layers/<alg>/<hex>/link` whose link names that digest. */
  layers: string[];
  /** Entry names under `_uploads`. */
  uploads: string[];
  /** Tag folders without a readable `current/link` (registry:2 lists them, then answers 404). */
  brokenTags: string[];
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function readLink(p: string): string | null {
  try {
    return readFileSync(p, 'utf8').trim();
  } catch {
    return null;
  }
}

function hashFile(path: string, algorithm: string): Promise<string> {
  return new Promise((res, rej) => {
    const h = createHash(algorithm);
    createReadStream(path)
      .on('data', (c) => h.update(c))
      .on('error', rej)
      .on('end', () => res(h.digest('hex')));
  });
}

/**
 * Walks `docker/registry/v2/blobs/<alg>/<xx>/<hex>/data` under `dataDir` and checks that every
 * `data` file hashes to the digest its path names.
 */
export async function verifyBlobs(dataDir: string): Promise<BlobCheck> {
  const root = join(dataDir, V2, 'blobs');
  const out: BlobCheck = { good: [], bad: [], strays: [] };
  for (const alg of list(root)) {
    for (const prefix of list(join(root, alg))) {
      for (const hex of list(join(root, alg, prefix))) {
        const dir = join(root, alg, prefix, hex);
        const rel = `${V2}/blobs/${alg}/${prefix}/${hex}`;
        if (!isDir(dir) || !hex.startsWith(prefix)) {
          out.strays.push(rel);
          continue;
        }
        const entries = list(dir);
        for (const e of entries) if (e !== 'data') out.strays.push(`${rel}/${e}`);
        if (!entries.includes('data')) {
          out.strays.push(`${rel} (no data)`);
          continue;
        }
        const file = join(dir, 'data');
        const actual = await hashFile(file, alg);
        if (actual === hex) out.good.push(`${alg}:${hex}`);
        else out.bad.push({ digest: `${alg}:${hex}`, actual: `${alg}:${actual}`, size: statSync(file).size });
      }
    }
  }
  return out;
}

/** Digests `<alg>:<hex>` under a `<alg>/<hex>/link` tree whose link names the same digest. */
function linkedDigests(root: string): string[] {
  const out: string[] = [];
  for (const alg of list(root)) {
    for (const hex of list(join(root, alg))) {
      const digest = `${alg}:${hex}`;
      if (readLink(join(root, alg, hex, 'link')) === digest) out.push(digest);
    }
  }
  return out;
}

/** Repository names under `repositories/`, found the way registry:2 does (marker folders). */
export function listRepositoriesOnDisk(dataDir: string): string[] {
  const root = join(dataDir, V2, 'repositories');
  const found: string[] = [];
  const walk = (prefix: string) => {
    const entries = list(prefix ? join(root, prefix) : root);
    if (prefix && entries.some((e) => MARKERS.includes(e))) found.push(prefix);
    for (const e of entries) {
      if (e.startsWith('_') || e.startsWith('.')) continue;
      const child = prefix ? `${prefix}/${e}` : e;
      if (isDir(join(root, child))) walk(child);
    }
  };
  walk('');
  return found.sort();
}

/** Reads one repository's tag, revision, layer and upload entries from disk. */
export function readRepositoryOnDisk(dataDir: string, name: string): RepoOnDisk {
  const repo = join(dataDir, V2, 'repositories', name);
  const tags = new Map<string, string>();
  const brokenTags: string[] = [];
  for (const tag of list(join(repo, '_manifests/tags'))) {
    const link = readLink(join(repo, '_manifests/tags', tag, 'current/link'));
    if (link) tags.set(tag, link);
    else brokenTags.push(tag);
  }
  return {
    tags,
    revisions: linkedDigests(join(repo, '_manifests/revisions')),
    layers: linkedDigests(join(repo, '_layers')),
    uploads: list(join(repo, '_uploads')),
    brokenTags,
  };
}

/** Every repository on disk with its link files. */
export function readRepositoriesOnDisk(dataDir: string): Map<string, RepoOnDisk> {
  return new Map(listRepositoriesOnDisk(dataDir).map((n) => [n, readRepositoryOnDisk(dataDir, n)]));
}

/** True when the blob `data` file for a digest exists. */
export function blobExists(dataDir: string, digest: string): boolean {
  const [alg, hex] = digest.split(':') as [string, string];
  return existsSync(join(dataDir, V2, 'blobs', alg, hex.slice(0, 2), hex, 'data'));
}
