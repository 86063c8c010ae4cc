/**
 * The Files tab's tree as data: built once from the server's sorted entries (and the hidden files),
 * then flattened into the rows on screen for the folders open and the search typed. Pure functions,
 * linear in the entries, so tens of thousands of paths stay cheap; the list itself is virtualized.
 */
import type { FileEntry, HiddenEntry } from '../../../../src-server/contract';

/** One path of the tree: an entry of the merged filesystem, a hidden file, or a folder only implied by its children. */
export interface TreeNode {
  /** Unique among nodes: the path, or `path#hidden#layer` for a hidden file. */
  key: string;
  path: string;
  name: string;
  depth: number;
  /** The entry of the merged filesystem (absent for an implied folder or a hidden file). */
  entry?: FileEntry;
  /** A file a later layer deleted or overwrote. */
  hidden?: HiddenEntry;
  /** True when nothing visible lives here: a hidden file, or a folder holding only hidden files. */
  ghost: boolean;
  isDir: boolean;
  children: TreeNode[];
  /** Bytes of the visible files at or under this path. */
  total: number;
}

/** The built tree: its top level, and every node by key. */
export interface FileTree {
  roots: TreeNode[];
  byPath: Map<string, TreeNode>;
  size: number;
}

function basename(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? path : path.slice(i + 1);
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** Builds the tree: folders first, then names in code-point order, hidden files beside the path they were at. */
export function buildTree(entries: readonly FileEntry[], hidden: readonly HiddenEntry[] = []): FileTree {
  const byPath = new Map<string, TreeNode>();
  const roots: TreeNode[] = [];
  /** The folder node at `path`, made (as implied, ghost until something visible lands) when missing. */
  const folder = (path: string, ghost: boolean): TreeNode[] => {
    if (path === '') return roots;
    let node = byPath.get(path);
    if (!node) {
      const depth = path.split('/').length - 1;
      node = { key: path, path, name: basename(path), depth, ghost, isDir: true, children: [], total: 0 };
      byPath.set(path, node);
      folder(parentOf(path), ghost).push(node);
    } else if (!ghost && node.ghost) {
      // Something visible lives below: the folder and its ancestors are visible too.
      for (let p: string = path; p !== ''; p = parentOf(p)) {
        const n = byPath.get(p);
        if (!n || !n.ghost) break;
        n.ghost = false;
      }
    }
    return node.children;
  };
  for (const entry of entries) {
    const existing = byPath.get(entry.path);
    if (existing) {
      // A folder implied by an earlier child (tar order is not always parents first).
      existing.entry = entry;
      existing.isDir = entry.type === 'dir';
      folder(parentOf(entry.path), false);
      existing.ghost = false;
      continue;
    }
    const node: TreeNode = {
      key: entry.path,
      path: entry.path,
      name: basename(entry.path),
      depth: entry.path.split('/').length - 1,
      entry,
      ghost: false,
      isDir: entry.type === 'dir',
      children: [],
      total: 0,
    };
    byPath.set(entry.path, node);
    folder(parentOf(entry.path), false).push(node);
  }
  for (const h of hidden) {
    const key = `${h.path}#hidden#${h.layer}`;
    if (byPath.has(key)) continue;
    const node: TreeNode = { key, path: h.path, name: basename(h.path), depth: h.path.split('/').length - 1, hidden: h, ghost: true, isDir: false, children: [], total: 0 };
    byPath.set(key, node);
    folder(parentOf(h.path), true).push(node);
  }
  // The visible entry first, then what earlier layers had at the same path, oldest first.
  const rank = (n: TreeNode) => (n.hidden ? n.hidden.layer : -1);
  const order = (a: TreeNode, b: TreeNode) => (a.isDir !== b.isDir ? (a.isDir ? -1 : 1) : a.name < b.name ? -1 : a.name > b.name ? 1 : rank(a) - rank(b));
  const finish = (nodes: TreeNode[]): number => {
    nodes.sort(order);
    let sum = 0;
    for (const n of nodes) {
      n.total = n.isDir ? finish(n.children) : n.ghost ? 0 : (n.entry?.size ?? 0);
      sum += n.total;
    }
    return sum;
  };
  finish(roots);
  return { roots, byPath, size: byPath.size };
}

/** One row on screen. */
export interface TreeRow {
  node: TreeNode;
  open: boolean;
  /** For a search: the path matched (its ancestors are shown to place it). */
  match: boolean;
}

/** What decides the rows. */
export interface RowOptions {
  /** Folders the user opened. */
  open: ReadonlySet<string>;
  /** Show the hidden (deleted and overwritten) files. */
  showHidden: boolean;
  /** Text the path must contain (case-insensitive); empty: everything. */
  search: string;
}

/**
 * The rows on screen, in tree order. Without a search: the top level and the children of open
 * folders. With one: every path containing the text and the folders leading to it (opened for it);
 * a matching folder's own children show when the user opens it.
 */
export function visibleRows(tree: FileTree, opts: RowOptions): TreeRow[] {
  const rows: TreeRow[] = [];
  const q = opts.search.trim().toLowerCase();
  const shown = (n: TreeNode) => opts.showHidden || !n.ghost;
  if (!q) {
    const walk = (nodes: TreeNode[]) => {
      for (const n of nodes) {
        if (!shown(n)) continue;
        const open = n.isDir && opts.open.has(n.key);
        rows.push({ node: n, open, match: false });
        if (open) walk(n.children);
      }
    };
    walk(tree.roots);
    return rows;
  }
  // Which nodes match, and which folders lead to a match: one pass over the nodes.
  const matched = new Set<TreeNode>();
  const leads = new Set<string>();
  for (const n of tree.byPath.values()) {
    if (!shown(n) || !n.path.toLowerCase().includes(q)) continue;
    matched.add(n);
    for (let p = parentOf(n.path); p !== '' && !leads.has(p); p = parentOf(p)) leads.add(p);
  }
  const walk = (nodes: TreeNode[], inOpenMatch: boolean) => {
    for (const n of nodes) {
      if (!shown(n)) continue;
      const match = matched.has(n);
      const lead = n.isDir && leads.has(n.path);
      if (!match && !lead && !inOpenMatch) continue;
      const userOpen = n.isDir && opts.open.has(n.key);
      const open = lead || userOpen;
      rows.push({ node: n, open, match });
      if (open) walk(n.children, inOpenMatch || (match && userOpen));
    }
  };
  walk(tree.roots, false);
  return rows;
}
