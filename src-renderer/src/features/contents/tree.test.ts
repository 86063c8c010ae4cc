import { describe, expect, it } from 'vitest';
import type { FileEntry, HiddenEntry } from '../../../../src-server/contract';
import { buildTree, visibleRows } from './tree';

const e = (path: string, type: FileEntry['type'] = 'file', size = 0, layer = 0): FileEntry => ({ path, type, size, mode: 0o644, uid: 0, gid: 0, layer });
const entries = [e('bin', 'dir'), e('bin/sh', 'file', 10), e('etc', 'dir'), e('etc/hosts', 'file', 5, 1), e('etc/ssl/cert.pem', 'file', 7), e('readme', 'file', 3)];
const hidden: HiddenEntry[] = [
  { path: 'etc/hosts', type: 'file', size: 4, layer: 0, by: 1, how: 'overwritten' },
  { path: 'tmp/cache/big', type: 'file', size: 100, layer: 0, by: 1, how: 'deleted' },
];
const paths = (rows: ReturnType<typeof visibleRows>) => rows.map((r) => r.node.key);
const none = new Set<string>();

describe('the files tree', () => {
  it('shows the top level, folders first, and sums visible sizes', () => {
    const tree = buildTree(entries, hidden);
    expect(paths(visibleRows(tree, { open: none, showHidden: false, search: '' }))).toEqual(['bin', 'etc', 'readme']);
    expect(tree.byPath.get('etc')!.total).toBe(12);
    // etc/ssl had no entry of its own: it is implied by its file.
    expect(tree.byPath.get('etc/ssl')!.isDir).toBe(true);
  });

  it('opens folders, and shows hidden files (and folders only they imply) on demand', () => {
    const tree = buildTree(entries, hidden);
    const open = new Set(['etc', 'tmp', 'tmp/cache']);
    expect(paths(visibleRows(tree, { open, showHidden: false, search: '' }))).toEqual(['bin', 'etc', 'etc/ssl', 'etc/hosts', 'readme']);
    expect(paths(visibleRows(tree, { open, showHidden: true, search: '' }))).toEqual([
      'bin',
      'etc',
      'etc/ssl',
      'etc/hosts',
      'etc/hosts#hidden#0',
      'tmp',
      'tmp/cache',
      'tmp/cache/big#hidden#0',
      'readme',
    ]);
  });

  it('filters by path, opening what leads to a match', () => {
    const tree = buildTree(entries, hidden);
    const rows = visibleRows(tree, { open: none, showHidden: false, search: 'PEM' });
    expect(paths(rows)).toEqual(['etc', 'etc/ssl', 'etc/ssl/cert.pem']);
    expect(rows.map((r) => r.match)).toEqual([false, false, true]);
    expect(paths(visibleRows(tree, { open: none, showHidden: false, search: 'nothing' }))).toEqual([]);
  });

  it('stays fast with 50,000 entries', () => {
    const many: FileEntry[] = [];
    for (let d = 0; d < 100; d++) {
      many.push(e(`d${d}`, 'dir'));
      for (let f = 0; f < 500; f++) many.push(e(`d${d}/f${f}`, 'file', 1));
    }
    const t0 = performance.now();
    const tree = buildTree(many);
    const all = visibleRows(tree, { open: new Set(many.filter((x) => x.type === 'dir').map((x) => x.path)), showHidden: false, search: '' });
    const found = visibleRows(tree, { open: none, showHidden: false, search: 'f499' });
    expect(all).toHaveLength(50_100);
    expect(found).toHaveLength(200);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});
