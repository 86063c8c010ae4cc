import { describe, expect, it } from 'vitest';
import { formatDelta, formatMode } from './format';

describe('contents formatting', () => {
  it('writes modes as ls -l does', () => {
    expect(formatMode('dir', 0o755)).toBe('drwxr-xr-x');
    expect(formatMode('file', 0o644)).toBe('-rw-r--r--');
    expect(formatMode('file', 0o4755)).toBe('-rwsr-xr-x');
    expect(formatMode('dir', 0o1777)).toBe('drwxrwxrwt');
    expect(formatMode('file', 0o2644)).toBe('-rw-r-Sr--');
    expect(formatMode('symlink', 0o777)).toBe('lrwxrwxrwx');
  });
  it('signs size deltas', () => {
    expect(formatDelta(1500)).toBe('+1.50 KB');
    expect(formatDelta(-300)).toBe('-300 B');
    expect(formatDelta(0)).toBe('±0 B');
  });
});
