import { describe, expect, it } from 'vitest';
import type { FileEntry } from '../contract/contents';
import { comparePaths, indexByPath, normalizeUserPath, resolveInTree, selectUnder, sortByPath, TreePathError, walkLinks, withHardlinkTargets } from './tree-paths';

const e = (path: string, type: FileEntry['type'] = 'file', link?: string): FileEntry => ({
  path,
  type,
  size: 0,
  mode: 0o755,
  uid: 0,
  gid: 0,
  layer: 0,
  ...(link === undefined ? {} : { link }),
});

describe('normalizeUserPath', () => {
  it('turns what a user typed into a tree path', () => {
    expect(normalizeUserPath('/etc/')).toBe('etc');
    expect(normalizeUserPath('etc')).toBe('etc');
    expect(normalizeUserPath('./etc//hosts')).toBe('etc/hosts');
    expect(normalizeUserPath('/')).toBe('');
  });
  it('refuses ..', () => {
    expect(() => normalizeUserPath('../etc')).toThrow(TreePathError);
    expect(() => normalizeUserPath('a/../../b')).toThrow(/cannot use \.\./);
  });
});

describe('comparePaths and sortByPath', () => {
  it('keeps a folder and its subtree together', () => {
    const sorted = sortByPath(['a-b', 'a/b', 'a', 'a.c', 'b', 'a/b/c', 'a/a'].map((p) => ({ path: p })));
    expect(sorted.map((s) => s.path)).toEqual(['a', 'a/a', 'a/b', 'a/b/c', 'a-b', 'a.c', 'b']);
    expect(comparePaths('a', 'a')).toBe(0);
  });
});

describe('resolveInTree', () => {
  const tree = indexByPath([
    e('usr', 'dir'),
    e('usr/bin', 'dir'),
    e('usr/bin/sh', 'symlink', 'dash'),
    e('usr/bin/dash'),
    e('bin', 'symlink', 'usr/bin'),
    e('abs', 'symlink', '/usr/bin'),
    e('up', 'symlink', '../../../usr'),
    e('loop1', 'symlink', 'loop2'),
    e('loop2', 'symlink', 'loop1'),
  ]);
  it('follows symlinks on every segment but the last', () => {
    expect(resolveInTree(tree, '/bin/sh')).toBe('usr/bin/sh');
    expect(resolveInTree(tree, 'abs/dash')).toBe('usr/bin/dash');
    expect(resolveInTree(tree, 'bin')).toBe('bin');
    expect(resolveInTree(tree, 'up/bin/dash')).toBe('usr/bin/dash');
  });
  it('ends a loop with an error', () => {
    expect(() => resolveInTree(tree, 'loop1/x')).toThrow(/more than 40 symlinks/);
  });
  it('tells when a walk without clamping climbs above the root', () => {
    expect(walkLinks(tree, 'up', { clamp: false, followLast: true })).toEqual({ ok: false, escapes: true });
    expect(walkLinks(tree, 'bin/sh', { clamp: false, followLast: true })).toEqual({ ok: true, path: 'usr/bin/dash' });
  });
});

describe('selectUnder', () => {
  it('gives the path and what is under it, not its look-alike siblings', () => {
    const list = ['etc', 'etc/a', 'etc/b/c', 'etc-x', 'etcetera'].map((p) => ({ path: p }));
    expect(selectUnder(list, 'etc').map((x) => x.path)).toEqual(['etc', 'etc/a', 'etc/b/c']);
    expect(selectUnder(list, '')).toHaveLength(5);
    expect(selectUnder(list, 'nope')).toEqual([]);
  });
});

describe('withHardlinkTargets', () => {
  it('adds the files selected hardlinks end at', () => {
    const all = [e('a', 'dir'), e('a/h', 'hardlink', 'b/h2'), e('b', 'dir'), e('b/f'), e('b/h2', 'hardlink', 'b/f'), e('c', 'hardlink', 'gone')];
    const index = indexByPath(all);
    const picked = withHardlinkTargets(selectUnder(all, 'a'), index).map((x) => x.path);
    expect(picked).toEqual(['a', 'a/h', 'b/f', 'b/h2']);
    expect(withHardlinkTargets([all[5]!], index).map((x) => x.path)).toEqual(['c']);
  });
});
