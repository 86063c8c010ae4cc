import { describe, expect, it } from 'vitest';
import { checkHardlinkTarget, checkPath, classifyEntry, fileTypeOf, symlinkLeavesRoot, whiteoutOf } from './entry-checks';

describe('checkPath', () => {
  it.each([
    ['etc/passwd', 'etc/passwd'],
    ['./etc/passwd', 'etc/passwd'],
    ['etc//x/./y/', 'etc/x/y'],
    ['..a/b..', '..a/b..'],
    ['dir/', 'dir'],
  ])('normalizes %j to %j', (raw, path) => {
    expect(checkPath(raw)).toEqual({ ok: true, path });
  });

  it.each([
    ['../x', "it leaves the image's root"],
    ['a/../b', "it leaves the image's root"],
    ['/etc/passwd', 'its path is absolute'],
    ['a\0b', 'it holds a NUL byte'],
    ['a/'.repeat(2100), 'it is longer than 4096 bytes'],
  ])('refuses %j', (raw, reason) => {
    expect(checkPath(raw)).toEqual({ ok: false, reason });
  });

  it.each(['', '.', './', './/.'])('drops the root %j without a word', (raw) => {
    expect(checkPath(raw)).toEqual({ ok: false, reason: null });
  });

  it('checks hardlink targets like paths', () => {
    expect(checkHardlinkTarget('./usr/bin/x')).toEqual({ ok: true, path: 'usr/bin/x' });
    expect(checkHardlinkTarget('../x')).toMatchObject({ ok: false });
    expect(checkHardlinkTarget('/x')).toMatchObject({ ok: false });
    expect(checkHardlinkTarget('.')).toMatchObject({ ok: false, reason: expect.stringContaining('root') });
  });
});

describe('symlinkLeavesRoot', () => {
  it.each([
    ['a', '../x', true],
    ['a/b', '../x', false],
    ['a/b', '../../x', true],
    ['a/b', 'c/../../..', true],
    ['a/b', '/../../etc', false],
    ['a', '/etc/passwd', false],
    ['a/b', './c', false],
  ])('%s -> %s: %s', (path, target, leaves) => {
    expect(symlinkLeavesRoot(path, target)).toBe(leaves);
  });
});

describe('whiteoutOf', () => {
  it('tells whiteouts and opaque folders apart', () => {
    expect(whiteoutOf('etc/.wh.motd')).toEqual({ kind: 'whiteout', path: 'etc/motd' });
    expect(whiteoutOf('.wh.top')).toEqual({ kind: 'whiteout', path: 'top' });
    expect(whiteoutOf('var/cache/.wh..wh..opq')).toEqual({ kind: 'opaque', path: 'var/cache' });
    expect(whiteoutOf('.wh..wh..opq')).toMatchObject({ kind: 'ignore', reason: expect.stringContaining('root') });
    expect(whiteoutOf('x/.wh..wh.plnk')).toEqual({ kind: 'ignore', reason: null });
    expect(whiteoutOf('x/.wh.')).toMatchObject({ kind: 'ignore' });
    expect(whiteoutOf('x/.whatever')).toBeNull();
    expect(whiteoutOf('x/file')).toBeNull();
  });
});

describe('classifyEntry', () => {
  it('maps tar types', () => {
    expect(['File', 'OldFile', 'ContiguousFile', 'Directory', 'SymbolicLink', 'Link', 'CharacterDevice', 'BlockDevice', 'FIFO'].map(fileTypeOf)).toEqual([
      'file', 'file', 'file', 'dir', 'symlink', 'hardlink', 'char', 'block', 'fifo',
    ]);
    expect(fileTypeOf('SparseFile')).toBeNull();
  });

  it('keeps mode bits, zeroes non-file sizes, refuses empty symlink targets', () => {
    expect(classifyEntry({ path: 'd/', type: 'Directory', size: 4096, mode: 0o41777, uid: 5, gid: 6 }).item).toEqual({
      kind: 'entry',
      entry: { path: 'd', type: 'dir', size: 0, mode: 0o1777, uid: 5, gid: 6 },
    });
    expect(classifyEntry({ path: 'l', type: 'SymbolicLink', size: 0, linkpath: '' })).toEqual({ item: null, warning: 'l skipped: its symlink target is empty' });
  });
});
