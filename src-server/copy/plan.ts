/**
 * What a copy has to move: the source image read down to its blobs, with the platforms chosen,
 * before anything is written to the target.
 */
import type { RegistrySource, SourceManifest } from '../browse/source';
import { mapLimit } from '../core/concurrency';
import { digestOf } from '../core/digest';
import { RegistryError } from '../core/errors';
import { ManifestParseError, parseManifest, type Descriptor, type ManifestInfo } from '../core/manifest';
import { FOREIGN_LAYER_TYPES } from '../core/mediatypes';
import { selectPlatforms } from './platforms';

/** A manifest to write to the target. */
export interface PlannedManifest {
  digest: string;
  mediaType: string;
  body: Buffer;
  /** True for an index the copy builds (a choice of platforms): the source does not have it. */
  synthesized?: boolean;
}

/** A blob (config or layer) the copied manifests reference. */
export interface PlannedBlob {
  digest: string;
  /** Size as the manifest declares it. */
  size: number;
  /** A foreign / non-distributable layer, or one with `urls`: its content may live elsewhere. */
  foreign: boolean;
  /** The digest of a manifest that references it (for error messages). */
  manifest: string;
}

/** Everything a copy writes: blobs (each once), then manifests, children before their index. */
export interface CopyPlan {
  /** The last one is the top manifest, to be stored under the target's tag. */
  manifests: PlannedManifest[];
  blobs: PlannedBlob[];
}

/** Indexes nested deeper than this are refused (a loop, or nonsense). */
const MAX_DEPTH = 4;

/**
 * Reads `repository:reference` from the source and works out the manifests and blobs to copy.
 * For an index, `platforms` omitted keeps it whole (same digest); one platform selects that child
 * image; several build a new index with only those entries (same media type and annotations).
 */
export async function planCopy(
  from: RegistrySource,
  repository: string,
  reference: string,
  platforms: readonly string[] | undefined,
  concurrency: number,
): Promise<CopyPlan> {
  const where = `${repository}${reference.includes(':') ? '@' : ':'}${reference}`;
  const top = await from.getManifest(repository, reference);
  if (!top) {
    throw new RegistryError('MANIFEST_UNKNOWN', {
      message: `${where} not found on "${from.name}"`,
      detail: { connection: from.id, repository, reference },
    });
  }
  const info = parse(top, where);
  const walker = new Walker(from, repository, concurrency);
  if (platforms === undefined || platforms.length === 0) {
    await walker.walk(top, info, 0);
  } else if (info.kind !== 'index') {
    throw new RegistryError('PLATFORM_UNKNOWN', {
      message: `${where} is a single image, not a multi-platform index: copy it without choosing platforms`,
      detail: { platforms },
    });
  } else {
    const entries = selectPlatforms(info.manifests, platforms, where);
    if (entries.length === 1) {
      await walker.walkChild(entries[0]!, top.digest, 1);
    } else {
      await walker.walkEntries(entries, top.digest, 1);
      const raw = JSON.parse(top.body.toString('utf8')) as Record<string, unknown>;
      const body = Buffer.from(JSON.stringify({ ...raw, manifests: entries }));
      walker.manifests.push({ digest: digestOf(body), mediaType: top.mediaType, body, synthesized: true });
    }
  }
  return { manifests: walker.manifests, blobs: [...walker.blobs.values()] };
}

/** Reads manifests depth first, recording children before parents and each blob once. */
class Walker {
  readonly manifests: PlannedManifest[] = [];
  readonly blobs = new Map<string, PlannedBlob>();
  private readonly seen = new Set<string>();

  constructor(
    private readonly from: RegistrySource,
    private readonly repository: string,
    private readonly concurrency: number,
  ) {}

  /** Fetches an index entry by digest and walks it. */
  async walkChild(entry: Descriptor, parent: string, depth: number): Promise<void> {
    const m = await this.from.getManifest(this.repository, entry.digest);
    if (!m) {
      throw new RegistryError('MANIFEST_UNKNOWN', {
        message: `manifest ${entry.digest} (listed by ${parent}) is missing from ${this.repository} on "${this.from.name}"`,
        detail: { connection: this.from.id, repository: this.repository, digest: entry.digest },
      });
    }
    await this.walk(m, parse(m, `${this.repository}@${entry.digest}`), depth);
  }

  /** Walks index entries, fetched concurrently, recorded in index order (the plan never depends on timing). */
  async walkEntries(entries: readonly Descriptor[], parent: string, depth: number): Promise<void> {
    const children = await mapLimit(entries, this.concurrency, async (e) => {
      const sub = new Walker(this.from, this.repository, this.concurrency);
      await sub.walkChild(e, parent, depth);
      return sub;
    });
    for (const sub of children) this.merge(sub);
  }

  /** Records a manifest after its children (an index) or its blobs (an image). */
  async walk(m: SourceManifest, info: ManifestInfo, depth: number): Promise<void> {
    if (this.seen.has(m.digest)) return;
    this.seen.add(m.digest);
    if (info.kind === 'index') {
      if (depth >= MAX_DEPTH) {
        throw new RegistryError('MANIFEST_INVALID', { message: `index ${m.digest} nests indexes deeper than ${MAX_DEPTH} levels` });
      }
      await this.walkEntries(info.manifests, m.digest, depth + 1);
    } else {
      if (info.config) this.addBlob(info.config, m.digest, false);
      // parseManifest drops foreign layers; the raw list has them with their urls.
      const raw = JSON.parse(m.body.toString('utf8')) as { layers?: Descriptor[] };
      for (const l of raw.layers ?? []) this.addBlob(l, m.digest, FOREIGN_LAYER_TYPES.has(l.mediaType) || (l.urls?.length ?? 0) > 0);
    }
    this.manifests.push({ digest: m.digest, mediaType: m.mediaType, body: m.body });
  }

  private merge(sub: Walker): void {
    for (const m of sub.manifests) {
      if (this.manifests.some((x) => x.digest === m.digest)) continue;
      this.manifests.push(m);
    }
    for (const b of sub.blobs.values()) if (!this.blobs.has(b.digest)) this.blobs.set(b.digest, b);
  }

  private addBlob(d: Descriptor, manifest: string, foreign: boolean): void {
    const known = this.blobs.get(d.digest);
    // A blob referenced once as foreign and once as a plain layer must be copied.
    if (known) known.foreign &&= foreign;
    else this.blobs.set(d.digest, { digest: d.digest, size: d.size, foreign, manifest });
  }
}

function parse(m: SourceManifest, where: string): ManifestInfo {
  try {
    return parseManifest(m.body, m.mediaType);
  } catch (err) {
    if (err instanceof ManifestParseError) {
      throw new RegistryError('MANIFEST_INVALID', { message: `${where}: ${err.message}`, detail: { digest: m.digest, reason: err.message } });
    }
    throw err;
  }
}
