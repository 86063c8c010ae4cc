/**
 * Checks a sync's result at the destination, so that a fast wrong run cannot pass: every image of the
 * dataset under its tag with the source's manifest digest (indexes unchanged, not rewritten), every
 * child manifest of an index, and every config and layer blob with its size.
 */
import { createHash } from 'node:crypto';
import { pool, request } from './http';
import { MANIFEST_ACCEPT } from './ops';
import type { SyncImage } from './sync-dataset';

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/**
 * Verifies `images` at the registry `base` (http://HOST:PORT, anonymous reads); throws an error
 * naming the first few images that are missing or differ.
 */
export async function verifySync(base: string, images: readonly SyncImage[], who: string): Promise<void> {
  const problems: string[] = [];
  await pool(images, 8, async (image) => {
    const name = `${image.repository}:${image.tag}`;
    const get = await request(`${base}/v2/${image.repository}/manifests/${image.tag}`, 'GET', { headers: { Accept: MANIFEST_ACCEPT } });
    if (get.status !== 200) return void problems.push(`${name}: GET manifest answered ${get.status}`);
    const got = sha256(get.body);
    if (got !== image.digest) return void problems.push(`${name}: manifest digest ${got}, the source's is ${image.digest}`);
    const header = get.headers['docker-content-digest'];
    if (header !== undefined && header !== image.digest) return void problems.push(`${name}: Docker-Content-Digest ${header}, the source's is ${image.digest}`);
    for (const child of image.children) {
      const head = await request(`${base}/v2/${image.repository}/manifests/${child.digest}`, 'HEAD', { headers: { Accept: MANIFEST_ACCEPT } });
      if (head.status !== 200) return void problems.push(`${name}: child manifest ${child.digest} answered ${head.status}`);
    }
    for (const blob of image.blobs) {
      const head = await request(`${base}/v2/${image.repository}/blobs/${blob.digest}`, 'HEAD');
      if (head.status !== 200) return void problems.push(`${name}: blob ${blob.digest} answered ${head.status}`);
      if (Number(head.headers['content-length']) !== blob.size) return void problems.push(`${name}: blob ${blob.digest} is ${head.headers['content-length']} bytes, expected ${blob.size}`);
    }
  });
  if (problems.length > 0) {
    throw new Error(`${who}: ${problems.length} of ${images.length} images are not at the destination as at the source:\n  ${problems.slice(0, 5).join('\n  ')}`);
  }
}
