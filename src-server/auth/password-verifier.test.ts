import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../logger';
import { HtpasswdFile } from './htpasswd';
import { PasswordVerifier } from './password-verifier';
import { VerifyCache } from './verify-cache';
import { slowBcryptHash } from '../../test/auth/slow-hash';

const dir = mkdtempSync(join(tmpdir(), 'berth-verifier-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const line = (u: string, p: string) => execFileSync('htpasswd', ['-nbB', '-C', '8', u, p]).toString();

describe('PasswordVerifier', () => {
  it('verifies htpasswd users, and answers verified credentials without bcrypt', async () => {
    const path = join(dir, 'htpasswd');
    writeFileSync(path, line('alice', 'pw1') + line('bob', 'pw2'));
    const v = new PasswordVerifier({ path, log: silentLogger });
    try {
      expect(v.hasUser('alice')).toBe(true);
      expect(v.hasUser('mallory')).toBe(false);
      expect(await v.verify('alice', 'nope')).toBe(false);
      expect(v.isVerified('alice', 'pw1')).toBe(false);
      expect(await v.verify('alice', 'pw1')).toBe(true);
      expect(v.isVerified('alice', 'pw1')).toBe(true);
      // Concurrent checks of the same credentials share one compare and all agree.
      const shared = [v.verify('bob', 'pw2'), v.verify('bob', 'pw2')];
      expect(v.running('bob', 'pw2')).toBe(shared[0]);
      expect(await Promise.all([...shared, v.verify('bob', 'x')])).toEqual([true, true, false]);
      expect(v.running('bob', 'pw2')).toBeUndefined();
    } finally {
      await v.close();
    }
  });

  it("makes unknown users pay a compare at the cost of the file's users, and verified credentials never wait for one", async () => {
    const path = join(dir, 'slow-first');
    // The first user's cost (20: minutes per compare) is the dummy hash's cost.
    writeFileSync(path, `slow:${slowBcryptHash()}\n${line('alice', 'pw1')}${line('bob', 'pw2')}`);
    const v = new PasswordVerifier({ path, log: silentLogger, pool: { workers: 3, maxQueued: 0 } });
    try {
      expect(await v.verify('alice', 'pw1')).toBe(true);
      const held = [v.verify('mallory', 'pw1'), v.verify('slow', 'guess')];
      // A compare at alice's cost (8) runs and ends on the third thread while the unknown user's goes on.
      expect(await v.verify('alice', 'wrong')).toBe(false);
      expect(v.poolStats).toMatchObject({ running: 2, queued: 0 });
      // Every thread busy and no queue allowed: new checks are refused, verified ones need no thread.
      held.push(v.verify('slow', 'guess-2'));
      const ended = Promise.allSettled(held);
      await expect(v.verify('bob', 'pw2')).rejects.toMatchObject({ code: 'TOOMANYREQUESTS' });
      expect(await v.verify('alice', 'pw1')).toBe(true);
      await v.close();
      expect((await ended).map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    } finally {
      await v.close();
    }
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
