/**
 * The trash's records (issue 19): one JSON file per deleted tag or manifest, written through the
 * storage driver so that every instance on a shared bucket sees the same trash.
 *
 *   <root>/berth/trash/
 *   └── <id>.json          one trash item; <id> = <ms since the epoch, base36, 9 digits>-<8 random base36>
 *
 *   {
 *     "id": "0mh2k3x1c-4f9zq0ab",            time-ordered: ids sort as their deletions happened
 *     "repository": "team/app",
 *     "digest": "sha256:…",                  the manifest the item holds
 *     "mediaType": "application/vnd.oci.image.manifest.v1+json",
 *     "kind": "tag" | "manifest",            tag: the tag went, the manifest stayed; manifest: both went
 *     "tags": ["v1"],                        the deleted tag, or the tags deleted with the manifest
 *     "deletedAt": "2026-12-07T22:55:00.000Z",
 *     "expiresAt": "2026-12-14T22:55:00.000Z",   deletedAt + trash.keep
 *     "source": "registry-api" | "app" | "retention" | "repository-delete",
 *     "by": "alice",                         optional
 *     "policy": "keep-3",                    optional (retention)
 *     "bytes": 123456,                       every blob below, each once
 *     "manifests": ["sha256:…"],             the closure's manifests in the repository (the manifest,
 *                                            an index's children, referrers, recursively)
 *     "blobs": [{ "digest": "sha256:…", "size": 1234 }]   every blob the closure needs, manifests included
 *   }
 *
 * Files that are not such a record (corrupt, foreign, a name of another shape) are skipped with a
 * warning, never a crash; an id from outside must match the shape before it names a path.
 */
import { randomBytes } from 'node:crypto';
import type { TrashItem } from '../contract';
import { parseDigest } from '../core/digest';
import { isValidName, isValidTag } from '../core/names';
import type { Logger } from '../logger';
import type { StorageDriver } from '../storage/driver';
import { paths } from '../storage/layout';

/** A trash item as stored: the contract's item without `heldBytes` (it depends on the rest of the registry), plus its closure. */
export interface TrashRecord extends Omit<TrashItem, 'heldBytes'> {
  /** Every manifest digest of the item's closure in its repository. */
  manifests: string[];
  /** Every blob the closure needs (manifests included), each once. */
  blobs: Array<{ digest: string; size: number }>;
}

/** What a delete records; the store adds the id and the dates. */
export type NewTrashRecord = Omit<TrashRecord, 'id' | 'deletedAt' | 'expiresAt' | 'bytes'>;

/** The shape of a trash id: time, then randomness. */
const ID_RE = /^[0-9a-z]{9}-[0-9a-z]{8}$/;
const FOLDER = 'trash';
const SOURCES = new Set(['registry-api', 'app', 'retention', 'repository-delete']);

/** True when `id` has the shape of a trash id (and so names no path outside the trash folder). */
export function isTrashId(id: string): boolean {
  return ID_RE.test(id);
}

/** A new time-ordered id for an item deleted at `ms`. */
export function newTrashId(ms: number): string {
  const rand = [...randomBytes(8)].map((b) => (b % 36).toString(36)).join('');
  return `${ms.toString(36).padStart(9, '0')}-${rand}`;
}

/** True when the record has left the trash for good at `now`. */
export function isExpired(record: Pick<TrashRecord, 'expiresAt'>, now: number): boolean {
  return Date.parse(record.expiresAt) <= now;
}

/** Options of the {@link TrashStore}. */
export interface TrashStoreOptions {
  /** trash.keep in milliseconds; 0 means deletes skip the trash. */
  keepMs: number;
  log?: Logger;
  /** Milliseconds since the epoch (tests move it). */
  now?: () => number;
}

/** The trash's records in storage: write, list, read, remove, and drop the expired. */
export class TrashStore {
  readonly keepMs: number;
  private readonly now: () => number;
  /** Tag items this process wrote, id -> `repo@digest`: a later delete of that manifest folds them in. */
  private readonly tagItems = new Map<string, string>();

  constructor(
    private readonly driver: StorageDriver,
    private readonly opts: TrashStoreOptions,
  ) {
    this.keepMs = opts.keepMs;
    this.now = opts.now ?? Date.now;
  }

  /** False when trash.keep is 0: deletes then go for good at once. */
  get enabled(): boolean {
    return this.keepMs > 0;
  }

  /** The current time of the store's clock. */
  time(): number {
    return this.now();
  }

  /** Writes one record (before the delete changes storage) and returns it. */
  async add(item: NewTrashRecord): Promise<TrashRecord> {
    const at = this.now();
    const record: TrashRecord = {
      id: newTrashId(at),
      repository: item.repository,
      digest: item.digest,
      mediaType: item.mediaType,
      kind: item.kind,
      tags: item.tags,
      deletedAt: new Date(at).toISOString(),
      expiresAt: new Date(at + this.keepMs).toISOString(),
      source: item.source,
      ...(item.by !== undefined ? { by: item.by } : {}),
      ...(item.policy !== undefined ? { policy: item.policy } : {}),
      bytes: item.blobs.reduce((a, b) => a + b.size, 0),
      manifests: item.manifests,
      blobs: item.blobs,
    };
    await this.driver.writeFile(pathOf(record.id), JSON.stringify(record, null, 2) + '\n');
    if (record.kind === 'tag') this.tagItems.set(record.id, `${record.repository}@${record.digest}`);
    return record;
  }

  /**
   * The live tag items of `repo@digest` this process wrote (deleted tags of a manifest that is now
   * being deleted itself): a manifest delete folds them into its own item, so one deleted image is
   * one item, restored with all its tags. Items other processes wrote are left as they are.
   */
  async tagItemsOf(repo: string, digest: string): Promise<TrashRecord[]> {
    const key = `${repo}@${digest}`;
    const out: TrashRecord[] = [];
    for (const [id, of] of this.tagItems) {
      if (of !== key) continue;
      const record = await this.read(id);
      if (record && !isExpired(record, this.now())) out.push(record);
      else this.tagItems.delete(id);
    }
    return out;
  }

  /** Every readable record, newest first; expired ones too unless `liveOnly`. */
  async list(opts: { liveOnly?: boolean } = {}): Promise<TrashRecord[]> {
    const names = await this.driver.list(paths.berth(FOLDER));
    const out: TrashRecord[] = [];
    const now = this.now();
    for (const name of names) {
      const id = name.endsWith('.json') ? name.slice(0, -'.json'.length) : '';
      if (!isTrashId(id)) {
        // Temp files of an atomic write in progress are not records, nor worth a warning.
        if (!name.startsWith('.')) this.opts.log?.warn(`trash: skipping ${paths.berth(`${FOLDER}/${name}`)}: not a trash item's name`);
        continue;
      }
      const record = await this.read(id);
      if (record && (!opts.liveOnly || !isExpired(record, now))) out.push(record);
    }
    return out.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  }

  /** One record, or null when it is not there (or not a record: warned and skipped). A malformed id is never read. */
  async read(id: string): Promise<TrashRecord | null> {
    if (!isTrashId(id)) return null;
    const data = await this.driver.readFile(pathOf(id));
    if (!data) return null;
    const problem = (why: string) => {
      this.opts.log?.warn(`trash: skipping ${pathOf(id)}: ${why}`);
      return null;
    };
    let parsed: unknown;
    try {
      parsed = JSON.parse(data.toString('utf8'));
    } catch {
      return problem('not JSON');
    }
    const why = recordProblem(parsed, id);
    return why ? problem(why) : (parsed as TrashRecord);
  }

  /** Removes a record; no error when it is gone. A malformed id is refused (false). */
  async remove(id: string): Promise<boolean> {
    if (!isTrashId(id)) return false;
    await this.driver.delete(pathOf(id));
    this.tagItems.delete(id);
    return true;
  }

  /** Removes every expired record; resolves how many went. */
  async dropExpired(): Promise<number> {
    const now = this.now();
    let dropped = 0;
    for (const r of await this.list()) {
      if (isExpired(r, now)) {
        await this.remove(r.id);
        dropped++;
      }
    }
    return dropped;
  }
}

function pathOf(id: string): string {
  return paths.berth(`${FOLDER}/${id}.json`);
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isSize = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isDigest = (v: unknown): boolean => isString(v) && parseDigest(v) !== null;

/** Why a parsed file is not a record of this id, or null when it is one. */
function recordProblem(v: unknown, id: string): string | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'not an object';
  const r = v as Record<string, unknown>;
  if (r.id !== id) return 'its id is not its name';
  if (!isString(r.repository) || !isValidName(r.repository)) return 'no valid repository';
  if (!isDigest(r.digest)) return 'no valid digest';
  if (!isString(r.mediaType)) return 'no media type';
  if (r.kind !== 'tag' && r.kind !== 'manifest') return 'unknown kind';
  if (!Array.isArray(r.tags) || !r.tags.every((t) => isString(t) && isValidTag(t))) return 'invalid tags';
  if (r.kind === 'tag' && r.tags.length !== 1) return 'a tag item names exactly one tag';
  for (const k of ['deletedAt', 'expiresAt'] as const) if (!isString(r[k]) || Number.isNaN(Date.parse(r[k]))) return `invalid ${k}`;
  if (!isString(r.source) || !SOURCES.has(r.source)) return 'unknown source';
  if (r.by !== undefined && !isString(r.by)) return 'invalid by';
  if (r.policy !== undefined && !isString(r.policy)) return 'invalid policy';
  if (!isSize(r.bytes)) return 'invalid bytes';
  if (!Array.isArray(r.manifests) || !r.manifests.every(isDigest)) return 'invalid manifests';
  if (!r.manifests.includes(r.digest)) return 'its manifests lack its digest';
  const blobs = r.blobs;
  if (!Array.isArray(blobs) || !blobs.every((b) => typeof b === 'object' && b !== null && isDigest(b.digest) && isSize(b.size))) return 'invalid blobs';
  return null;
}
