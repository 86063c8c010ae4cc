/**
 * Hand-made OCI layouts, OCI archives and docker archives for the readers' tests: the files as a
 * map of path → bytes, written as a folder or as a tar (headers from node-tar's Header, so hostile
 * entries, long names and pax headers can be made on purpose).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Header } from 'tar';
import { gzipSync } from 'node:zlib';
import { tarFiles } from './images';

const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const hexOf = (digest: string) => digest.slice('sha256:'.length);

/** One raw tar entry. */
export interface RawEntry {
  path: string;
  data?: Buffer;
  type?: 'File' | 'Directory' | 'SymbolicLink' | 'Link' | 'NextFileHasLongPath' | 'ExtendedHeader';
  linkpath?: string;
  /** The size the header claims (default: the data's length). */
  size?: number;
}

/** A tar of raw entries, ended by two zero blocks unless `end` is false. */
export function tarBytes(entries: RawEntry[], opts: { end?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data = e.data ?? Buffer.alloc(0);
    const h = new Header({ path: e.path, mode: 0o644, size: e.size ?? data.length, type: e.type ?? 'File', linkpath: e.linkpath, mtime: new Date(0) });
    h.encode();
    parts.push(h.block!, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  if (opts.end !== false) parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** A pax `x` header body setting `fields` for the next entry. */
export function paxBody(fields: Record<string, string | number>): Buffer {
  const records = Object.entries(fields).map(([k, v]) => {
    const rest = ` ${k}=${v}\n`;
    let n = Buffer.byteLength(rest);
    while (String(n).length + Buffer.byteLength(rest) !== n) n = String(n).length + Buffer.byteLength(rest);
    return `${n}${rest}`;
  });
  return Buffer.from(records.join(''));
}

/** A tar of files (path → bytes), in the order given. */
export function tarOfFiles(files: Record<string, Buffer>): Buffer {
  return tarBytes(Object.entries(files).map(([path, data]) => ({ path, data })));
}

/** Writes files (path → bytes) under `dir`. */
export function writeFiles(dir: string, files: Record<string, Buffer>): void {
  for (const [path, data] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), data);
  }
}

/** What one hand-made image is. */
export interface MadeImage {
  manifest: { digest: string; size: number; mediaType: string };
  config: { digest: string; size: number; body: Buffer };
  layers: Array<{ digest: string; size: number; diffId: string; body: Buffer }>;
}

/** A small image: a config and gzip layers of the given files (default: one small file). */
export function makeImage(blobs: Record<string, Buffer>, opts: { arch?: string; text?: string; subject?: { digest: string; size: number; mediaType: string }; artifactType?: string } = {}): MadeImage {
  const put = (b: Buffer) => {
    const digest = sha(b);
    blobs[`blobs/sha256/${hexOf(digest)}`] = b;
    return { digest, size: b.length };
  };
  const tar = tarFiles([{ path: 'hello.txt', data: Buffer.from(opts.text ?? `hello ${randomBytes(4).toString('hex')}\n`) }]);
  const gz = gzipSync(tar);
  const layer = { ...put(gz), diffId: sha(tar), body: gz };
  const configBody = Buffer.from(JSON.stringify({ architecture: opts.arch ?? 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [layer.diffId] } }));
  const config = { ...put(configBody), body: configBody };
  const manifestBody = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      ...(opts.artifactType ? { artifactType: opts.artifactType } : {}),
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config.digest, size: config.size },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layer.digest, size: layer.size }],
      ...(opts.subject ? { subject: opts.subject } : {}),
    }),
  );
  return { manifest: { ...put(manifestBody), mediaType: 'application/vnd.oci.image.manifest.v1+json' }, config, layers: [layer] };
}

/** An index of images (each with `platform`), put into `blobs`. */
export function makeIndex(blobs: Record<string, Buffer>, images: Array<{ image: MadeImage; arch: string }>): { digest: string; size: number; mediaType: string } {
  const body = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: images.map(({ image, arch }) => ({ ...image.manifest, platform: { os: 'linux', architecture: arch } })),
    }),
  );
  const digest = sha(body);
  blobs[`blobs/sha256/${hexOf(digest)}`] = body;
  return { digest, size: body.length, mediaType: 'application/vnd.oci.image.index.v1+json' };
}

/** `oci-layout` and `index.json` listing `entries`, added to `files`. */
export function finishLayout(
  files: Record<string, Buffer>,
  entries: Array<{ digest: string; size: number; mediaType: string; annotations?: Record<string, string> }>,
): Record<string, Buffer> {
  files['oci-layout'] = Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  files['index.json'] = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: entries }));
  return files;
}

/** One image of a classic docker archive. */
export interface DockerImage {
  repoTags?: string[] | null;
  /** Uncompressed layer tars. */
  layers: Buffer[];
  /** `hex`: `<diffid>.tar` (skopeo, podman); `legacy`: `<id>/layer.tar` (docker before 25). Default hex. */
  naming?: 'hex' | 'legacy';
  /** Gzip the layer files (docker never does; other writers may). */
  gzip?: boolean;
}

/** A classic docker archive's files (manifest.json, `<config hex>.json`, layers) and each image's config digest. */
export function dockerArchiveFiles(images: DockerImage[]): { files: Record<string, Buffer>; configs: string[]; layerDigests: string[][] } {
  const files: Record<string, Buffer> = {};
  const manifest: unknown[] = [];
  const configs: string[] = [];
  const layerDigests: string[][] = [];
  for (const img of images) {
    const diffIds = img.layers.map((l) => sha(l));
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: diffIds } }));
    const configHex = hexOf(sha(config));
    files[`${configHex}.json`] = config;
    const names = img.layers.map((l, i) => {
      const body = img.gzip ? gzipSync(l) : l;
      const name = img.naming === 'legacy' ? `${hexOf(sha(`${configHex}-${i}`))}/layer.tar` : `${hexOf(sha(body))}.tar`;
      files[name] = body;
      return name;
    });
    configs.push(sha(config));
    layerDigests.push(img.layers.map((l) => sha(img.gzip ? gzipSync(l) : l)));
    manifest.push({ Config: `${configHex}.json`, RepoTags: img.repoTags === undefined ? [] : img.repoTags, Layers: names });
  }
  files['manifest.json'] = Buffer.from(JSON.stringify(manifest));
  return { files, configs, layerDigests };
}
