/**
 * Payload checks of the image contents channels (`contents:*`) and of the bridge's download: an
 * image (connection, repository, tag or digest, platform) and a path inside it. Paths come from
 * outside the process: they are normalized here, and one that climbs out of the root is refused.
 */
import { isAbsolute } from 'node:path';
import type { ContentsDiffArgs, ContentsFilesArgs, ContentsPathArgs, ContentsRef } from '../contract';
import { looksLikeDigest, parseDigest } from '../core/digest';
import { isValidName, isValidTag } from '../core/names';
import { ArgsError, fieldName, isObject, object, optionalString, requiredString, type Checks } from './args-kit';

/** The channels of this area. */
export type ContentsChannel = 'contents:files' | 'contents:layers' | 'contents:preview' | 'contents:diff' | 'contents:save';

/** Longest path taken (Linux's PATH_MAX). */
export const MAX_CONTENTS_PATH = 4096;

const PLATFORM = /^[a-z0-9][a-z0-9._-]*\/[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)?$/i;

/**
 * A path of an image as the contract spells it (`etc/os-release`): leading `/` and `./` and
 * empty or `.` segments dropped. Empty means the root. Refuses `..`, NUL and overlong paths.
 */
export function contentsPath(text: string, key = 'path'): string {
  if (text.length > MAX_CONTENTS_PATH) throw new ArgsError(`${fieldName(key)} must be at most ${MAX_CONTENTS_PATH} characters`);
  if (text.includes('\0')) throw new ArgsError(`${fieldName(key)} must not contain a NUL character`);
  const parts = text.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new ArgsError(`${fieldName(key)} ${JSON.stringify(text)} must not contain ..: paths are inside the image`);
  return parts.join('/');
}

/** `prefix.key` for nested fields, so messages say `the left repository`. */
const at = (prefix: string, key: string) => (prefix ? `${prefix}.${key}` : key);

/** The image fields of a payload (the object `o`, under `prefix` for messages). */
function ref(o: Record<string, unknown>, prefix = ''): ContentsRef {
  const connection = requiredString(o, 'connection');
  if (!connection.trim()) throw new ArgsError(`${fieldName(at(prefix, 'connection'))} must not be empty`);
  const repository = requiredString(o, 'repository');
  if (!isValidName(repository)) throw new ArgsError(`${fieldName(at(prefix, 'repository'))} ${JSON.stringify(repository)} is not a valid repository name`);
  const reference = requiredString(o, 'reference');
  const ok = looksLikeDigest(reference) ? parseDigest(reference) !== null : isValidTag(reference);
  if (!ok) throw new ArgsError(`${fieldName(at(prefix, 'reference'))} ${JSON.stringify(reference)} is neither a tag nor a digest`);
  const platform = optionalString(o, 'platform');
  if (platform !== undefined && !PLATFORM.test(platform)) {
    throw new ArgsError(`${fieldName(at(prefix, 'platform'))} ${JSON.stringify(platform)} is not a platform: write os/arch or os/arch/variant (linux/arm64/v8)`);
  }
  return { connection, repository, reference, ...(platform !== undefined ? { platform } : {}) };
}

const REF_KEYS = ['connection', 'repository', 'reference', 'platform'];

/** Checks the arguments of a call on one path (preview, download): the path must name an entry, not the root. */
export function contentsPathArgs(raw: unknown, extra: string[] = []): ContentsPathArgs {
  const o = object(raw, [...REF_KEYS, 'path', ...extra]);
  const path = contentsPath(requiredString(o, 'path'));
  if (!path) throw new ArgsError('path must name a file or folder of the image, not its root');
  return { ...ref(o), path };
}

function side(o: Record<string, unknown>, key: 'left' | 'right'): ContentsRef {
  const v = o[key];
  if (!isObject(v)) throw new ArgsError(`${fieldName(key)} must be an object naming an image`);
  return ref(object(v, REF_KEYS), key);
}

/** Payload checks of this area. */
export const CONTENTS_CHECKS: Checks<ContentsChannel> = {
  'contents:files': (raw): ContentsFilesArgs => {
    const o = object(raw, [...REF_KEYS, 'path']);
    const p = optionalString(o, 'path');
    const path = p === undefined ? '' : contentsPath(p);
    return { ...ref(o), ...(path ? { path } : {}) };
  },
  'contents:layers': (raw) => ref(object(raw, REF_KEYS)),
  'contents:preview': contentsPathArgs,
  'contents:diff': (raw): ContentsDiffArgs => {
    const o = object(raw, ['left', 'right']);
    return { left: side(o, 'left'), right: side(o, 'right') };
  },
  'contents:save': (raw) => {
    const args = contentsPathArgs(raw, ['name', 'to']);
    const o = raw as Record<string, unknown>;
    const name = optionalString(o, 'name');
    if (name !== undefined && (!name || name.length > 255 || /[/\\\0]/.test(name))) throw new ArgsError('name must be a file name (no folder), at most 255 characters');
    const to = optionalString(o, 'to');
    if (to !== undefined && (!isAbsolute(to) || to.includes('\0'))) throw new ArgsError('to must be an absolute path');
    return { ...args, ...(name !== undefined ? { name } : {}), ...(to !== undefined ? { to } : {}) };
  },
};
