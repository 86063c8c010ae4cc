/**
 * What a tar entry may be, checked before anything trusts it: its path and link target normalized
 * or refused (with the reason in words), its tar type mapped to a FileType, and whiteout markers
 * told apart (the OCI layer spec's `.wh.<name>` and `.wh..wh..opq`,
 * https://github.com/opencontainers/image-spec/blob/main/layer.md#whiteouts).
 */
import type { FileType } from '../contract/contents';
import { MAX_PATH_BYTES } from './limits';
import type { RawEntry } from './types';

/** A path as checked: normalized, dropped without a word (the root itself), or refused with a reason. */
export type PathCheck = { ok: true; path: string } | { ok: false; reason: string | null };

const ROOT: PathCheck = { ok: false, reason: null };

/** Why a raw path or target cannot be used at all (NUL, over-long), or null. */
function unusable(raw: string): string | null {
  if (raw.includes('\0')) return 'it holds a NUL byte';
  if (raw.length > MAX_PATH_BYTES / 4 && Buffer.byteLength(raw) > MAX_PATH_BYTES) return `it is longer than ${MAX_PATH_BYTES} bytes`;
  return null;
}

/**
 * Normalizes an entry's path as written in the tar: leading `./`, doubled and trailing `/` and `.`
 * components go. Refused: absolute paths, `..` components, NUL bytes, paths over 4096 bytes. The
 * root itself (`.`, `./`, empty) is dropped without a reason.
 */
export function checkPath(raw: string): PathCheck {
  const bad = unusable(raw);
  if (bad) return { ok: false, reason: bad };
  if (raw.startsWith('/')) return { ok: false, reason: 'its path is absolute' };
  // The common case, already normal, costs one scan.
  if (!/(^|\/)\.{0,2}(\/|$)/.test(raw)) return { ok: true, path: raw };
  const parts: string[] = [];
  for (const part of raw.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') return { ok: false, reason: "it leaves the image's root" };
    parts.push(part);
  }
  return parts.length ? { ok: true, path: parts.join('/') } : ROOT;
}

/** A hardlink's target, normalized like a path; refused when absolute, climbing or the root. */
export function checkHardlinkTarget(raw: string): PathCheck {
  const r = checkPath(raw);
  if (r.ok) return r;
  return { ok: false, reason: `its hardlink target ${JSON.stringify(raw)} is refused: ${r.reason ?? 'it is the root'}` };
}

/** Why a symlink's target is unusable (NUL, over-long, empty), or null; the target is kept as written. */
export function symlinkTargetProblem(raw: string): string | null {
  if (raw === '') return 'its symlink target is empty';
  const bad = unusable(raw);
  return bad ? `its symlink target is refused: ${bad}` : null;
}

/**
 * True when a relative symlink target climbs above the root from the link's folder
 * (`usr/x -> ../../etc`). An absolute target is resolved inside the image (`/..` is `/`).
 */
export function symlinkLeavesRoot(path: string, target: string): boolean {
  let depth = 0;
  if (!target.startsWith('/')) for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) depth++;
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue;
    if (part !== '..') depth++;
    else if (target.startsWith('/')) depth = Math.max(0, depth - 1);
    else if (--depth < 0) return true;
  }
  return false;
}

const TYPES: Record<string, FileType> = {
  File: 'file',
  OldFile: 'file',
  ContiguousFile: 'file',
  Directory: 'dir',
  GNUDumpDir: 'dir',
  SymbolicLink: 'symlink',
  Link: 'hardlink',
  CharacterDevice: 'char',
  BlockDevice: 'block',
  FIFO: 'fifo',
};

/** The FileType of a tar type as the tar package names it, or null for a type Berth does not list. */
export function fileTypeOf(tarType: string): FileType | null {
  return TYPES[tarType] ?? null;
}

/** A warning for a listed entry that extraction will not write (device files), or null. */
export function typeWarning(path: string, type: FileType): string | null {
  if (type === 'char' || type === 'block') {
    return `${path} is a ${type === 'char' ? 'character' : 'block'} device: listed, never extracted`;
  }
  return null;
}

/** What a whiteout marker means: a deleted path, an opaque folder, or a marker to ignore. */
export type Whiteout = { kind: 'whiteout'; path: string } | { kind: 'opaque'; path: string } | { kind: 'ignore'; reason: string | null };

const WH = '.wh.';
const OPAQUE = '.wh..wh..opq';

/** Reads a normalized path as a whiteout marker, or null when it is an ordinary entry. */
export function whiteoutOf(path: string): Whiteout | null {
  const slash = path.lastIndexOf('/');
  const base = slash < 0 ? path : path.slice(slash + 1);
  if (!base.startsWith(WH)) return null;
  const dir = slash < 0 ? '' : path.slice(0, slash);
  if (base === OPAQUE) {
    return dir ? { kind: 'opaque', path: dir } : { kind: 'ignore', reason: `${path} ignored: an opaque marker at the image's root hides nothing` };
  }
  // Other `.wh..wh.` names are aufs bookkeeping (hardlink stash, metadata): never content.
  if (base.startsWith(WH + WH)) return { kind: 'ignore', reason: null };
  const name = base.slice(WH.length);
  if (name === '' || name === '.' || name === '..') return { kind: 'ignore', reason: `${path} ignored: it whites out no name` };
  return { kind: 'whiteout', path: dir ? `${dir}/${name}` : name };
}

/** One thing a layer says, in tar order. */
export type WalkItem =
  /** A file, folder, link, device or FIFO the layer writes. */
  | { kind: 'entry'; entry: RawEntry }
  /** `dir/.wh.name`: the layer deletes `dir/name`. */
  | { kind: 'whiteout'; path: string }
  /** `dir/.wh..wh..opq`: the layer hides what lower layers have under `dir`. */
  | { kind: 'opaque'; path: string };

/** A tar header as the parser gives it (pax and GNU long names already applied). */
export interface TarHeader {
  path: string;
  type: string;
  size: number;
  mode?: number;
  uid?: number;
  gid?: number;
  linkpath?: string;
}

/** An entry as checked: what to show (null: skip it) and what to say about it (null: nothing). */
export interface Classified {
  item: WalkItem | null;
  warning: string | null;
}

/** A raw path for a message: control characters escaped, cut at 200 characters. */
export function shownPath(raw: string): string {
  const cut = raw.length > 200 ? `${raw.slice(0, 200)}…` : raw;
  return /[\x00-\x1f\x7f]/.test(cut) ? JSON.stringify(cut).slice(1, -1) : cut;
}

const skip = (raw: string, reason: string | null): Classified => ({ item: null, warning: reason && `${shownPath(raw)} skipped: ${reason}` });

/** Checks one tar entry and turns it into a walk item, or says why it is skipped. */
export function classifyEntry(h: TarHeader): Classified {
  const p = checkPath(h.path);
  if (!p.ok) return skip(h.path, p.reason);
  const path = p.path;
  const wh = whiteoutOf(path);
  if (wh) return wh.kind === 'ignore' ? { item: null, warning: wh.reason } : { item: wh, warning: null };
  const type = fileTypeOf(h.type);
  if (!type) return skip(path, `its tar type ${h.type} is not one Berth lists`);
  const entry: RawEntry = {
    path,
    type,
    size: type === 'file' ? h.size : 0,
    mode: (h.mode ?? 0) & 0o7777,
    uid: h.uid ?? 0,
    gid: h.gid ?? 0,
  };
  let warning = typeWarning(path, type);
  if (type === 'symlink') {
    const target = h.linkpath ?? '';
    const problem = symlinkTargetProblem(target);
    if (problem) return skip(path, problem);
    entry.link = target;
    if (symlinkLeavesRoot(path, target)) warning = `${path} is a symlink to ${shownPath(target)}, above the image's root: listed, never followed`;
  } else if (type === 'hardlink') {
    const t = checkHardlinkTarget(h.linkpath ?? '');
    if (!t.ok) return skip(path, t.reason);
    entry.link = t.path;
  }
  return { item: { kind: 'entry', entry }, warning };
}
