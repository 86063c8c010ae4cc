import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readAccessFile } from './access-file';
import { withLockFile } from '../core/files';
import { InvalidCredentialError, readHtpasswdDoc } from './htpasswd-store';
import { authPaths, initAuth, type AuthPaths } from './init';
import { formatRules } from './rules';
import { addUser, listAccess, listUsers, lockPathOf, removeUser, setAnonymous, setPassword, setRights, UserError } from './users';

const dir = mkdtempSync(join(tmpdir(), 'berth-users-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPaths = () => authPaths(join(dir, `${++n}`));

function apacheVerifies(file: string, user: string, password: string): boolean {
  return spawnSync('htpasswd', ['-vb', file, user, password], { stdio: 'ignore' }).status === 0;
}

/** `name: rules` for every user, plus the anonymous rules, as text. */
function summary(paths: AuthPaths): Record<string, string> {
  const l = listAccess(paths);
  const out: Record<string, string> = {};
  for (const u of l.users) out[u.name] = `${formatRules(u.rules)}${u.hasPassword ? '' : ' (no password)'}`;
  out['(anonymous)'] = formatRules(l.anonymous);
  return out;
}

describe('user management', () => {
  it('adds users with rights (none by default) and a password Apache accepts', async () => {
    const paths = freshPaths();
    await initAuth(paths);
    expect(await addUser(paths, 'alice', 'wonder land', 'pull@*,push@team/*')).toEqual({ accessFileCreated: false });
    await addUser(paths, 'bob', 'builder');
    expect(apacheVerifies(paths.htpasswdPath, 'alice', 'wonder land')).toBe(true);
    expect(apacheVerifies(paths.htpasswdPath, 'bob', 'builder')).toBe(true);
    expect(summary(paths)).toEqual({ admin: 'admin@*', alice: 'pull@*,push@team/*', bob: '', '(anonymous)': '' });
    expect(listUsers(paths).map((u) => u.name)).toEqual(['admin', 'alice', 'bob']);
  });

  it('refuses an existing user, a bad name, bad rules and a bad password without touching the files', async () => {
    const paths = freshPaths();
    await initAuth(paths);
    await addUser(paths, 'alice', 'pw');
    const before = [readFileSync(paths.htpasswdPath, 'utf8'), readFileSync(paths.accessPath, 'utf8')];
    await expect(addUser(paths, 'alice', 'other')).rejects.toThrow('user alice already exists (change the password with `berth user passwd alice`)');
    await expect(addUser(paths, 'a:b', 'pw')).rejects.toThrow(InvalidCredentialError);
    await expect(addUser(paths, 'carol', 'pw', 'pull@*,fly@x')).rejects.toThrow('invalid rights for carol: unknown right "fly" in "fly@x"');
    await expect(addUser(paths, 'carol', '')).rejects.toThrow('the password is empty');
    expect([readFileSync(paths.htpasswdPath, 'utf8'), readFileSync(paths.accessPath, 'utf8')]).toEqual(before);
  });

  it('changes passwords, and refuses users that do not exist', async () => {
    const paths = freshPaths();
    await initAuth(paths);
    await addUser(paths, 'alice', 'old-one');
    await setPassword(paths, 'alice', 'new-one');
    expect(apacheVerifies(paths.htpasswdPath, 'alice', 'new-one')).toBe(true);
    expect(apacheVerifies(paths.htpasswdPath, 'alice', 'old-one')).toBe(false);
    await expect(setPassword(paths, 'zed', 'x')).rejects.toThrow(UserError);
    await expect(setPassword(paths, 'zed', 'x')).rejects.toThrow('no such user: zed');
  });

  it('sets and clears rights and anonymous rules', async () => {
    const paths = freshPaths();
    await initAuth(paths);
    await addUser(paths, 'alice', 'pw');
    await setRights(paths, 'alice', 'delete@team/*');
    await setAnonymous(paths, 'pull@public/*');
    expect(summary(paths)).toEqual({ admin: 'admin@*', alice: 'delete@team/*', '(anonymous)': 'pull@public/*' });
    await setRights(paths, 'alice', '');
    await setAnonymous(paths, '');
    expect(summary(paths)).toEqual({ admin: 'admin@*', alice: '', '(anonymous)': '' });
    expect(readFileSync(paths.accessPath, 'utf8')).not.toMatch(/^anonymous:/m);
    await expect(setRights(paths, 'zed', 'pull@*')).rejects.toThrow('no such user: zed');
    await expect(setRights(paths, 'alice', 'pull@UPPER')).rejects.toThrow('invalid rights for alice: invalid repository pattern "UPPER"');
    await expect(setAnonymous(paths, 'pul')).rejects.toThrow('invalid rights for anonymous: unknown right "pul"');
  });

  it('removes a user from both files, also one only in the access file', async () => {
    const paths = freshPaths();
    await initAuth(paths);
    await addUser(paths, 'alice', 'pw', 'pull@*');
    writeFileSync(paths.accessPath, `${readFileSync(paths.accessPath, 'utf8')}  ghost: "pull@*"\n`);
    expect(summary(paths).ghost).toBe('pull@* (no password)');
    await removeUser(paths, 'alice');
    await removeUser(paths, 'ghost');
    expect(readHtpasswdDoc(paths.htpasswdPath).users()).toEqual(['admin']);
    expect([...readAccessFile(paths.accessPath)!.doc.users.keys()]).toEqual(['admin']);
    await expect(removeUser(paths, 'alice')).rejects.toThrow('no such user: alice');
  });

  it('on a registry:2 setup (htpasswd, no access file) lists everyone with every right, and the first change keeps them so', async () => {
    const paths = freshPaths();
    mkdirSync(join(paths.htpasswdPath, '..'), { recursive: true });
    const r2 = spawnSync('htpasswd', ['-cbB', paths.htpasswdPath, 'legacy', 'pw']);
    expect(r2.status).toBe(0);
    writeFileSync(paths.htpasswdPath, `${readFileSync(paths.htpasswdPath, 'utf8')}md5:$apr1$abcdefgh$0123456789abcdefghijkl\n`);
    const listing = listAccess(paths);
    expect(listing.accessFileExists).toBe(false);
    expect(summary(paths)).toEqual({ legacy: 'admin@*', md5: 'admin@* (no password)', '(anonymous)': '' });

    expect(await addUser(paths, 'newbie', 'pw', 'pull@x/*')).toEqual({ accessFileCreated: true });
    expect(listAccess(paths).accessFileExists).toBe(true);
    expect(summary(paths)).toEqual({ legacy: 'admin@*', md5: 'admin@* (no password)', newbie: 'pull@x/*', '(anonymous)': '' });
    expect(apacheVerifies(paths.htpasswdPath, 'legacy', 'pw')).toBe(true);
  });

  it('does not lose changes made at the same time', async () => {
    const paths = freshPaths();
    await initAuth(paths);
    const names = Array.from({ length: 6 }, (_, i) => `u${i}`);
    await Promise.all(names.map((name) => addUser(paths, name, `pw-${name}`, `pull@${name}/*`)));
    await Promise.all([setAnonymous(paths, 'pull@public/*'), ...names.map((name) => setRights(paths, name, `push@${name}/*`))]);
    const s = summary(paths);
    for (const name of names) {
      expect(s[name]).toBe(`push@${name}/*`);
      expect(apacheVerifies(paths.htpasswdPath, name, `pw-${name}`)).toBe(true);
    }
    expect(s['(anonymous)']).toBe('pull@public/*');
    expect(existsSync(lockPathOf(paths))).toBe(false);
  });

  it('waits for a held lock, takes over a stale one, and gives up with a clear message', async () => {
    const lock = join(dir, `lock-${++n}`);
    writeFileSync(lock, '');
    const t0 = Date.now();
    setTimeout(() => rmSync(lock), 300);
    expect(await withLockFile(lock, () => 'ran')).toBe('ran');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    writeFileSync(lock, '');
    utimesSync(lock, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    expect(await withLockFile(lock, () => 'stale taken over', { waitMs: 1000 })).toBe('stale taken over');
    writeFileSync(lock, '');
    await expect(withLockFile(lock, () => 'never', { waitMs: 200 })).rejects.toThrow('is held by another berth command');
    expect(existsSync(lock)).toBe(true);
  });

  it('judges a lock that names its holder by whether that process lives, not by its age', async () => {
    const lock = join(dir, `lock-${++n}`);
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(lock, String(gone));
    expect(await withLockFile(lock, () => readFileSync(lock, 'utf8'), { waitMs: 1000 })).toBe(String(process.pid));
    expect(existsSync(lock)).toBe(false);
    // A live holder working longer than staleMs keeps its lock.
    writeFileSync(lock, String(process.ppid));
    utimesSync(lock, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    await expect(withLockFile(lock, () => 'never', { waitMs: 200 })).rejects.toThrow('is held by another berth command');
    rmSync(lock);
  });

  it('works from nothing: the first add creates both files', async () => {
    const paths = freshPaths();
    expect(listAccess(paths)).toEqual({ users: [], groups: [], anonymous: [], accessFileExists: false });
    expect(await addUser(paths, 'solo', 'pw')).toEqual({ accessFileCreated: true });
    expect(summary(paths)).toEqual({ solo: '', '(anonymous)': '' });
  });
});

describe('the last administrator', () => {
  /** Both files' text, to show that a refused change wrote nothing. */
  const snapshot = (paths: AuthPaths) => [readFileSync(paths.htpasswdPath, 'utf8'), readFileSync(paths.accessPath, 'utf8')];

  it('cannot be removed or lose admin@*, and the message says why and what to do', async () => {
    const paths = freshPaths();
    await initAuth(paths);
    await addUser(paths, 'alice', 'pw', 'pull@*');
    const before = snapshot(paths);
    const refusal = /^cannot (remove|change).*admin is the only user with admin@\*.*give another user admin@\* first \(berth user access NAME 'admin@\*'\)$/;
    await expect(removeUser(paths, 'admin')).rejects.toThrow(refusal);
    await expect(setRights(paths, 'admin', 'pull@*,push@*')).rejects.toThrow(refusal);
    await expect(setRights(paths, 'admin', '')).rejects.toThrow(refusal);
    // admin on some repositories only is not admin@*: the registry's users could not be managed.
    await expect(setRights(paths, 'admin', 'admin@team/*')).rejects.toThrow(refusal);
    expect(snapshot(paths)).toEqual(before);
    // Changes that keep an administrator still work.
    await setRights(paths, 'admin', 'pull@*,admin@*');
    await removeUser(paths, 'alice');
  });

  it('is the last user who can log in with admin@*: one in the access file without a password does not count', async () => {
    const paths = freshPaths();
    await initAuth(paths);
    writeFileSync(paths.accessPath, `${readFileSync(paths.accessPath, 'utf8')}  ghost: "admin@*"\n`);
    await expect(removeUser(paths, 'admin')).rejects.toThrow('admin is the only user with admin@*');
    // Another administrator who can log in makes the change safe.
    await addUser(paths, 'bob', 'pw', 'admin@*');
    await removeUser(paths, 'admin');
    await expect(setRights(paths, 'bob', 'pull@*')).rejects.toThrow('bob is the only user with admin@*');
    expect(summary(paths)).toMatchObject({ bob: 'admin@*' });
  });

  it('without an access file (every user may do everything) is the last user who can log in', async () => {
    const paths = freshPaths();
    mkdirSync(join(paths.htpasswdPath, '..'), { recursive: true });
    expect(spawnSync('htpasswd', ['-cbB', paths.htpasswdPath, 'legacy', 'pw']).status).toBe(0);
    await expect(removeUser(paths, 'legacy')).rejects.toThrow(/^cannot remove legacy: legacy is the only user who can log in/);
    await expect(setRights(paths, 'legacy', 'pull@*')).rejects.toThrow('legacy is the only user who can log in');
    expect(existsSync(paths.accessPath)).toBe(false);
    expect(readHtpasswdDoc(paths.htpasswdPath).users()).toEqual(['legacy']);
  });

  it('does not stand in the way when there was no administrator to begin with', async () => {
    const paths = freshPaths();
    await addUser(paths, 'solo', 'pw', 'pull@*');
    await addUser(paths, 'other', 'pw');
    await removeUser(paths, 'other');
    await setRights(paths, 'solo', 'push@*');
    expect(summary(paths)).toEqual({ solo: 'push@*', '(anonymous)': '' });
  });
});
