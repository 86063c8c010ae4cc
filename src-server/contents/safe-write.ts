/**
 * Writing under one output folder and never outside it: every path is checked to stay inside,
 * every existing component under the folder is looked at with lstat (a symlink or a non-folder in
 * the way is refused, never followed), and files are created anew with O_EXCL|O_NOFOLLOW.
 *
 * What this cannot stop: another process swapping a checked folder for a symlink between the check
 * and the write (Node has no openat); the output folder is the user's own.
 */
import { constants, type Stats } from 'node:fs';
import { chmod, link, lstat, mkdir, open, stat, symlink, unlink } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Mode of folders while extraction writes in them; their own mode is set at the end. */
const WORKING_DIR_MODE = 0o700;
/** Mode of folders made only to hold what was asked for (not themselves in the selection). */
export const MADE_DIR_MODE = 0o755;

/** Why a path was not written, in words; null when it was. */
export type Refusal = string | null;

/** A kind of thing to put at a path, to know what may be replaced there. */
type LeafKind = 'file' | 'dir' | 'symlink' | 'hardlink';

/** One output folder and what was done in it. */
export class OutDir {
  readonly root: string;
  /** Folders (relative paths) checked to be real folders. */
  private readonly checked = new Set<string>();
  /** Folders this extraction made. */
  readonly made = new Set<string>();
  /** Existing folders opened to the owner (u+rwx) to write in them, with their mode before. */
  readonly opened = new Map<string, number>();
  private ready: Promise<void> | undefined;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** Makes the output folder itself (the user's choice: it may be reached through a symlink). */
  init(): Promise<void> {
    this.ready ??= (async () => {
      await mkdir(this.root, { recursive: true });
      const st = await lstat(this.root).catch(() => null);
      if (st && !st.isDirectory() && !(await isDirFollowing(this.root))) {
        throw new Error(`${this.root} is not a folder: cannot extract into it`);
      }
    })();
    return this.ready;
  }

  /** The absolute path of `rel`, or null when `rel` is not a plain relative path that stays inside. */
  target(rel: string): string | null {
    if (!isPlainRelative(rel)) return null;
    const abs = join(this.root, rel);
    const back = relative(this.root, abs);
    if (back === '' || back.startsWith('..') || isAbsolute(back)) return null;
    return abs;
  }

  /** Checks (and makes, as 0700) the folders on the way to `rel`. */
  private async parents(rel: string): Promise<Refusal> {
    await this.init();
    const parts = rel.split('/');
    for (let k = 1; k < parts.length; k++) {
      const folder = parts.slice(0, k).join('/');
      if (this.checked.has(folder)) continue;
      const refusal = await this.folder(folder);
      if (refusal) return refusal;
    }
    return null;
  }

  /** Checks one folder on the way, making it when missing. */
  private async folder(folder: string): Promise<Refusal> {
    const abs = join(this.root, folder);
    let st = await lstatOrNull(abs);
    if (!st) {
      try {
        await mkdir(abs, { mode: WORKING_DIR_MODE });
        this.made.add(folder);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      st = await lstatOrNull(abs);
    }
    if (!st) return `${folder} could not be made in the output folder`;
    if (st.isSymbolicLink()) return `it would be written through ${folder}, a symlink in the output folder`;
    if (!st.isDirectory()) return `${folder} in the output folder is not a folder`;
    if ((st.mode & 0o700) !== 0o700 && !this.made.has(folder)) {
      // A read-only folder left by an earlier extraction: open it to write, put its mode back at the end.
      this.opened.set(folder, st.mode & 0o7777);
      await chmod(abs, (st.mode & 0o7777) | 0o700);
    }
    this.checked.add(folder);
    return null;
  }

  /**
   * Clears the way for a new `kind` at `abs`: a regular file (or a symlink, for a link) there is
   * removed (unlinking never follows a link); a folder is kept for a folder; anything else refuses.
   */
  private async clear(rel: string, abs: string, kind: LeafKind): Promise<Refusal> {
    const st = await lstatOrNull(abs);
    if (!st) return null;
    if (st.isDirectory()) return kind === 'dir' ? null : `a folder is in the way in the output folder`;
    if (st.isFile() || (st.isSymbolicLink() && (kind === 'symlink' || kind === 'hardlink'))) {
      await unlink(abs);
      return null;
    }
    return `${rel} in the output folder is a ${describe(st)} in the way`;
  }

  /** Makes the folder `rel` (0700 until `settle`); an existing folder is kept. */
  async dir(rel: string): Promise<Refusal> {
    const abs = this.target(rel);
    if (!abs) return 'it is not a path inside the output folder';
    const refusal = (await this.parents(rel)) ?? (await this.clear(rel, abs, 'dir'));
    if (refusal) return refusal;
    return this.checked.has(rel) ? null : this.folder(rel);
  }

  /** Writes a new file at `rel` from `body` with `mode`; returns the bytes written or a refusal. */
  async file(rel: string, body: Readable, mode: number): Promise<{ bytes: number } | { refused: string }> {
    const abs = this.target(rel);
    const refusal = abs ? ((await this.parents(rel)) ?? (await this.clear(rel, abs, 'file'))) : 'it is not a path inside the output folder';
    if (refusal || !abs) {
      body.resume();
      return { refused: refusal ?? 'it is not a path inside the output folder' };
    }
    const fh = await open(abs, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o600);
    let bytes = 0;
    try {
      await fh.chmod(mode);
      body.on('data', (chunk: Buffer) => (bytes += chunk.length));
      await pipeline(body, fh.createWriteStream());
    } catch (err) {
      await fh.close().catch(() => undefined);
      await unlink(abs).catch(() => undefined);
      throw err;
    }
    return { bytes };
  }

  /** Makes a symlink at `rel` pointing to `target`, as written. */
  async symlink(rel: string, target: string): Promise<Refusal> {
    const abs = this.target(rel);
    if (!abs) return 'it is not a path inside the output folder';
    const refusal = (await this.parents(rel)) ?? (await this.clear(rel, abs, 'symlink'));
    if (refusal) return refusal;
    await symlink(target, abs);
    return null;
  }

  /** Makes `rel` a hardlink of `existing`, a file this extraction wrote. */
  async hardlink(rel: string, existing: string): Promise<Refusal> {
    const abs = this.target(rel);
    const from = this.target(existing);
    if (!abs || !from) return 'it is not a path inside the output folder';
    const refusal = (await this.parents(rel)) ?? (await this.clear(rel, abs, 'hardlink'));
    if (refusal) return refusal;
    const st = await lstatOrNull(from);
    if (!st?.isFile()) return `its target ${existing} is no longer a file in the output folder`;
    await link(from, abs);
    return null;
  }

  /**
   * Sets folders' modes, deepest first so that a read-only folder never blocks its children:
   * `modes` for the folders asked for, MADE_DIR_MODE for the ones made on the way, and the mode
   * before for the ones opened to write.
   */
  async settle(modes: ReadonlyMap<string, number>): Promise<void> {
    const all = new Map<string, number>();
    for (const f of this.made) all.set(f, MADE_DIR_MODE);
    for (const [f, m] of this.opened) all.set(f, m);
    for (const [f, m] of modes) all.set(f, m);
    const order = [...all.keys()].sort((a, b) => b.split('/').length - a.split('/').length);
    for (const f of order) {
      const abs = join(this.root, f);
      const st = await lstatOrNull(abs);
      if (st?.isDirectory()) await chmod(abs, all.get(f)!);
    }
  }
}

/** A relative `/`-separated path without empty, `.` or `..` segments (nor `\` or `:` on Windows). */
function isPlainRelative(rel: string): boolean {
  if (rel === '' || rel.startsWith('/') || rel.includes('\u0000')) return false;
  if (process.platform === 'win32' && /[\\:]/.test(rel)) return false;
  return rel.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}

async function lstatOrNull(abs: string): Promise<Stats | null> {
  try {
    return await lstat(abs);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

async function isDirFollowing(abs: string): Promise<boolean> {
  return (await stat(abs).catch(() => null))?.isDirectory() ?? false;
}

function describe(st: Stats): string {
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFIFO()) return 'FIFO';
  if (st.isSocket()) return 'socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'device';
  return 'special file';
}
