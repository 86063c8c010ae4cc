/**
 * A layer's listing: every entry its tar holds (with the sha256 of each regular file, hashed while
 * streaming), its whiteouts and opaque folders apart, and what was skipped or doubtful in words.
 * One pass over the blob; nothing but the listing itself is kept.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { SourceBlob } from '../browse/source';
import { walkLayer, type WalkItem, type WalkOptions } from './layer-walk';
import type { LayerDescriptor, LayerListing, RawEntry } from './types';

/** Hashes a file's content as it streams; resolves with `sha256:<hex>` at its end. */
function hashBody(body: Readable): Promise<string> {
  const hash = createHash('sha256');
  return new Promise<string>((resolve, reject) => {
    body.on('data', (chunk: Buffer) => hash.update(chunk));
    body.once('end', () => resolve(`sha256:${hash.digest('hex')}`));
    body.once('error', reject);
    body.once('close', () => reject(new Error('the file was cut short')));
  });
}

/**
 * Lists a layer (see LayerListing). An entry repeated in the layer keeps its later version, at
 * the later place, with a warning. Throws what walkLayer throws (LayerError CORRUPT, TOO_LARGE,
 * DIGEST_MISMATCH, UNSUPPORTED); the listing is only returned once the digest was verified.
 */
export async function listLayer(blob: SourceBlob, layer: LayerDescriptor, opts: WalkOptions = {}): Promise<LayerListing> {
  const slots: (RawEntry | null)[] = [];
  const at = new Map<string, number>();
  const whiteouts = new Set<string>();
  const opaque = new Set<string>();
  const warnings: string[] = [];
  const repeated: Record<string, number> = Object.create(null) as Record<string, number>;

  const visit = async (item: WalkItem, body: Readable | null): Promise<void> => {
    if (item.kind === 'whiteout') return void whiteouts.add(item.path);
    if (item.kind === 'opaque') return void opaque.add(item.path);
    const { entry } = item;
    const earlier = at.get(entry.path);
    if (earlier !== undefined) {
      slots[earlier] = null;
      repeated[entry.path] = (repeated[entry.path] ?? 1) + 1;
      warnings.push(`${entry.path} appears twice in the layer: the later entry wins`);
    }
    at.set(entry.path, slots.length);
    slots.push(entry);
    if (body) entry.digest = await hashBody(body);
  };

  const walked = await walkLayer(blob, layer, visit, opts);
  const entries = slots.filter((e): e is RawEntry => e !== null);
  return {
    entries,
    whiteouts: [...whiteouts],
    opaque: [...opaque],
    uncompressedSize: walked.uncompressedSize,
    warnings: [...walked.warnings, ...warnings],
    ...(Object.keys(repeated).length ? { repeated: { ...repeated } } : {}),
  };
}
