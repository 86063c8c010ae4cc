/**
 * Referrers (OCI distribution 1.1): the referrers API answers an image index whose `manifests` are
 * the referrers' descriptors; registries without it keep the same index under the fallback tag
 * `<alg>-<hex>` (the referrers tag schema).
 */
import { RemoteProtocolError } from './errors';

/** A referrer's descriptor as listed. */
export interface RemoteDescriptor {
  digest: string;
  mediaType: string;
  artifactType: string | null;
  size: number;
  annotations: Record<string, string>;
}

/** The fallback tag of the referrers tag schema for a subject digest (`sha256:ab…` → `sha256-ab…`). */
export function referrersTag(digest: string): string {
  return digest.replace(':', '-');
}

/** The descriptors of a referrers index; RemoteProtocolError when it is not an index. */
export function parseReferrerIndex(body: Buffer, url: string): RemoteDescriptor[] {
  let doc: { manifests?: unknown };
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch {
    throw new RemoteProtocolError(`${url}: the referrers answer is not JSON`, url);
  }
  if (!doc || typeof doc !== 'object' || !Array.isArray(doc.manifests)) throw new RemoteProtocolError(`${url}: the referrers answer is not an image index`, url);
  const out: RemoteDescriptor[] = [];
  for (const m of doc.manifests as Array<Record<string, unknown>>) {
    if (!m || typeof m.digest !== 'string' || typeof m.mediaType !== 'string' || typeof m.size !== 'number') continue;
    const annotations: Record<string, string> = {};
    if (m.annotations && typeof m.annotations === 'object')
      for (const [k, v] of Object.entries(m.annotations)) if (typeof v === 'string') annotations[k] = v;
    out.push({ digest: m.digest, mediaType: m.mediaType, artifactType: typeof m.artifactType === 'string' ? m.artifactType : null, size: m.size, annotations });
  }
  return out;
}
