/**
 * Image details: every platform of an image with its own size and the bytes it shares with the
 * other platforms, its config, history and layers, and the image's referrers. Docker schema 2 and
 * OCI, single images, indexes and manifest lists, and artifacts.
 */
import type { ContentOrigin, HistoryEntry, ImageDetails, LayerInfo, PlatformDetails, ReferrerSummary } from '../contract';
import type { Descriptor } from '../core/manifest';
import { INDEX_TYPES, MediaType } from '../core/mediatypes';
import type { CachedConfig } from './cache';
import { IMAGE_CONFIG_TYPES, platformName } from './config';
import type { ContentReader, ReadManifest } from './content';
import type { Limiter } from './limiter';

/** What the details of one image are built from. */
export interface DetailsInput {
  reader: ContentReader;
  limiter: Limiter;
  repository: string;
  /** The tag or digest the user asked for. */
  reference: string;
  /** The image's top manifest. */
  top: ReadManifest;
  /** Other tags pointing at the same digest. */
  siblings: string[];
  /** Where the local registry got it; null for remote connections. */
  origin: ContentOrigin | null;
}

/** One platform before the sharing between platforms is known. */
interface PlatformParts {
  platform: string;
  descriptor: { digest: string; mediaType: string; size: number };
  manifest: ReadManifest | null;
  config: CachedConfig | null;
  /** Config and layers (distinct), what a pull of this platform downloads. */
  blobs: Descriptor[];
}

/** Builds the details of an image. */
export async function imageDetails(input: DetailsInput): Promise<ImageDetails> {
  const { reader, repository, top } = input;
  const parts: PlatformParts[] =
    top.info.kind === 'index'
      ? await Promise.all(top.info.manifests.map((d) => platformParts(reader, repository, d)))
      : [await imageParts(reader, repository, top, null)];

  // How many platforms use each blob: a blob of more than one is shared.
  const users = new Map<string, number>();
  for (const p of parts) for (const b of p.blobs) users.set(b.digest, (users.get(b.digest) ?? 0) + 1);
  const isShared = (digest: string) => (users.get(digest) ?? 0) > 1;

  const distinct = new Map<string, number>([[top.digest, top.body.length]]);
  let sharedBytes = 0;
  for (const p of parts) {
    distinct.set(p.descriptor.digest, p.descriptor.size);
    for (const b of p.blobs) {
      if (isShared(b.digest) && !distinct.has(b.digest)) sharedBytes += b.size;
      distinct.set(b.digest, b.size);
    }
  }
  const platforms = parts.map((p) => platformDetails(p, isShared));
  const refs = await referrers(input);
  return {
    connection: reader.connection,
    repository,
    reference: input.reference,
    digest: top.digest,
    mediaType: top.mediaType,
    manifestSize: top.body.length,
    isIndex: top.info.kind === 'index',
    tags: input.siblings,
    platforms,
    totalBytes: [...distinct.values()].reduce((a, b) => a + b, 0),
    sharedBytes,
    referrers: refs ?? [],
    referrersSupported: refs !== null,
    annotations: top.info.annotations ?? {},
    origin: input.origin,
    pullByDigest: `${reader.source.pullHost}/${repository}@${top.digest}`,
  };
}

async function platformParts(reader: ContentReader, repository: string, d: Descriptor): Promise<PlatformParts> {
  const manifest = INDEX_TYPES.has(d.mediaType) ? null : await reader.manifest(repository, d.digest);
  if (!manifest || manifest.info.kind !== 'image') {
    // A nested index or a child the registry lacks: named, sized by its manifest only.
    return { platform: platformName(d.platform), descriptor: d, manifest, config: null, blobs: [] };
  }
  return imageParts(reader, repository, manifest, d);
}

async function imageParts(reader: ContentReader, repository: string, m: ReadManifest, d: Descriptor | null): Promise<PlatformParts> {
  const config = m.info.config ? await reader.config(repository, m.info.config) : null;
  const seen = new Set<string>();
  const blobs = [...(m.info.config ? [m.info.config] : []), ...m.info.layers].filter((b) => !seen.has(b.digest) && seen.add(b.digest));
  return {
    platform: d?.platform ? platformName(d.platform) : platformName(config?.summary),
    descriptor: { digest: m.digest, mediaType: m.mediaType, size: m.body.length },
    manifest: m,
    config,
    blobs,
  };
}

function platformDetails(p: PlatformParts, isShared: (digest: string) => boolean): PlatformDetails {
  const info = p.manifest?.info ?? null;
  const size = p.blobs.reduce((a, b) => a + b.size, 0);
  const sharedBytes = p.blobs.reduce((a, b) => a + (isShared(b.digest) ? b.size : 0), 0);
  const layers: LayerInfo[] = (info?.layers ?? []).map((l) => ({ digest: l.digest, mediaType: l.mediaType, size: l.size, shared: isShared(l.digest) }));
  const configDesc = info?.config ?? null;
  const artifactType =
    info?.artifactType ?? (configDesc && !IMAGE_CONFIG_TYPES.has(configDesc.mediaType) && configDesc.mediaType !== MediaType.OciEmpty ? configDesc.mediaType : null);
  return {
    platform: p.platform,
    digest: p.descriptor.digest,
    mediaType: p.descriptor.mediaType,
    manifestSize: p.descriptor.size,
    size,
    sharedBytes,
    uniqueBytes: size - sharedBytes,
    config: p.config?.summary ?? null,
    configDigest: configDesc?.digest ?? null,
    layers,
    history: history(p.config, layers),
    artifactType,
  };
}

/** The config's history with the size of the layer each non-empty step made, when the counts agree. */
export function history(config: CachedConfig | null, layers: LayerInfo[]): HistoryEntry[] {
  if (!config) return [];
  const steps = config.history;
  const made = steps.filter((s) => !s.emptyLayer).length;
  let next = 0;
  return steps.map((s) => {
    const size = !s.emptyLayer && made === layers.length ? layers[next]!.size : null;
    if (!s.emptyLayer) next++;
    return { created: s.created, createdBy: s.createdBy, comment: s.comment, emptyLayer: s.emptyLayer, size };
  });
}

async function referrers(input: DetailsInput): Promise<ReferrerSummary[] | null> {
  try {
    const list = await input.limiter.run(() => input.reader.source.referrers(input.repository, input.top.digest));
    return list && list.map((r) => ({ digest: r.digest, mediaType: r.mediaType, artifactType: r.artifactType, size: r.size, annotations: r.annotations }));
  } catch {
    // A registry that breaks on the referrers API still shows the image.
    return null;
  }
}
