import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { emptyAccessDoc, readAccessFile, writeAccessFile, type AccessDoc } from './access-file';
import { withLockFile } from '../core/files';
import { hashPassword, HtpasswdDoc, writeHtpasswdFile } from './htpasswd-store';
import { parseRules } from './rules';

/** Where Berth keeps its users and their rights. */
export interface AuthPaths {
  htpasswdPath: string;
  accessPath: string;
}

/**
 * The auth files of a data directory: the htpasswd at `auth.htpasswd.path` when the config names
 * one, else `<data>/berth/htpasswd`; the access file always `<data>/berth/access.yml`.
 */
export function authPaths(dataDir: string, configuredHtpasswd?: string): AuthPaths {
  return {
    htpasswdPath: configuredHtpasswd ?? join(dataDir, 'berth', 'htpasswd'),
    accessPath: join(dataDir, 'berth', 'access.yml'),
  };
}

/** The user `berth init` creates. */
export const ADMIN_USER = 'admin';

/** A random password: 24 characters of base64url (144 bits). */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

/** Options of initAuth. */
export interface InitAuthOptions extends AuthPaths {
  /** Replace existing files (`berth init --force`). */
  force?: boolean;
}

/**
 * Sets up auth: an htpasswd with user `admin` and a random password, and an access file granting
 * admin `admin@*`. When the htpasswd already exists and `force` is not set, changes nothing and
 * returns `{created: false}`. With `force` both files are replaced. Without `force`, an access file
 * that already exists keeps its other entries. The password is returned for showing once; only
 * its bcrypt hash is written.
 */
export async function initAuth(opts: InitAuthOptions): Promise<{ created: boolean; adminPassword?: string }> {
  const skip = () => existsSync(opts.htpasswdPath) && !opts.force;
  if (skip()) return { created: false };
  const adminPassword = generatePassword();
  const htpasswd = new HtpasswdDoc();
  htpasswd.setHash(ADMIN_USER, await hashPassword(adminPassword));
  // The same lock as the user commands (users.ts), so that two first starts cannot both create.
  return withLockFile(`${opts.accessPath}.lock`, () => {
    if (skip()) return { created: false };
    const existing = opts.force ? undefined : readAccessFile(opts.accessPath);
    const access: AccessDoc = existing?.doc ?? emptyAccessDoc();
    access.users.set(ADMIN_USER, parseRules('admin@*'));
    // The access file first: were the htpasswd written alone, a crash in between would leave a
    // registry:2-style setup in which every user has every right.
    writeAccessFile(opts.accessPath, access, existing?.text);
    writeHtpasswdFile(opts.htpasswdPath, htpasswd);
    return { created: true, adminPassword };
  });
}
