import { statSync, writeFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRules } from '../rules';
import { loadOrCreateTokenKey, tokenKeyPath } from './key';
import { challengeScope, grantScopes, parseScopes, tokenGrants } from './scope';
import { createTokenSigner } from './signer';

const dir = mkdtempSync(join(tmpdir(), 'berth-token-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('token signing key', () => {
  it('is created once with mode 0600 under <data>/berth and read back the same; concurrent creators agree', async () => {
    const path = tokenKeyPath(join(dir, 'data'));
    expect(path).toBe(join(dir, 'data', 'berth', 'token-key.pem'));
    const [a, b, c] = await Promise.all([loadOrCreateTokenKey(path), loadOrCreateTokenKey(path), loadOrCreateTokenKey(path)]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(new Set([a.kid, b.kid, c.kid]).size).toBe(1);
    expect((await loadOrCreateTokenKey(path)).kid).toBe(a.kid);
  });

  it('refuses a key that is not P-256', async () => {
    const path = join(dir, 'bad.pem');
    writeFileSync(path, 'not a key');
    await expect(loadOrCreateTokenKey(path)).rejects.toThrow(/cannot read token signing key/);
  });
});

describe('token signer', () => {
  it('issues ES256 JWTs with kid, iss, aud, sub, exp and access, and verifies only its own unexpired ones', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const key = await loadOrCreateTokenKey(join(dir, 'k1.pem'));
    const other = await loadOrCreateTokenKey(join(dir, 'k2.pem'));
    const signer = createTokenSigner({ key, service: 'berth', ttlSeconds: 60, now: () => now });
    const access = [{ type: 'repository', name: 'team/app', actions: ['pull'] }];
    const issued = await signer.issue('alice', access);
    expect(issued.expiresIn).toBe(60);
    expect(issued.issuedAt).toBe('2026-01-01T00:00:00.000Z');
    expect(decodeProtectedHeader(issued.token)).toMatchObject({ alg: 'ES256', kid: key.kid });
    expect(decodeJwt(issued.token)).toMatchObject({ iss: 'berth', aud: 'berth', sub: 'alice', exp: now / 1000 + 60, access });
    expect(await signer.verify(issued.token)).toEqual({ sub: 'alice', access, exp: now / 1000 + 60 });

    const foreign = await createTokenSigner({ key: other, service: 'berth', now: () => now }).issue('alice', access);
    expect(await signer.verify(foreign.token)).toBeNull();
    const otherAudience = await createTokenSigner({ key, service: 'elsewhere', now: () => now }).issue('alice', access);
    expect(await signer.verify(otherAudience.token)).toBeNull();
    const [h, p, s] = issued.token.split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...decodeJwt(issued.token), sub: 'admin' })).toString('base64url')}.${s}`;
    expect(p).not.toBe(tampered.split('.')[1]);
    expect(await signer.verify(tampered)).toBeNull();

    now += 60_000; // cached or not, an expired token is refused
    expect(await signer.verify(issued.token)).toBeNull();
    const fresh = createTokenSigner({ key, service: 'berth', now: () => now });
    expect(await fresh.verify(issued.token)).toBeNull();
  });
});

describe('token credential version', () => {
  it('carries the cv claim it was issued with, and none when none was given', async () => {
    const key = await loadOrCreateTokenKey(join(dir, 'k3.pem'));
    const signer = createTokenSigner({ key, service: 'berth' });
    const access = [{ type: 'repository', name: 'team/app', actions: ['pull'] }];
    const bound = await signer.issue('alice', access, { credentialVersion: 'v-123' });
    expect(decodeJwt(bound.token).cv).toBe('v-123');
    expect((await signer.verify(bound.token))?.cv).toBe('v-123');
    const anonymous = await signer.issue('', access);
    expect(decodeJwt(anonymous.token).cv).toBeUndefined();
    expect((await signer.verify(anonymous.token))?.cv).toBeUndefined();
  });
});

describe('scopes', () => {
  it('parses repository and registry scopes, several per value, and skips junk', () => {
    expect(parseScopes(['repository:team/app:pull,push', 'registry:catalog:* repository(plugin):x:pull', 'junk', 'a::'])).toEqual([
      { type: 'repository', name: 'team/app', actions: ['pull', 'push'] },
      { type: 'registry', name: 'catalog', actions: ['*'] },
      { type: 'repository', name: 'x', actions: ['pull'] },
    ]);
  });

  it('grants the requested actions the rules allow and nothing more', () => {
    const req = parseScopes(['repository:team/app:pull,push,delete,*', 'repository:other:pull', 'registry:catalog:*', 'repository:BAD:pull']);
    expect(grantScopes(req, parseRules('pull@*,push@team/*'), true)).toEqual([
      { type: 'repository', name: 'team/app', actions: ['pull', 'push'] },
      { type: 'repository', name: 'other', actions: ['pull'] },
      { type: 'registry', name: 'catalog', actions: ['*'] },
    ]);
    expect(grantScopes(req, parseRules('admin@team/*'), true)[0]!.actions).toEqual(['pull', 'push', 'delete', '*']);
    expect(grantScopes(req, parseRules('pull@other'), false)).toEqual([{ type: 'repository', name: 'other', actions: ['pull'] }]);
  });

  it('checks needs against a token and builds challenge scopes', () => {
    const access = [{ type: 'repository', name: 'a', actions: ['pull'] }, { type: 'repository', name: 'b', actions: ['*'] }];
    expect(tokenGrants(access, { repo: 'a', right: 'pull' })).toBe(true);
    expect(tokenGrants(access, { repo: 'a', right: 'push' })).toBe(false);
    expect(tokenGrants(access, { repo: 'b', right: 'delete' })).toBe(true);
    expect(tokenGrants(access, { repo: 'c', right: 'pull' })).toBe(false);
    expect(challengeScope([{ repo: 'a', right: 'push' }, { repo: 'b', right: 'pull' }])).toBe('repository:a:pull,push repository:b:pull');
    expect(challengeScope([{ repo: 'a', right: 'delete' }])).toBe('repository:a:delete');
  });
});
