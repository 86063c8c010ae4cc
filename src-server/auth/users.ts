import { cloneAccessDoc, emptyAccessDoc, groupNameProblem, groupsOf, type AccessDoc } from './access-doc';
import { readAccessFile, writeAccessFile } from './access-file';
import { withLockFile } from '../core/files';
import { hashPassword, HtpasswdDoc, readHtpasswdDoc, validateUserName, writeHtpasswdFile } from './htpasswd-store';
import { parseHtpasswd } from './htpasswd';
import type { AuthPaths } from './init';
import { administrators, lastAdminMessage } from './last-admin';
import { parseRules, type Rule } from './rules';

/**
 * User management over the two files: the htpasswd (who can log in) and the access file (what each
 * user and group may do). Every change, of users here and of groups in groups.ts, goes through
 * {@link changeAuthFiles}: a read-modify-write of both files under one lock, refused before
 * anything is written when it would leave the registry without an administrator. The server
 * re-reads both files on change, so no restart is needed.
 */

/** Why a change was refused, for callers that tell the cases apart (the API's error codes). */
export type UserErrorReason = 'user-unknown' | 'user-exists' | 'rules-invalid' | 'group-unknown' | 'group-exists' | 'group-name-invalid' | 'name-taken' | 'last-admin';

/** A refused change of users or groups (the message says which and what to do). */
export class UserError extends Error {
  constructor(
    message: string,
    readonly reason: UserErrorReason,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** One user as `berth user list` shows it. */
export interface UserInfo {
  name: string;
  /** The user's own rights (`admin@*` for everyone while there is no access file). */
  rules: Rule[];
  /** The groups the user belongs to, whose rights the user has too. */
  groups: string[];
  /** True when the htpasswd has a bcrypt hash for the user, so that the user can log in. */
  hasPassword: boolean;
}

/** One group as `berth group list` shows it. */
export interface GroupInfo {
  name: string;
  rules: Rule[];
  /** Users who belong to it, in user order. */
  members: string[];
}

/** Everything `berth user list` shows. */
export interface AccessListing {
  users: UserInfo[];
  groups: GroupInfo[];
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

/** Both files as a change sees them, to edit in place. */
export interface AuthDraft {
  /** The htpasswd as read; edit it in place. */
  readonly htpasswd: HtpasswdDoc;
  /**
   * The access document to change. When there is no file yet, one that keeps what every htpasswd
   * user may do today (everything), so that creating the file takes no one's rights away.
   */
  access(): AccessDoc;
  /** The access document as it stands (undefined while there is no file and nothing asked for one). */
  current(): AccessDoc | undefined;
}

/**
 * Runs one change of the auth files under their lock: reads both, lets `edit` change them, and
 * writes what changed, unless the change would leave no user who can log in with `admin@*` while
 * there was one before (then a UserError of reason `last-admin`, and nothing is written). `what` names the change in the
 * refusal: "remove alice", "change the rights of group ops".
 */
export async function changeAuthFiles<T>(paths: AuthPaths, what: string, edit: (draft: AuthDraft) => T): Promise<{ value: T } & ChangeResult> {
  return withLockFile(lockPathOf(paths), () => {
    const htpasswd = readHtpasswdDoc(paths.htpasswdPath);
    const before = htpasswd.toString();
    const read = readAccessFile(paths.accessPath);
    let doc = read ? cloneAccessDoc(read.doc) : undefined;
    let touched = false;
    let created = false;
    const draft: AuthDraft = {
      htpasswd,
      access() {
        touched = true;
        if (!doc) {
          created = true;
          doc = emptyAccessDoc();
          for (const name of new HtpasswdDoc(before).users()) doc.users.set(name, parseRules(EVERYTHING));
        }
        return doc;
      },
      current: () => doc,
    };
    const value = edit(draft);

    const after = htpasswd.toString();
    const adminsBefore = administrators(parseHtpasswd(before).users, read?.doc);
    if (adminsBefore.length && !administrators(parseHtpasswd(after).users, doc).length) {
      throw new UserError(lastAdminMessage(what, adminsBefore, read?.doc), 'last-admin');
    }
    const writeAccess = () => {
      if (touched && doc) writeAccessFile(paths.accessPath, doc, read?.text);
    };
    const writeHtpasswd = () => {
      if (after !== before) writeHtpasswdFile(paths.htpasswdPath, htpasswd);
    };
    // A user who loses the login loses it first; a new one gets rights before a login, so that no
    // one ever exists with the missing-file default or with rights meant for someone removed.
    const loginsLost = new HtpasswdDoc(before).users().some((n) => !htpasswd.has(n));
    if (loginsLost) {
      writeHtpasswd();
      writeAccess();
    } else {
      writeAccess();
      writeHtpasswd();
    }
    return { value, accessFileCreated: created };
  });
}

/** Parses rules with the owner's name in the message when they are wrong. */
export function rulesFrom(text: string, whose: string): Rule[] {
  try {
    return parseRules(text);
  } catch (err) {
    throw new UserError(`invalid rights for ${whose}: ${(err as Error).message}`, 'rules-invalid');
  }
}

const noSuchUser = (name: string) => new UserError(`no such user: ${name} (add it with \`berth user add ${name}\`)`, 'user-unknown');

/** Refuses group names the document does not define, listing those it does. */
export function checkGroupsExist(doc: AccessDoc | undefined, groups: readonly string[]): void {
  const known = doc ? [...doc.groups.keys()] : [];
  const unknown = groups.filter((g) => !known.includes(g));
  if (!unknown.length) return;
  const which = unknown.map((g) => (groupNameProblem(g) ? JSON.stringify(g.slice(0, 80)) : g)).join(', ');
  const hint = known.length ? `groups: ${known.join(', ')}` : 'there are no groups yet; add one with `berth group add NAME --access RULES`';
  throw new UserError(`no such group: ${which} (${hint})`, 'group-unknown');
}

/**
 * Adds a user with a password, rights (`''`: none) and groups (which must exist). Refuses a user
 * already in the htpasswd and a name a group has. Creates the files when missing.
 */
export async function addUser(paths: AuthPaths, name: string, password: string, rulesText = '', groups: readonly string[] = []): Promise<ChangeResult> {
  validateUserName(name);
  const rules = rulesFrom(rulesText, name);
  const exists = (has: (n: string) => boolean) => {
    if (has(name)) throw new UserError(`user ${name} already exists (change the password with \`berth user passwd ${name}\`)`, 'user-exists');
  };
  exists((n) => readHtpasswdDoc(paths.htpasswdPath).has(n));
  // bcrypt takes a while: hash before taking the lock, and check again under it.
  const hash = await hashPassword(password);
  const { accessFileCreated } = await changeAuthFiles(paths, `add ${name}`, (d) => {
    exists((n) => d.htpasswd.has(n));
    if (d.current()?.groups.has(name)) throw new UserError(`${name} is the name of a group: users and groups need different names`, 'name-taken');
    checkGroupsExist(d.current(), groups);
    const doc = d.access();
    doc.users.set(name, rules);
    if (groups.length) doc.memberOf.set(name, [...new Set(groups)]);
    else doc.memberOf.delete(name);
    d.htpasswd.setHash(name, hash);
  });
  return { accessFileCreated };
}

/** Removes a user from the htpasswd and from the access file. Throws UserError when in neither. */
export async function removeUser(paths: AuthPaths, name: string): Promise<void> {
  await changeAuthFiles(paths, `remove ${name}`, (d) => {
    const inAccess = d.current()?.users.has(name) ?? false;
    if (!d.htpasswd.has(name) && !inAccess) throw new UserError(`no such user: ${name}`, 'user-unknown');
    d.htpasswd.remove(name);
    if (inAccess) {
      const doc = d.access();
      doc.users.delete(name);
      doc.memberOf.delete(name);
    }
  });
}

/** Sets a user's password. Throws UserError when the user is not in the htpasswd. */
export async function setPassword(paths: AuthPaths, name: string, password: string): Promise<void> {
  if (!readHtpasswdDoc(paths.htpasswdPath).has(name)) throw noSuchUser(name);
  const hash = await hashPassword(password);
  await changeAuthFiles(paths, `change the password of ${name}`, (d) => {
    if (!d.htpasswd.has(name)) throw noSuchUser(name);
    d.htpasswd.setHash(name, hash);
  });
}

/** Replaces a user's own rights (`''`: none). Throws UserError when the user is not in the htpasswd. */
export async function setRights(paths: AuthPaths, name: string, rulesText: string): Promise<ChangeResult> {
  const rules = rulesFrom(rulesText, name);
  const { accessFileCreated } = await changeAuthFiles(paths, `change the rights of ${name}`, (d) => {
    if (!d.htpasswd.has(name)) throw noSuchUser(name);
    d.access().users.set(name, rules);
  });
  return { accessFileCreated };
}

/** Replaces the groups a user belongs to (`[]`: none); every group must exist. */
export async function setUserGroups(paths: AuthPaths, name: string, groups: readonly string[]): Promise<ChangeResult> {
  const { accessFileCreated } = await changeAuthFiles(paths, `change the groups of ${name}`, (d) => {
    if (!d.htpasswd.has(name)) throw noSuchUser(name);
    checkGroupsExist(d.current(), groups);
    const doc = d.access();
    if (!doc.users.has(name)) doc.users.set(name, []);
    if (groups.length) doc.memberOf.set(name, [...new Set(groups)]);
    else doc.memberOf.delete(name);
  });
  return { accessFileCreated };
}

/** Sets the rights of callers who do not log in (`''`: none). */
export async function setAnonymous(paths: AuthPaths, rulesText: string): Promise<ChangeResult> {
  const rules = rulesFrom(rulesText, 'anonymous');
  const { accessFileCreated } = await changeAuthFiles(paths, 'change the anonymous rights', (d) => {
    d.access().anonymous = rules;
  });
  return { accessFileCreated };
}

/** Users of both files (htpasswd order, then users only in the access file), groups and the anonymous rules. */
export function listAccess(paths: AuthPaths): AccessListing {
  const htpasswd = readHtpasswdDoc(paths.htpasswdPath);
  const access = readAccessFile(paths.accessPath)?.doc;
  // Read as the server reads it, so that "can log in" means the same here and there.
  const usable = parseHtpasswd(htpasswd.toString()).users;
  const names = [...new Set([...htpasswd.users(), ...(access?.users.keys() ?? [])])];
  const users = names.map((name) => ({
    name,
    rules: access ? (access.users.get(name) ?? []) : parseRules(EVERYTHING),
    groups: access ? groupsOf(access, name) : [],
    hasPassword: usable.has(name),
  }));
  const groups = [...(access?.groups ?? [])].map(([name, rules]) => ({ name, rules, members: names.filter((u) => access && groupsOf(access, u).includes(name)) }));
  return { users, groups, anonymous: access?.anonymous ?? [], accessFileExists: access !== undefined };
}

/** The users of both files with their rights; see listAccess for groups and the anonymous rules. */
export function listUsers(paths: AuthPaths): UserInfo[] {
  return listAccess(paths).users;
}
