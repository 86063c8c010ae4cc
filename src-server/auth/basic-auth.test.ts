import bcrypt from 'bcryptjs';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBasicAuthorization } from './basic-auth';
import { parseHtpasswd } from './htpasswd';
import { VerifyCache } from './verify-cache';

const dir = mkdtempSync(join(tmpdir(), 'berth-auth-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A line made by Apache's own tool, as users make them. */
const htpasswdLine = (user: string, password: string) => execFileSync('htpasswd', ['-nbB', user, password]).toString().trim();


describe('parseHtpasswd', () => {
  it('keeps bcrypt entries of every prefix and lists the others as unsupported', () => {
    const y = htpasswdLine('alice', 'pw');
    const b = `bob:${bcrypt.hashSync('pw2', 4)}`; // bcryptjs writes $2b$
    const a = `carol:${bcrypt.hashSync('pw3', 4).replace('$2b$', '$2a$')}`;
    const text = `# comment\n\n${y}\r\n${b}\n${a}\nmd5:$apr1$abc$def\nsha:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\nnocolon\n`;
    const { users, unsupported } = parseHtpasswd(text);
    expect([...users.keys()]).toEqual(['alice', 'bob', 'carol']);
    expect(users.get('alice')!.startsWith('$2y$')).toBe(true);
    expect(unsupported).toEqual(['md5', 'sha']);
  });
});

const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

describe('parseBasicAuthorization', () => {
  it('splits at the first colon and rejects other schemes', () => {
    expect(parseBasicAuthorization(basic('u', 'p:with:colons'))).toEqual({ user: 'u', password: 'p:with:colons' });
    expect(parseBasicAuthorization('basic ' + Buffer.from('x:').toString('base64'))).toEqual({ user: 'x', password: '' });
    expect(parseBasicAuthorization('Bearer abc')).toBeNull();
    expect(parseBasicAuthorization(`Basic ${Buffer.from('nocolon').toString('base64')}`)).toBeNull();
    expect(parseBasicAuthorization(undefined)).toBeNull();
  });

  it('takes an empty user name with an empty password (what podman, skopeo and buildah send without credentials) as no credentials', () => {
    expect(parseBasicAuthorization('Basic Og==')).toBeNull();
    expect(parseBasicAuthorization(basic('', ''))).toBeNull();
    // Only both empty: either one alone is a login attempt (that fails).
    expect(parseBasicAuthorization(basic('', 'pw'))).toEqual({ user: '', password: 'pw' });
    expect(parseBasicAuthorization(basic('alice', ''))).toEqual({ user: 'alice', password: '' });
  });
});

describe('VerifyCache', () => {
  it('expires entries after the TTL and drops them when the file generation changes', () => {
    let now = 1000;
    const cache = new VerifyCache(60_000, () => now);
    // A password with '-' cannot appear by chance in the key's base64 (whose alphabet has no '-').
    const k = cache.key('alice', 'pw-1');
    expect(k).not.toContain('pw-1');
    expect(cache.key('alice', 'pw-1')).toBe(k);
    // The NUL separator keeps ("ab","c") and ("a","bc") apart.
    expect(cache.key('ab', 'c')).not.toBe(cache.key('a', 'bc'));
    expect(new VerifyCache().key('alice', 'pw-1')).not.toBe(k);
    cache.add(k, 0);
    expect(cache.has(k, 0)).toBe(true);
    expect(cache.has(k, 1)).toBe(false);
    cache.add(k, 0);
    now += 60_001;
    expect(cache.has(k, 0)).toBe(false);
  });

  it('keeps an entry while it is used within the TTL, so a busy client never needs bcrypt again', () => {
    let now = 0;
    const cache = new VerifyCache(60_000, () => now);
    const k = cache.key('alice', 'pw');
    cache.add(k, 0);
    for (let i = 0; i < 5; i++) {
      now += 50_000;
      expect(cache.has(k, 0)).toBe(true);
    }
    now += 60_001;
    expect(cache.has(k, 0)).toBe(false);
  });
});
