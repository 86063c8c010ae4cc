/** The files two images differ by: added, removed, and changed with what changed about them. */
import type { FileAspect, FileDiff, FileEntry, FileSide } from '../contract/contents';
import { comparePaths, sortByPath } from './tree-paths';

/**
 * Compares two merged filesystems path by path, in one pass over both sorted lists (they are
 * sorted first when they are not). Folders compare only their metadata (mode, owner); the layer
 * that wrote an entry is not compared. Returns the differences sorted by path.
 */
export function diffFiles(left: readonly FileEntry[], right: readonly FileEntry[]): FileDiff[] {
  const l = sortedCopy(left);
  const r = sortedCopy(right);
  const out: FileDiff[] = [];
  let i = 0;
  let j = 0;
  while (i < l.length || j < r.length) {
    const a = l[i];
    const b = r[j];
    const order = !a ? 1 : !b ? -1 : comparePaths(a.path, b.path);
    if (order < 0) {
      out.push({ path: a!.path, kind: 'removed', left: sideOf(a!), aspects: [] });
      i++;
    } else if (order > 0) {
      out.push({ path: b!.path, kind: 'added', right: sideOf(b!), aspects: [] });
      j++;
    } else {
      const aspects = aspectsOf(a!, b!);
      if (aspects.length > 0) out.push({ path: a!.path, kind: 'changed', left: sideOf(a!), right: sideOf(b!), aspects });
      i++;
      j++;
    }
  }
  return out;
}

/** What differs between two entries at one path. */
export function aspectsOf(a: FileEntry, b: FileEntry): FileAspect[] {
  const aspects: FileAspect[] = [];
  if (a.type !== b.type) aspects.push('type');
  if (a.type === 'file' && b.type === 'file') {
    if (a.size !== b.size) aspects.push('size');
    // Without a digest on both sides the content cannot be compared; a size change still shows.
    if (a.digest !== undefined && b.digest !== undefined && a.digest !== b.digest) aspects.push('content');
  }
  if (a.mode !== b.mode) aspects.push('mode');
  if (a.uid !== b.uid || a.gid !== b.gid) aspects.push('owner');
  if (a.type === b.type && (a.type === 'symlink' || a.type === 'hardlink') && a.link !== b.link) aspects.push('link');
  return aspects;
}

function sideOf(e: FileEntry): FileSide {
  const side: FileSide = { type: e.type, size: e.size, mode: e.mode, uid: e.uid, gid: e.gid };
  if (e.link !== undefined) side.link = e.link;
  if (e.digest !== undefined) side.digest = e.digest;
  return side;
}

/** The entries in comparePaths order, copied only when they are not already. */
function sortedCopy(entries: readonly FileEntry[]): readonly FileEntry[] {
  for (let k = 1; k < entries.length; k++) {
    if (comparePaths(entries[k - 1]!.path, entries[k]!.path) >= 0) return sortByPath(dedupe(entries));
  }
  return entries;
}

/** One entry per path (the last one), so that an unsorted list with repeats still merges cleanly. */
function dedupe(entries: readonly FileEntry[]): FileEntry[] {
  return [...new Map(entries.map((e) => [e.path, e])).values()];
}
