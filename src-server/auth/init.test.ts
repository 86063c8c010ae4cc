import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readAccessFile } from './access-file';
import { readHtpasswdDoc } from './htpasswd-store';
import { authPaths, generatePassword, initAuth } from './init';
import { formatRules } from './rules';

const dir = mkdtempSync(join(tmpdir(), 'berth-init-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPaths = () => authPaths(join(dir, `${++n}`));

function apacheVerifies(file: string, user: string, password: string): boolean {
  return spawnSync('htpasswd', ['-vb', file, user, password], { stdio: 'ignore' }).status === 0;
}

/** Every file under a folder, concatenated, to look for a leaked plaintext. */
function everything(folder: string): string {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'))
    .join('\n');
}

describe('authPaths', () => {
  it('puts both files under <data>/berth unless the config names the htpasswd', () => {
    expect(authPaths('/d')).toEqual({ htpasswdPath: '/d/berth/htpasswd', accessPath: '/d/berth/access.yml' });
    expect(authPaths('/d', '/etc/registry/htpasswd')).toEqual({ htpasswdPath: '/etc/registry/htpasswd', accessPath: '/d/berth/access.yml' });
  });
});

describe('initAuth', () => {
  it('generates 24-character base64url passwords that differ', () => {
    const a = generatePassword();
    expect(a).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(generatePassword()).not.toBe(a);
  });

  it('creates admin with a random password Apache accepts and an access file granting admin@*, never storing the plaintext', async () => {
    const paths = freshPaths();
    const r = await initAuth(paths);
    expect(r.created).toBe(true);
    expect(r.adminPassword).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(apacheVerifies(paths.htpasswdPath, 'admin', r.adminPassword!)).toBe(true);
    expect(readHtpasswdDoc(paths.htpasswdPath).users()).toEqual(['admin']);
    const access = readAccessFile(paths.accessPath)!.doc;
    expect([...access.users.keys()]).toEqual(['admin']);
    expect(formatRules(access.users.get('admin')!)).toBe('admin@*');
    expect(access.anonymous).toEqual([]);
    for (const f of [paths.htpasswdPath, paths.accessPath]) expect(statSync(f).mode & 0o777).toBe(0o600);
    expect(everything(join(paths.htpasswdPath, '..'))).not.toContain(r.adminPassword);
  });

  it('changes nothing when the htpasswd exists and force is not set', async () => {
    const paths = freshPaths();
    const first = await initAuth(paths);
    const before = [readFileSync(paths.htpasswdPath, 'utf8'), readFileSync(paths.accessPath, 'utf8')];
    expect(await initAuth(paths)).toEqual({ created: false });
    expect([readFileSync(paths.htpasswdPath, 'utf8'), readFileSync(paths.accessPath, 'utf8')]).toEqual(before);
    expect(apacheVerifies(paths.htpasswdPath, 'admin', first.adminPassword!)).toBe(true);
  });

  it('with force replaces both files: a new admin password, other users and rights gone', async () => {
    const paths = freshPaths();
    const first = await initAuth(paths);
    writeFileSync(paths.htpasswdPath, `${readFileSync(paths.htpasswdPath, 'utf8')}bob:$2y$05$abcdefghijklmnopqrstuuQ5dJ2pQ1yqvLwz6pFdxtQm2x3Q8m3Zq\n`);
    writeFileSync(paths.accessPath, 'users:\n  admin: admin@*\n  bob: pull@*\nanonymous: pull@*\n');
    const second = await initAuth({ ...paths, force: true });
    expect(second.created).toBe(true);
    expect(second.adminPassword).not.toBe(first.adminPassword);
    expect(apacheVerifies(paths.htpasswdPath, 'admin', second.adminPassword!)).toBe(true);
    expect(apacheVerifies(paths.htpasswdPath, 'admin', first.adminPassword!)).toBe(false);
    expect(readHtpasswdDoc(paths.htpasswdPath).users()).toEqual(['admin']);
    const access = readAccessFile(paths.accessPath)!.doc;
    expect([...access.users.keys()]).toEqual(['admin']);
    expect(access.anonymous).toEqual([]);
  });

  it('without force, keeps the other entries of an access file that is already there', async () => {
    const paths = freshPaths();
    await initAuth(paths);
    rmSync(paths.htpasswdPath);
    writeFileSync(paths.accessPath, '# keep me\nusers:\n  admin: pull@*\n  ci: push@ci/*\nanonymous: pull@public/*\n');
    expect((await initAuth(paths)).created).toBe(true);
    const text = readFileSync(paths.accessPath, 'utf8');
    expect(text).toContain('# keep me');
    const access = readAccessFile(paths.accessPath)!.doc;
    expect(formatRules(access.users.get('admin')!)).toBe('admin@*');
    expect(formatRules(access.users.get('ci')!)).toBe('push@ci/*');
    expect(formatRules(access.anonymous)).toBe('pull@public/*');
  });
});
