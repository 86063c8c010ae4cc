import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseHtpasswd } from './htpasswd';
import {
  BCRYPT_COST,
  hashPassword,
  HtpasswdDoc,
  InvalidCredentialError,
  readHtpasswdDoc,
  validateNewPassword,
  validatePassword,
  validateUserName,
  writeHtpasswdFile,
} from './htpasswd-store';
import { writeFileAtomic } from '../core/files';

const dir = mkdtempSync(join(tmpdir(), 'berth-htstore-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
/** A path in a new empty folder. */
function fresh(name: string): string {
  const sub = join(dir, `${++n}`);
  mkdirSync(sub);
  return join(sub, name);
}

/** Apache's own check: exit 0 when the password is right. */
function apacheVerifies(file: string, user: string, password: string): boolean {
  return spawnSync('htpasswd', ['-vb', file, user, password], { stdio: 'ignore' }).status === 0;
}

describe('user names and passwords', () => {
  it.each([
    ['', 'use 1 to 64 characters'],
    ['a'.repeat(65), 'use 1 to 64 characters'],
    ['a:b', "no ':'"],
    ['a b', "no ':'"],
    ['tab\there', "no ':'"],
    ['new\nline', "no ':'"],
    ['#alice', "must not start with '#'"],
    ['anonymous', 'reserved'],
  ])('refuses %j', (name, message) => {
    expect(() => validateUserName(name)).toThrow(InvalidCredentialError);
    expect(() => validateUserName(name)).toThrow(message);
  });

  it.each(['a', 'alice', 'a'.repeat(64), 'ci-bot.team_1', 'jörg', 'user@example.com'])('accepts %j', (name) => {
    expect(() => validateUserName(name)).not.toThrow();
  });

  it('refuses empty passwords, line breaks and passwords bcrypt would cut short', () => {
    expect(() => validatePassword('')).toThrow('empty');
    expect(() => validatePassword('a\nb')).toThrow('line break');
    expect(() => validatePassword('a\rb')).toThrow('line break');
    expect(() => validatePassword('x'.repeat(73))).toThrow('72 bytes');
    expect(() => validatePassword('é'.repeat(37))).toThrow('72 bytes');
    expect(() => validatePassword('x'.repeat(72))).not.toThrow();
  });

  it('holds a password Berth sets to at least 12 characters, saying so; stored ones are only held to what bcrypt can store', () => {
    expect(() => validateNewPassword('abc')).toThrow(InvalidCredentialError);
    expect(() => validateNewPassword('abc')).toThrow('the password has 3 characters; use at least 12');
    expect(() => validateNewPassword('x'.repeat(73))).toThrow('72 bytes');
    expect(() => validateNewPassword('twelve-chars')).not.toThrow();
    // An htpasswd entry made elsewhere (registry:2, htpasswd -B) keeps working: hashing is not the policy.
    expect(() => validatePassword('abc')).not.toThrow();
  });
});

describe('hashes', () => {
  it('writes $2y$ bcrypt at cost 10 that Apache htpasswd -vb accepts, and only for the right password', async () => {
    const file = fresh('htpasswd');
    const doc = new HtpasswdDoc();
    const password = 'correct horse: battery staple é';
    const hash = await hashPassword(password);
    expect(hash).toMatch(/^\$2y\$10\$[./A-Za-z0-9]{53}$/);
    expect(BCRYPT_COST).toBe(10);
    doc.setHash('alice', hash);
    writeHtpasswdFile(file, doc);
    expect(apacheVerifies(file, 'alice', password)).toBe(true);
    expect(apacheVerifies(file, 'alice', 'wrong')).toBe(false);
    // The server's reader takes it as a usable bcrypt entry.
    expect(parseHtpasswd(readFileSync(file, 'utf8')).users.get('alice')).toBe(hash);
  });

  it('hashes the same password differently each time (random salt)', async () => {
    expect(await hashPassword('same')).not.toBe(await hashPassword('same'));
  });
});

describe('HtpasswdDoc', () => {
  it('keeps comments, blank lines, other hash types and htpasswd -B entries exactly while editing others', async () => {
    const file = fresh('htpasswd');
    execFileSync('htpasswd', ['-cbB', file, 'carol', 'from-apache']);
    const foreign = [
      '# managed by hand, do not remove',
      '',
      'legacy:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=',
      'md5user:$apr1$abcdefgh$0123456789abcdefghijkl',
      '   # indented comment',
    ];
    writeFileSync(file, `${foreign.join('\n')}\n${readFileSync(file, 'utf8')}bob:$2y$05$toBeRemovedxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n`);
    const before = readFileSync(file, 'utf8');

    const doc = readHtpasswdDoc(file);
    expect(doc.users()).toEqual(['legacy', 'md5user', 'carol', 'bob']);
    doc.setHash('dave', await hashPassword('dave-pass'));
    expect(doc.remove('bob')).toBe(true);
    writeHtpasswdFile(file, doc);

    const after = readFileSync(file, 'utf8');
    const carolLine = before.split('\n').find((l) => l.startsWith('carol:'))!;
    expect(after.startsWith(`${foreign.join('\n')}\n${carolLine}\n`)).toBe(true);
    expect(after).not.toContain('bob:');
    expect(after.endsWith('\n')).toBe(true);
    expect(apacheVerifies(file, 'carol', 'from-apache')).toBe(true);
    expect(apacheVerifies(file, 'dave', 'dave-pass')).toBe(true);
  });

  it('keeps lines that are not entries (Apache itself would refuse them) byte for byte', () => {
    const doc = new HtpasswdDoc('not a user line\r\n:no-name\nx:1\n');
    doc.setHash('y', '2');
    expect(doc.users()).toEqual(['x', 'y']);
    expect(doc.toString()).toBe('not a user line\r\n:no-name\nx:1\ny:2\n');
  });

  it('replaces a user in place and drops its duplicate lines; has/hashOf read the last line as registry:2 does', () => {
    const doc = new HtpasswdDoc('a:one\nb:two\na:three\nc:four\n');
    expect(doc.hashOf('a')).toBe('three');
    expect(doc.has('b')).toBe(true);
    expect(doc.has('zed')).toBe(false);
    doc.setHash('a', 'new');
    expect(doc.toString()).toBe('a:new\nb:two\nc:four\n');
    expect(doc.users()).toEqual(['a', 'b', 'c']);
  });

  it('removes every line of a user and reports unknown users', () => {
    const doc = new HtpasswdDoc('a:1\n# c\na:2\nb:3');
    expect(doc.remove('zed')).toBe(false);
    expect(doc.remove('a')).toBe(true);
    expect(doc.toString()).toBe('# c\nb:3\n');
  });

  it('refuses bad names and hashes', () => {
    const doc = new HtpasswdDoc();
    expect(() => doc.setHash('a:b', 'x')).toThrow(InvalidCredentialError);
    expect(() => doc.setHash('anonymous', 'x')).toThrow('reserved');
    expect(() => doc.setHash('ok', 'has space')).toThrow('invalid password hash');
    expect(() => doc.setHash('ok', '')).toThrow('invalid password hash');
    expect(doc.toString()).toBe('');
  });

  it('reads a missing file as empty and reports other read errors in one line', () => {
    expect(readHtpasswdDoc(join(dir, 'nope', 'htpasswd')).users()).toEqual([]);
    expect(() => readHtpasswdDoc(dir)).toThrow(/^cannot read htpasswd file .*: EISDIR/);
  });
});

describe('atomic writes', () => {
  it('creates the folder, writes mode 0600 and leaves no temp file', () => {
    const file = fresh('sub/htpasswd');
    writeFileAtomic(file, 'x:y\n');
    expect(readFileSync(file, 'utf8')).toBe('x:y\n');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    writeFileSync(file, 'old', { mode: 0o644 });
    writeFileAtomic(file, 'new\n');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(file, '..'))).toEqual(['htpasswd']);
  });

  it('replaces the file behind a symbolic link and keeps the link', () => {
    const target = fresh('real-htpasswd');
    writeFileAtomic(target, 'old\n');
    const link = join(dir, `link-${n}`);
    symlinkSync(target, link);
    writeFileAtomic(link, 'new\n');
    expect(readFileSync(target, 'utf8')).toBe('new\n');
    expect(existsSync(link)).toBe(true);
    expect(statSync(link).ino).toBe(statSync(target).ino);
  });
});
