/**
 * Images built in any RegistrySource with its own putBlob / putManifest, for the copy tests:
 * OCI and Docker schema 2 multi-platform images with a shared layer, and an artifact.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RegistrySource } from '../../src-server/browse/source';

export { MT, sha256, type Desc } from '../helpers/oci-content';
import { MT, sha256, type Desc } from '../helpers/oci-content';

/** Uploads bytes as a blob (streamed in 64 KiB chunks) and returns its descriptor. */
export async function blob(src: RegistrySource, repo: string, data: Buffer, mediaType: string): Promise<Desc> {
  const digest = sha256(data);
  async function* chunks() {
    for (let i = 0; i < data.length; i += 65536) yield data.subarray(i, i + 65536);
  }
  await src.putBlob(repo, digest, data.length, chunks());
  return { mediaType, digest, size: data.length };
}

/** Stores a manifest under `ref` (a tag, or omitted: its digest) and returns its descriptor. */
export async function manifest(src: RegistrySource, repo: string, body: object, ref?: string): Promise<Desc & { body: Buffer }> {
  const buf = Buffer.from(JSON.stringify(body));
  const mediaType = (body as { mediaType: string }).mediaType;
  const digest = await src.putManifest(repo, ref ?? sha256(buf), buf, mediaType);
  return { mediaType, digest, size: buf.length, body: buf };
}

/** What a built image consists of. */
export interface BuiltImage {
  digest: string;
  mediaType: string;
  /** Every distinct blob (configs and layers) with its size. */
  blobs: Map<string, number>;
  /** Child manifests by platform (`os/arch[/variant]`). */
  children: Map<string, Desc>;
  /** Blobs of each platform's image. */
  platformBlobs: Map<string, string[]>;
}

/**
 * A multi-platform image: one child image per platform, each with its own config and layer plus a
 * layer every platform shares; pushed as an OCI index or a Docker manifest list under `tag`.
 */
export async function multiArch(
  src: RegistrySource,
  repo: string,
  tag: string,
  opts: { platforms?: string[]; kind?: 'oci' | 'docker'; layerSize?: number; annotations?: Record<string, string> } = {},
): Promise<BuiltImage> {
  const platforms = opts.platforms ?? ['linux/amd64', 'linux/arm64', 'linux/arm/v7'];
  const docker = opts.kind === 'docker';
  const layerType = docker ? MT.dockerLayer : MT.ociLayer;
  const shared = await blob(src, repo, randomBytes(opts.layerSize ?? 20_000), layerType);
  const blobs = new Map<string, number>([[shared.digest, shared.size]]);
  const children = new Map<string, Desc>();
  const platformBlobs = new Map<string, string[]>();
  for (const p of platforms) {
    const [os, architecture, variant] = p.split('/') as [string, string, string | undefined];
    const config = await blob(
      src,
      repo,
      Buffer.from(JSON.stringify({ architecture, os, ...(variant ? { variant } : {}), rootfs: { type: 'layers', diff_ids: [] }, nonce: randomBytes(8).toString('hex') })),
      docker ? MT.dockerConfig : MT.ociConfig,
    );
    const own = await blob(src, repo, randomBytes(opts.layerSize ?? 20_000), layerType);
    const child = await manifest(src, repo, {
      schemaVersion: 2,
      mediaType: docker ? MT.dockerManifest : MT.ociManifest,
      config,
      layers: [shared, own],
    });
    for (const b of [config, own]) blobs.set(b.digest, b.size);
    platformBlobs.set(p, [config.digest, shared.digest, own.digest]);
    children.set(p, { mediaType: child.mediaType, digest: child.digest, size: child.size, platform: { os, architecture, ...(variant ? { variant } : {}) } });
  }
  const index = await manifest(
    src,
    repo,
    {
      schemaVersion: 2,
      mediaType: docker ? MT.dockerList : MT.ociIndex,
      manifests: [...children.values()],
      ...(opts.annotations ? { annotations: opts.annotations } : {}),
    },
    tag,
  );
  return { digest: index.digest, mediaType: index.mediaType, blobs, children, platformBlobs };
}

/** An OCI artifact: empty config, two layers of custom media types, an artifactType. */
export async function artifact(src: RegistrySource, repo: string, tag: string): Promise<BuiltImage> {
  const config = await blob(src, repo, Buffer.from('{}'), MT.empty);
  const sbom = await blob(src, repo, Buffer.from(JSON.stringify({ sbom: randomBytes(16).toString('hex') })), 'application/spdx+json');
  const sig = await blob(src, repo, randomBytes(512), 'application/vnd.example.signature');
  const m = await manifest(
    src,
    repo,
    { schemaVersion: 2, mediaType: MT.ociManifest, artifactType: 'application/vnd.example.bundle', config, layers: [sbom, sig], annotations: { 'org.example': 'x' } },
    tag,
  );
  return {
    digest: m.digest,
    mediaType: m.mediaType,
    blobs: new Map([config, sbom, sig].map((b) => [b.digest, b.size])),
    children: new Map(),
    platformBlobs: new Map(),
  };
}

/** Sum of the sizes of some blobs. */
export const totalSize = (blobs: Map<string, number>) => [...blobs.values()].reduce((a, b) => a + b, 0);

/** A source whose blob reads pause after their first chunk, until released or cancelled. */
export interface GatedSource {
  source: RegistrySource;
  /** Resolves with the digest of the first blob whose first chunk went out: the copy is then surely mid-transfer. */
  firstChunk: Promise<string>;
  /** Lets every paused read go on. */
  release(): void;
}

/**
 * Wraps `src` so that each blob read yields its first 16 KiB, then waits until {@link GatedSource.release}
 * or until the read is cancelled (a real stream ends when cancelled; so does this one). No timing:
 * the test decides when the transfer goes on.
 */
export function gatedSource(src: RegistrySource): GatedSource {
  let opened!: () => void;
  const gate = new Promise<void>((resolve) => (opened = resolve));
  let first!: (digest: string) => void;
  const firstChunk = new Promise<string>((resolve) => (first = resolve));
  const source: RegistrySource = Object.create(src, {
    getBlob: {
      value: async (repo: string, digest: string, signal?: AbortSignal) => {
        const real = await src.getBlob(repo, digest, signal);
        if (!real) return null;
        let cancelled = false;
        let wake!: () => void;
        const woken = new Promise<void>((resolve) => (wake = resolve));
        async function* chunks() {
          let sent = 0;
          for await (const c of real!.chunks) {
            // In slices of 16 KiB: a local read may come as one chunk, and the pause needs a second.
            for (let i = 0; i < (c as Buffer).length; i += 16384) {
              if (sent++ === 1) {
                first(digest);
                await Promise.race([gate, woken]);
                if (cancelled) return;
              }
              yield (c as Buffer).subarray(i, i + 16384);
            }
          }
        }
        return {
          size: real.size,
          chunks: chunks(),
          cancel: async () => {
            cancelled = true;
            wake();
            await real.cancel();
          },
        };
      },
    },
  });
  return { source, firstChunk, release: () => opened() };
}

/** Uploads in progress in a repository of a registry:2-layout data directory (Berth's or registry:2's). */
export function openUploads(dataDir: string, repo: string): string[] {
  const dir = join(dataDir, 'docker/registry/v2/repositories', repo, '_uploads');
  return existsSync(dir) ? readdirSync(dir) : [];
}

