import bcrypt from 'bcryptjs';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context } from 'koa';
import { afterAll, describe, expect, it } from 'vitest';
import { RegistryError } from '../core/errors';
import { silentLogger } from '../logger';
import { createBasicAuth, parseBasicAuthorization } from './basic-auth';
import { parseHtpasswd } from './htpasswd';
import { VerifyCache } from './verify-cache';

const dir = mkdtempSync(join(tmpdir(), 'berth-auth-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A line made by Apache's own tool, as users make them. */
const htpasswdLine = (user: string, password: string) => execFileSync('htpasswd', ['-nbB', user, password]).toString().trim();

function fakeCtx(authorization?: string): Context {
  const state: Record<string, unknown> = {};
  return { get: (h: string) => (h.toLowerCase() === 'authorization' ? (authorization ?? '') : ''), ip: '127.0.0.1', state } as unknown as Context;
}
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

async function rejection(p: Promise<void>): Promise<RegistryError> {
  try {
    await p;
  } catch (err) {
    return err as RegistryError;
  }
  throw new Error('expected a rejection');
}

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

describe('parseBasicAuthorization', () => {
  it('splits at the first colon and rejects other schemes', () => {
    expect(parseBasicAuthorization(basic('u', 'p:with:colons'))).toEqual({ user: 'u', password: 'p:with:colons' });
    expect(parseBasicAuthorization('basic ' + Buffer.from('x:').toString('base64'))).toEqual({ user: 'x', password: '' });
    expect(parseBasicAuthorization('Bearer abc')).toBeNull();
    expect(parseBasicAuthorization(`Basic ${Buffer.from('nocolon').toString('base64')}`)).toBeNull();
    expect(parseBasicAuthorization(undefined)).toBeNull();
  });
});

describe('VerifyCache', () => {
  it('expires entries after the TTL and drops them when the file generation changes', () => {
    let now = 1000;
    const cache = new VerifyCache(60_000, () => now);
    const k = cache.key('alice', 'pw');
    expect(k).not.toContain('pw');
    expect(cache.key('alice', 'pw')).toBe(k);
    // The NUL separator keeps ("ab","c") and ("a","bc") apart.
    expect(cache.key('ab', 'c')).not.toBe(cache.key('a', 'bc'));
    expect(new VerifyCache().key('alice', 'pw')).not.toBe(k);
    cache.add(k, 0);
    expect(cache.has(k, 0)).toBe(true);
    expect(cache.has(k, 1)).toBe(false);
    cache.add(k, 0);
    now += 60_001;
    expect(cache.has(k, 0)).toBe(false);
  });
});

describe('createBasicAuth', () => {
  it('challenges missing and wrong credentials, accepts good ones, and sees file edits after a second', async () => {
    const path = join(dir, 'htpasswd');
    writeFileSync(path, htpasswdLine('alice', 'wonderland') + '\n');
    let now = 0;
    const authorize = createBasicAuth({ realm: 'Test "Realm"', path, log: silentLogger, now: () => now });

    for (const header of [undefined, basic('alice', 'wrong'), basic('nobody', 'wonderland'), 'Bearer x']) {
      const err = await rejection(authorize(fakeCtx(header)));
      expect(err.code).toBe('UNAUTHORIZED');
      expect(err.status).toBe(401);
      expect(err.headers['WWW-Authenticate']).toBe('Basic realm="Test \\"Realm\\""');
    }
    const ctx = fakeCtx(basic('alice', 'wonderland'));
    await authorize(ctx);
    expect(ctx.state.user).toBe('alice');

    // Replace alice's password and add bob; within the same second the old file still rules.
    writeFileSync(path, htpasswdLine('alice', 'looking-glass') + '\n' + htpasswdLine('bob', 'builder') + '\n');
    now += 500;
    await authorize(fakeCtx(basic('alice', 'wonderland')));
    expect((await rejection(authorize(fakeCtx(basic('bob', 'builder'))))).code).toBe('UNAUTHORIZED');
    now += 1000;
    await authorize(fakeCtx(basic('bob', 'builder')));
    // The cached success for the old password is dropped with the old file.
    expect((await rejection(authorize(fakeCtx(basic('alice', 'wonderland'))))).code).toBe('UNAUTHORIZED');
    await authorize(fakeCtx(basic('alice', 'looking-glass')));
  });

  it('remembers a success so that the next check costs no bcrypt', async () => {
    const path = join(dir, 'htpasswd-slow');
    // Cost 12 takes hundreds of ms in bcryptjs: a cache hit is far below that.
    writeFileSync(path, `slow:${bcrypt.hashSync('pw', 12)}\n`);
    const authorize = createBasicAuth({ realm: 'r', path, log: silentLogger });
    const t0 = performance.now();
    await authorize(fakeCtx(basic('slow', 'pw')));
    const first = performance.now() - t0;
    const t1 = performance.now();
    for (let i = 0; i < 20; i++) await authorize(fakeCtx(basic('slow', 'pw')));
    const twenty = performance.now() - t1;
    expect(first).toBeGreaterThan(50);
    expect(twenty).toBeLessThan(first);
  });

  it('refuses to start on a missing htpasswd file', () => {
    expect(() => createBasicAuth({ realm: 'r', path: join(dir, 'missing'), log: silentLogger })).toThrow(
      /cannot read htpasswd file .*missing: no such file/,
    );
  });
});

describe('unknown users', () => {
  it('cost the same bcrypt work as known ones', async () => {
    const path = join(dir, 'htpasswd-cost');
    writeFileSync(path, `known:${bcrypt.hashSync('pw', 11)}\n`);
    const authorize = createBasicAuth({ realm: 'r', path, log: silentLogger });
    const time = async (user: string) => {
      const t = performance.now();
      await rejection(authorize(fakeCtx(basic(user, 'wrong'))));
      return performance.now() - t;
    };
    const known = await time('known');
    const unknown = await time('nobody');
    // Cost 11 takes well over 50 ms in bcryptjs; an unknown user that skipped bcrypt would take ~0.
    expect(known).toBeGreaterThan(50);
    expect(unknown).toBeGreaterThan(known / 3);
  });
});
