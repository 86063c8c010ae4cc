/** Answers of the contents channels for component tests: a two-layer image whose second layer overwrites and deletes. */
import type { ContentsLayer, FileEntry, ImageDiff, ImageFiles, ImageLayers } from '../../../../src-server/contract';

const e = (path: string, type: FileEntry['type'], size: number, layer: number, extra: Partial<FileEntry> = {}): FileEntry => ({
  path,
  type,
  size,
  mode: type === 'dir' ? 0o755 : 0o644,
  uid: 0,
  gid: 0,
  layer,
  ...extra,
});

const layer = (index: number, over: Partial<ContentsLayer> = {}): ContentsLayer => ({
  index,
  digest: `sha256:${String(index).repeat(64)}`,
  mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
  size: 1000 + index,
  uncompressedSize: 4000,
  createdBy: index === 0 ? 'COPY rootfs /' : 'RUN rm -rf /tmp/cache && echo v2 > /etc/motd',
  foreign: false,
  added: 0,
  modified: 0,
  deleted: 0,
  wasted: 0,
  warnings: [],
  ...over,
});

/** `contents:files` of the image (one platform). */
export function imageFiles(over: Partial<ImageFiles> = {}): ImageFiles {
  return {
    digest: `sha256:${'a'.repeat(64)}`,
    indexDigest: null,
    platform: 'linux/amd64',
    platforms: ['linux/amd64'],
    layers: [layer(0, { added: 6, wasted: 2100 }), layer(1, { modified: 1, deleted: 1, added: 0 })],
    entries: [
      e('bin', 'dir', 0, 0),
      e('bin/sh', 'file', 1200, 0, { mode: 0o755 }),
      e('bin/sh.link', 'symlink', 0, 0, { link: 'sh' }),
      e('etc', 'dir', 0, 0),
      e('etc/motd', 'file', 3, 1),
      e('etc/ssl/cert.pem', 'file', 700, 0),
      e('usr/lib/data.bin', 'file', 5000, 0),
    ],
    hidden: [
      { path: 'etc/motd', type: 'file', size: 100, layer: 0, by: 1, how: 'overwritten' },
      { path: 'tmp/cache/big', type: 'file', size: 2000, layer: 0, by: 1, how: 'deleted' },
    ],
    totalSize: 6903,
    wasted: 2100,
    warnings: [],
    ...over,
  };
}

/** `contents:layers` of the same image. */
export function imageLayers(): ImageLayers {
  const files = imageFiles();
  return {
    digest: files.digest,
    indexDigest: null,
    platform: 'linux/amd64',
    platforms: ['linux/amd64'],
    wasted: 2100,
    warnings: ['../evil skipped: it leaves the image\'s root'],
    layers: [
      {
        ...files.layers[0]!,
        warnings: ['../evil skipped: it leaves the image\'s root'],
        changes: [
          { path: 'bin', kind: 'added', type: 'dir', size: 0 },
          { path: 'bin/sh', kind: 'added', type: 'file', size: 1200 },
          { path: 'etc/motd', kind: 'added', type: 'file', size: 100 },
          { path: 'tmp/cache/big', kind: 'added', type: 'file', size: 2000 },
        ],
      },
      {
        ...files.layers[1]!,
        changes: [
          { path: 'etc/motd', kind: 'modified', type: 'file', size: 3 },
          { path: 'tmp/cache', kind: 'deleted', type: 'dir', size: 2000 },
        ],
      },
      { ...layer(2, { foreign: true, uncompressedSize: null, createdBy: null }), changes: [] },
    ],
  };
}

/** `contents:diff` of two tags. */
export function imageDiff(): ImageDiff {
  return {
    left: { digest: `sha256:${'1'.repeat(64)}`, indexDigest: null, platform: 'linux/amd64', platforms: [] },
    right: { digest: `sha256:${'2'.repeat(64)}`, indexDigest: null, platform: 'linux/amd64', platforms: [] },
    files: [
      { path: 'etc/motd', kind: 'changed', left: { type: 'file', size: 100, mode: 0o644, uid: 0, gid: 0 }, right: { type: 'file', size: 3, mode: 0o600, uid: 0, gid: 0 }, aspects: ['size', 'mode', 'content'] },
      { path: 'opt/new', kind: 'added', right: { type: 'file', size: 10, mode: 0o644, uid: 0, gid: 0 }, aspects: [] },
      { path: 'tmp/cache/big', kind: 'removed', left: { type: 'file', size: 2000, mode: 0o644, uid: 0, gid: 0 }, aspects: [] },
    ],
    config: [
      { field: 'env', key: 'VERSION', left: '"1"', right: '"2"' },
      { field: 'cmd', left: '["sh"]', right: null },
    ],
    layers: { shared: [{ digest: `sha256:${'3'.repeat(64)}`, size: 1000 }], leftOnly: [{ digest: `sha256:${'4'.repeat(64)}`, size: 50 }], rightOnly: [] },
    size: { left: 2050, right: 2000, delta: -50 },
    warnings: [],
  };
}
