import { readAccessFile, writeAccessFile, type AccessDoc } from './access-file';
import { withLockFile } from '../core/files';
import { hashPassword, readHtpasswdDoc, validateUserName, writeHtpasswdFile } from './htpasswd-store';
import { parseHtpasswd } from './htpasswd';
import type { AuthPaths } from './init';
import { parseRules, type Rule } from './rules';

/**
 * User management over the two files: the htpasswd (who can log in) and the access file (what each
 * user may do). Every change is a read-modify-write of the file concerned, written atomically;
 * the server re-reads both files on change, so no restart is needed.
 */

/** A missing or already existing user (the message says which and what to do). */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** One user as `berth user list` shows it. */
export interface UserInfo {
  name: string;
  /** The rights in force (`admin@*` for everyone while there is no access file). */
  rules: Rule[];
  /** True when the htpasswd has a bcrypt hash for the user, so that the user can log in. */
  hasPassword: boolean;
}

/** Everything `berth user list` shows. */
export interface AccessListing {
  users: UserInfo[];
  anonymous: Rule[];
  /** False while there is no access file (registry:2 behaviour: every user has every right). */
  accessFileExists: boolean;
}

/** What a change did beyond its own job, for the command line to mention. */
export interface ChangeResult {
  /**
   * The access file did not exist and was created; the users already in the htpasswd were written
   * into it with `admin@*`, the rights they had without it.
   */
  accessFileCreated: boolean;
}

const EVERYTHING = 'admin@*';

/** One lock for both files: every change here is a read-modify-write of one or both. */
export function lockPathOf(paths: AuthPaths): string {
  return `${paths.accessPath}.lock`;
}

const locked = <T>(paths: AuthPaths, fn: () => T | Promise<T>) => withLockFile(lockPathOf(paths), fn);

/**
 * Reads the access file for a change. When there is none yet, starts one that keeps what every
 * htpasswd user may do today (everything), so creating the file takes no one's rights away.
 */
function accessForChange(paths: AuthPaths): { doc: AccessDoc; text?: string; created: boolean } {
  const read = readAccessFile(paths.accessPath);
  if (read) return { ...read, created: false };
  const doc: AccessDoc = { users: new Map(), anonymous: [] };
  for (const name of readHtpasswdDoc(paths.htpasswdPath).users()) doc.users.set(name, parseRules(EVERYTHING));
  return { doc, created: true };
}

/** Parses rules with the user's name in the message when they are wrong. */
function rulesFrom(text: string, whose: string): Rule[] {
  try {
    return parseRules(text);
  } catch (err) {
    throw new UserError(`invalid rights for ${whose}: ${(err as Error).message}`);
  }
}

/**
 * Adds a user with a password and rights (`''`: none). Refuses a user already in the htpasswd.
 * Creates the files when missing.
 */
export async function addUser(paths: AuthPaths, name: string, password: string, rulesText = ''): Promise<ChangeResult> {
  validateUserName(name);
  const rules = rulesFrom(rulesText, name);
  const exists = () => {
    if (readHtpasswdDoc(paths.htpasswdPath).has(name)) throw new UserError(`user ${name} already exists (change the password with \`berth user passwd ${name}\`)`);
  };
  exists();
  // bcrypt takes a while: hash before taking the lock, and check again under it.
  const hash = await hashPassword(password);
  return locked(paths, () => {
    exists();
    const htpasswd = readHtpasswdDoc(paths.htpasswdPath);
    const access = accessForChange(paths);
    access.doc.users.set(name, rules);
    // Rights first, then the login: the new user never exists with the missing-file default.
    writeAccessFile(paths.accessPath, access.doc, access.text);
    htpasswd.setHash(name, hash);
    writeHtpasswdFile(paths.htpasswdPath, htpasswd);
    return { accessFileCreated: access.created };
  });
}

/** Removes a user from the htpasswd and from the access file. Throws UserError when in neither. */
export async function removeUser(paths: AuthPaths, name: string): Promise<void> {
  return locked(paths, () => removeUnlocked(paths, name));
}

function removeUnlocked(paths: AuthPaths, name: string): void {
  const htpasswd = readHtpasswdDoc(paths.htpasswdPath);
  const access = readAccessFile(paths.accessPath);
  const inAccess = access?.doc.users.has(name) ?? false;
  if (!htpasswd.has(name) && !inAccess) throw new UserError(`no such user: ${name}`);
  // The login first: from then on the user is locked out, whatever becomes of the second write.
  if (htpasswd.remove(name)) writeHtpasswdFile(paths.htpasswdPath, htpasswd);
  if (access && inAccess) {
    access.doc.users.delete(name);
    writeAccessFile(paths.accessPath, access.doc, access.text);
  }
}

/** Sets a user's password. Throws UserError when the user is not in the htpasswd. */
export async function setPassword(paths: AuthPaths, name: string, password: string): Promise<void> {
  const missing = () => new UserError(`no such user: ${name} (add it with \`berth user add ${name}\`)`);
  if (!readHtpasswdDoc(paths.htpasswdPath).has(name)) throw missing();
  const hash = await hashPassword(password);
  await locked(paths, () => {
    const htpasswd = readHtpasswdDoc(paths.htpasswdPath);
    if (!htpasswd.has(name)) throw missing();
    htpasswd.setHash(name, hash);
    writeHtpasswdFile(paths.htpasswdPath, htpasswd);
  });
}

/** Replaces a user's rights (`''`: none). Throws UserError when the user is not in the htpasswd. */
export async function setRights(paths: AuthPaths, name: string, rulesText: string): Promise<ChangeResult> {
  const rules = rulesFrom(rulesText, name);
  return locked(paths, () => {
    if (!readHtpasswdDoc(paths.htpasswdPath).has(name)) throw new UserError(`no such user: ${name} (add it with \`berth user add ${name}\`)`);
    const access = accessForChange(paths);
    access.doc.users.set(name, rules);
    writeAccessFile(paths.accessPath, access.doc, access.text);
    return { accessFileCreated: access.created };
  });
}

/** Sets the rights of callers who do not log in (`''`: none). */
export async function setAnonymous(paths: AuthPaths, rulesText: string): Promise<ChangeResult> {
  const rules = rulesFrom(rulesText, 'anonymous');
  return locked(paths, () => {
    const access = accessForChange(paths);
    access.doc.anonymous = rules;
    writeAccessFile(paths.accessPath, access.doc, access.text);
    return { accessFileCreated: access.created };
  });
}

/** Users of both files (htpasswd order, then users only in the access file) and the anonymous rules. */
export function listAccess(paths: AuthPaths): AccessListing {
  const htpasswd = readHtpasswdDoc(paths.htpasswdPath);
  const access = readAccessFile(paths.accessPath);
  // Read as the server reads it, so that "can log in" means the same here and there.
  const usable = parseHtpasswd(htpasswd.toString()).users;
  const names = [...new Set([...htpasswd.users(), ...(access?.doc.users.keys() ?? [])])];
  const users = names.map((name) => ({
    name,
    rules: access ? (access.doc.users.get(name) ?? []) : parseRules(EVERYTHING),
    hasPassword: usable.has(name),
  }));
  return { users, anonymous: access?.doc.anonymous ?? [], accessFileExists: access !== undefined };
}

/** The users of both files with their rights; see listAccess for the anonymous rules. */
export function listUsers(paths: AuthPaths): UserInfo[] {
  return listAccess(paths).users;
}
