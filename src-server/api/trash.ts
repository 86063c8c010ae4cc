/**
 * Handlers of the trash's channels (issue 19): `trash:list`, `trash:restore`, `trash:empty`. The
 * payloads are checked in args-retention.ts; what each item holds back from garbage collection
 * (`heldBytes`) is measured against the index's graph, as `gc --delete-untagged` marks it.
 */
import type { TrashItem, TrashListing } from '../contract';
import { parseDigest } from '../core/digest';
import { RegistryError } from '../core/errors';
import { formatLongDuration } from '../core/long-duration';
import { isValidName, isValidTag } from '../core/names';
import { loadGraph, mark } from '../gc/graph';
import type { Registry } from '../registry/registry';
import { isExpired, isTrashId, type TrashRecord, type TrashStore } from '../trash/trash-store';
import { ArgsError } from './args-kit';
import type { CoreHandler } from './handler-types';

/** What the trash handlers work on. */
export interface TrashDeps {
  registry: Registry;
}

type TrashChannel = 'trash:list' | 'trash:restore' | 'trash:empty';

/** A trash reference: `REPO:TAG` or `REPO@DIGEST`. */
type TrashReference = { repository: string; tag: string } | { repository: string; digest: string };

/** Reads `REPO:TAG` or `REPO@DIGEST`; ArgsError with the expected shape otherwise. */
export function parseTrashReference(text: string): TrashReference {
  const at = text.indexOf('@');
  if (at > 0) {
    const repository = text.slice(0, at);
    const d = parseDigest(text.slice(at + 1));
    if (isValidName(repository) && d) return { repository, digest: d.digest };
  } else {
    const colon = text.lastIndexOf(':');
    const repository = text.slice(0, colon);
    const tag = text.slice(colon + 1);
    if (colon > 0 && isValidName(repository) && isValidTag(tag)) return { repository, tag };
  }
  throw new ArgsError(`"${text.slice(0, 300)}" is not a reference of the trash: give REPO:TAG or REPO@DIGEST (e.g. team/app:v1)`);
}

/** Bytes of each record nothing outside the trash needs (no tag's closure), and of them all, each blob once. */
function heldBytes(registry: Registry, records: readonly TrashRecord[]): { perItem: number[]; total: number; bytes: number } {
  const kept = mark(loadGraph(registry.forUsage().index), true).keptBlobs;
  const held = new Map<string, number>();
  const all = new Map<string, number>();
  const perItem = records.map((r) => {
    let sum = 0;
    for (const b of r.blobs) {
      all.set(b.digest, b.size);
      if (kept.has(b.digest)) continue;
      sum += b.size;
      held.set(b.digest, b.size);
    }
    return sum;
  });
  const add = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  return { perItem, total: add(held), bytes: add(all) };
}

/** The contract's item: the record without its closure, with what it holds. */
function itemOf(r: TrashRecord, held: number): TrashItem {
  const { manifests: _manifests, blobs: _blobs, ...item } = r;
  return { ...item, heldBytes: held };
}

function describe(ref: TrashReference): string {
  return 'tag' in ref ? `${ref.repository}:${ref.tag}` : `${ref.repository}@${ref.digest}`;
}

/** The newest live record a reference names: by tag, or by digest (its manifest first, then one it holds). */
function findRecord(records: readonly TrashRecord[], ref: TrashReference): TrashRecord | undefined {
  const mine = records.filter((r) => r.repository === ref.repository);
  if ('tag' in ref) return mine.find((r) => r.tags.includes(ref.tag));
  return mine.find((r) => r.digest === ref.digest) ?? mine.find((r) => r.manifests.includes(ref.digest));
}

function trashOf(registry: Registry): TrashStore {
  if (!registry.trash) throw new RegistryError('UNSUPPORTED', { message: 'this registry keeps no trash' });
  return registry.trash;
}

/** Builds the handlers of the trash's channels. */
export function createTrashHandlers(deps: TrashDeps): { [C in TrashChannel]: CoreHandler<C> } {
  const { registry } = deps;
  return {
    'trash:list': async (): Promise<TrashListing> => {
      const trash = registry.trash;
      if (!trash) return { items: [], keepSeconds: 0, totals: { items: 0, bytes: 0, heldBytes: 0 } };
      await trash.dropExpired();
      const records = await trash.list({ liveOnly: true });
      const held = heldBytes(registry, records);
      return {
        items: records.map((r, i) => itemOf(r, held.perItem[i]!)),
        keepSeconds: Math.round(trash.keepMs / 1000),
        totals: { items: records.length, bytes: held.bytes, heldBytes: held.total },
      };
    },
    'trash:restore': async (args) => {
      const trash = trashOf(registry);
      const live = await trash.list({ liveOnly: true });
      let record: TrashRecord | undefined;
      let named: string;
      if ('id' in args) {
        named = `trash item ${args.id.slice(0, 100)}`;
        record = isTrashId(args.id) ? live.find((r) => r.id === args.id) : undefined;
      } else {
        const ref = parseTrashReference(args.reference);
        named = describe(ref);
        record = findRecord(live, ref);
      }
      if (!record) {
        throw new RegistryError('TRASH_ITEM_UNKNOWN', {
          message: `${named} is not in the trash: never deleted, already restored, emptied, or expired (trash.keep ${formatLongDuration(trash.keepMs)}); \`berth trash list\` shows what is`,
        });
      }
      const held = heldBytes(registry, [record]).perItem[0]!;
      const outcome = await registry.restoreFromTrash(record);
      await trash.remove(record.id);
      return { item: itemOf(record, held), repository: record.repository, digest: record.digest, ...outcome };
    },
    'trash:empty': async (args) => {
      const trash = trashOf(registry);
      const now = trash.time();
      let records = (await trash.list()).filter((r) => !isExpired(r, now));
      if (args.ids !== undefined) {
        const ids = new Set(args.ids);
        records = records.filter((r) => ids.has(r.id));
      }
      if (args.olderThanSeconds !== undefined) {
        const before = now - args.olderThanSeconds * 1000;
        records = records.filter((r) => Date.parse(r.deletedAt) <= before);
      }
      const { total } = heldBytes(registry, records);
      for (const r of records) await trash.remove(r.id);
      // Expired items go too: they no longer held anything.
      await trash.dropExpired();
      return { removed: records.length, heldBytes: total };
    },
  };
}
