/**
 * An OCI image layout folder (https://github.com/opencontainers/image-spec/blob/main/image-layout.md)
 * as an ImageReader:
 *
 *   DIR/
 *     oci-layout              {"imageLayoutVersion": "1.0.0"}
 *     index.json              manifests, tags in `org.opencontainers.image.ref.name`
 *     blobs/<alg>/<hex>       manifests, configs and layers by digest
 *
 * Nothing outside DIR is ever read: every blob's real path (symlinks resolved) must lie under
 * DIR's real `blobs/` folder, and every byte read is checked against its digest.
 */
import { createReadStream } from 'node:fs';
import { open, readFile, realpath, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { createDigester, parseDigest, type ParsedDigest } from '../core/digest';
import type { SourceBlob, SourceManifest } from '../browse/source';
import { LayerError, type ImageReader } from './types';

/** Largest index.json or manifest read (the distribution spec's registries take 4 MiB manifests). */
export const MAX_LAYOUT_JSON = 4 << 20;

/** The annotation that names an image of a layout. */
export const REF_NAME = 'org.opencontainers.image.ref.name';

/** A layout that cannot be read as asked, in words. */
export class OciLayoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OciLayoutError';
  }
}

/** One entry of index.json. */
interface IndexEntry {
  digest: string;
  mediaType: string;
  size: number;
  annotations?: Record<string, string>;
}

/** An OCI layout as an ImageReader, plus how a tag (or none) names one of its images. */
export interface OciLayoutReader extends ImageReader {
  /** The layout's real path. */
  readonly dir: string;
  /** The tags of index.json, in its order. */
  readonly tags: string[];
  /**
   * The digest to read for `tag`; without one, the layout's only image (an error lists the tags
   * when there are several, and says so when there is none).
   */
  resolve(tag?: string): string;
}

/** Opens `dir` as an OCI image layout; throws OciLayoutError when it is not one. */
export async function openOciLayout(dir: string): Promise<OciLayoutReader> {
  let root: string;
  try {
    root = await realpath(resolve(dir));
  } catch {
    throw new OciLayoutError(`oci:${dir}: no such folder`);
  }
  const layoutFile = await readBounded(root, join(root, 'oci-layout'), 64 * 1024).catch(() => null);
  if (!layoutFile) throw new OciLayoutError(`oci:${dir} is not an OCI image layout: it has no oci-layout file`);
  const version = parseJson(layoutFile, `oci:${dir}/oci-layout`) as { imageLayoutVersion?: unknown };
  if (typeof version?.imageLayoutVersion !== 'string') throw new OciLayoutError(`oci:${dir}/oci-layout has no imageLayoutVersion`);
  const indexBody = await readBounded(root, join(root, 'index.json'), MAX_LAYOUT_JSON).catch((err: Error) => {
    throw new OciLayoutError(`oci:${dir}/index.json: ${err.message}`);
  });
  const entries = indexEntries(parseJson(indexBody, `oci:${dir}/index.json`), dir);
  const tags = [...new Set(entries.map((e) => e.annotations?.[REF_NAME]).filter((t): t is string => typeof t === 'string'))];
  const label = `oci:${dir}`;
  const blobsRoot = join(root, 'blobs');

  const resolveTag = (tag?: string): string => {
    if (tag !== undefined) {
      const found = entries.find((e) => e.annotations?.[REF_NAME] === tag);
      if (!found) throw new OciLayoutError(`${label} has no image tagged ${JSON.stringify(tag)}; ${tags.length ? `its tags: ${tags.join(', ')}` : 'it has no tags'}`);
      return found.digest;
    }
    if (entries.length === 1) return entries[0]!.digest;
    if (entries.length === 0) throw new OciLayoutError(`${label} holds no image (index.json lists no manifest)`);
    throw new OciLayoutError(`${label} holds ${entries.length} images: name one as oci:DIR:TAG (tags: ${tags.join(', ') || 'none'})`);
  };

  return {
    dir: root,
    tags,
    label,
    resolve: resolveTag,
    async manifest(reference) {
      const digest = parseDigest(reference) ? reference : tags.includes(reference) ? resolveTag(reference) : null;
      if (!digest) return null;
      const d = parseDigest(digest)!;
      const path = await blobPath(blobsRoot, d);
      if (!path) return null;
      const body = await readBounded(blobsRoot, path, MAX_LAYOUT_JSON);
      const actual = createDigester(d.algorithm).update(body).digest('hex');
      if (actual !== d.hex) throw new OciLayoutError(`${label}: blob ${digest} does not match its digest (it hashes to ${d.algorithm}:${actual})`);
      const listed = entries.find((e) => e.digest === digest)?.mediaType;
      const own = (parseJson(body, `${label} manifest ${digest}`) as { mediaType?: unknown })?.mediaType;
      const mediaType = listed ?? (typeof own === 'string' ? own : 'application/vnd.oci.image.manifest.v1+json');
      return { digest, mediaType, body } satisfies SourceManifest;
    },
    async blob(digest, signal) {
      const d = parseDigest(digest);
      if (!d) throw new OciLayoutError(`${label}: ${JSON.stringify(digest)} is not a digest`);
      const path = await blobPath(blobsRoot, d);
      if (!path) return null;
      const size = (await stat(path)).size;
      const stream = createReadStream(path, { signal });
      stream.on('error', () => {});
      return { size, chunks: verified(stream, d, size, label), cancel: async () => void stream.destroy() } satisfies SourceBlob;
    },
  };
}

/**
 * The real path of a blob, or null when the layout lacks it. Refuses one whose real path leaves
 * the layout's `blobs/` (a symlink pointing out) or that is not a regular file.
 */
async function blobPath(blobsRoot: string, d: ParsedDigest): Promise<string | null> {
  const wanted = join(blobsRoot, d.algorithm, d.hex);
  let real: string;
  try {
    real = await realpath(wanted);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const rootReal = await realpath(blobsRoot);
  if (!real.startsWith(rootReal + sep)) throw new OciLayoutError(`blob ${d.digest} of the layout points outside it (${real}): refused`);
  if (!(await stat(real)).isFile()) throw new OciLayoutError(`blob ${d.digest} of the layout is not a regular file`);
  return real;
}

/** Reads a small file (inside `root`, symlinks resolved) up to `max` bytes; longer ones are refused. */
async function readBounded(root: string, path: string, max: number): Promise<Buffer> {
  const real = await realpath(path);
  if (real !== root && !real.startsWith(root + sep)) throw new Error(`${path} points outside the layout`);
  const fh = await open(real, 'r');
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new Error('not a regular file');
    if (st.size > max) throw new Error(`${st.size} bytes, more than the ${max} read`);
    return await readFile(fh);
  } finally {
    await fh.close();
  }
}

function parseJson(body: Buffer, what: string): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new OciLayoutError(`${what} is not JSON`);
  }
}

function indexEntries(index: unknown, dir: string): IndexEntry[] {
  const manifests = (index as { manifests?: unknown })?.manifests;
  if (!Array.isArray(manifests)) throw new OciLayoutError(`oci:${dir}/index.json has no manifests list`);
  return manifests.filter(
    (m): m is IndexEntry =>
      typeof m === 'object' && m !== null && typeof m.digest === 'string' && parseDigest(m.digest) !== null && typeof m.mediaType === 'string',
  );
}

/** The file's bytes, hashed on the way; the last read throws when they are not `d`'s (or are cut short). */
async function* verified(chunks: AsyncIterable<Buffer>, d: ParsedDigest, size: number, label: string): AsyncIterable<Buffer> {
  const hash = createDigester(d.algorithm);
  let n = 0;
  for await (const c of chunks) {
    hash.update(c);
    n += c.length;
    yield c;
  }
  const actual = hash.digest('hex');
  if (n !== size || actual !== d.hex) throw new LayerError('DIGEST_MISMATCH', `${label}: blob ${d.digest} does not match its digest (read ${n} bytes hashing to ${d.algorithm}:${actual})`);
}
