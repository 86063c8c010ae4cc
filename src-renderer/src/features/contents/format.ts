/** How contents read on screen: modes as `ls -l` writes them, kinds of change, size deltas. */
import type { FileType } from '../../../../src-server/contract';
import { formatBytes } from '../../app/format';

const TYPE_LETTER: Record<FileType, string> = { file: '-', dir: 'd', symlink: 'l', hardlink: 'h', char: 'c', block: 'b', fifo: 'p' };

/** `drwxr-xr-x`, with s/S and t/T for setuid, setgid and sticky, as `ls -l` writes them. */
export function formatMode(type: FileType, mode: number): string {
  const bits = (shift: number, special: boolean, letter: string) => {
    const r = mode & (4 << shift) ? 'r' : '-';
    const w = mode & (2 << shift) ? 'w' : '-';
    const x = mode & (1 << shift);
    const xs = special ? (x ? letter : letter.toUpperCase()) : x ? 'x' : '-';
    return r + w + xs;
  };
  return TYPE_LETTER[type] + bits(6, (mode & 0o4000) !== 0, 's') + bits(3, (mode & 0o2000) !== 0, 's') + bits(0, (mode & 0o1000) !== 0, 't');
}

/** `+1.2 MB`, `-300 B`, `±0 B`. */
export function formatDelta(bytes: number): string {
  if (bytes === 0) return '±0 B';
  return `${bytes > 0 ? '+' : '-'}${formatBytes(Math.abs(bytes))}`;
}

/** The colour of a kind of change, the same in every view. */
export const KIND_COLOR: Record<string, string> = { added: 'green', modified: 'yellow', changed: 'yellow', deleted: 'red', removed: 'red' };
