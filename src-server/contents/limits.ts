/**
 * How far a layer may expand before it is treated as a decompression bomb, and the meter that
 * enforces it while the layer streams: the read stops as soon as a limit is crossed.
 */
import { LayerError } from './types';

/** Limits on what reading one layer may cost. */
export interface LayerLimits {
  /** Most bytes of uncompressed tar. */
  maxBytes: number;
  /** Most uncompressed bytes per compressed byte, checked once `ratioFrom` bytes came out. */
  maxRatio: number;
  /** Uncompressed bytes below which the ratio is not checked (small layers of zeros are common). */
  ratioFrom: number;
  /** Most tar entries (headers of files, folders, links and whiteouts). */
  maxEntries: number;
}

/** Defaults: 16 GiB of tar, 1000:1 past 256 MiB, two million entries. */
export const DEFAULT_LAYER_LIMITS: Readonly<LayerLimits> = Object.freeze({
  maxBytes: 16 * 1024 ** 3,
  maxRatio: 1000,
  ratioFrom: 256 * 1024 ** 2,
  maxEntries: 2_000_000,
});

/** Longest entry path or link target, in bytes (Linux's PATH_MAX). */
export const MAX_PATH_BYTES = 4096;

/**
 * Largest zstd window a layer may ask for: the decoder keeps that much history in memory. 128 MiB
 * is what the zstd tool itself accepts without an explicit memory option (window log 27).
 */
export const MAX_ZSTD_WINDOW = 128 * 1024 ** 2;

/** The defaults with some limits replaced. */
export function layerLimits(partial?: Partial<LayerLimits>): LayerLimits {
  const given = Object.entries(partial ?? {}).filter(([, v]) => typeof v === 'number');
  return { ...DEFAULT_LAYER_LIMITS, ...Object.fromEntries(given) };
}

const mib = (n: number) => (n < 1024 ** 2 ? `${n} bytes` : `${Math.round(n / 1024 ** 2)} MiB`);

/** Counts a layer's bytes in and out and throws LayerError('TOO_LARGE') the moment a limit is crossed. */
export class ExpansionMeter {
  /** Compressed bytes read so far. */
  compressed = 0;
  /** Uncompressed bytes produced so far. */
  uncompressed = 0;

  constructor(
    private readonly limits: LayerLimits,
    /** Names the layer in messages. */
    private readonly label: string,
  ) {}

  /** Counts compressed bytes read. */
  addCompressed(n: number): void {
    this.compressed += n;
  }

  /** Counts uncompressed bytes produced; throws once a limit is crossed. */
  addUncompressed(n: number): void {
    this.uncompressed += n;
    const { maxBytes, maxRatio, ratioFrom } = this.limits;
    if (this.uncompressed > maxBytes) {
      throw new LayerError('TOO_LARGE', `layer ${this.label} expands beyond ${mib(maxBytes)}: read stopped (a decompression bomb?)`);
    }
    if (this.uncompressed > ratioFrom && this.uncompressed > maxRatio * Math.max(1, this.compressed)) {
      throw new LayerError(
        'TOO_LARGE',
        `layer ${this.label} expands more than ${maxRatio}:1 (${mib(this.uncompressed)} from ${mib(this.compressed)}): read stopped (a decompression bomb?)`,
      );
    }
  }
}
