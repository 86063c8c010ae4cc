/**
 * A referrer opened in the viewer: its manifest, and each of its blobs (a non-empty config, the
 * layers) as text when it is at most {@link REFERRER_SHOW_LIMIT} bytes, is UTF-8 and hashes to its
 * digest, with a summary of the known formats (browse/referrer-formats.ts). Nothing is read past
 * the limit, and at most {@link MAX_BLOBS_READ} blobs per referrer.
 */
import { isUtf8 } from 'node:buffer';
import type { ReferrerBlob, ReferrerContent } from '../contract';
import { MediaType } from '../core/mediatypes';
import type { ContentReader } from './content';
import { MissingContentError } from './content';
import { summarize } from './referrer-formats';

/** Largest content (and manifest) shown: 1 MiB. */
export const REFERRER_SHOW_LIMIT = 1 << 20;
/** Blobs read per referrer; the others are listed, not read. */
export const MAX_BLOBS_READ = 8;
/** Annotations kept per descriptor. */
const MAX_ANNOTATIONS = 50;

interface RawDescriptor {
  digest?: unknown;
  mediaType?: unknown;
  size?: unknown;
  annotations?: unknown;
}

/** The referrer `digest` of `repository`, for the viewer. */
export async function referrerContent(reader: ContentReader, repository: string, digest: string): Promise<ReferrerContent> {
  const m = await reader.manifest(repository, digest);
  if (!m) throw new MissingContentError(digest);
  const raw = JSON.parse(m.body.toString('utf8')) as { config?: RawDescriptor; layers?: unknown; annotations?: unknown };
  const descriptors: RawDescriptor[] = [];
  if (raw.config && raw.config.mediaType !== MediaType.OciEmpty) descriptors.push(raw.config);
  if (Array.isArray(raw.layers)) descriptors.push(...(raw.layers as RawDescriptor[]));
  const wellFormed = descriptors.filter((d) => typeof d?.digest === 'string' && typeof d.mediaType === 'string' && typeof d.size === 'number');
  const blobs = await Promise.all(wellFormed.map((d, i) => blobOf(reader, repository, d, i < MAX_BLOBS_READ)));
  return {
    digest: m.digest,
    mediaType: m.mediaType,
    // As the referrers API lists it: the field, else the config's media type (unless the empty one).
    artifactType: m.info.artifactType ?? (typeof raw.config?.mediaType === 'string' && raw.config.mediaType !== MediaType.OciEmpty ? raw.config.mediaType : null),
    size: m.body.length,
    subject: m.info.subject?.digest ?? null,
    annotations: stringMap(raw.annotations),
    manifest: m.body.length > REFERRER_SHOW_LIMIT ? null : pretty(m.body.toString('utf8')).text,
    blobs,
    limit: REFERRER_SHOW_LIMIT,
  };
}

async function blobOf(reader: ContentReader, repository: string, d: RawDescriptor, read: boolean): Promise<ReferrerBlob> {
  const base = { digest: d.digest as string, mediaType: d.mediaType as string, size: d.size as number, annotations: stringMap(d.annotations) };
  const none = (notShown: ReferrerBlob['notShown']): ReferrerBlob => ({ ...base, text: null, json: false, notShown, summary: null });
  if (!read) return none('not-read');
  if (base.size > REFERRER_SHOW_LIMIT) return none('too-large');
  const got = await reader.smallBlob(repository, base.digest, REFERRER_SHOW_LIMIT);
  if (!('body' in got)) return none(got.problem);
  if (!isUtf8(got.body)) return none('binary');
  const text = got.body.toString('utf8');
  const shown = pretty(text);
  return { ...base, text: shown.text, json: shown.doc !== undefined, notShown: null, summary: shown.doc === undefined ? null : summarize(shown.doc, base.annotations) };
}

/** JSON pretty-printed with its parsed form, or the text as it is when it is not JSON (or too deep to print). */
function pretty(text: string): { text: string; doc?: unknown } {
  try {
    const doc = JSON.parse(text) as unknown;
    return { text: JSON.stringify(doc, null, 2), doc };
  } catch {
    return { text };
  }
}

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return out;
  for (const [k, value] of Object.entries(v).slice(0, MAX_ANNOTATIONS)) if (typeof value === 'string') out[k] = value;
  return out;
}
