/**
 * The merged filesystem of an image, by manifest digest: its layers' listings (cached by layer in
 * SQLite) merged in order. The last few merges are kept in memory, bounded by their entries, so
 * reopening an image costs a manifest read and a map lookup.
 */
import type { ContentsLayer } from '../contract/contents';
import { mapLimit } from '../core/concurrency';
import type { LayerListings } from './layer-listings';
import { mergeLayers, type MergedImage } from './merge';
import type { ResolvedImage } from './image-resolve';
import type { LayerListing } from './types';

/** Layers read at once for one image. */
const LAYER_CONCURRENCY = 3;
/** Entries kept in memory over all cached merges. */
const MAX_CACHED_ENTRIES = 1_000_000;

/** One image's merge, with each layer's listing facts. */
export interface MergedContents {
  merged: MergedImage;
  /** Bytes of each layer's tar (null: foreign). */
  uncompressed: (number | null)[];
  /** Per layer, the paths its tar holds more than once and how many times (see LayerListing). */
  repeated: (Record<string, number> | undefined)[];
}

/** Merges images' layers, remembering the last ones merged. */
export class MergedImages {
  private readonly recent = new Map<string, MergedContents>();
  private cachedEntries = 0;

  constructor(private readonly listings: LayerListings) {}

  /** The merge of `image`'s layers (from memory when it was merged lately). */
  async of(image: ResolvedImage, signal?: AbortSignal): Promise<MergedContents> {
    const hit = this.recent.get(image.digest);
    if (hit) {
      // Most recently used last: Map keeps insertion order.
      this.recent.delete(image.digest);
      this.recent.set(image.digest, hit);
      return hit;
    }
    const listings: (LayerListing | null)[] = await mapLimit(image.layers, LAYER_CONCURRENCY, (layer) => this.listings.get(image.reader, layer, signal));
    const result: MergedContents = { merged: mergeLayers(listings), uncompressed: listings.map((l) => l?.uncompressedSize ?? null), repeated: listings.map((l) => l?.repeated) };
    this.remember(image.digest, result);
    return result;
  }

  private remember(digest: string, result: MergedContents): void {
    const size = result.merged.entries.length + result.merged.hidden.length;
    if (size > MAX_CACHED_ENTRIES) return;
    this.recent.set(digest, result);
    this.cachedEntries += size;
    for (const [key, old] of this.recent) {
      if (this.cachedEntries <= MAX_CACHED_ENTRIES) break;
      this.recent.delete(key);
      this.cachedEntries -= old.merged.entries.length + old.merged.hidden.length;
    }
  }
}

/** The layers of an image as the contents DTOs describe them. */
export function contentsLayers(image: ResolvedImage, contents: MergedContents): ContentsLayer[] {
  return image.layers.map((layer, index) => {
    const stats = contents.merged.layers[index];
    const foreign = contents.uncompressed[index] === null;
    return {
      index,
      digest: layer.digest,
      mediaType: layer.mediaType,
      size: layer.size,
      uncompressedSize: contents.uncompressed[index] ?? null,
      createdBy: image.createdBy[index] ?? null,
      foreign,
      added: stats?.added ?? 0,
      modified: stats?.modified ?? 0,
      deleted: stats?.deleted ?? 0,
      wasted: stats?.wasted ?? 0,
      warnings: foreign ? [`foreign layer: its files are not listed (it is not fetched${layer.urls?.length ? ` from ${layer.urls[0]}` : ''})`, ...(stats?.warnings ?? [])] : (stats?.warnings ?? []),
    };
  });
}
