/**
 * Images for the browse tests and benchmark, written through any RegistrySource (the local one
 * in-process, or a remote one over HTTP): blobs, image manifests (OCI or Docker schema 2), indexes
 * and artifacts, each returned with the sizes a test needs to compute expectations on its own.
 */
import { createHash } from 'node:crypto';
import type { RegistrySource } from '../../src-server/browse/source';

export { MT, sha256, type Desc } from '../helpers/oci-content';
import { MT, sha256, type Desc } from '../helpers/oci-content';

/** A manifest written, with its body. */
export interface Written extends Desc {
  body: Buffer;
  /** Config and layers (image manifests). */
  blobs: Desc[];
}

/** Writes a blob; returns its descriptor. */
export async function putBlob(source: RegistrySource, repo: string, data: Buffer, mediaType: string = MT.ociLayer): Promise<Desc> {
  const digest = sha256(data);
  if ((await source.headBlob(repo, digest)) === null) {
    await source.putBlob(repo, digest, data.length, (async function* () {
      yield data;
    })());
  }
  return { mediaType, digest, size: data.length };
}

/** Deterministic bytes of a given size, different per seed. */
export function bytes(seed: string, size: number): Buffer {
  const out = Buffer.alloc(size);
  let block = createHash('sha256').update(seed).digest();
  for (let i = 0; i < size; i += block.length) {
    block.copy(out, i);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

/** Options of an image. */
export interface ImageSpec {
  layers: Buffer[];
  os?: string;
  architecture?: string;
  variant?: string;
  docker?: boolean;
  /** Extra fields of the config's `config` (Entrypoint, Cmd, Env, Labels...). */
  run?: Record<string, unknown>;
  created?: string;
  author?: string;
  history?: Array<{ created_by: string; empty_layer?: boolean; created?: string }>;
  annotations?: Record<string, string>;
  subject?: Desc;
}

/** Writes an image (config + layers + manifest) under `ref` (a tag, or its digest when ref is null). */
export async function putImage(source: RegistrySource, repo: string, ref: string | null, spec: ImageSpec): Promise<Written> {
  const docker = spec.docker === true;
  const layers = [];
  for (const l of spec.layers) layers.push(await putBlob(source, repo, l, docker ? MT.dockerLayer : MT.ociLayer));
  const configJson = {
    created: spec.created ?? '2024-01-01T00:00:00Z',
    ...(spec.author ? { author: spec.author } : {}),
    architecture: spec.architecture ?? 'amd64',
    os: spec.os ?? 'linux',
    ...(spec.variant ? { variant: spec.variant } : {}),
    config: spec.run ?? {},
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
    ...(spec.history ? { history: spec.history } : {}),
  };
  const config = await putBlob(source, repo, Buffer.from(JSON.stringify(configJson)), docker ? MT.dockerConfig : MT.ociConfig);
  const mediaType = docker ? MT.dockerManifest : MT.ociManifest;
  const manifest = {
    schemaVersion: 2,
    mediaType,
    config,
    layers,
    ...(spec.subject ? { subject: spec.subject } : {}),
    ...(spec.annotations ? { annotations: spec.annotations } : {}),
  };
  return putManifest(source, repo, ref, manifest, mediaType, [config, ...layers]);
}

/** Writes an index (or a Docker manifest list) of written images with their platforms. */
export async function putIndex(
  source: RegistrySource,
  repo: string,
  ref: string | null,
  children: Array<{ image: Desc; platform: { os: string; architecture: string; variant?: string } }>,
  opts: { docker?: boolean; annotations?: Record<string, string> } = {},
): Promise<Written> {
  const mediaType = opts.docker ? MT.dockerList : MT.ociIndex;
  const index = {
    schemaVersion: 2,
    mediaType,
    manifests: children.map((c) => ({ mediaType: c.image.mediaType, digest: c.image.digest, size: c.image.size, platform: c.platform })),
    ...(opts.annotations ? { annotations: opts.annotations } : {}),
  };
  return putManifest(source, repo, ref, index, mediaType, []);
}

/** Writes an OCI artifact (empty config, `artifactType`) with the given blobs, optionally referring to a subject. */
export async function putArtifact(source: RegistrySource, repo: string, ref: string | null, artifactType: string, files: Buffer[], subject?: Desc): Promise<Written> {
  const config = await putBlob(source, repo, Buffer.from('{}'), MT.empty);
  const layers = [];
  for (const f of files) layers.push(await putBlob(source, repo, f, 'application/octet-stream'));
  const manifest = {
    schemaVersion: 2,
    mediaType: MT.ociManifest,
    artifactType,
    config,
    layers,
    ...(subject ? { subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size } } : {}),
    annotations: { 'org.example.kind': 'test' },
  };
  return { ...(await putManifest(source, repo, ref, manifest, MT.ociManifest, [config, ...layers])), artifactType };
}

async function putManifest(source: RegistrySource, repo: string, ref: string | null, manifest: object, mediaType: string, blobs: Desc[]): Promise<Written> {
  const body = Buffer.from(JSON.stringify(manifest));
  const digest = sha256(body);
  await source.putManifest(repo, ref ?? digest, body, mediaType);
  return { mediaType, digest, size: body.length, body, blobs };
}

/** Sum of sizes of distinct descriptors. */
export function distinctBytes(descs: Iterable<Desc>): number {
  const m = new Map<string, number>();
  for (const d of descs) m.set(d.digest, d.size);
  return [...m.values()].reduce((a, b) => a + b, 0);
}
