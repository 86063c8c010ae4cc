/**
 * Writes N repositories straight into registry:2's filesystem layout (one small image each, tagged
 * `latest`, sharing its layer; each image's config carries a label of its own length, so sizes
 * differ, some equal): seconds for 10,000, where pushing them would take minutes. Berth builds its
 * index from this at start, as it does for any registry:2 volume.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseDigest } from '../../src-server/core/digest';
import { paths } from '../../src-server/storage/layout';

function put(root: string, rel: string, data: string | Buffer): void {
  const p = join(root, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, data);
}

function blob(root: string, data: Buffer): { digest: string; size: number } {
  const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
  put(root, paths.blobData(parseDigest(digest)!), data);
  return { digest, size: data.length };
}

/** A repository written: its name and distinct bytes (manifest, config and layer). */
export interface ManyRepository {
  name: string;
  bytes: number;
}

/** Writes repositories `<prefix>00000`… into `root`; returns them in name order. */
export function writeManyRepositories(root: string, count: number, prefix = 'team/app-'): ManyRepository[] {
  const layer = blob(root, Buffer.alloc(4096, 7));
  const out: ManyRepository[] = [];
  for (let i = 0; i < count; i++) {
    const name = `${prefix}${String(i).padStart(5, '0')}`;
    // 3,001 label lengths over the repositories: sizes spread out, and some repositories tie.
    const note = 'x'.repeat((i * 7919) % 3001);
    const config = blob(root, Buffer.from(JSON.stringify({ os: 'linux', architecture: 'amd64', created: '2026-01-01T00:00:00Z', config: { Labels: { note } }, rootfs: { type: 'layers', diff_ids: [] } })));
    const manifest = blob(
      root,
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
          layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
        }),
      ),
    );
    const m = parseDigest(manifest.digest)!;
    for (const d of [layer.digest, config.digest]) put(root, paths.layerLink(name, parseDigest(d)!), d);
    put(root, paths.revisionLink(name, m), manifest.digest);
    put(root, paths.tagCurrentLink(name, 'latest'), manifest.digest);
    put(root, paths.tagIndexLink(name, 'latest', m), manifest.digest);
    out.push({ name, bytes: manifest.size + config.size + layer.size });
  }
  return out;
}
