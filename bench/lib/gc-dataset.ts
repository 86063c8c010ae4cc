/**
 * A garbage-collection dataset written straight into registry:2's filesystem layout (the tree drawn in
 * src-server/storage/layout.ts), without a server, in a few seconds.
 *
 * Per repository (`gc/repo-NNNN`), 20 OCI image manifests over 20 configs and 40 layers, so 80 blobs:
 *
 *   manifests 0-9    tagged v0..v9 (the tag's `current/link`)
 *   manifests 10-19  untagged: 10+k was tag vk's previous target (still in `index/`) for even k,
 *                    pushed by digest for odd k; `deleteUntagged` removes them
 *   layers 0-3       base layers: manifest i uses base i % 4, so each is shared by tagged and untagged images
 *   layers 4-39      own layers, 2 per manifest (1 when i % 5 == 4): 2-3 layers per image
 *
 * A collection with `deleteUntagged` therefore removes 10 manifests and 38 blobs per repository (their
 * manifest and config blobs and their 18 own layers) and keeps 42. Without it nothing is unreferenced.
 * Blob contents are tiny and real (each digest is its content's sha256), so reindexing verifies cleanly.
 * Manifest revision links are dated two days back, as on a registry in use: Berth's collector spares
 * never-tagged manifests younger than its grace period (1 h by default; pushes in progress), and dates
 * them by that link, so on fresh files it would keep what registry:2, which has no grace period, removes.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const V2 = 'docker/registry/v2';
const PER_REPO = 20;
const TAGGED = 10;
const BASES = 4;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar';
/** Age given to manifest revision links, s. */
const AGE_SECONDS = 2 * 24 * 3600;

/** What a generated dataset holds, and what a collection with `deleteUntagged` must remove from it. */
export interface GcDataset {
  root: string;
  repositories: number;
  manifests: number;
  tags: number;
  blobs: number;
  bytes: number;
  /** The expected outcome of a collection with `deleteUntagged`. */
  expected: { manifestsRemoved: number; blobsRemoved: number; bytesRemoved: number };
  /**
   * Every folder such a collection removes, relative to `root`: blob folders, their `_layers` links,
   * manifest revision links and tag-history entries (the unlink baseline removes exactly these).
   */
  removedPaths: string[];
  /** Time taken to write it, ms. */
  ms: number;
}

interface Desc {
  mediaType: string;
  digest: string;
  size: number;
}

/** Own layers of manifest i: 2, except 1 when i % 5 == 4 (36 in all for 20 manifests). */
const ownLayers = (i: number) => (i % 5 === 4 ? 1 : 2);

/**
 * Writes the dataset under `root` (the storage root, registry:2's rootdirectory): `manifests` manifests
 * (a multiple of 20) and 4 blobs per manifest.
 */
export function generateGcDataset(root: string, manifests: number): GcDataset {
  if (!Number.isInteger(manifests / PER_REPO) || manifests <= 0) throw new Error(`manifests must be a positive multiple of ${PER_REPO}, got ${manifests}`);
  const t0 = performance.now();
  const repos = manifests / PER_REPO;
  const made = new Set<string>();
  const mkdir = (dir: string) => {
    if (made.has(dir)) return;
    mkdirSync(dir, { recursive: true });
    made.add(dir);
  };
  const write = (rel: string, data: string | Buffer) => {
    const file = join(root, rel);
    mkdir(file.slice(0, file.lastIndexOf('/')));
    writeFileSync(file, data);
    return file;
  };
  const past = Date.now() / 1000 - AGE_SECONDS;
  let blobs = 0;
  let bytes = 0;
  const expected = { manifestsRemoved: 0, blobsRemoved: 0, bytesRemoved: 0 };
  const removedPaths: string[] = [];
  /** Stores a blob and returns its descriptor (`removed`: the collection must remove it). */
  const blob = (data: Buffer, mediaType: string, removed: boolean): Desc => {
    const hex = createHash('sha256').update(data).digest('hex');
    write(`${V2}/blobs/sha256/${hex.slice(0, 2)}/${hex}/data`, data);
    blobs++;
    bytes += data.length;
    if (removed) {
      removedPaths.push(`${V2}/blobs/sha256/${hex.slice(0, 2)}/${hex}`);
      expected.blobsRemoved++;
      expected.bytesRemoved += data.length;
    }
    return { mediaType, digest: `sha256:${hex}`, size: data.length };
  };
  const hexOf = (d: Desc) => d.digest.slice('sha256:'.length);

  for (let r = 0; r < repos; r++) {
    const name = `gc/repo-${String(r).padStart(4, '0')}`;
    const repo = `${V2}/repositories/${name}`;
    const link = (d: Desc) => write(`${repo}/_layers/sha256/${hexOf(d)}/link`, d.digest);
    // Padding varies the sizes a little so byte counts are not a multiple of the blob count.
    const layerData = (k: number) => Buffer.from(`${name} layer ${k}\n${'.'.repeat((r * 7 + k * 13) % 200)}`);
    const bases = Array.from({ length: BASES }, (_, k) => blob(layerData(k), OCI_LAYER, false));
    bases.forEach(link);
    let nextLayer = BASES;
    const digests: Desc[] = [];
    for (let i = 0; i < PER_REPO; i++) {
      const untagged = i >= TAGGED;
      const own = Array.from({ length: ownLayers(i) }, () => blob(layerData(nextLayer++), OCI_LAYER, untagged));
      const layers = [bases[i % BASES]!, ...own];
      const config = blob(
        Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', created: `2026-01-${String((i % 28) + 1).padStart(2, '0')}T00:00:00Z`, rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) }, repo: name, image: i })),
        OCI_CONFIG,
        untagged,
      );
      for (const d of [config, ...own]) {
        link(d);
        if (untagged) removedPaths.push(`${repo}/_layers/sha256/${hexOf(d)}`);
      }
      const manifest = blob(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers })), OCI_MANIFEST, untagged);
      utimesSync(write(`${repo}/_manifests/revisions/sha256/${hexOf(manifest)}/link`, manifest.digest), past, past);
      if (untagged) {
        expected.manifestsRemoved++;
        removedPaths.push(`${repo}/_manifests/revisions/sha256/${hexOf(manifest)}`);
      }
      digests.push(manifest);
    }
    for (let k = 0; k < TAGGED; k++) {
      const tag = `${repo}/_manifests/tags/v${k}`;
      const current = digests[k]!;
      write(`${tag}/current/link`, current.digest);
      write(`${tag}/index/sha256/${hexOf(current)}/link`, current.digest);
      if (k % 2 === 0) {
        const previous = digests[TAGGED + k]!;
        write(`${tag}/index/sha256/${hexOf(previous)}/link`, previous.digest);
        removedPaths.push(`${tag}/index/sha256/${hexOf(previous)}`);
      }
    }
  }
  return { root, repositories: repos, manifests, tags: repos * TAGGED, blobs, bytes, expected, removedPaths, ms: performance.now() - t0 };
}
