import { randomBytes } from 'node:crypto';
import { pushBlob, pushManifest, sha256 } from '../helpers/push';

const V2 = 'application/vnd.docker.distribution.manifest.v2+json';
const LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';

/**
 * Pushes a Docker schema2 manifest list of one image per platform (random layers, pushed by
 * digest, then the list under `tag`) through the HTTP API; resolves the list's digest.
 */
export async function pushDockerList(
  base: string,
  repo: string,
  tag: string,
  platforms: Array<{ os: string; architecture: string; variant?: string }>,
  layerBytes = 4_000,
): Promise<string> {
  const entries = [];
  for (const platform of platforms) {
    const layer = randomBytes(layerBytes);
    const config = Buffer.from(JSON.stringify({ ...platform, rootfs: { type: 'layers', diff_ids: [sha256(layer)] } }));
    const manifest = {
      schemaVersion: 2,
      mediaType: V2,
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: await pushBlob(base, repo, config) },
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: layer.length, digest: await pushBlob(base, repo, layer) }],
    };
    const body = JSON.stringify(manifest);
    const digest = await pushManifest(base, repo, sha256(body), manifest, V2);
    entries.push({ mediaType: V2, size: Buffer.byteLength(body), digest, platform });
  }
  return pushManifest(base, repo, tag, { schemaVersion: 2, mediaType: LIST, manifests: entries }, LIST);
}
