import { describe, expect, it } from 'vitest';
import type { FileEntry } from '../contract/contents';
import { mergeLayers } from './merge';
import type { LayerListing, RawEntry } from './types';

const dir = (path: string, mode = 0o755): RawEntry => ({ path, type: 'dir', size: 0, mode, uid: 0, gid: 0 });
const file = (path: string, size: number, digest = `sha256:${String(size).padStart(64, '0')}`): RawEntry => ({
  path,
  type: 'file',
  size,
  mode: 0o644,
  uid: 0,
  gid: 0,
  digest,
});
const symlink = (path: string, link: string): RawEntry => ({ path, type: 'symlink', size: 0, mode: 0o777, uid: 0, gid: 0, link });
const hardlink = (path: string, link: string): RawEntry => ({ path, type: 'hardlink', size: 0, mode: 0o644, uid: 0, gid: 0, link });

function layer(entries: RawEntry[], whiteouts: string[] = [], opaque: string[] = []): LayerListing {
  return { entries, whiteouts, opaque, uncompressedSize: 0, warnings: [] };
}

/** path -> `type layer[ size][ -> link]` for short expectations. */
function shape(entries: FileEntry[]): Record<string, string> {
  return Object.fromEntries(
    entries.map((e) => [e.path, `${e.type} ${e.layer}${e.type === 'file' ? ` ${e.size}` : ''}${e.link ? ` -> ${e.link}` : ''}`]),
  );
}

describe('mergeLayers', () => {
  it('applies whiteouts, opaque folders and later versions of a file', () => {
    const m = mergeLayers([
      layer([dir('etc'), file('etc/a', 10), file('etc/b', 20), dir('opt'), dir('opt/x'), file('opt/x/1', 5), file('opt/y', 7)]),
      layer([file('etc/a', 11), dir('opt'), file('opt/z', 3)], ['etc/b'], ['opt']),
    ]);
    expect(shape(m.entries)).toEqual({
      etc: 'dir 0',
      'etc/a': 'file 1 11',
      opt: 'dir 0',
      'opt/z': 'file 1 3',
    });
    expect(m.entries.map((e) => e.path)).toEqual(['etc', 'etc/a', 'opt', 'opt/z']);
    expect(m.layers[1]!.changes).toEqual([
      { path: 'etc/a', kind: 'modified', type: 'file', size: 11 },
      { path: 'etc/b', kind: 'deleted', type: 'file', size: 20 },
      { path: 'opt/x', kind: 'deleted', type: 'dir', size: 5 },
      { path: 'opt/y', kind: 'deleted', type: 'file', size: 7 },
      { path: 'opt/z', kind: 'added', type: 'file', size: 3 },
    ]);
    expect(m.layers[1]).toMatchObject({ added: 1, modified: 1, deleted: 3, wasted: 0 });
    expect(m.layers[0]).toMatchObject({ added: 7, modified: 0, deleted: 0, wasted: 10 + 20 + 5 + 7 });
    expect(m.hidden).toEqual([
      { path: 'etc/a', type: 'file', size: 10, layer: 0, by: 1, how: 'overwritten' },
      { path: 'etc/b', type: 'file', size: 20, layer: 0, by: 1, how: 'deleted' },
      { path: 'opt/x/1', type: 'file', size: 5, layer: 0, by: 1, how: 'deleted' },
      { path: 'opt/y', type: 'file', size: 7, layer: 0, by: 1, how: 'deleted' },
    ]);
    expect(m.warnings).toEqual([]);
  });

  it('whiteouts and opaque folders hide only lower layers, not the same layer', () => {
    const m = mergeLayers([layer([file('a', 1), dir('d'), file('d/old', 2)]), layer([file('a', 3), file('d/new', 4)], ['a'], ['d'])]);
    expect(shape(m.entries)).toEqual({ a: 'file 1 3', d: 'dir 0', 'd/new': 'file 1 4' });
    expect(m.layers[1]!.changes.map((c) => `${c.kind} ${c.path}`)).toEqual(['modified a', 'added d/new', 'deleted d/old']);
  });

  it('replaces a folder by a file and back', () => {
    const m = mergeLayers([
      layer([dir('x'), file('x/1', 100), dir('x/sub'), file('x/sub/2', 50)]),
      layer([file('x', 9)]),
      layer([dir('x', 0o700), file('x/3', 1)]),
    ]);
    expect(shape(m.entries)).toEqual({ x: 'dir 2', 'x/3': 'file 2 1' });
    expect(m.layers[1]!.changes).toEqual([{ path: 'x', kind: 'modified', type: 'file', size: 9 }]);
    expect(m.layers[2]!.changes.map((c) => `${c.kind} ${c.path}`)).toEqual(['modified x', 'added x/3']);
    expect(m.layers.map((l) => l.wasted)).toEqual([150, 9, 0]);
    expect(m.hidden.map((h) => `${h.path} ${h.layer}>${h.by} ${h.how}`)).toEqual(['x 1>2 overwritten', 'x/1 0>1 deleted', 'x/sub/2 0>1 deleted']);
  });

  it('creates implied parent folders as 0755 root-owned, and a folder listed again unchanged is no change', () => {
    const m = mergeLayers([layer([file('a/b/c', 1)]), layer([dir('a', 0o755), dir('a/b', 0o700)])]);
    const a = m.entries.find((e) => e.path === 'a')!;
    expect(a).toEqual({ path: 'a', type: 'dir', size: 0, mode: 0o755, uid: 0, gid: 0, layer: 0 });
    expect(m.layers[0]!.changes.map((c) => `${c.kind} ${c.path}`)).toEqual(['added a', 'added a/b', 'added a/b/c']);
    expect(m.layers[1]!.changes).toEqual([{ path: 'a/b', kind: 'modified', type: 'dir', size: 0 }]);
    expect(shape(m.entries)['a/b']).toBe('dir 1');
  });

  it('keeps symlinks and good hardlinks', () => {
    const m = mergeLayers([layer([dir('usr'), dir('usr/bin'), file('usr/bin/dash', 8), symlink('bin', 'usr/bin'), hardlink('usr/bin/sh', 'usr/bin/dash')])]);
    expect(shape(m.entries)).toMatchObject({ bin: 'symlink 0 -> usr/bin', 'usr/bin/sh': 'hardlink 0 -> usr/bin/dash' });
    expect(m.warnings).toEqual([]);
  });

  it('reports foreign (null) layers and merges the others around them', () => {
    const m = mergeLayers([layer([file('a', 1)]), null, layer([file('b', 2)], ['a'])]);
    expect(shape(m.entries)).toEqual({ b: 'file 2 2' });
    expect(m.layers[1]).toMatchObject({ added: 0, changes: [] });
    expect(m.layers[1]!.warnings[0]).toMatch(/layer 1 is foreign/);
    expect(m.warnings).toEqual([m.layers[1]!.warnings[0]]);
  });

  it("keeps the reader's warnings on their layer and names the layer in the image's", () => {
    const l = layer([file('a', 1)]);
    l.warnings.push("../x skipped: it leaves the image's root");
    const m = mergeLayers([layer([]), l]);
    expect(m.layers[1]!.warnings).toEqual(["../x skipped: it leaves the image's root"]);
    expect(m.warnings).toEqual(["layer 1: ../x skipped: it leaves the image's root"]);
  });

  it('whiteout of an absent path changes nothing', () => {
    const m = mergeLayers([layer([file('a', 1)]), layer([], ['nope'])]);
    expect(m.layers[1]!.changes).toEqual([]);
  });
});

describe('mergeLayers on hostile layers', () => {
  it('skips a file written through a symlink', () => {
    const m = mergeLayers([layer([dir('real'), symlink('etc', '/real')]), layer([file('etc/passwd', 5)])]);
    expect(shape(m.entries)).toEqual({ real: 'dir 0', etc: 'symlink 0 -> /real' });
    expect(m.layers[1]!.warnings).toEqual(['etc/passwd in layer 1 skipped: it is written through the symlink etc']);
    expect(m.warnings).toEqual(m.layers[1]!.warnings);
  });

  it('skips a symlink then a file through it in the same layer, and a whiteout through a symlink', () => {
    const m = mergeLayers([layer([dir('t'), file('t/keep', 1)]), layer([symlink('l', 't'), file('l/x', 1)], ['l/keep'])]);
    expect(shape(m.entries)).toEqual({ t: 'dir 0', 't/keep': 'file 0 1', l: 'symlink 1 -> t' });
    expect(m.layers[1]!.warnings).toEqual(['l/x in layer 1 skipped: it is written through the symlink l']);
    const m2 = mergeLayers([layer([dir('t'), file('t/keep', 1), symlink('l', 't')]), layer([], ['l/keep'], ['l'])]);
    expect(shape(m2.entries)['t/keep']).toBe('file 0 1');
    expect(m2.layers[1]!.warnings).toEqual(['whiteout of l/keep in layer 1 skipped: it is written through the symlink l']);
  });

  it('skips an entry under a regular file', () => {
    const m = mergeLayers([layer([file('f', 1), file('f/x', 2)])]);
    expect(shape(m.entries)).toEqual({ f: 'file 0 1' });
    expect(m.warnings).toEqual(['f/x in layer 0 skipped: f on its way is a file, not a folder']);
  });

  it('skips hardlinks to nothing, to themselves or to non-files', () => {
    const m = mergeLayers([layer([dir('d'), symlink('s', 'd'), hardlink('h1', 'missing'), hardlink('h2', 'd'), hardlink('h3', 's'), hardlink('h4', 'h4')])]);
    expect(Object.keys(shape(m.entries))).toEqual(['d', 's']);
    expect(m.warnings).toEqual([
      'h1 in layer 0 skipped: its hardlink target missing does not exist',
      'h2 in layer 0 skipped: its hardlink target d is a dir, not a regular file',
      'h3 in layer 0 skipped: its hardlink target s is a symlink, not a regular file',
      'h4 in layer 0 skipped: its hardlink target h4 does not exist',
    ]);
  });

  it('keeps a symlink leaving the root with a warning; absolute targets are fine', () => {
    const m = mergeLayers([layer([dir('a'), symlink('a/up', '../../etc'), symlink('a/abs', '/../etc'), symlink('a/ok', '../etc')])]);
    expect(Object.keys(shape(m.entries))).toEqual(['a', 'a/abs', 'a/ok', 'a/up']);
    expect(m.warnings).toEqual(["a/up in layer 0: its symlink target ../../etc leaves the image's root"]);
  });

  it('lets the later of duplicate entries win and counts the earlier as wasted', () => {
    const m = mergeLayers([layer([file('a', 10), file('a', 3)])]);
    expect(shape(m.entries)).toEqual({ a: 'file 0 3' });
    expect(m.layers[0]).toMatchObject({ added: 1, wasted: 10 });
    expect(m.hidden).toEqual([{ path: 'a', type: 'file', size: 10, layer: 0, by: 0, how: 'overwritten' }]);
    expect(m.warnings).toEqual(['a is listed twice in layer 0: the later entry wins']);
  });

  it('skips paths that are not normalized', () => {
    const m = mergeLayers([layer([file('../x', 1), file('/abs', 1), file('a//b', 1), file('', 1)])]);
    expect(m.entries).toEqual([]);
    expect(m.warnings).toHaveLength(4);
  });

  it('skips whiteouts and opaque folders that are not paths inside the image, and takes an opaque root', () => {
    const m = mergeLayers([layer([dir('a'), file('a/x', 4), file('b', 2)]), layer([file('c', 1)], ['../a', 'a/../b'], ['/a', ''])]);
    expect(shape(m.entries)).toEqual({ c: 'file 1 1' });
    expect(m.layers[1]!.changes.map((c) => `${c.kind} ${c.path} ${c.size}`)).toEqual(['deleted a 4', 'deleted b 2', 'added c 1']);
    expect(m.warnings).toEqual([
      'opaque folder "/a" in layer 1 skipped: it is not a path inside the image',
      'whiteout of "../a" in layer 1 skipped: it is not a path inside the image',
      'whiteout of "a/../b" in layer 1 skipped: it is not a path inside the image',
    ]);
  });

  it('merges 100,000 entries over 30 layers', () => {
    const layers: LayerListing[] = [];
    for (let l = 0; l < 30; l++) {
      const entries: RawEntry[] = [];
      for (let i = 0; i < 3334; i++) entries.push(file(`d${i % 50}/s${i % 7}/f${(i * 31 + l) % 4000}`, i));
      layers.push(layer(entries, l % 3 === 2 ? [`d${l}`] : [], l % 5 === 4 ? [`d${l + 1}`] : []));
    }
    const m = mergeLayers(layers);
    expect(m.entries.length).toBeGreaterThan(1000);
    const paths = m.entries.map((e) => e.path);
    expect(new Set(paths).size).toBe(paths.length);
  });
});

describe('mergeLayers on deep trees', () => {
  it('merges and sorts a tree as deep as a path can be', () => {
    const deep = Array.from({ length: 2048 }, () => 'd').join('/');
    const siblings = Array.from({ length: 2000 }, (_, i) => file(`${deep.slice(0, 3999 - 2 * (i % 50))}/f${i}`, 1));
    const m = mergeLayers([layer([file(deep, 1), ...siblings, file('a-b', 1), dir('a'), file('a/x', 1)])]);
    expect(m.entries).toHaveLength(2048 + 2000 + 3);
    expect(m.entries.slice(0, 3).map((e) => e.path)).toEqual(['a', 'a/x', 'a-b']);
    expect(m.warnings).toEqual([]);
  });

  it('skips a path longer than PATH_MAX', () => {
    const m = mergeLayers([layer([file('x'.repeat(5000), 1)])]);
    expect(m.entries).toEqual([]);
    expect(m.warnings[0]).toMatch(/skipped: its path is longer than 4096 characters/);
  });
});
