/**
 * A docker archive (`docker-archive:FILE`): what `docker save`, `podman save` and skopeo write,
 * read in place like an OCI archive. Its `manifest.json` lists images:
 *
 *   [{"Config": "<hex>.json", "RepoTags": ["repo:tag"], "Layers": ["<hex>.tar" | "<id>/layer.tar"]}]
 *
 * Each entry becomes an image. When the archive is also an OCI layout (docker 25 and later write
 * `index.json` and `oci-layout` beside manifest.json), the layout's manifest with the entry's
 * config is served as it is, so digests stay what docker made. Otherwise an OCI image manifest is
 * made up for the entry: the config file's bytes unchanged (its digest is docker's image ID), the
 * layer files typed by their compression. It is the same bytes for the same archive every time.
 *
 * Digests are taken from names where names are digests (`<hex>.tar`, `blobs/sha256/<hex>`) or from
 * the config's diff_ids for uncompressed layers, and checked when the bytes are read; a layer with
 * no such name is hashed once at open, one at a time.
 *
 * A manifest.json that is not one refuses the archive; an entry that cannot be read (a missing
 * file, a config that is not JSON) fails only that image, when it is read, naming it.
 */
import { createDigester, digestOf, parseDigest } from '../core/digest';
import { RegistryError } from '../core/errors';
import { parseManifest } from '../core/manifest';
import { MediaType } from '../core/mediatypes';
import { archiveInvalid, MAX_MANIFEST_BYTES, memoryBlob, parseJsonFile, readVerified, type BlobStore, type StoredBlob } from './blob-store';
import { splitRepoTag } from './file-image-names';
import { createFileSource } from './file-source';
import { readLayoutIndex, type LayoutIndex } from './oci-index';
import { realFile, tarBlobStore, tarRootReader } from './oci-archive-source';
import { compressionOf, normalizeEntryPath, type TarEntry, type TarIndex, openTarIndex } from './tar-index';
import type { FileImage, FileSource } from './types';

/** Most manifest.json entries, and layers per entry, read. */
const MAX_ENTRIES = 10_000;
const MAX_LAYERS = 1000;
/** Largest image config read. */
const MAX_CONFIG_BYTES = 16 << 20;

/** The OCI layer media type of each compression. */
const LAYER_TYPES: Record<string, string> = {
  none: 'application/vnd.oci.image.layer.v1.tar',
  gzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  zstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
};

/** One entry of manifest.json, checked. */
interface DockerEntry {
  config: string;
  repoTags: string[];
  layers: string[];
}

/** Opens `file` as a docker archive; ARCHIVE_INVALID when it is not one. */
export async function openDockerArchiveSource(file: string): Promise<FileSource> {
  const label = `docker-archive:${file}`;
  const path = await realFile(file, label);
  const tar = await openTarIndex(path, label);
  try {
    const readRoot = tarRootReader(tar, label);
    const manifestJson = tar.file('manifest.json');
    if (!manifestJson) throw archiveInvalid(`${label}: not a docker archive: manifest.json is missing`);
    if (manifestJson.size > MAX_MANIFEST_BYTES) throw archiveInvalid(`${label}: manifest.json has ${manifestJson.size} bytes, more than ${MAX_MANIFEST_BYTES}`);
    const entries = dockerEntries(parseJsonFile(await tar.head(manifestJson, manifestJson.size), `${label}: manifest.json`), label);
    const blobs = tarBlobStore(tar);
    const layout = tar.file('index.json') && tar.file('oci-layout') ? await readLayoutIndex(readRoot, blobs, label, 'an OCI layout') : null;
    const byConfig = layout ? await layoutConfigs(layout, blobs, label) : new Map<string, TopManifest>();
    const made = new Map<string, StoredBlob>();
    const images: FileImage[] = [];
    const broken = new Map<string, RegistryError>();
    let unnamed = 0;
    for (const [i, entry] of entries.entries()) {
      const what = `manifest.json entry ${i + 1}${entry.repoTags.length ? ` (${entry.repoTags.join(', ')})` : ''}`;
      const top = await imageOf(byConfig, tar, entry, label, what, made, broken);
      if (entry.repoTags.length === 0) images.push({ repository: null, tag: null, name: `#${++unnamed}`, ...top });
      for (const repoTag of entry.repoTags) {
        const { repository, tag } = splitRepoTag(repoTag);
        images.push({ repository, tag, name: repository && tag ? `${repository}:${tag}` : repoTag, ...top });
      }
    }
    const store: BlobStore = {
      find: async (digest) => {
        const fault = broken.get(digest);
        if (fault) throw new RegistryError(fault.code, { message: fault.message, detail: fault.detail });
        return made.get(digest) ?? blobs.find(digest);
      },
      close: () => blobs.close(),
    };
    return createFileSource({
      transport: 'docker-archive',
      path,
      label,
      store,
      images,
      referrers: layout?.referrers ?? [],
      mediaTypes: layout?.mediaTypes ?? new Map(),
    });
  } catch (err) {
    await tar.close();
    throw err;
  }
}

function dockerEntries(json: unknown, label: string): DockerEntry[] {
  const bad = (why: string) => archiveInvalid(`${label}: manifest.json is not a docker archive's: ${why}`);
  if (!Array.isArray(json)) throw bad('it is not a list');
  if (json.length > MAX_ENTRIES) throw bad(`it lists ${json.length} images, more than ${MAX_ENTRIES}`);
  return json.map((e: unknown, i): DockerEntry => {
    const o = e as { Config?: unknown; RepoTags?: unknown; Layers?: unknown } | null;
    const n = `entry ${i + 1}`;
    if (!o || typeof o !== 'object') throw bad(`${n} is not an object`);
    if (typeof o.Config !== 'string' || o.Config === '') throw bad(`${n} has no Config`);
    if (!Array.isArray(o.Layers) || o.Layers.some((l) => typeof l !== 'string')) throw bad(`${n} has no Layers list`);
    if (o.Layers.length > MAX_LAYERS) throw bad(`${n} has ${o.Layers.length} layers, more than ${MAX_LAYERS}`);
    const tags = o.RepoTags ?? [];
    if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string' || t === '')) throw bad(`${n} has a RepoTags that is not a list of names`);
    return { config: o.Config, repoTags: [...new Set(tags as string[])], layers: o.Layers as string[] };
  });
}

/** The tar file an entry names, or ARCHIVE_INVALID naming the image and the file. */
function entryFile(tar: TarIndex, name: string, role: string, label: string, what: string): TarEntry {
  const path = normalizeEntryPath(name);
  if (typeof path !== 'string') throw archiveInvalid(`${label}: ${what}: its ${role} ${JSON.stringify(name)} is refused: ${path.refused}`);
  // docker before 25 saves a layer shared by two images once, and a symlink to it for the other.
  const entry = tar.fileThroughLinks(path);
  if (entry) return entry;
  const other = tar.entries.get(path);
  throw archiveInvalid(
    other
      ? `${label}: ${what}: its ${role} ${JSON.stringify(name)} is a ${other.kind} in the archive that leads to no file of the archive`
      : `${label}: ${what}: its ${role} ${JSON.stringify(name)} is missing from the archive`,
  );
}

type TopManifest = Pick<FileImage, 'digest' | 'mediaType' | 'size'>;

/**
 * The layout's image manifests by their configs, each read once. A manifest.json entry is one
 * platform, so when index.json lists an index (docker's containerd store saves one, possibly
 * with only this machine's platform inside) the entry is the child with its config. A manifest
 * that cannot be read is left out: an entry with its config then gets a manifest of its own.
 */
async function layoutConfigs(layout: LayoutIndex, blobs: BlobStore, label: string): Promise<Map<string, TopManifest>> {
  const byConfig = new Map<string, TopManifest>();
  const manifestOf = async (digest: string) => {
    const blob = await blobs.find(digest);
    if (!blob) return null;
    return parseManifest(await readVerified(blob, digest, label, MAX_MANIFEST_BYTES), layout.mediaTypes.get(digest));
  };
  const add = (config: string | undefined, top: TopManifest) => {
    if (config && !byConfig.has(config)) byConfig.set(config, top);
  };
  for (const image of layout.images) {
    try {
      const m = await manifestOf(image.digest);
      if (m?.kind === 'image') add(m.config?.digest, { digest: image.digest, mediaType: image.mediaType, size: image.size });
      for (const child of m?.kind === 'index' ? m.manifests.slice(0, 64) : []) {
        const c = await manifestOf(child.digest).catch(() => null);
        if (c?.kind === 'image') add(c.config?.digest, { digest: child.digest, mediaType: child.mediaType, size: child.size });
      }
    } catch {
      continue;
    }
  }
  return byConfig;
}

/**
 * The entry's image: the layout's, or one made for it. An entry that cannot be read (a missing
 * layer, a config that is not JSON, a layer whose name and config disagree) does not stop the
 * others: it is listed under a digest of its own that names no content, and reading that digest
 * throws what is wrong, naming the entry, so an import fails that image alone.
 */
async function imageOf(
  byConfig: Map<string, TopManifest>,
  tar: TarIndex,
  entry: DockerEntry,
  label: string,
  what: string,
  made: Map<string, StoredBlob>,
  broken: Map<string, RegistryError>,
): Promise<TopManifest> {
  try {
    return layoutImage(byConfig, tar, entry, label, what) ?? (await madeImage(tar, entry, label, what, made));
  } catch (err) {
    if (!(err instanceof RegistryError) || (err.code !== 'ARCHIVE_INVALID' && err.code !== 'DIGEST_INVALID')) throw err;
    const digest = digestOf(`broken docker archive entry\n${what}\n${err.message}`);
    broken.set(digest, err);
    return { digest, mediaType: MediaType.OciManifest, size: 0 };
  }
}

/** The layout image with the entry's config (named `blobs/sha256/<hex>`), when there is one. */
function layoutImage(byConfig: Map<string, TopManifest>, tar: TarIndex, entry: DockerEntry, label: string, what: string): TopManifest | null {
  const config = entryFile(tar, entry.config, 'config', label, what);
  const configDigest = /^blobs\/sha256\/[a-f0-9]{64}$/.test(config.path) ? `sha256:${config.path.slice(13)}` : null;
  return configDigest ? (byConfig.get(configDigest) ?? null) : null;
}

/** An OCI image manifest for the entry, its blobs put into `made` by digest. */
async function madeImage(tar: TarIndex, entry: DockerEntry, label: string, what: string, made: Map<string, StoredBlob>): Promise<TopManifest> {
  const configEntry = entryFile(tar, entry.config, 'config', label, what);
  if (configEntry.size > MAX_CONFIG_BYTES) throw archiveInvalid(`${label}: ${what}: its config has ${configEntry.size} bytes, more than ${MAX_CONFIG_BYTES}`);
  const configBody = await tar.head(configEntry, configEntry.size);
  const configDigest = digestOf(configBody);
  const diffIds = diffIdsOf(parseJsonFile(configBody, `${label}: ${what}: config ${entry.config}`));
  const put = (digest: string, e: TarEntry, role: string) => {
    if (!made.has(digest)) made.set(digest, { size: e.size, what: `${role} of ${what}`, open: (signal) => tar.stream(e, signal) });
  };
  put(configDigest, configEntry, `config ${entry.config}`);
  const layers = [];
  for (const [i, name] of entry.layers.entries()) {
    const file = entryFile(tar, name, `layer ${i + 1}`, label, what);
    const compression = compressionOf(await tar.head(file, 8))?.name ?? 'none';
    const mediaType = LAYER_TYPES[compression];
    if (!mediaType) throw archiveInvalid(`${label}: ${what}: layer ${i + 1} (${name}) is ${compression}-compressed, which an OCI image cannot hold`);
    const named = digestFromName(file.path);
    const diffId = diffIds[i];
    if (named && compression === 'none' && diffId && diffId !== named) {
      throw new RegistryError('DIGEST_INVALID', {
        message: `${label}: ${what}: layer ${i + 1} (${name}) is ${named} by its name, but the config's diff_ids say ${diffId}`,
        detail: { image: what },
      });
    }
    const digest = named ?? (compression === 'none' && diffId ? diffId : await hashEntry(tar, file));
    put(digest, file, `layer ${i + 1} (${name})`);
    layers.push({ mediaType, digest, size: file.size });
  }
  const body = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: configEntry.size },
      layers,
    }),
  );
  const digest = digestOf(body);
  made.set(digest, memoryBlob(body, `the manifest made for ${what}`));
  return { digest, mediaType: MediaType.OciManifest, size: body.length };
}

/** `<hex>.tar`, `<hex>` or `blobs/sha256/<hex>`: a name that is the file's digest (checked when read). */
function digestFromName(path: string): string | null {
  const m = /^(?:blobs\/sha256\/)?([a-f0-9]{64})(?:\.tar)?$/.exec(path);
  return m ? `sha256:${m[1]}` : null;
}

function diffIdsOf(config: unknown): Array<string | undefined> {
  const ids = (config as { rootfs?: { diff_ids?: unknown } } | null)?.rootfs?.diff_ids;
  if (!Array.isArray(ids)) return [];
  return ids.map((d) => (typeof d === 'string' && parseDigest(d) ? d : undefined));
}

/** The sha256 of an entry's bytes, read once. */
async function hashEntry(tar: TarIndex, entry: TarEntry): Promise<string> {
  const hash = createDigester('sha256');
  for await (const chunk of tar.stream(entry) as AsyncIterable<Buffer>) hash.update(chunk);
  return `sha256:${hash.digest('hex')}`;
}
