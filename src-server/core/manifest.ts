import { parseDigest } from './digest';
import { FOREIGN_LAYER_TYPES, IMAGE_TYPES, INDEX_TYPES, MediaType } from './mediatypes';

/** An OCI content descriptor. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  urls?: string[];
  annotations?: Record<string, string>;
  platform?: Platform;
}

/** The platform of an index entry. */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
  'os.version'?: string;
}

/** What Berth needs to know about a stored manifest: its kind and everything it points at. */
export interface ManifestInfo {
  mediaType: string;
  kind: 'image' | 'index';
  /** The manifest's own `artifactType` field. */
  artifactType: string | null;
  config: Descriptor | null;
  /** Layers that must be present in the repository (foreign layers excluded). */
  layers: Descriptor[];
  /** Child manifests of an index. */
  manifests: Descriptor[];
  subject: Descriptor | null;
  annotations: Record<string, string> | null;
}

/**
 * Most descriptors (config, layers, child manifests and subject together) a manifest may list to
 * be stored. Real images stay far below it (Docker refuses images of more than 127 layers; indexes
 * list tens of platforms); a manifest listing one layer thousands of times is an attack on every
 * check the registry makes per descriptor.
 */
export const MAX_MANIFEST_DESCRIPTORS = 1000;

/** Thrown when a manifest body is not a manifest Berth can store; the message says why. */
export class ManifestParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestParseError';
  }
}

/** A manifest that lists more descriptors than the limit it was parsed with. */
export class TooManyDescriptorsError extends ManifestParseError {
  constructor(
    readonly descriptors: number,
    readonly limit: number,
  ) {
    super(`manifest lists ${descriptors} descriptors; at most ${limit} are accepted`);
    this.name = 'TooManyDescriptorsError';
  }
}

/** How a manifest is parsed. */
export interface ParseOptions {
  /**
   * Refuse (TooManyDescriptorsError) a manifest listing more descriptors than this, counted before
   * any is validated. Manifests being stored pass {@link MAX_MANIFEST_DESCRIPTORS}; ones already
   * stored are read without a limit.
   */
  maxDescriptors?: number;
}

/** Config, layers, child manifests and subject a manifest lists, by the length of its arrays. */
function descriptorCount(m: Record<string, unknown>): number {
  const len = (v: unknown) => (Array.isArray(v) ? v.length : 0);
  return len(m.layers) + len(m.manifests) + (m.config === undefined ? 0 : 1) + (m.subject === undefined ? 0 : 1);
}

/** An annotations map: absent, or an object of strings (the spec's map[string]string). */
function stringMap(value: unknown, where: string): Record<string, string> | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    throw new ManifestParseError(`${where} must be an object of strings`);
  }
  return value as Record<string, string>;
}

function descriptor(value: unknown, where: string): Descriptor {
  if (!value || typeof value !== 'object') throw new ManifestParseError(`${where}: descriptor missing`);
  const d = value as Record<string, unknown>;
  if (typeof d.mediaType !== 'string' || d.mediaType === '') throw new ManifestParseError(`${where}: mediaType missing`);
  if (typeof d.digest !== 'string' || !parseDigest(d.digest)) throw new ManifestParseError(`${where}: invalid digest`);
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0) {
    throw new ManifestParseError(`${where}: invalid size`);
  }
  return d as unknown as Descriptor;
}

function list(value: unknown, where: string): Descriptor[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ManifestParseError(`${where} must be an array`);
  return value.map((v, i) => descriptor(v, `${where}[${i}]`));
}

/**
 * Parses and validates a manifest body. `contentType` is the request's Content-Type; when the body
 * names its own mediaType the two must agree.
 */
export function parseManifest(body: Buffer, contentType: string | undefined, opts: ParseOptions = {}): ManifestInfo {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new ManifestParseError('manifest is not valid JSON');
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new ManifestParseError('manifest must be a JSON object');
  const m = json as Record<string, unknown>;
  if (opts.maxDescriptors !== undefined) {
    const count = descriptorCount(m);
    if (count > opts.maxDescriptors) throw new TooManyDescriptorsError(count, opts.maxDescriptors);
  }
  const declared = typeof m.mediaType === 'string' ? m.mediaType : undefined;
  const ct = contentType?.split(';')[0]!.trim() || undefined;
  if (declared && ct && ct !== declared && ct !== 'application/json' && ct !== 'application/octet-stream') {
    throw new ManifestParseError(`Content-Type ${ct} does not match the manifest's mediaType ${declared}`);
  }
  let mediaType = declared ?? (ct && ct !== 'application/json' && ct !== 'application/octet-stream' ? ct : undefined);
  if (!mediaType) {
    // OCI allows mediaType to be omitted; infer from shape.
    mediaType = Array.isArray(m.manifests) ? MediaType.OciIndex : MediaType.OciManifest;
  }
  if (mediaType === MediaType.DockerSchema1 || mediaType === MediaType.DockerSchema1Signed) {
    throw new ManifestParseError('Docker schema 1 manifests are not supported; push schema 2 or OCI');
  }
  if (m.schemaVersion !== 2) throw new ManifestParseError('schemaVersion must be 2');
  const annotations = stringMap(m.annotations, 'annotations');
  const subject = m.subject === undefined ? null : descriptor(m.subject, 'subject');
  const artifactTypeField = typeof m.artifactType === 'string' ? m.artifactType : null;

  if (IMAGE_TYPES.has(mediaType)) {
    const config = descriptor(m.config, 'config');
    if (!Array.isArray(m.layers)) throw new ManifestParseError('layers must be an array');
    const layers = list(m.layers, 'layers').filter((l) => !FOREIGN_LAYER_TYPES.has(l.mediaType));
    return { mediaType, kind: 'image', artifactType: artifactTypeField, config, layers, manifests: [], subject, annotations };
  }
  if (INDEX_TYPES.has(mediaType)) {
    if (!Array.isArray(m.manifests)) throw new ManifestParseError('manifests must be an array');
    const manifests = list(m.manifests, 'manifests');
    return { mediaType, kind: 'index', artifactType: artifactTypeField, config: null, layers: [], manifests, subject, annotations };
  }
  throw new ManifestParseError(`unsupported manifest media type ${mediaType}`);
}

/** The artifact type a referrers response reports for a manifest (spec: artifactType, else config.mediaType). */
export function referrerArtifactType(info: ManifestInfo): string | null {
  if (info.artifactType) return info.artifactType;
  if (info.kind === 'image' && info.config) return info.config.mediaType;
  return null;
}
