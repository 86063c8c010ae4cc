/**
 * registry:2's filesystem layout, so that a registry:2 volume opens in Berth and Berth's opens in
 * registry:2 (distribution's registry/storage/paths.go). Paths are relative to the storage root:
 *
 *   <root>/
 *   ├── docker/registry/v2/
 *   │   ├── blobs/<alg>/<hex[0:2]>/<hex>/data                    content, addressed by digest
 *   │   └── repositories/<name>/
 *   │       ├── _layers/<alg>/<hex>/link                        "alg:hex": blob belongs to the repo
 *   │       ├── _manifests/revisions/<alg>/<hex>/link           a manifest stored in the repo
 *   │       ├── _manifests/tags/<tag>/current/link              the digest the tag points at
 *   │       ├── _manifests/tags/<tag>/index/<alg>/<hex>/link    every digest the tag has pointed at
 *   │       └── _uploads/<uuid>/{data,startedat}                an upload in progress
 *   └── berth/                                                  Berth's own files (index.db, ...)
 *       ├── usage-history.db                                    the registry's size once per UTC day (usage/history-store.ts)
 *       ├── layer-listings.db                                   image contents: each layer's file listing by digest, bounded (contents/listing-cache.ts)
 *       ├── trash/<id>.json                                     one deleted tag or manifest each, through the driver (drawn in trash/trash-store.ts)
 *       └── audit.log, audit.log.1 … .5                         changes of content and access, a JSON line each
 *
 * A repository name may contain slashes; a directory is a repository when it holds `_manifests`,
 * `_layers` or `_uploads` (names never contain a path component starting with `_`).
 */
import type { ParsedDigest } from '../core/digest';

/** Root of registry:2's tree inside the storage root. */
export const V2_ROOT = 'docker/registry/v2';
/** Folder for Berth's own files beside registry:2's tree. */
export const BERTH_DIR = 'berth';

const repoRoot = (name: string) => `${V2_ROOT}/repositories/${name}`;

/** Path helpers for every file Berth reads or writes. */
export const paths = {
  repositoriesRoot: () => `${V2_ROOT}/repositories`,
  blobsRoot: () => `${V2_ROOT}/blobs`,
  blobDir: (d: ParsedDigest) => `${V2_ROOT}/blobs/${d.algorithm}/${d.hex.slice(0, 2)}/${d.hex}`,
  blobData: (d: ParsedDigest) => `${paths.blobDir(d)}/data`,
  repo: repoRoot,
  layerLink: (name: string, d: ParsedDigest) => `${repoRoot(name)}/_layers/${d.algorithm}/${d.hex}/link`,
  layersRoot: (name: string) => `${repoRoot(name)}/_layers`,
  manifestsRoot: (name: string) => `${repoRoot(name)}/_manifests`,
  revisionsRoot: (name: string) => `${repoRoot(name)}/_manifests/revisions`,
  revisionLink: (name: string, d: ParsedDigest) => `${repoRoot(name)}/_manifests/revisions/${d.algorithm}/${d.hex}/link`,
  revisionDir: (name: string, d: ParsedDigest) => `${repoRoot(name)}/_manifests/revisions/${d.algorithm}/${d.hex}`,
  tagsRoot: (name: string) => `${repoRoot(name)}/_manifests/tags`,
  tagDir: (name: string, tag: string) => `${repoRoot(name)}/_manifests/tags/${tag}`,
  tagCurrentLink: (name: string, tag: string) => `${repoRoot(name)}/_manifests/tags/${tag}/current/link`,
  tagIndexLink: (name: string, tag: string, d: ParsedDigest) =>
    `${repoRoot(name)}/_manifests/tags/${tag}/index/${d.algorithm}/${d.hex}/link`,
  uploadsRoot: (name: string) => `${repoRoot(name)}/_uploads`,
  uploadDir: (name: string, uuid: string) => `${repoRoot(name)}/_uploads/${uuid}`,
  uploadData: (name: string, uuid: string) => `${repoRoot(name)}/_uploads/${uuid}/data`,
  uploadStartedAt: (name: string, uuid: string) => `${repoRoot(name)}/_uploads/${uuid}/startedat`,
  berth: (file: string) => `${BERTH_DIR}/${file}`,
};

/** Folder names that mark a directory under `repositories/` as a repository. */
export const REPO_MARKERS = ['_manifests', '_layers', '_uploads'] as const;
