/**
 * The bytes of chosen files of a merged image: each layer that holds the final version of one of
 * them is streamed once, in order, up to its last wanted entry; nothing else is read.
 */
import type { Readable } from 'node:stream';
import type { FileEntry } from '../contract/contents';
import { RegistryError } from '../core/errors';
import type { ResolvedImage } from './image-resolve';
import { asRegistryError } from './layer-listings';
import { walkLayer } from './layer-walk';
import type { LayerLimits } from './limits';

/** Options of {@link streamBodies}. */
export interface BodyOptions {
  limits?: LayerLimits;
  signal?: AbortSignal;
  /** Per layer, the paths its tar holds more than once and how many times (MergedContents.repeated). */
  repeated?: readonly (Record<string, number> | undefined)[];
}

/** Receives each wanted file with its content stream (which it must consume or destroy). */
export type BodyVisitor = (entry: FileEntry, body: Readable) => Promise<void>;

/**
 * Streams the regular files among `files` (final versions, `layer` set) to `visit`, layer by
 * layer. A path written twice by one layer is taken at its last occurrence, as the merge took it.
 */
export async function streamBodies(image: ResolvedImage, files: readonly FileEntry[], visit: BodyVisitor, opts: BodyOptions = {}): Promise<void> {
  const byLayer = new Map<number, Map<string, FileEntry>>();
  for (const f of files) {
    if (f.type !== 'file') continue;
    let wanted = byLayer.get(f.layer);
    if (!wanted) byLayer.set(f.layer, (wanted = new Map()));
    wanted.set(f.path, f);
  }
  for (const index of [...byLayer.keys()].sort((a, b) => a - b)) {
    const layer = image.layers[index]!;
    const wanted = byLayer.get(index)!;
    const blob = await image.reader.blob(layer.digest, opts.signal);
    if (!blob) throw new RegistryError('BLOB_UNKNOWN', { message: `${image.reader.label}: layer ${layer.digest} is missing` });
    let left = wanted.size;
    const repeated = opts.repeated?.[index];
    const seen = new Map<string, number>();
    try {
      await walkLayer(
        blob,
        layer,
        async (item, body) => {
          if (item.kind !== 'entry' || item.entry.type !== 'file' || !body) return;
          const entry = wanted.get(item.entry.path);
          if (!entry) return;
          // A path written twice by the layer: the merge kept its last place, so the bytes come from there.
          const times = repeated?.[entry.path];
          if (times !== undefined) {
            const n = (seen.get(entry.path) ?? 0) + 1;
            seen.set(entry.path, n);
            if (n < times) return;
          }
          wanted.delete(item.entry.path);
          await visit(entry, body);
          if (--left === 0) return 'stop';
        },
        { limits: opts.limits, signal: opts.signal },
      );
    } catch (err) {
      throw asRegistryError(err, image.reader, layer);
    }
  }
}
