/**
 * From a reference to the one image whose files are read: the manifest (an index's entry for the
 * platform asked for, or the one matching this machine), its config and its layers in order, with
 * each layer's `created_by` from the config's history.
 */
import { RegistryError } from '../core/errors';
import { digestOf, parseDigest } from '../core/digest';
import { FOREIGN_LAYER_TYPES } from '../core/mediatypes';
import { ManifestParseError, parseManifest, type Descriptor } from '../core/manifest';
import { formatPlatform } from '../copy/platforms';
import { choosePlatform, platformsOf } from './platform-select';
import type { ImageAt, ImageReader, LayerDescriptor } from './types';

/** Largest image config read: real ones are a few kB, history included. */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

/** One image, ready to have its layers read. */
export interface ResolvedImage {
  reader: ImageReader;
  /** Digest of the image manifest. */
  digest: string;
  indexDigest: string | null;
  platform: string | null;
  platforms: string[];
  config: { digest: string; size: number };
  /** The config as JSON (an object, or null when it is not one). */
  configJson: Record<string, unknown> | null;
  /** Every layer, foreign ones included, in order (base first). */
  layers: LayerDescriptor[];
  /** `created_by` of each layer (same index as `layers`), when the history says. */
  createdBy: (string | null)[];
}

/** Reads the manifest (and, for an index, the chosen platform's), the config and the layer list. */
export async function resolveImage(image: ImageAt, signal?: AbortSignal): Promise<ResolvedImage> {
  const { reader, reference } = image;
  const top = await reader.manifest(reference);
  if (!top) throw new RegistryError('MANIFEST_UNKNOWN', { message: `${reader.label}: no image ${reference}` });
  let info = parse(top.body, top.mediaType, `${reader.label}@${top.digest}`);
  let digest = top.digest;
  let indexDigest: string | null = null;
  let platforms: string[] = [];
  let platform: string | null = null;
  let body = top.body;
  if (info.kind === 'index') {
    indexDigest = top.digest;
    platforms = platformsOf(info.manifests);
    const entry = choosePlatform(info.manifests, image.platform);
    const child = await reader.manifest(entry.digest);
    if (!child) throw new RegistryError('MANIFEST_UNKNOWN', { message: `${reader.label}: the index lists ${entry.digest}, which the registry does not have` });
    info = parse(child.body, child.mediaType, `${reader.label}@${entry.digest}`);
    if (info.kind !== 'image') throw new RegistryError('UNSUPPORTED', { message: `${reader.label}@${entry.digest} is an index inside an index: pick one of its images by digest` });
    digest = child.digest;
    platform = entry.platform ? formatPlatform(entry.platform) : null;
    body = child.body;
  }
  if (!info.config) throw new RegistryError('UNSUPPORTED', { message: `${reader.label}@${digest} has no config: it is not an image` });
  const configJson = await readConfig(reader, info.config, signal);
  if (platform === null && configJson && typeof configJson.os === 'string' && typeof configJson.architecture === 'string') {
    platform = formatPlatform({ os: configJson.os, architecture: configJson.architecture, variant: typeof configJson.variant === 'string' ? configJson.variant : undefined });
  }
  if (!platforms.length && platform) platforms = [platform];
  const layers = allLayers(body);
  return { reader, digest, indexDigest, platform, platforms, config: { digest: info.config.digest, size: info.config.size }, configJson, layers, createdBy: layerHistory(configJson, layers.length) };
}

function parse(body: Buffer, mediaType: string, where: string) {
  try {
    return parseManifest(body, mediaType);
  } catch (err) {
    if (err instanceof ManifestParseError) throw new RegistryError('MANIFEST_INVALID', { message: `${where}: ${err.message}` });
    throw err;
  }
}

/** The manifest's layers with the foreign ones that parseManifest leaves out (already validated there). */
function allLayers(body: Buffer): LayerDescriptor[] {
  const m = JSON.parse(body.toString('utf8')) as { layers?: Descriptor[] };
  return (m.layers ?? []).map((l) => ({
    digest: l.digest,
    mediaType: l.mediaType,
    size: l.size,
    ...(FOREIGN_LAYER_TYPES.has(l.mediaType) && Array.isArray(l.urls) ? { urls: l.urls.filter((u) => typeof u === 'string') } : {}),
  }));
}

async function readConfig(reader: ImageReader, config: Descriptor, signal?: AbortSignal): Promise<Record<string, unknown> | null> {
  const where = `${reader.label}: config ${config.digest}`;
  if (config.size > MAX_CONFIG_BYTES) throw new RegistryError('MANIFEST_INVALID', { message: `${where} is ${config.size} bytes; at most ${MAX_CONFIG_BYTES} are read` });
  const blob = await reader.blob(config.digest, signal);
  if (!blob) throw new RegistryError('BLOB_UNKNOWN', { message: `${where} is missing` });
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of blob.chunks) {
    size += chunk.length;
    if (size > MAX_CONFIG_BYTES) {
      await blob.cancel();
      throw new RegistryError('MANIFEST_INVALID', { message: `${where} is over ${MAX_CONFIG_BYTES} bytes` });
    }
    parts.push(chunk);
  }
  const bytes = Buffer.concat(parts);
  const parsed = parseDigest(config.digest);
  if (parsed && digestOf(bytes, parsed.algorithm) !== config.digest) {
    throw new RegistryError('LAYER_UNREADABLE', { message: `${where}: its bytes do not hash to its digest` });
  }
  try {
    const json: unknown = JSON.parse(bytes.toString('utf8'));
    return json && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** `created_by` per layer: the history's entries without `empty_layer`, in order. */
function layerHistory(config: Record<string, unknown> | null, count: number): (string | null)[] {
  const out: (string | null)[] = new Array<string | null>(count).fill(null);
  const history = config?.history;
  if (!Array.isArray(history)) return out;
  let i = 0;
  for (const h of history) {
    if (i >= count) break;
    if (!h || typeof h !== 'object') continue;
    const entry = h as Record<string, unknown>;
    if (entry.empty_layer === true) continue;
    out[i++] = typeof entry.created_by === 'string' ? entry.created_by.slice(0, 4096) : null;
  }
  return out;
}
