/** The layers two images share and do not share, and how much each weighs. */
import type { DiffLayer } from '../contract/contents';
import type { LayerDescriptor } from './types';

/** Layers shared and not, and the compressed bytes (config + layers) of each side. */
export interface LayersDiff {
  layers: { shared: DiffLayer[]; leftOnly: DiffLayer[]; rightOnly: DiffLayer[] };
  size: { left: number; right: number; delta: number };
}

/**
 * Compares two images' layers by digest. A blob named twice on one side is listed and counted once
 * (a registry stores it once). Lists keep each side's order; `shared` is in the left's order.
 */
export function diffLayers(
  left: readonly LayerDescriptor[],
  right: readonly LayerDescriptor[],
  leftConfigSize: number,
  rightConfigSize: number,
): LayersDiff {
  const l = unique(left);
  const r = unique(right);
  const shared = [...l.values()].filter((d) => r.has(d.digest));
  const leftOnly = [...l.values()].filter((d) => !r.has(d.digest));
  const rightOnly = [...r.values()].filter((d) => !l.has(d.digest));
  const total = (m: Map<string, DiffLayer>, config: number) => [...m.values()].reduce((sum, d) => sum + d.size, safeSize(config));
  const sizeLeft = total(l, leftConfigSize);
  const sizeRight = total(r, rightConfigSize);
  return { layers: { shared, leftOnly, rightOnly }, size: { left: sizeLeft, right: sizeRight, delta: sizeRight - sizeLeft } };
}

function unique(layers: readonly LayerDescriptor[]): Map<string, DiffLayer> {
  const m = new Map<string, DiffLayer>();
  for (const d of layers) if (!m.has(d.digest)) m.set(d.digest, { digest: d.digest, size: safeSize(d.size) });
  return m;
}

/** A manifest's size as a count of bytes: anything else (negative, NaN, not a number) counts 0. */
function safeSize(n: unknown): number {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : 0;
}
