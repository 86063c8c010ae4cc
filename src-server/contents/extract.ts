/**
 * Extraction of part of an image's merged filesystem into a folder, never writing outside it. The
 * caller streams each layer once, in order, handing over the files whose last version is in that
 * layer; folders, links and what cannot be extracted are dealt with at the end.
 */
import type { Readable } from 'node:stream';
import type { FileEntry } from '../contract/contents';
import { OutDir } from './safe-write';
import { indexByPath, MAX_LINK_HOPS, parentOf, TreePathError, walkLinks } from './tree-paths';
import type { ExtractReport } from './types';

/** Writes a selection of an image's files under one folder. */
export interface Extractor {
  /** True when the file at `path` in layer `layer` is wanted: a selected regular file last written there. */
  wants(layer: number, path: string): boolean;
  /**
   * Writes a selected regular file from its content (other entries are made by `finish`, and
   * unwanted ones drained). Given twice, the later content wins, as in a layer. One call at a
   * time: await each before the next. A failing body rejects, leaving no partial file.
   */
  write(entry: FileEntry, body: Readable | null): Promise<void>;
  /** Makes folders, hardlinks and symlinks, sets folders' modes, and tells what was done. */
  finish(): Promise<ExtractReport>;
}

/** Bits dropped from every mode written: setuid, setgid and sticky. */
const SPECIAL_BITS = 0o7000;

/**
 * An extractor of `selection` (entries of a merged filesystem, as `selectUnder` gives them; add
 * `withHardlinkTargets` so that hardlinks have their files) into `outDir`, made when missing. Modes are kept without their special bits; ownership is not changed.
 */
export function createExtractor(outDir: string, selection: readonly FileEntry[]): Extractor {
  const out = new OutDir(outDir);
  const byPath = indexByPath(selection);
  const written = new Set<string>();
  const skipped = new Map<string, string>();
  const notes: string[] = [];
  let bytes = 0;
  let count = 0;
  const skip = (path: string, reason: string) => {
    if (!skipped.has(path)) skipped.set(path, reason);
  };
  const modeOf = (e: FileEntry): number => {
    if (e.mode & SPECIAL_BITS) notes.push(`${e.path}: setuid, setgid and sticky bits dropped (mode ${(e.mode & 0o7777).toString(8)})`);
    return e.mode & 0o777;
  };

  return {
    wants(layer, path) {
      const e = byPath.get(path);
      return e !== undefined && e.type === 'file' && e.layer === layer;
    },

    async write(entry, body) {
      const e = byPath.get(entry.path);
      if (!e || e.type !== 'file') {
        body?.resume();
        return;
      }
      if (!body) return;
      const result = await out.file(e.path, body, written.has(e.path) ? e.mode & 0o777 : modeOf(e));
      if ('refused' in result) return skip(e.path, result.refused);
      skipped.delete(e.path);
      if (!written.has(e.path)) count++;
      written.add(e.path);
      bytes += result.bytes;
    },

    async finish() {
      await out.init();
      const dirModes = new Map<string, number>();
      const ordered = [...selection].sort((a, b) => depth(a.path) - depth(b.path));
      for (const e of ordered) {
        if (e.type !== 'dir') continue;
        const refusal = await out.dir(e.path);
        if (refusal) skip(e.path, refusal);
        else {
          dirModes.set(e.path, modeOf(e));
          count++;
        }
      }
      for (const e of selection) {
        if (e.type === 'file' && !written.has(e.path)) skip(e.path, 'its content was not read');
        if (e.type === 'char' || e.type === 'block') skip(e.path, `device files (${e.type}) are not extracted`);
        if (e.type === 'fifo') skip(e.path, 'FIFOs are not extracted');
      }
      for (const e of selection) {
        if (e.type !== 'hardlink') continue;
        const target = e.link ?? '';
        const file = hardlinkFile(byPath, target);
        const refusal = file !== null && written.has(file) ? await out.hardlink(e.path, file) : `its target ${target || '(none)'} was not extracted`;
        if (refusal) skip(e.path, refusal);
        else count++;
      }
      // Symlinks last: nothing is written after them, so nothing can go through one.
      for (const e of selection) {
        if (e.type !== 'symlink') continue;
        const link = e.link ?? '';
        const refusal = symlinkRefusal(byPath, e.path, link) ?? (await out.symlink(e.path, link));
        if (refusal) skip(e.path, refusal);
        else count++;
      }
      await out.settle(dirModes);
      return {
        written: count,
        bytes,
        skipped: [...skipped].map(([path, reason]) => ({ path, reason })),
        notes,
      };
    },
  };
}

/** The regular file a hardlink ends at, through hardlinks to hardlinks (a tar may chain them); null for none. */
function hardlinkFile(index: ReadonlyMap<string, FileEntry>, target: string): string | null {
  let path = target;
  for (let hops = 0; hops <= MAX_LINK_HOPS; hops++) {
    const e = index.get(path);
    if (e?.type === 'file') return path;
    if (e?.type !== 'hardlink' || e.link === undefined) return null;
    path = e.link;
  }
  return null;
}

function depth(path: string): number {
  let n = 0;
  for (let i = 0; i < path.length; i++) if (path.charCodeAt(i) === 47) n++;
  return n;
}

/**
 * Why a symlink may not be made: its target, resolved inside the extracted tree (through the
 * tree's other symlinks, as the system will), climbs above the tree's root, or loops. Absolute
 * targets name the image's root and are written as they are.
 */
function symlinkRefusal(index: ReadonlyMap<string, FileEntry>, path: string, link: string): string | null {
  if (link === '') return 'its target is empty';
  if (link.startsWith('/')) return null;
  const folder = parentOf(path);
  try {
    const walk = walkLinks(index, folder === '' ? link : `${folder}/${link}`, { clamp: false, followLast: true });
    return walk.ok ? null : `its target ${link} leaves the extracted tree`;
  } catch (err) {
    if (err instanceof TreePathError) return `its target ${link} cannot be resolved: ${err.message}`;
    throw err;
  }
}
