/**
 * The filesystem tree layers are merged into: entries by path, with each folder's children kept
 * so that removing a subtree costs only its own size.
 */
import type { FileEntry } from '../contract/contents';
import { parentOf } from './tree-paths';

/** A mutable tree of entries keyed by path; the root (`''`) is implicit and always a folder. */
export class MergeTree {
  readonly nodes = new Map<string, FileEntry>();
  private readonly children = new Map<string, Set<string>>();
  /**
   * Folders known to be folders all the way up (no symlink or file on their way): removal takes
   * them out, and nothing else can make them stop being so.
   */
  readonly goodFolders = new Set<string>();

  /** The entry at `path`, if any. */
  get(path: string): FileEntry | undefined {
    return this.nodes.get(path);
  }

  /** Puts `entry` at its path; the caller has removed whatever was there and made the parent. */
  put(entry: FileEntry): void {
    this.nodes.set(entry.path, entry);
    const parent = parentOf(entry.path);
    let set = this.children.get(parent);
    if (!set) this.children.set(parent, (set = new Set()));
    set.add(entry.path);
  }

  /** The paths directly under a folder (`''` for the root). */
  childrenOf(path: string): string[] {
    return [...(this.children.get(path) ?? [])];
  }

  /**
   * Removes `path` and everything under it, calling `onRemove` for each entry removed (children
   * before their folder is unlinked from its parent; order otherwise unspecified).
   */
  removeSubtree(path: string, onRemove: (entry: FileEntry) => void): void {
    const entry = this.nodes.get(path);
    if (!entry) return;
    this.children.get(parentOf(path))?.delete(path);
    const stack = [path];
    while (stack.length > 0) {
      const p = stack.pop()!;
      const e = this.nodes.get(p);
      if (!e) continue;
      this.nodes.delete(p);
      this.goodFolders.delete(p);
      const kids = this.children.get(p);
      if (kids) {
        this.children.delete(p);
        for (const k of kids) stack.push(k);
      }
      onRemove(e);
    }
  }

  /**
   * Every entry, sorted by comparePaths: a walk from the root with each folder's names sorted (a
   * name holds no `/`, so plain order of names is the order of paths), far cheaper than sorting paths.
   */
  sorted(): FileEntry[] {
    const out: FileEntry[] = [];
    // An explicit stack: a hostile layer may nest folders deeper than the call stack.
    const stack: string[] = [''];
    while (stack.length > 0) {
      const folder = stack.pop()!;
      const entry = this.nodes.get(folder);
      if (entry) out.push(entry);
      const kids = this.children.get(folder);
      if (!kids || kids.size === 0) continue;
      const start = folder === '' ? 0 : folder.length + 1;
      const names = [...kids].map((path) => path.slice(start)).sort();
      for (let i = names.length - 1; i >= 0; i--) stack.push(start === 0 ? names[i]! : `${folder}/${names[i]}`);
    }
    return out;
  }

  /** Removes the children of a folder and their subtrees, keeping the folder. */
  removeChildren(path: string, onRemove: (child: string, entry: FileEntry) => void): void {
    for (const child of this.childrenOf(path)) {
      this.removeSubtree(child, (e) => onRemove(child, e));
    }
  }
}
