/**
 * The sync bench's source registry (issue 20): a set of images written straight into registry:2's
 * filesystem layout (the tree drawn in src-server/storage/layout.ts), no server needed, in seconds.
 * `docker-registry serve` on that folder is then the source every measured run copies from.
 *
 * Shape, per repository `sync-bench/app-NN` with tags `v1.0`, `v1.1`, ...:
 *   - one of a few shared base layers (repository r uses base r % bases: cross-repository reuse),
 *   - a layer shared by every tag of the repository,
 *   - two layers of its own per image (sizes vary a little),
 *   - the last tag of every even repository is a two-platform index (linux/amd64, linux/arm64), the
 *     arm64 image with its own layers;
 *   - repositories r % 4 in {2, 3} use Docker's media types (manifest v2, manifest list), the rest OCI.
 * Layers are real gzip tars of one random file each (incompressible, as binaries are), so the bytes
 * moved are the bytes stored.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Header } from 'tar';

const V2 = 'docker/registry/v2';
const MiB = 1024 * 1024;

/** How big the dataset is. */
export interface SyncSizes {
  repositories: number;
  tagsPerRepository: number;
  /** Sizes of the shared base layers, bytes (one per base). */
  baseBytes: number[];
  /** The layer every tag of a repository shares, bytes. */
  repositoryLayerBytes: number;
  /** Mean size of an image's own layers, bytes (two per image; ±30%). */
  ownLayerBytes: number;
}

/** The figure: 50 images, about 200 MB. */
export const SYNC_FULL: SyncSizes = { repositories: 10, tagsPerRepository: 5, baseBytes: [8 * MiB, 4 * MiB, 2 * MiB], repositoryLayerBytes: MiB, ownLayerBytes: 1.6 * MiB };
/** A smoke run: 6 images, about 6 MB. */
export const SYNC_QUICK: SyncSizes = { repositories: 3, tagsPerRepository: 2, baseBytes: [512 * 1024, 256 * 1024], repositoryLayerBytes: 128 * 1024, ownLayerBytes: 256 * 1024 };

/** A blob's descriptor. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { architecture: string; os: string };
}

/** One tagged image of the dataset, with everything a destination must hold for it. */
export interface SyncImage {
  repository: string;
  tag: string;
  /** Digest of the tagged manifest (an index for multi-platform images). */
  digest: string;
  mediaType: string;
  /** The child manifests of an index (empty for a single manifest). */
  children: Descriptor[];
  /** Every config and layer blob the image references, children's included. */
  blobs: Descriptor[];
}

/** What was written. */
export interface SyncDataset {
  root: string;
  images: SyncImage[];
  repositories: string[];
  /** Distinct blob bytes (layers, configs and manifests), as stored once. */
  bytes: number;
  /** Images that are multi-platform indexes. */
  indexes: number;
  /** Time taken to write it, ms. */
  ms: number;
}

const OCI = {
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  index: 'application/vnd.oci.image.index.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
};
const DOCKER = {
  manifest: 'application/vnd.docker.distribution.manifest.v2+json',
  index: 'application/vnd.docker.distribution.manifest.list.v2+json',
  config: 'application/vnd.docker.container.image.v1+json',
  layer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
};

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** A gzip tar holding one file of `size` random bytes; its bytes and diff ID. */
function randomLayer(name: string, size: number): { data: Buffer; diffId: string } {
  const header = Buffer.alloc(512);
  new Header({ path: name, type: 'File', size, mode: 0o644, uid: 0, gid: 0, mtime: new Date(0) }).encode(header, 0);
  const pad = (512 - (size % 512)) % 512;
  const tar = Buffer.concat([header, randomBytes(size), Buffer.alloc(pad + 1024)]);
  return { data: gzipSync(tar, { level: 1 }), diffId: sha256(tar) };
}

/** Repository names of a dataset of these sizes. */
export function repositoryNames(sizes: SyncSizes): string[] {
  return Array.from({ length: sizes.repositories }, (_, r) => `sync-bench/app-${String(r).padStart(2, '0')}`);
}

/** Writes the dataset under `root` (registry:2's storage rootdirectory). */
export function generateSyncDataset(root: string, sizes: SyncSizes): SyncDataset {
  if (sizes.repositories < 1 || sizes.tagsPerRepository < 1 || sizes.baseBytes.length < 1) throw new Error(`sync dataset needs at least one repository, tag and base layer: ${JSON.stringify(sizes)}`);
  const t0 = performance.now();
  const stored = new Set<string>();
  let bytes = 0;
  const write = (rel: string, data: string | Buffer) => {
    const file = join(root, rel);
    mkdirSync(file.slice(0, file.lastIndexOf('/')), { recursive: true });
    writeFileSync(file, data);
  };
  const hex = (digest: string) => digest.slice('sha256:'.length);
  const putBlob = (data: Buffer, mediaType: string): Descriptor => {
    const digest = sha256(data);
    if (!stored.has(digest)) {
      write(`${V2}/blobs/sha256/${hex(digest).slice(0, 2)}/${hex(digest)}/data`, data);
      stored.add(digest);
      bytes += data.length;
    }
    return { mediaType, digest, size: data.length };
  };
  const bases = sizes.baseBytes.map((size, b) => randomLayer(`base-${b}.bin`, size));
  const images: SyncImage[] = [];
  const repositories = repositoryNames(sizes);
  let indexes = 0;

  repositories.forEach((repository, r) => {
    const types = r % 4 >= 2 ? DOCKER : OCI;
    const repo = `${V2}/repositories/${repository}`;
    const link = (d: Descriptor) => write(`${repo}/_layers/sha256/${hex(d.digest)}/link`, d.digest);
    const revision = (d: Descriptor) => write(`${repo}/_manifests/revisions/sha256/${hex(d.digest)}/link`, d.digest);
    const base = bases[r % bases.length]!;
    const shared = randomLayer(`${repository}/shared.bin`, sizes.repositoryLayerBytes);
    /** One platform's image manifest: base, the repository's layer, two own layers. */
    const platformImage = (tag: string, architecture: string, t: number) => {
      const own = [0, 1].map((k) => randomLayer(`${repository}/${tag}/${architecture}-${k}.bin`, Math.round(sizes.ownLayerBytes * (0.7 + (((r * 5 + t * 3 + k * 7) % 7) / 10)))));
      const layers = [base, shared, ...own];
      const layerDescs = layers.map((l) => putBlob(l.data, types.layer));
      const config = putBlob(
        Buffer.from(JSON.stringify({ architecture, os: 'linux', created: `2026-0${(t % 9) + 1}-01T00:00:00Z`, config: { Env: [`APP=${repository}`, `TAG=${tag}`] }, rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) } })),
        types.config,
      );
      for (const d of [config, ...layerDescs]) link(d);
      const manifest = putBlob(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: types.manifest, config, layers: layerDescs })), types.manifest);
      revision(manifest);
      return { manifest, blobs: [config, ...layerDescs] };
    };
    for (let t = 0; t < sizes.tagsPerRepository; t++) {
      const tag = `v1.${t}`;
      const multi = r % 2 === 0 && t === sizes.tagsPerRepository - 1;
      let top: Descriptor;
      let children: Descriptor[] = [];
      let blobs: Descriptor[];
      if (multi) {
        const platforms = ['amd64', 'arm64'].map((arch) => ({ arch, image: platformImage(tag, arch, t) }));
        children = platforms.map(({ arch, image }) => ({ ...image.manifest, platform: { architecture: arch, os: 'linux' } }));
        top = putBlob(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: types.index, manifests: children })), types.index);
        revision(top);
        blobs = platforms.flatMap((p) => p.image.blobs);
        indexes++;
      } else {
        const image = platformImage(tag, 'amd64', t);
        top = image.manifest;
        blobs = image.blobs;
      }
      write(`${repo}/_manifests/tags/${tag}/current/link`, top.digest);
      write(`${repo}/_manifests/tags/${tag}/index/sha256/${hex(top.digest)}/link`, top.digest);
      images.push({ repository, tag, digest: top.digest, mediaType: top.mediaType, children, blobs });
    }
  });
  return { root, images, repositories, bytes, indexes, ms: performance.now() - t0 };
}
