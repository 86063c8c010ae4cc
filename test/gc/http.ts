/**
 * Small registry client for the gc tests: pushes images, indexes and referrers over HTTP, and pulls
 * an image completely (every child manifest and blob, each checked against its digest).
 */
import { createHash, randomBytes } from 'node:crypto';
import { pushBlob } from '../helpers/push';
import { ALL_MANIFEST_TYPES } from '../helpers/images';

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** A descriptor as manifests carry it. */
export interface Desc {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os: string; architecture: string };
  artifactType?: string;
}

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';

/** PUTs a manifest body; resolves the status and the response text (no throw). */
export async function putManifestRaw(base: string, repo: string, ref: string, body: Buffer, mediaType: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${base}/v2/${repo}/manifests/${ref}`, { method: 'PUT', body: new Uint8Array(body), headers: { 'Content-Type': mediaType } });
  return { status: res.status, text: await res.text() };
}

/** A manifest ready to push: its bytes, descriptor and the blobs it needs. */
export interface BuiltImage {
  body: Buffer;
  desc: Desc;
  /** Blob contents by digest (config and layers). */
  blobs: Map<string, Buffer>;
}

/** Builds an image manifest over the given layers (plus a fresh config); optionally a referrer of `subject`. */
export function buildImage(layers: Buffer[], opts: { arch?: string; subject?: Desc; artifactType?: string } = {}): BuiltImage {
  const blobs = new Map<string, Buffer>();
  const config = Buffer.from(JSON.stringify({ os: 'linux', architecture: opts.arch ?? 'amd64', rootfs: { type: 'layers', diff_ids: layers.map(sha256) }, nonce: randomBytes(6).toString('hex') }));
  blobs.set(sha256(config), config);
  for (const l of layers) blobs.set(sha256(l), l);
  const manifest: Record<string, unknown> = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: sha256(config), size: config.length },
    layers: layers.map((l) => ({ mediaType: OCI_LAYER, digest: sha256(l), size: l.length })),
  };
  if (opts.artifactType) manifest.artifactType = opts.artifactType;
  if (opts.subject) manifest.subject = { mediaType: opts.subject.mediaType, digest: opts.subject.digest, size: opts.subject.size };
  const body = Buffer.from(JSON.stringify(manifest));
  return { body, desc: { mediaType: OCI_MANIFEST, digest: sha256(body), size: body.length }, blobs };
}

/**
 * Pushes an image's blobs, then its manifest under `ref` (its digest when null). A collection may
 * remove blobs uploaded before it started and not yet referenced; the registry then refuses the
 * manifest with MANIFEST_BLOB_UNKNOWN and, like a client retrying, this uploads them again.
 * Resolves how many retries were needed.
 */
export async function pushImage(base: string, repo: string, ref: string | null, img: BuiltImage, maxRetries = 10): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    for (const data of img.blobs.values()) await pushBlob(base, repo, data);
    const res = await putManifestRaw(base, repo, ref ?? img.desc.digest, img.body, img.desc.mediaType);
    if (res.status === 201) return attempt;
    if (res.status !== 400 || !res.text.includes('MANIFEST_BLOB_UNKNOWN') || attempt >= maxRetries) {
      throw new Error(`PUT manifest ${repo}:${ref}: ${res.status} ${res.text}`);
    }
  }
}

/** Pushes an OCI index of `children` (already pushed) under `ref`. */
export async function pushIndex(base: string, repo: string, ref: string | null, children: Desc[]): Promise<Desc> {
  const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: children }));
  const desc = { mediaType: OCI_INDEX, digest: sha256(body), size: body.length };
  const res = await putManifestRaw(base, repo, ref ?? desc.digest, body, OCI_INDEX);
  if (res.status !== 201) throw new Error(`PUT index ${repo}:${ref}: ${res.status} ${res.text}`);
  return desc;
}

/** GETs a manifest with every media type accepted. */
export async function getManifest(base: string, repo: string, ref: string): Promise<{ status: number; body: Buffer; digest: string | null }> {
  const res = await fetch(`${base}/v2/${repo}/manifests/${ref}`, { headers: { Accept: ALL_MANIFEST_TYPES } });
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()), digest: res.headers.get('docker-content-digest') };
}

/**
 * Pulls `ref` completely: the manifest, each child of an index, and every config and layer, each
 * checked against its digest. Throws naming the first thing missing or wrong; resolves the digests.
 */
export async function pullComplete(base: string, repo: string, ref: string): Promise<string[]> {
  const seen: string[] = [];
  const visit = async (r: string, expected?: string) => {
    const m = await getManifest(base, repo, r);
    if (m.status !== 200) throw new Error(`${repo}@${r}: manifest ${m.status}`);
    const d = sha256(m.body);
    if (expected && d !== expected) throw new Error(`${repo}@${r}: manifest digest ${d}`);
    seen.push(d);
    const json = JSON.parse(m.body.toString('utf8'));
    for (const c of json.manifests ?? []) await visit(c.digest, c.digest);
    for (const b of [...(json.config ? [json.config] : []), ...(json.layers ?? [])]) {
      const res = await fetch(`${base}/v2/${repo}/blobs/${b.digest}`);
      const body = Buffer.from(await res.arrayBuffer());
      if (res.status !== 200) throw new Error(`${repo}@${r}: blob ${b.digest} ${res.status}`);
      if (sha256(body) !== b.digest) throw new Error(`${repo}@${r}: blob ${b.digest} hashes to ${sha256(body)}`);
      seen.push(b.digest);
    }
  };
  await visit(ref);
  return seen;
}

/** The digests the referrers API lists for `subject`. */
export async function referrers(base: string, repo: string, subject: string): Promise<string[]> {
  const res = await fetch(`${base}/v2/${repo}/referrers/${subject}`);
  if (res.status !== 200) throw new Error(`referrers ${repo}@${subject}: ${res.status}`);
  const body = (await res.json()) as { manifests: Array<{ digest: string }> };
  return body.manifests.map((m) => m.digest).sort();
}
