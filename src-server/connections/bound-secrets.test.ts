import { describe, expect, it } from 'vitest';
import { boundSecretAccount, ConnectionSecrets, legacySecretAccount, originOf } from './bound-secrets';
import { MemorySecretStore } from './secret-store';

describe('originOf', () => {
  it.each([
    ['https://r.example.com', 'https://r.example.com'],
    ['https://R.example.com:443/prefix', 'https://r.example.com'],
    ['http://r.example.com:80', 'http://r.example.com'],
    ['http://r.example.com:5000', 'http://r.example.com:5000'],
    ['https://[::1]:5443/x', 'https://[::1]:5443'],
  ])('%s is %s', (url, origin) => expect(originOf(url)).toBe(origin));
});

describe('ConnectionSecrets', () => {
  it('hands a secret out only for its own origin', async () => {
    const secrets = new ConnectionSecrets(new MemorySecretStore());
    await secrets.set('a', 'https://r.example.com/prefix', 's3cret');
    expect(await secrets.forUrl('a', 'https://r.example.com')).toBe('s3cret');
    expect(await secrets.forUrl('a', 'http://r.example.com')).toBeNull();
    expect(await secrets.forUrl('a', 'https://r.example.com:444')).toBeNull();
    expect(await secrets.forUrl('a', 'https://evil.example')).toBeNull();
    expect(await secrets.recorded('a', 'https://evil.example')).toEqual({ origin: 'https://r.example.com', secret: 's3cret' });
  });

  it('moves a legacy secret to the bound account, bound to the URL of its first read', async () => {
    const store = new MemorySecretStore();
    await store.set(legacySecretAccount('a'), 'old-pw');
    const secrets = new ConnectionSecrets(store);
    expect(await secrets.forUrl('a', 'http://10.0.0.2:5000')).toBe('old-pw');
    expect(await store.get(legacySecretAccount('a'))).toBeNull();
    expect(JSON.parse((await store.get(boundSecretAccount('a')))!)).toEqual({ origin: 'http://10.0.0.2:5000', secret: 'old-pw' });
    expect(await secrets.forUrl('a', 'https://10.0.0.2:5000')).toBeNull();
  });

  it('still reads a legacy secret when the store refuses to write the moved one', async () => {
    const store = new MemorySecretStore();
    await store.set(legacySecretAccount('a'), 'old-pw');
    const readOnly = { kind: 'locked', get: (a: string) => store.get(a), set: async () => Promise.reject(new Error('locked')), delete: (a: string) => store.delete(a) };
    const secrets = new ConnectionSecrets(readOnly);
    expect(await secrets.forUrl('a', 'https://r.example.com')).toBe('old-pw');
    expect(await store.get(legacySecretAccount('a'))).toBe('old-pw');
  });

  it('never hands out a bound value that is not one (hand-edited or damaged)', async () => {
    const store = new MemorySecretStore();
    const secrets = new ConnectionSecrets(store);
    for (const bad of ['not json', '"a string"', '{"secret":"s"}', '{"origin":"https://r.example.com","secret":5}', 'null']) {
      await store.set(boundSecretAccount('a'), bad);
      await store.set(legacySecretAccount('a'), 'legacy-is-ignored-once-bound');
      expect(await secrets.forUrl('a', 'https://r.example.com'), bad).toBeNull();
    }
  });

  it('deletes both forms', async () => {
    const store = new MemorySecretStore();
    const secrets = new ConnectionSecrets(store);
    await store.set(legacySecretAccount('a'), 'x');
    await store.set(boundSecretAccount('a'), 'y');
    await secrets.delete('a');
    expect([await store.get(legacySecretAccount('a')), await store.get(boundSecretAccount('a'))]).toEqual([null, null]);
  });
});
