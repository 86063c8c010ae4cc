/**
 * Hand-made images whose merged filesystems are known, for the image-contents tests: tars written
 * byte by byte (directories, files with modes and owners, symlinks, hardlinks, whiteouts, an opaque
 * folder), compressed with gzip, with /usr/bin/zstd, or not at all, laid out as an OCI image layout
 * (blobs, manifests, configs with `rootfs.diff_ids`, `index.json`, `oci-layout`). Push one anywhere
 * with {@link pushLayout} (skopeo copies the layout unchanged).
 */
import { sha256, type Desc as OciDesc } from './oci-content';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { ContainersSandbox } from './images';

export { sha256 };

/** One tar entry. */
export interface TarEntry {
  path: string;
  type?: 'file' | 'dir' | 'symlink' | 'hardlink' | 'char';
  data?: Buffer | string;
  mode?: number;
  uid?: number;
  gid?: number;
  /** Target of a symlink or hardlink. */
  link?: string;
}

const TYPEFLAG = { file: '0', hardlink: '1', symlink: '2', char: '3', dir: '5' } as const;

/** A ustar archive of the entries, in order (paths up to 100 bytes; a `prefix` field is not needed here). */
export function makeTar(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const type = e.type ?? 'file';
    const data = type === 'file' ? Buffer.from(e.data ?? '') : Buffer.alloc(0);
    const h = Buffer.alloc(512);
    const put = (s: string, off: number, len: number) => h.write(s, off, len, 'utf8');
    const octal = (n: number, len: number) => n.toString(8).padStart(len - 1, '0');
    if (Buffer.byteLength(e.path) > 100 || Buffer.byteLength(e.link ?? '') > 100) throw new Error(`path too long: ${e.path}`);
    put(e.path, 0, 100);
    put(octal(e.mode ?? (type === 'dir' ? 0o755 : type === 'symlink' ? 0o777 : 0o644), 8), 100, 8);
    put(octal(e.uid ?? 0, 8), 108, 8);
    put(octal(e.gid ?? 0, 8), 116, 8);
    put(octal(data.length, 12), 124, 12);
    put(octal(1_700_000_000, 12), 136, 12);
    put('        ', 148, 8);
    put(TYPEFLAG[type], 156, 1);
    if (e.link) put(e.link, 157, 100);
    put('ustar\0', 257, 6);
    put('00', 263, 2);
    let sum = 0;
    for (const b of h) sum += b;
    put(`${octal(sum, 7)}\0 `, 148, 8);
    parts.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** How a layer's tar is stored. */
export type Compression = 'gzip' | 'zstd' | 'none';

const LAYER_TYPES: Record<Compression, string> = {
  gzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  zstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  none: 'application/vnd.oci.image.layer.v1.tar',
};

function compress(tar: Buffer, how: Compression): Buffer {
  if (how === 'gzip') return gzipSync(tar);
  if (how === 'zstd') return execFileSync('/usr/bin/zstd', ['-q', '-c', '-3'], { input: tar, maxBuffer: 64 << 20 });
  return tar;
}

/** A layer to write. */
export interface LayerSpec {
  entries: TarEntry[];
  compression?: Compression;
}

/** An image to write: its layers and the config fields that diff compares. */
export interface ImageSpec {
  platform?: { os: string; architecture: string; variant?: string };
  layers: LayerSpec[];
  config?: Record<string, unknown>;
}

/** A descriptor as written. */
export type Desc = OciDesc;

/** What was written for one image. */
export interface WrittenImage {
  manifest: Desc;
  config: Desc;
  layers: Desc[];
}

/** Writes OCI layouts: one folder, tags added one by one. */
export class LayoutWriter {
  private readonly index: Desc[] = [];

  constructor(readonly dir: string) {
    mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
    writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    this.flush();
  }

  /** Writes a blob; its descriptor. */
  put(mediaType: string, data: Buffer): Desc {
    const digest = sha256(data);
    writeFileSync(join(this.dir, 'blobs', 'sha256', digest.slice(7)), data);
    return { mediaType, digest, size: data.length };
  }

  /** Writes one image (layers, config, manifest), untagged. */
  image(spec: ImageSpec): WrittenImage {
    const platform = spec.platform ?? { os: 'linux', architecture: 'amd64' };
    const diffIds: string[] = [];
    const layers = spec.layers.map((l) => {
      const tar = makeTar(l.entries);
      diffIds.push(sha256(tar));
      const how = l.compression ?? 'gzip';
      return this.put(LAYER_TYPES[how], compress(tar, how));
    });
    const config = this.put(
      'application/vnd.oci.image.config.v1+json',
      Buffer.from(JSON.stringify({ ...platform, config: spec.config ?? {}, rootfs: { type: 'layers', diff_ids: diffIds }, history: layers.map((_, i) => ({ created_by: `layer ${i}` })) })),
    );
    const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config, layers }));
    const manifest = { ...this.put('application/vnd.oci.image.manifest.v1+json', body), platform };
    return { manifest, config, layers };
  }

  /** Tags one image, or an index of several (one per platform). */
  tag(tag: string, images: WrittenImage[]): Desc {
    let top: Desc;
    if (images.length === 1) {
      const { platform: _p, ...m } = images[0]!.manifest;
      top = m;
    } else {
      const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: images.map((i) => i.manifest) }));
      top = this.put('application/vnd.oci.image.index.v1+json', body);
    }
    this.index.push({ ...top, annotations: { 'org.opencontainers.image.ref.name': tag } });
    this.flush();
    return top;
  }

  private flush(): void {
    writeFileSync(join(this.dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: this.index }));
  }
}

/** The base layer every fixture shares. */
export const BASE_LAYER: LayerSpec = {
  compression: 'gzip',
  entries: [
    { path: 'etc/', type: 'dir' },
    { path: 'etc/os-release', data: 'ID=berth\n' },
    { path: 'etc/motd', data: 'hello\n' },
    { path: 'bin/', type: 'dir' },
    { path: 'bin/tool', data: '#!/bin/sh\necho tool\n', mode: 0o755, uid: 1000, gid: 1000 },
    { path: 'opt/', type: 'dir' },
    { path: 'opt/app/', type: 'dir' },
    { path: 'opt/app/old.txt', data: 'old\n' },
    { path: 'opt/app/keep/', type: 'dir' },
    { path: 'opt/app/keep/a.txt', data: 'aaa\n' },
    { path: 'var/', type: 'dir' },
    { path: 'var/log/', type: 'dir' },
    { path: 'var/log/big.log', data: 'x'.repeat(1000) },
  ],
};

/** The second layer (zstd): a changed file, a deletion, an opaque folder and a symlink. */
export const ZSTD_LAYER: LayerSpec = {
  compression: 'zstd',
  entries: [
    { path: 'etc/motd', data: 'changed motd\n' },
    { path: 'var/log/.wh.big.log' },
    { path: 'opt/app/', type: 'dir' },
    { path: 'opt/app/.wh..wh..opq' },
    { path: 'opt/app/new.txt', data: 'new\n', mode: 0o600 },
    { path: 'motd-link', type: 'symlink', link: 'etc/motd' },
  ],
};

/** The third layer (uncompressed): a mode change and a folder symlink. */
export const PLAIN_LAYER: LayerSpec = {
  compression: 'none',
  entries: [
    { path: 'bin/tool', data: '#!/bin/sh\necho tool v2\n', mode: 0o700, uid: 1000, gid: 1000 },
    { path: 'usr/', type: 'dir' },
    { path: 'usr/lib/', type: 'dir' },
    { path: 'usr/lib/libx.so', data: 'ELF' },
    { path: 'lib', type: 'symlink', link: 'usr/lib' },
  ],
};

/** Regular files of `base` after merging, with their content. */
export const BASE_FILES: Record<string, string> = {
  'etc/os-release': 'ID=berth\n',
  'etc/motd': 'changed motd\n',
  'bin/tool': '#!/bin/sh\necho tool v2\n',
  'opt/app/new.txt': 'new\n',
  'usr/lib/libx.so': 'ELF',
};

/** Symlinks of `base` after merging. */
export const BASE_LINKS: Record<string, string> = { 'motd-link': 'etc/motd', lib: 'usr/lib' };

/** Paths `base` no longer shows (deleted, or hidden by the opaque folder). */
export const BASE_GONE = ['var/log/big.log', 'opt/app/old.txt', 'opt/app/keep', 'opt/app/keep/a.txt'];

/** Config of `base`. */
export const BASE_CONFIG = { Env: ['PATH=/bin', 'MODE=base'], Cmd: ['/bin/tool'], WorkingDir: '/', Labels: { tier: 'base' }, ExposedPorts: { '80/tcp': {} } };

/** What the fixture layout holds, by tag. */
export interface ContentsFixture {
  dir: string;
  base: WrittenImage;
  v2: WrittenImage;
  multi: { amd64: WrittenImage; arm64: WrittenImage; index: Desc };
  hostile: WrittenImage;
}

/**
 * Writes the fixture layout in `dir`, tags:
 * - `base`: BASE_LAYER (gzip), ZSTD_LAYER (zstd), PLAIN_LAYER (none): BASE_FILES, BASE_LINKS, BASE_GONE;
 * - `v2`: BASE_LAYER shared, then `etc/motd` changed, `srv/added.txt` added, `etc/os-release` deleted,
 *   and another config (MODE=v2, Cmd, a label, port 443);
 * - `multi`: linux/amd64 (`arch/amd64.txt`) and linux/arm64/v8 (`arch/arm64.txt`, `only-arm`);
 * - `hostile`: `../escape.txt`, `/abs.txt`, a symlink folder `out` to `/tmp` then `out/pwned`, a char device.
 */
export function writeContentsFixture(dir: string): ContentsFixture {
  const w = new LayoutWriter(dir);
  const base = w.image({ layers: [BASE_LAYER, ZSTD_LAYER, PLAIN_LAYER], config: BASE_CONFIG });
  w.tag('base', [base]);
  const v2 = w.image({
    layers: [
      BASE_LAYER,
      { entries: [{ path: 'etc/motd', data: 'v2 motd\n' }, { path: 'etc/.wh.os-release' }, { path: 'srv/', type: 'dir' }, { path: 'srv/added.txt', data: 'added\n', mode: 0o640 }] },
    ],
    config: { Env: ['PATH=/bin', 'MODE=v2'], Cmd: ['/bin/tool', '--v2'], WorkingDir: '/srv', Labels: { tier: 'v2' }, ExposedPorts: { '80/tcp': {}, '443/tcp': {} } },
  });
  w.tag('v2', [v2]);
  const arch = (a: string, extra: TarEntry[]) => ({ entries: [{ path: 'arch/', type: 'dir' as const }, { path: `arch/${a}.txt`, data: `${a}\n` }, ...extra] });
  const amd64 = w.image({ platform: { os: 'linux', architecture: 'amd64' }, layers: [arch('amd64', [])], config: { Env: ['ARCH=amd64'] } });
  const arm64 = w.image({ platform: { os: 'linux', architecture: 'arm64', variant: 'v8' }, layers: [arch('arm64', [{ path: 'only-arm', data: 'arm\n' }])], config: { Env: ['ARCH=arm64'] } });
  const index = w.tag('multi', [amd64, arm64]);
  const hostile = w.image({
    layers: [
      {
        entries: [
          { path: 'ok.txt', data: 'fine\n' },
          { path: '../escape.txt', data: 'escaped\n' },
          { path: '/abs.txt', data: 'absolute\n' },
          { path: 'out', type: 'symlink', link: '/tmp' },
          { path: 'out/pwned', data: 'pwned\n' },
          { path: 'up', type: 'symlink', link: '../../..' },
          { path: 'up/pwned2', data: 'pwned\n' },
          { path: 'dev/', type: 'dir' },
          { path: 'dev/null', type: 'char' },
        ],
      },
    ],
  });
  w.tag('hostile', [hostile]);
  return { dir, base, v2, multi: { amd64, arm64, index }, hostile };
}

/**
 * Copies tag `tag` of the layout to `docker://DEST` (every platform of an index) with the sandbox's
 * skopeo, over plain http; `creds` as `user:pass`. Digests are preserved: the uncompressed layer
 * stays uncompressed, and the registry's manifests are the layout's.
 */
export async function pushLayout(sandbox: ContainersSandbox, layoutDir: string, tag: string, dest: string, creds?: string): Promise<void> {
  await sandbox.skopeo(['copy', '--quiet', '--all', '--preserve-digests', '--dest-tls-verify=false', ...(creds ? ['--dest-creds', creds] : []), `oci:${layoutDir}:${tag}`, `docker://${dest}`]);
}

/** What `berth files --json` says of an entry, as far as the fixtures check it. */
export interface ListedEntry {
  path: string;
  type: string;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  link?: string;
  layer: number;
}

/** The files, links, owners and layers `base` must show merged (an error names the first that differs). */
export function checkBaseListing(entries: ListedEntry[]): void {
  const by = new Map(entries.map((e) => [e.path, e]));
  for (const [path, content] of Object.entries(BASE_FILES)) {
    const e = by.get(path);
    if (!e || e.type !== 'file' || e.size !== Buffer.byteLength(content)) throw new Error(`base: ${path} should be a file of ${Buffer.byteLength(content)} bytes, is ${JSON.stringify(e)}`);
  }
  for (const [path, link] of Object.entries(BASE_LINKS)) {
    const e = by.get(path);
    if (!e || e.type !== 'symlink' || e.link !== link) throw new Error(`base: ${path} should be a symlink to ${link}, is ${JSON.stringify(e)}`);
  }
  for (const path of BASE_GONE) if (by.has(path)) throw new Error(`base: ${path} should be gone`);
  const expect = (path: string, want: Partial<ListedEntry>) => {
    const e = by.get(path);
    for (const [k, v] of Object.entries(want)) if (!e || e[k as keyof ListedEntry] !== v) throw new Error(`base: ${path} should have ${k}=${v}, is ${JSON.stringify(e)}`);
  };
  expect('etc/os-release', { layer: 0, mode: 0o644 });
  expect('etc/motd', { layer: 1 });
  expect('opt/app/new.txt', { layer: 1, mode: 0o600 });
  expect('bin/tool', { layer: 2, mode: 0o700, uid: 1000, gid: 1000 });
  expect('opt/app', { type: 'dir' });
  expect('var/log', { type: 'dir' });
}
