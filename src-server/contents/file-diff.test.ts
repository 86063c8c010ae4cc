import { describe, expect, it } from 'vitest';
import type { FileEntry } from '../contract/contents';
import { diffFiles } from './file-diff';

const f = (path: string, over: Partial<FileEntry> = {}): FileEntry => ({
  path,
  type: 'file',
  size: 1,
  mode: 0o644,
  uid: 0,
  gid: 0,
  digest: 'sha256:aa',
  layer: 0,
  ...over,
});

describe('diffFiles', () => {
  it('tells added, removed and changed paths with their aspects, sorted by path', () => {
    const left = [f('a'), f('b', { size: 2, digest: 'sha256:bb' }), f('c', { type: 'dir', size: 0, digest: undefined }), f('c/x'), f('l', { type: 'symlink', size: 0, link: 'a', digest: undefined })];
    const right = [f('a', { layer: 3 }), f('b', { size: 3, digest: 'sha256:cc', mode: 0o755, uid: 1 }), f('c', { type: 'dir', size: 0, digest: undefined, mode: 0o700 }), f('c-d'), f('l', { type: 'symlink', size: 0, link: 'b', digest: undefined }), f('z')];
    const diff = diffFiles(left, right);
    expect(diff.map((d) => `${d.kind} ${d.path} ${d.aspects.join(',')}`)).toEqual([
      'changed b size,content,mode,owner',
      'changed c mode',
      'removed c/x ',
      'added c-d ',
      'changed l link',
      'added z ',
    ]);
    expect(diff[0]!.left).toEqual({ type: 'file', size: 2, mode: 0o644, uid: 0, gid: 0, digest: 'sha256:bb' });
    expect(diff[0]!.right).toMatchObject({ size: 3, digest: 'sha256:cc' });
    expect(diff[2]!.right).toBeUndefined();
  });

  it('tells a type change, and sees content changes of the same size by digest', () => {
    const diff = diffFiles([f('a'), f('b')], [f('a', { type: 'dir', size: 0, digest: undefined }), f('b', { digest: 'sha256:ff' })]);
    expect(diff.map((d) => `${d.path} ${d.aspects.join(',')}`)).toEqual(['a type', 'b content']);
  });

  it('takes unsorted lists and gives nothing for equal images', () => {
    const list = [f('b'), f('a/x'), f('a', { type: 'dir', size: 0 })];
    expect(diffFiles(list, [...list].reverse())).toEqual([]);
    expect(diffFiles([], [f('q')])).toEqual([{ path: 'q', kind: 'added', right: expect.any(Object), aspects: [] }]);
  });
});
