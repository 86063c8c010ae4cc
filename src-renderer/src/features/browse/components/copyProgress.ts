/** How a copy's progress reads: the rate and the time left, said only once the server has measured a rate. */
import type { CopyProgress, ManifestBrief } from '../../../../../src-server/contract';
import { count, formatBytes } from '../../../app/format';

/** `12.3 MB/s`. */
export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(Math.round(bytesPerSecond))}/s`;
}

/** `about 40 s left`, `about 3 min left`, `about 1 h 5 min left`. */
export function formatEta(seconds: number): string {
  if (seconds < 60) return `about ${Math.max(1, Math.round(seconds))} s left`;
  if (seconds < 3600) return `about ${Math.round(seconds / 60)} min left`;
  const h = Math.floor(seconds / 3600);
  const m = Math.round((seconds % 3600) / 60);
  return `about ${h} h${m ? ` ${m} min` : ''} left`;
}

/**
 * The rate line under the progress bar, or null while there is nothing true to say (before a
 * second of data, outside the blob phase). A rate of 0 means nothing moved for seconds: no ETA.
 */
export function rateLine(p: CopyProgress | null): string | null {
  if (!p || p.phase !== 'blobs' || p.bytesPerSecond === null) return null;
  if (p.bytesPerSecond === 0) return 'nothing moved for a few seconds';
  return p.etaSeconds === null ? formatRate(p.bytesPerSecond) : `${formatRate(p.bytesPerSecond)} · ${formatEta(p.etaSeconds)}`;
}

/** `an index of 3 platforms (linux/amd64, linux/arm64, linux/arm/v7)`, `a single image (linux/arm64)`. */
export function describeManifest(b: ManifestBrief): string {
  if (b.kind === 'index') return `an index of ${count(b.platforms.length, 'platform')}${b.platforms.length ? ` (${b.platforms.join(', ')})` : ''}`;
  return `a single image${b.platforms.length ? ` (${b.platforms.join(', ')})` : ''}`;
}
