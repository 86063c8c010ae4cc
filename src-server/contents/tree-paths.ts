/**
 * Paths inside an image's merged filesystem: the order entries are sorted in, what a user typed
 * turned into a tree path, symlinks followed inside the tree (never on a disk), and the part of a
 * listing under one path.
 */
import type { FileEntry } from '../contract/contents';

/** A path a user asked for that cannot name anything in an image, or a symlink that cannot be followed. */
export class TreePathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TreePathError';
  }
}

/** Most symlinks followed for one path, as Linux allows (MAXSYMLINKS). */
export const MAX_LINK_HOPS = 40;

/**
 * Orders two tree paths by their segments: a folder comes right before everything under it
 * (`a`, `a/b`, `a-b`), so a folder's subtree is one contiguous run of a sorted listing.
 */
export function comparePaths(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // '/' sorts before every other character so that `a/b` precedes `a-b`.
    if (x === 47) x = -1;
    if (y === 47) y = -1;
    return x - y;
  }
  return a.length - b.length;
}

/** Sorts items (in place) by comparePaths and returns them; items of one path keep their order. */
export function sortByPath<T extends { path: string }>(items: T[]): T[] {
  return items.sort((a, b) => comparePaths(a.path, b.path));
}

/** The folder part of a tree path (`''` for the root's children). */
export function parentOf(path: string): string {
  const at = path.lastIndexOf('/');
  return at < 0 ? '' : path.slice(0, at);
}

/**
 * Turns what a user typed (`/etc/`, `etc`, `./etc`, `etc//hosts`) into a tree path (`etc`,
 * `etc/hosts`); `''` is the root. `..` is refused: a path of the image never climbs.
 */
export function normalizeUserPath(p: string): string {
  if (p.includes('\u0000')) throw new TreePathError(`${JSON.stringify(p)} is not a path: it holds a NUL character`);
  const parts: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') throw new TreePathError(`${p} is refused: paths inside an image cannot use ..`);
    parts.push(part);
  }
  return parts.join('/');
}

/** The entries of a listing by path. */
export function indexByPath(entries: readonly FileEntry[]): Map<string, FileEntry> {
  const index = new Map<string, FileEntry>();
  for (const e of entries) index.set(e.path, e);
  return index;
}

/** How walkLinks ended: the path reached, or where it climbed above the root. */
export type LinkWalk = { ok: true; path: string } | { ok: false; escapes: true };

/**
 * Walks `path` (segments may hold `.` and `..`) from the root of a tree, following the symlinks of
 * `index` on every segment, the last one too when `followLast`. Absolute link targets start again
 * at the tree's root; relative ones from the link's folder. With `clamp`, `..` at the root stays at
 * the root (as in a chroot); without it, climbing above the root ends the walk as `escapes`.
 * Throws TreePathError after MAX_LINK_HOPS links (a loop).
 */
export function walkLinks(index: ReadonlyMap<string, FileEntry>, path: string, opts: { clamp: boolean; followLast: boolean }): LinkWalk {
  const done: string[] = [];
  // Segments still to walk, last first, so that a link's target is pushed in front of the rest.
  const todo = path.split('/').reverse();
  let hops = 0;
  while (todo.length > 0) {
    const part = todo.pop()!;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (done.length === 0) {
        if (!opts.clamp) return { ok: false, escapes: true };
      } else done.pop();
      continue;
    }
    done.push(part);
    const entry = index.get(done.join('/'));
    if (entry?.type !== 'symlink' || (todo.length === 0 && !opts.followLast)) continue;
    if (++hops > MAX_LINK_HOPS) {
      throw new TreePathError(`${path}: more than ${MAX_LINK_HOPS} symlinks to follow (a loop?)`);
    }
    done.pop();
    const target = entry.link ?? '';
    if (target.startsWith('/')) done.length = 0;
    todo.push(...target.split('/').reverse());
  }
  return { ok: true, path: done.join('/') };
}

/**
 * Where a path a user asked for leads in the image: symlinks of the tree are followed on every
 * segment but the last (so `bin/sh` with `bin -> usr/bin` gives `usr/bin/sh`, and a link named by
 * the user is the link itself), `..` clamped at the root. The path given is normalized first.
 */
export function resolveInTree(index: ReadonlyMap<string, FileEntry>, path: string): string {
  const walk = walkLinks(index, normalizeUserPath(path), { clamp: true, followLast: false });
  return walk.ok ? walk.path : '';
}

/** The entry at `path` and every entry under it (all of them for `''`), in the listing's order. */
export function selectUnder<T extends { path: string }>(entries: readonly T[], path: string): T[] {
  if (path === '') return entries.slice();
  const prefix = `${path}/`;
  return entries.filter((e) => e.path === path || e.path.startsWith(prefix));
}

/**
 * `selection` plus the files its hardlinks end at that it lacks (through hardlinks to hardlinks),
 * sorted by path: a hardlink can only be extracted next to its file.
 */
export function withHardlinkTargets(selection: readonly FileEntry[], index: ReadonlyMap<string, FileEntry>): FileEntry[] {
  const chosen = new Map(selection.map((e) => [e.path, e]));
  for (const e of selection) {
    let target = e.type === 'hardlink' ? e.link : undefined;
    for (let hops = 0; target !== undefined && hops <= MAX_LINK_HOPS; hops++) {
      const t = index.get(target);
      if (!t || chosen.has(t.path)) break;
      chosen.set(t.path, t);
      target = t.type === 'hardlink' ? t.link : undefined;
    }
  }
  return chosen.size === selection.length ? [...selection] : sortByPath([...chosen.values()]);
}
