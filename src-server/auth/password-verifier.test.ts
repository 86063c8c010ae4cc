import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../logger';
import { HtpasswdFile } from './htpasswd';
import { PasswordVerifier } from './password-verifier';
import { VerifyCache } from './verify-cache';

const dir = mkdtempSync(join(tmpdir(), 'berth-verifier-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const line = (u: string, p: string) => execFileSync('htpasswd', ['-nbB', '-C', '8', u, p]).toString();

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

describe('PasswordVerifier', () => {
  it('verifies htpasswd users, caches successes, and makes unknown users pay bcrypt', async () => {
    const path = join(dir, 'htpasswd');
    writeFileSync(path, line('alice', 'pw1') + line('bob', 'pw2'));
    const v = new PasswordVerifier({ path, log: silentLogger });
    expect(v.hasUser('alice')).toBe(true);
    expect(v.hasUser('mallory')).toBe(false);
    await v.verify('alice', 'warm-up'); // the first bcrypt run pays for JIT compilation
    const knownFail: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 3; i++) {
      knownFail.push(await timed(async () => expect(await v.verify('alice', `nope${i}`)).toBe(false)));
      unknown.push(await timed(async () => expect(await v.verify(`mallory${i}`, 'pw1')).toBe(false)));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1]!;
    expect(median(unknown)).toBeGreaterThan(median(knownFail) * 0.4);
    const first = await timed(async () => expect(await v.verify('alice', 'pw1')).toBe(true));
    const cached = await timed(async () => expect(await v.verify('alice', 'pw1')).toBe(true));
    expect(cached).toBeLessThan(first / 5);
    // Concurrent checks of the same credentials all agree.
    expect(await Promise.all([v.verify('bob', 'pw2'), v.verify('bob', 'pw2'), v.verify('bob', 'x')])).toEqual([true, true, false]);
  });

  it('gives a credential stamp that changes with the password only, seen at once with fresh', () => {
    const path = join(dir, 'stamps');
    writeFileSync(path, line('dave', 'pw1') + line('erin', 'pw2'));
    const v = new PasswordVerifier({ path, log: silentLogger });
    const dave = v.credentialStamp('dave');
    expect(dave).toMatch(/^[\w-]{43}$/);
    expect(v.credentialStamp('erin')).not.toBe(dave);
    expect(v.credentialStamp('nobody')).toBeNull();
    writeFileSync(path, line('dave', 'pw1-new') + line('erin', 'pw2'));
    // Within the second the change check waits, only a fresh read sees the new password.
    const fresh = v.credentialStamp('dave', true);
    expect(fresh).not.toBeNull();
    expect(fresh).not.toBe(dave);
    expect(v.credentialStamp('nobody', true)).toBeNull();
  });

  it('gives a credential version for tokens that changes with the password and with remove + add, never the stamp itself', () => {
    let now = 0;
    const path = join(dir, 'versions');
    writeFileSync(path, line('dave', 'pw1') + line('erin', 'pw2'));
    const v = new PasswordVerifier({ path, log: silentLogger, now: () => now });
    const dave = v.credentialVersion('dave');
    expect(dave).toMatch(/^[\w-]{22}$/);
    expect(v.credentialVersion('dave')).toBe(dave);
    expect(v.credentialVersion('erin')).not.toBe(dave);
    expect(v.credentialVersion('nobody')).toBeNull();
    expect(dave).not.toBe(v.credentialStamp('dave')!.slice(0, 22));
    const erin = v.credentialVersion('erin');
    // The same password again still gets a new salt, so a new version.
    writeFileSync(path, line('dave', 'pw1') + line('erin', 'pw2'));
    now += 1500;
    expect(v.credentialVersion('dave')).not.toBe(dave);
    expect(v.credentialVersion('erin')).not.toBe(erin);
    writeFileSync(path, line('erin', 'pw2') + '# dave removed\n');
    now += 1500;
    expect(v.credentialVersion('dave')).toBeNull();
  });

  it('works over a shared HtpasswdFile and sees its reloads', async () => {
    let now = 0;
    const path = join(dir, 'shared');
    writeFileSync(path, line('carol', 'pw'));
    const file = new HtpasswdFile(path, { now: () => now });
    const v = new PasswordVerifier({ file, log: silentLogger, now: () => now });
    expect(await v.verify('carol', 'pw')).toBe(true);
    expect(v.isVerified('carol', 'pw')).toBe(true);
    expect(v.isVerified('carol', 'other')).toBe(false);
    writeFileSync(path, line('dave', 'pw') + '\n# carol removed, size differs\n');
    now += 1500;
    // The first look after the change already forgets the verified password.
    expect(v.isVerified('carol', 'pw')).toBe(false);
    expect(v.hasUser('carol')).toBe(false);
    expect(await v.verify('carol', 'pw')).toBe(false);
    expect(await v.verify('dave', 'pw')).toBe(true);
  });
});

describe('VerifyCache keys', () => {
  it('differ where name and password split differently, and between processes', () => {
    const c = new VerifyCache();
    expect(c.key('a', 'b\0c')).not.toBe(c.key('a\0b', 'c'));
    expect(c.key('alice', 'pw')).toBe(c.key('alice', 'pw'));
    expect(new VerifyCache().key('alice', 'pw')).not.toBe(c.key('alice', 'pw'));
  });
});
