import { describe, expect, it } from 'vitest';
import type { ImageDiff, ImageFiles } from '../contract/contents';
import { formatDiff, formatExtract, formatFiles, modeString } from './contents-format';
import { parseCreds, parseTlsVerify } from './contents-readers';

const D = (c: string) => `sha256:${c.repeat(64)}`;
const image = { digest: D('a'), indexDigest: null, platform: 'linux/amd64', platforms: [] };

describe('modeString', () => {
  it.each([
    ['dir', 0o755, 'drwxr-xr-x'],
    ['file', 0o4755, '-rwsr-xr-x'],
    ['file', 0o2644, '-rw-r-Sr--'],
    ['dir', 0o1777, 'drwxrwxrwt'],
    ['symlink', 0o777, 'lrwxrwxrwx'],
    ['char', 0o600, 'crw-------'],
  ] as const)('%s %o', (type, mode, want) => expect(modeString(type, mode)).toBe(want));
});

describe('formatFiles', () => {
  it('prints an ls -l like table and totals', () => {
    const f: ImageFiles = {
      ...image,
      layers: [],
      entries: [
        { path: 'bin', type: 'dir', size: 0, mode: 0o755, uid: 0, gid: 0, layer: 0 },
        { path: 'bin/sh', type: 'file', size: 1500, mode: 0o755, uid: 0, gid: 0, layer: 1, digest: D('b') },
        { path: 'lib', type: 'symlink', size: 0, mode: 0o777, uid: 0, gid: 0, link: 'usr/lib', layer: 1 },
      ],
      hidden: [{ path: 'x', type: 'file', size: 10, layer: 0, by: 1, how: 'deleted' }],
      totalSize: 1500,
      wasted: 10,
      warnings: ['a/../b skipped'],
    };
    expect(formatFiles(f)).toBe(
      [
        `${D('a')} linux/amd64`,
        '',
        'MODE        OWNER     SIZE  LAYER  PATH',
        'drwxr-xr-x  0:0                 0  /bin/',
        '-rwxr-xr-x  0:0    1.50 kB      1  /bin/sh',
        'lrwxrwxrwx  0:0                 1  /lib -> usr/lib',
        '',
        '3 entries, 1.50 kB in 0 layers; 1 file deleted or overwritten by a later layer (10 B wasted)',
        '',
        'Warnings:',
        '  a/../b skipped',
        '',
      ].join('\n'),
    );
  });
});

describe('formatDiff and formatExtract', () => {
  it('says files, config, layers and the size delta', () => {
    const side = { type: 'file' as const, size: 5, mode: 0o644, uid: 0, gid: 0, digest: D('c') };
    const d: ImageDiff = {
      left: image,
      right: { ...image, digest: D('b') },
      files: [
        { path: 'new', kind: 'added', right: side, aspects: [] },
        { path: 'm', kind: 'changed', left: side, right: { ...side, mode: 0o600, size: 7, digest: D('d') }, aspects: ['size', 'mode', 'content'] },
      ],
      config: [{ field: 'env', key: 'MODE', left: '"a"', right: '"b"' }],
      layers: { shared: [{ digest: D('e'), size: 1000 }], leftOnly: [], rightOnly: [{ digest: D('f'), size: 500 }] },
      size: { left: 1200, right: 1700, delta: 500 },
      warnings: [],
    };
    const text = formatDiff(d);
    expect(text).toContain('Files: 1 added, 0 removed, 1 changed');
    expect(text).toContain('  + /new  -rw-r--r-- 0:0 5 B');
    expect(text).toContain('  ~ /m  size 5 B -> 7 B, mode 0644 -> 0600, content cccccccccccc -> dddddddddddd');
    expect(text).toContain('  env MODE: "a" -> "b"');
    expect(text).toContain('Layers: 1 shared (1.00 kB), 0 only left (0 B), 1 only right (500 B)');
    expect(text).toContain('Size: 1.20 kB -> 1.70 kB (+500 B)');
    expect(formatExtract({ written: 2, bytes: 10, skipped: [{ path: 'dev/null', reason: 'a device file' }] }, '/o')).toBe(
      'Wrote 2 entries (10 B) under /o\nSkipped 1 entry:\n  /dev/null: a device file\n',
    );
  });
});

describe('option parsing', () => {
  it('reads --tls-verify and --creds', () => {
    expect(parseTlsVerify(undefined)).toBe(true);
    expect(parseTlsVerify('false')).toBe(false);
    expect(parseTlsVerify('TRUE')).toBe(true);
    expect(() => parseTlsVerify('maybe')).toThrow('--tls-verify takes true or false');
    expect(parseCreds('u:p:q')).toEqual({ username: 'u', password: 'p:q' });
    expect(() => parseCreds('nocolon')).toThrow('--creds takes USER:PASS');
  });
});
