/**
 * The contents service: what `berth files|extract|diff` and the GUI's Files, Layers and Compare
 * views call. It resolves an image, merges its layers' listings (cached by layer digest in SQLite,
 * the last merges in memory), and streams layers again only for file bytes.
 */
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { MAX_PREVIEW_BYTES, type FileEntry, type FilePreview, type HiddenEntry, type ImageDiff, type ImageFiles, type ImageLayers } from '../contract/contents';
import { RegistryError } from '../core/errors';
import { silentLogger, type Logger } from '../logger';
import { diffConfigs } from './config-diff';
import { createExtractor } from './extract';
import { diffFiles } from './file-diff';
import { folderTar } from './folder-tar';
import { resolveImage, type ResolvedImage } from './image-resolve';
import { openLayerFile } from './layer-file';
import { diffLayers } from './layer-diff';
import { asRegistryError, LayerListings } from './layer-listings';
import type { LayerLimits } from './limits';
import { ListingCache } from './listing-cache';
import { contentsLayers, MergedImages, type MergedContents } from './merged-images';
import { streamBodies } from './layer-bodies';
import { textPreview } from './text-preview';
import { normalizeUserPath, resolveInTree, selectUnder, sortByPath, TreePathError, withHardlinkTargets } from './tree-paths';
import type { ContentsDownload, ContentsService, ExtractReport, ImageAt } from './types';

/** Options of {@link createContentsService}. */
export interface ContentsServiceOptions {
  /** The SQLite file of layer listings, or null to keep none. */
  cachePath: string | null;
  log?: Logger;
  limits?: LayerLimits;
}

/** Builds the contents service over a listing cache; `close()` closes the cache. */
export function createContentsService(opts: ContentsServiceOptions): ContentsService & { close(): void } {
  const cache = opts.cachePath ? new ListingCache(opts.cachePath) : null;
  const merges = new MergedImages(new LayerListings(cache, opts.limits));
  const indexes = new WeakMap<MergedContents, Map<string, FileEntry>>();
  const log = opts.log ?? silentLogger;
  const limits = opts.limits;

  const open = async (image: ImageAt, signal?: AbortSignal) => {
    const resolved = await resolveImage(image, signal);
    const contents = await merges.of(resolved, signal);
    let index = indexes.get(contents);
    if (!index) indexes.set(contents, (index = new Map(contents.merged.entries.map((e) => [e.path, e]))));
    return { resolved, contents, index };
  };

  /**
   * The entry at `path` (symlinks on the way followed inside the image), or NOT_FOUND in words.
   * With `bytes`, a hardlink gives its target's entry: the tar holds the bytes under that path.
   */
  const entryAt = (resolved: ResolvedImage, index: Map<string, FileEntry>, path: string, bytes = false): FileEntry => {
    let wanted: string;
    let real: string;
    try {
      wanted = normalizeUserPath(path);
      real = resolveInTree(index, wanted);
    } catch (err) {
      if (err instanceof TreePathError) throw new RegistryError('NOT_FOUND', { message: `${resolved.reader.label}@${resolved.digest}: ${err.message}` });
      throw err;
    }
    const entry = real === '' ? rootEntry() : index.get(real);
    if (!entry) throw new RegistryError('NOT_FOUND', { message: `${resolved.reader.label}@${resolved.digest} has no ${JSON.stringify('/' + wanted)}` });
    if (bytes && entry.type === 'hardlink' && entry.link) return index.get(entry.link) ?? entry;
    return entry;
  };

  const files = async (image: ImageAt, o: { path?: string; signal?: AbortSignal } = {}): Promise<ImageFiles> => {
    const { resolved, contents, index } = await open(image, o.signal);
    const m = contents.merged;
    let entries = m.entries;
    let hidden: HiddenEntry[] = m.hidden;
    if (o.path !== undefined && normalizeUserPath(o.path) !== '') {
      const root = entryAt(resolved, index, o.path).path;
      entries = selectUnder(m.entries, root);
      hidden = m.hidden.filter((h) => h.path === root || h.path.startsWith(root + '/'));
    }
    const layers = contentsLayers(resolved, contents);
    return {
      ...head(resolved),
      layers,
      entries,
      hidden,
      totalSize: entries.reduce((sum, e) => sum + e.size, 0),
      wasted: layers.reduce((sum, l) => sum + l.wasted, 0),
      warnings: m.warnings,
    };
  };

  return {
    files,
    async layers(image, o = {}): Promise<ImageLayers> {
      const { resolved, contents } = await open(image, o.signal);
      const layers = contentsLayers(resolved, contents).map((l, i) => ({ ...l, changes: contents.merged.layers[i]?.changes ?? [] }));
      return { ...head(resolved), layers, wasted: layers.reduce((sum, l) => sum + l.wasted, 0), warnings: contents.merged.warnings };
    },
    async preview(image, path, o = {}): Promise<FilePreview> {
      const { resolved, contents, index } = await open(image, o.signal);
      const entry = entryAt(resolved, index, path, true);
      if (entry.type !== 'file') return { path: entry.path, size: entry.size, text: null, truncated: false };
      const stream = await fileStream(resolved, entry, limits, o.signal, contents.repeated);
      return { path: entry.path, ...(await textPreview(stream, entry.size, MAX_PREVIEW_BYTES)) };
    },
    async download(image, path, o = {}): Promise<ContentsDownload> {
      const { resolved, contents, index } = await open(image, o.signal);
      const entry = entryAt(resolved, index, path, true);
      if (entry.type === 'file') return { name: basename(entry.path), kind: 'file', size: entry.size, stream: await fileStream(resolved, entry, limits, o.signal, contents.repeated) };
      if (entry.type !== 'dir') throw new RegistryError('UNSUPPORTED', { message: `/${entry.path} is a ${entry.type}: only files and folders can be downloaded` });
      const under = entry.path === '' ? contents.merged.entries : selectUnder(contents.merged.entries, entry.path);
      return { name: `${entry.path === '' ? 'root' : basename(entry.path)}.tar`, kind: 'tar', size: null, stream: folderTar(resolved, entry.path, under, { limits, signal: o.signal, repeated: contents.repeated }) };
    },
    async extract(image, paths, outDir, o = {}): Promise<ExtractReport> {
      const { resolved, contents, index } = await open(image, o.signal);
      const chosen = new Map<string, FileEntry>();
      for (const p of paths) {
        const entry = entryAt(resolved, index, p);
        const under = entry.path === '' ? contents.merged.entries : entry.type === 'dir' ? selectUnder(contents.merged.entries, entry.path) : [index.get(entry.path) ?? entry];
        for (const e of under) chosen.set(e.path, e);
      }
      const selection = sortByPath(withHardlinkTargets([...chosen.values()], index));
      const extractor = createExtractor(outDir, selection);
      // Only regular files need their layers; folders and links are made by finish().
      await streamBodies(resolved, selection.filter((e) => extractor.wants(e.layer, e.path)), (entry, body) => extractor.write(entry, body), { limits, signal: o.signal, repeated: contents.repeated });
      const report = await extractor.finish();
      log.info(`extracted ${report.written} entries (${report.bytes} bytes) of ${resolved.reader.label}@${resolved.digest} to ${outDir}`);
      return report;
    },
    async diff(left, right, o = {}): Promise<ImageDiff> {
      const [l, r] = await Promise.all([open(left, o.signal), open(right, o.signal)]);
      const layerDiff = diffLayers(l.resolved.layers, r.resolved.layers, l.resolved.config.size, r.resolved.config.size);
      return {
        left: head(l.resolved),
        right: head(r.resolved),
        files: diffFiles(l.contents.merged.entries, r.contents.merged.entries),
        config: diffConfigs(l.resolved.configJson, r.resolved.configJson),
        ...layerDiff,
        warnings: [...l.contents.merged.warnings.map((w) => `left: ${w}`), ...r.contents.merged.warnings.map((w) => `right: ${w}`)],
      };
    },
    close: () => cache?.close(),
  };
}

function head(r: ResolvedImage) {
  return { digest: r.digest, indexDigest: r.indexDigest, platform: r.platform, platforms: r.platforms };
}

function rootEntry(): FileEntry {
  return { path: '', type: 'dir', size: 0, mode: 0o755, uid: 0, gid: 0, layer: 0 };
}

/** A file's bytes, streamed from the layer that last wrote it. */
async function fileStream(image: ResolvedImage, entry: FileEntry, limits: LayerLimits | undefined, signal: AbortSignal | undefined, repeated: MergedContents['repeated']): Promise<Readable> {
  const layer = image.layers[entry.layer]!;
  const blob = await image.reader.blob(layer.digest, signal);
  if (!blob) throw new RegistryError('BLOB_UNKNOWN', { message: `${image.reader.label}: layer ${layer.digest} is missing` });
  let opened;
  try {
    opened = await openLayerFile(blob, layer, entry.path, { limits, signal, digest: entry.digest, occurrence: repeated[entry.layer]?.[entry.path] });
  } catch (err) {
    throw asRegistryError(err, image.reader, layer);
  }
  if (!opened) throw new RegistryError('LAYER_UNREADABLE', { message: `${image.reader.label}: layer ${layer.digest} no longer holds /${entry.path}` });
  return opened.stream;
}
