/**
 * Merges an image's layer listings into its filesystem, as the OCI image-layer spec applies
 * changesets (https://github.com/opencontainers/image-spec/blob/main/layer.md#applying-changesets):
 * each layer's opaque folders and whiteouts hide what lower layers wrote, then its entries add or
 * replace. Along the way it tells each layer's changes, the bytes it wastes (files a later layer
 * hides) and the hostile entries it skips.
 */
import type { FileEntry, FileType, HiddenEntry, HiddenHow, LayerChange } from '../contract/contents';
import { MergeTree } from './merge-tree';
import { parentOf, sortByPath } from './tree-paths';
import type { LayerListing, RawEntry } from './types';

/** What merging did with one layer. */
export interface MergedLayer {
  added: number;
  modified: number;
  deleted: number;
  /** Bytes of regular files this layer wrote that a later layer (or itself, twice) overwrote or deleted. */
  wasted: number;
  /** Sorted by path. */
  changes: LayerChange[];
  /** The reader's warnings, then the merge's (skipped and doubtful entries). */
  warnings: string[];
}

/** The merged filesystem of an image. */
export interface MergedImage {
  /** Sorted by path (comparePaths); `layer` is the last writer. */
  entries: FileEntry[];
  /** Files a later layer deleted or overwrote, sorted by path. */
  hidden: HiddenEntry[];
  /** One per layer given, in order. */
  layers: MergedLayer[];
  /** Every layer's warnings, each naming its layer, and the foreign layers not read. */
  warnings: string[];
}

/** Folders a layer implies (`a/b/c` without `a/`) get this mode and owner, as container engines do. */
const IMPLICIT_DIR_MODE = 0o755;

/** Longest path an entry may have: Linux's PATH_MAX. Longer ones cannot be made on any disk. */
export const MAX_PATH_LENGTH = 4096;

/**
 * Merges `layers` (base first; null for a layer that was not read, such as a foreign one) into the
 * image's filesystem. Hostile entries are skipped, or kept, with a warning in words.
 */
export function mergeLayers(layers: readonly (LayerListing | null)[]): MergedImage {
  const tree = new MergeTree();
  const hidden: HiddenEntry[] = [];
  const wasted = layers.map(() => 0);
  const merged: MergedLayer[] = [];
  const warnings: string[] = [];
  const hide = (entry: FileEntry, by: number, how: HiddenHow): void => {
    if (entry.type !== 'file') return;
    wasted[entry.layer] = (wasted[entry.layer] ?? 0) + entry.size;
    hidden.push({ path: entry.path, type: entry.type, size: entry.size, layer: entry.layer, by, how });
  };
  layers.forEach((listing, index) => {
    if (listing === null) {
      const note = `layer ${index} is foreign: it was not read, and the files it holds are not shown`;
      merged.push({ added: 0, modified: 0, deleted: 0, wasted: 0, changes: [], warnings: [note] });
      warnings.push(note);
      return;
    }
    const layer = new LayerApply(tree, index, hide);
    const result = layer.apply(listing);
    merged.push(result);
    for (const w of listing.warnings) warnings.push(`layer ${index}: ${w}`);
    warnings.push(...layer.warnings);
  });
  merged.forEach((m, i) => (m.wasted = wasted[i] ?? 0));
  return { entries: tree.sorted(), hidden: sortByPath(hidden), layers: merged, warnings };
}

/** Applies one layer's listing to the tree and keeps what it changed. */
class LayerApply {
  readonly warnings: string[] = [];
  /** Paths this layer removed or replaced that existed before it, with their type then. */
  private readonly before = new Map<string, FileType>();
  /** Paths this layer wrote (explicitly or as implied folders), in order. */
  private readonly touched = new Set<string>();
  /** Paths this layer's entries named, to tell duplicates. */
  private readonly named = new Set<string>();
  /** Deletions by whiteout or opaque folder, dropped when the layer writes the path again. */
  private readonly deletions = new Map<string, LayerChange>();

  constructor(
    private readonly tree: MergeTree,
    private readonly index: number,
    private readonly hide: (entry: FileEntry, by: number, how: HiddenHow) => void,
  ) {}

  apply(listing: LayerListing): MergedLayer {
    // Whiteouts and opaque folders hide only what lower layers wrote, so they go first.
    for (const path of listing.opaque) this.opaque(path);
    for (const path of listing.whiteouts) this.whiteout(path);
    for (const raw of listing.entries) this.entry(raw);
    const changes: LayerChange[] = [];
    for (const path of this.touched) {
      const e = this.tree.get(path);
      if (!e || e.layer !== this.index) continue;
      this.deletions.delete(path);
      changes.push({ path, kind: this.before.has(path) ? 'modified' : 'added', type: e.type, size: e.size });
    }
    changes.push(...this.deletions.values());
    sortByPath(changes);
    const count = (kind: LayerChange['kind']) => changes.filter((c) => c.kind === kind).length;
    return {
      added: count('added'),
      modified: count('modified'),
      deleted: count('deleted'),
      wasted: 0,
      changes,
      warnings: [...listing.warnings, ...this.warnings],
    };
  }

  /** Notes that `entry` was there before this layer, the first time this layer removes or changes it. */
  private remember(entry: FileEntry): void {
    if (entry.layer < this.index && !this.before.has(entry.path)) this.before.set(entry.path, entry.type);
  }

  private skip(path: string, why: string): void {
    this.warnings.push(`${path} in layer ${this.index} skipped: ${why}`);
  }

  /**
   * Why `path` cannot be written: an existing folder on its way is a symlink or not a folder.
   * Returns the first missing folder's end too, so that implied folders can be made. Starts from
   * the deepest folder known good, so a deep path costs its new folders only.
   */
  private blocked(path: string): { why: string } | { missingFrom: number } {
    const good = this.tree.goodFolders;
    let end = path.lastIndexOf('/');
    while (end > 0 && !good.has(path.slice(0, end))) end = path.lastIndexOf('/', end - 1);
    for (let at = path.indexOf('/', end + 1); at >= 0; at = path.indexOf('/', at + 1)) {
      const folder = path.slice(0, at);
      const node = this.tree.get(folder);
      if (!node) return { missingFrom: at };
      if (node.type === 'symlink') return { why: `it is written through the symlink ${folder}` };
      if (node.type !== 'dir') return { why: `${folder} on its way is a ${node.type}, not a folder` };
      good.add(folder);
    }
    return { missingFrom: -1 };
  }

  private opaque(path: string): void {
    // `.wh..wh..opq` at the top of a layer makes the root opaque: every lower entry is hidden.
    if (path !== '') {
      if (!isTreePath(path)) return this.skip(`opaque folder ${JSON.stringify(path)}`, 'it is not a path inside the image');
      const block = this.blocked(path);
      if ('why' in block) return this.skip(`opaque folder ${path}`, block.why);
      if (this.tree.get(path)?.type !== 'dir') return;
    }
    const sizes = new Map<string, LayerChange>();
    this.tree.removeChildren(path, (child, removed) => {
      this.remember(removed);
      this.hide(removed, this.index, 'deleted');
      let change = sizes.get(child);
      if (!change) sizes.set(child, (change = { path: child, kind: 'deleted', type: 'dir', size: 0 }));
      if (removed.path === child) change.type = removed.type;
      if (removed.type === 'file') change.size += removed.size;
    });
    for (const [child, change] of sizes) this.deletions.set(child, change);
  }

  private whiteout(path: string): void {
    if (!isTreePath(path)) return this.skip(`whiteout of ${JSON.stringify(path)}`, 'it is not a path inside the image');
    const block = this.blocked(path);
    if ('why' in block) return this.skip(`whiteout of ${path}`, block.why);
    const target = this.tree.get(path);
    if (!target) return;
    let bytes = 0;
    this.tree.removeSubtree(path, (removed) => {
      this.remember(removed);
      this.hide(removed, this.index, 'deleted');
      if (removed.type === 'file') bytes += removed.size;
    });
    this.deletions.set(path, { path, kind: 'deleted', type: target.type, size: bytes });
  }

  private entry(raw: RawEntry): void {
    const path = raw.path;
    if (!isTreePath(path)) return this.skip(JSON.stringify(path), 'it is not a path inside the image');
    if (path.length > MAX_PATH_LENGTH) return this.skip(`${path.slice(0, 64)}…`, `its path is longer than ${MAX_PATH_LENGTH} characters`);
    const block = this.blocked(path);
    if ('why' in block) return this.skip(path, block.why);
    if (raw.type === 'hardlink') {
      const target = raw.link ?? '';
      const node = this.tree.get(target);
      if (target === path || !node) return this.skip(path, `its hardlink target ${target || '(none)'} does not exist`);
      if (node.type !== 'file' && node.type !== 'hardlink') {
        return this.skip(path, `its hardlink target ${target} is a ${node.type}, not a regular file`);
      }
    }
    if (raw.type === 'symlink' && symlinkLeaves(path, raw.link ?? '')) {
      this.warnings.push(`${path} in layer ${this.index}: its symlink target ${raw.link} leaves the image's root`);
    }
    if (this.named.has(path)) this.warnings.push(`${path} is listed twice in layer ${this.index}: the later entry wins`);
    this.named.add(path);
    if (block.missingFrom >= 0) this.implyFolders(path, block.missingFrom);

    const existing = this.tree.get(path);
    if (existing?.type === 'dir' && raw.type === 'dir') {
      // A folder listed again keeps its children; it changes only if its metadata does.
      if (existing.mode === raw.mode && existing.uid === raw.uid && existing.gid === raw.gid) return;
      this.remember(existing);
      Object.assign(existing, { mode: raw.mode, uid: raw.uid, gid: raw.gid, layer: this.index });
      this.touched.add(path);
      return;
    }
    if (existing) {
      this.remember(existing);
      this.tree.removeSubtree(path, (removed) => {
        this.remember(removed);
        this.hide(removed, this.index, removed.path === path ? 'overwritten' : 'deleted');
      });
    }
    const entry: FileEntry = {
      path,
      type: raw.type,
      size: raw.type === 'file' ? raw.size : 0,
      mode: raw.mode,
      uid: raw.uid,
      gid: raw.gid,
      layer: this.index,
    };
    if (raw.link !== undefined) entry.link = raw.link;
    if (raw.digest !== undefined) entry.digest = raw.digest;
    this.tree.put(entry);
    this.touched.add(path);
  }

  /** Makes the folders of `path` from the one ending at `from` on (they do not exist). */
  private implyFolders(path: string, from: number): void {
    let at = from;
    while (at >= 0) {
      const folder = path.slice(0, at);
      this.tree.put({ path: folder, type: 'dir', size: 0, mode: IMPLICIT_DIR_MODE, uid: 0, gid: 0, layer: this.index });
      this.tree.goodFolders.add(folder);
      this.touched.add(folder);
      at = path.indexOf('/', at + 1);
    }
  }
}

/** True for a normalized path inside the tree: not empty, no leading `/`, no empty, `.` or `..` segment. */
function isTreePath(path: string): boolean {
  return path !== '' && !NOT_TREE_PATH.test(path);
}

/** An empty, `.` or `..` segment, or a NUL character. */
const NOT_TREE_PATH = /(?:^|\/)\.{0,2}(?:\/|$)|\u0000/;

/**
 * True when a relative symlink target climbs above the root, read lexically from the link's folder.
 * Absolute targets name paths from the image's root and never leave it.
 */
export function symlinkLeaves(path: string, target: string): boolean {
  if (target.startsWith('/')) return false;
  const folder = parentOf(path);
  let depth = folder === '' ? 0 : folder.split('/').length;
  for (const seg of target.split('/')) {
    if (seg === '..') {
      if (--depth < 0) return true;
    } else if (seg !== '' && seg !== '.') depth++;
  }
  return false;
}
