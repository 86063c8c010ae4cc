/**
 * Layer listings by digest: from the SQLite cache when it has them, else read from the registry
 * once (concurrent asks for the same layer share one download) and cached. A foreign layer is never
 * fetched: its listing is null.
 */
import { RegistryError } from '../core/errors';
import { FOREIGN_LAYER_TYPES } from '../core/mediatypes';
import { listLayer } from './layer-listing';
import type { ListingCache } from './listing-cache';
import type { LayerLimits } from './limits';
import { LayerError, type ImageReader, type LayerDescriptor, type LayerListing } from './types';

/** Reads and caches layer listings. */
export class LayerListings {
  private readonly inFlight = new Map<string, Promise<LayerListing>>();

  constructor(
    private readonly cache: ListingCache | null,
    private readonly limits?: LayerLimits,
  ) {}

  /** The listing of `layer`, or null for a foreign layer. */
  async get(reader: ImageReader, layer: LayerDescriptor, signal?: AbortSignal): Promise<LayerListing | null> {
    if (FOREIGN_LAYER_TYPES.has(layer.mediaType)) return null;
    const cached = this.cache?.get(layer.digest);
    if (cached) return cached;
    let pending = this.inFlight.get(layer.digest);
    if (!pending) {
      pending = this.read(reader, layer, signal).finally(() => this.inFlight.delete(layer.digest));
      this.inFlight.set(layer.digest, pending);
    }
    return pending;
  }

  private async read(reader: ImageReader, layer: LayerDescriptor, signal?: AbortSignal): Promise<LayerListing> {
    const blob = await reader.blob(layer.digest, signal);
    if (!blob) throw new RegistryError('BLOB_UNKNOWN', { message: `${reader.label}: layer ${layer.digest} is missing` });
    let listing: LayerListing;
    try {
      listing = await listLayer(blob, layer, { limits: this.limits, signal });
    } catch (err) {
      throw asRegistryError(err, reader, layer);
    }
    this.cache?.put(layer.digest, listing);
    return listing;
  }
}

/** A LayerError in the one error vocabulary; other errors unchanged. */
export function asRegistryError(err: unknown, reader: ImageReader, layer: LayerDescriptor): unknown {
  if (!(err instanceof LayerError)) return err;
  if (err.kind === 'MISSING') return new RegistryError('BLOB_UNKNOWN', { message: `${reader.label}: layer ${layer.digest} is missing` });
  return new RegistryError('LAYER_UNREADABLE', { message: `${reader.label}: layer ${layer.digest}: ${err.message}`, detail: { layer: layer.digest, kind: err.kind } });
}
