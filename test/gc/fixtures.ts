/**
 * Test fixtures for the collector: pushes blobs, images, indexes and referrers straight into a
 * Registry (no HTTP), and lists what is on disk. Used by the gc tests only.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { digestOf, parseDigest } from '../../src-server/core/digest';
import type { RegistryService } from '../../src-server/registry/service';

/** A descriptor as manifests carry it. */
export interface Desc {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os: string; architecture: string };
}

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

/** Uploads and commits a blob into `repo`. */
export async function putBlob(reg: RegistryService, repo: string, data: Buffer, mediaType = 'application/vnd.oci.image.layer.v1.tar'): Promise<Desc> {
  const { uuid } = await reg.startUpload(repo);
  const digest = digestOf(data);
  await reg.commitUpload(
    repo,
    uuid,
    parseDigest(digest)!,
    (async function* () {
      yield data;
    })(),
  );
  return { mediaType, digest, size: data.length };
}

/** A random layer of `size` bytes, pushed. */
export const randomLayer = (reg: RegistryService, repo: string, size = 512) => putBlob(reg, repo, randomBytes(size));

/** An image manifest pushed under `ref` (a tag, or its own digest when ref is null). */
export async function putImage(
  reg: RegistryService,
  repo: string,
  ref: string | null,
  opts: { layers?: Desc[]; subject?: Desc; artifactType?: string; arch?: string } = {},
): Promise<{ desc: Desc; config: Desc; layers: Desc[]; body: Buffer }> {
  const layers = opts.layers ?? [await randomLayer(reg, repo)];
  const cfg = Buffer.from(JSON.stringify({ os: 'linux', architecture: opts.arch ?? 'amd64', nonce: randomBytes(8).toString('hex') }));
  const config = await putBlob(reg, repo, cfg, 'application/vnd.oci.image.config.v1+json');
  const manifest: Record<string, unknown> = { schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers };
  if (opts.artifactType) manifest.artifactType = opts.artifactType;
  if (opts.subject) manifest.subject = { mediaType: opts.subject.mediaType, digest: opts.subject.digest, size: opts.subject.size };
  const body = Buffer.from(JSON.stringify(manifest));
  const digest = digestOf(body);
  await reg.putManifest(repo, ref ?? digest, body, OCI_MANIFEST);
  return { desc: { mediaType: OCI_MANIFEST, digest, size: body.length }, config, layers, body };
}

/** An OCI index of `children` pushed under `ref`. */
export async function putIndex(reg: RegistryService, repo: string, ref: string | null, children: Desc[]): Promise<Desc> {
  const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: children }));
  const digest = digestOf(body);
  await reg.putManifest(repo, ref ?? digest, body, OCI_INDEX);
  return { mediaType: OCI_INDEX, digest, size: body.length };
}

/** Every file under `dir` (relative paths, sorted), for before/after comparisons. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(join(dir, rel))) {
      const p = rel ? `${rel}/${e}` : e;
      if (statSync(join(dir, p)).isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk('');
  return out.sort();
}
