import { randomBytes } from 'node:crypto';
import { sha256 } from './oci-content';

export { sha256 };

/** Uploads a blob with POST + PUT (monolithic); throws on any non-201. */
export async function pushBlob(base: string, repo: string, data: Buffer, headers: Record<string, string> = {}): Promise<string> {
  const digest = sha256(data);
  const start = await fetch(`${base}/v2/${repo}/blobs/uploads/`, { method: 'POST', headers });
  if (start.status !== 202) throw new Error(`POST upload: ${start.status} ${await start.text()}`);
  const loc = new URL(start.headers.get('location')!, base);
  loc.searchParams.set('digest', digest);
  const put = await fetch(loc, {
    method: 'PUT',
    body: new Uint8Array(data),
    headers: { 'Content-Type': 'application/octet-stream', ...headers },
  });
  if (put.status !== 201) throw new Error(`PUT upload: ${put.status} ${await put.text()}`);
  return digest;
}

/** PUTs a manifest under a tag or digest; returns the digest the registry reports. */
export async function pushManifest(
  base: string,
  repo: string,
  ref: string,
  manifest: object,
  mediaType = 'application/vnd.oci.image.manifest.v1+json',
  headers: Record<string, string> = {},
): Promise<string> {
  const res = await fetch(`${base}/v2/${repo}/manifests/${ref}`, {
    method: 'PUT',
    body: JSON.stringify(manifest),
    headers: { 'Content-Type': mediaType, ...headers },
  });
  if (res.status !== 201) throw new Error(`PUT manifest: ${res.status} ${await res.text()}`);
  return res.headers.get('docker-content-digest')!;
}

/** A pushed single-platform OCI image. */
export interface PushedImage {
  digest: string;
  manifest: { config: { digest: string; size: number }; layers: Array<{ digest: string; size: number }> };
  size: number;
}

/**
 * Pushes a small OCI image with random layers (sizes in bytes) and tags it.
 * `platform` goes into the config so images differ per platform.
 */
export async function pushRandomImage(
  base: string,
  repo: string,
  tag: string,
  layerSizes: number[] = [1024],
  platform = { os: 'linux', architecture: 'amd64' },
  headers: Record<string, string> = {},
): Promise<PushedImage> {
  const layers = [];
  for (const size of layerSizes) {
    const data = randomBytes(size);
    layers.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: await pushBlob(base, repo, data, headers), size });
  }
  const config = Buffer.from(JSON.stringify({ ...platform, rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) } }));
  const configDesc = { mediaType: 'application/vnd.oci.image.config.v1+json', digest: await pushBlob(base, repo, config, headers), size: config.length };
  const manifest = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: configDesc, layers };
  const digest = await pushManifest(base, repo, tag, manifest, undefined, headers);
  return { digest, manifest, size: Buffer.byteLength(JSON.stringify(manifest)) };
}
