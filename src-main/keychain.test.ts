import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultSecretsPath, FileSecretStore } from '../src-server/connections/secret-store';
import { chooseSecretStore, keychainForMain, type KeytarLike } from './keychain';

/** keytar over a map of `service/account`, recording the calls. */
class FakeKeytar implements KeytarLike {
  readonly entries = new Map<string, string>();
  readonly calls: string[] = [];
  async getPassword(service: string, account: string): Promise<string | null> {
    this.calls.push(`get ${service}/${account}`);
    return this.entries.get(`${service}/${account}`) ?? null;
  }
  async setPassword(service: string, account: string, password: string): Promise<void> {
    this.calls.push(`set ${service}/${account}`);
    this.entries.set(`${service}/${account}`, password);
  }
  async deletePassword(service: string, account: string): Promise<boolean> {
    this.calls.push(`delete ${service}/${account}`);
    return this.entries.delete(`${service}/${account}`);
  }
}

/** keytar whose first question never gets an answer (a Secret Service that hangs). */
const hanging = (): KeytarLike => ({
  getPassword: () => new Promise<string | null>(() => undefined),
  setPassword: async () => undefined,
  deletePassword: async () => false,
});

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'berth-keychain-'));
  dirs.push(d);
  return d;
};

describe('chooseSecretStore', () => {
  it('uses the keychain when keytar answers, with no warning', async () => {
    const keytar = new FakeKeytar();
    const { store, warning } = await chooseSecretStore(tempDir(), { load: async () => keytar });
    expect(warning).toBeNull();
    expect(store.kind).toBe('keychain');
    expect(keytar.calls).toEqual(['get Berth/probe']);
    await store.set('connection:1', 'pw');
    expect(keytar.entries.get('Berth/connection:1')).toBe('pw');
    expect(await store.get('connection:1')).toBe('pw');
    expect(await store.delete('connection:1')).toBe(true);
    expect(await store.get('connection:1')).toBeNull();
  });

  it('falls back to the secrets file, naming its path and the reason, when keytar cannot load', async () => {
    const dir = tempDir();
    const { store, warning } = await chooseSecretStore(dir, {
      load: async () => {
        throw new Error('libsecret-1.so.0: cannot open shared object file');
      },
    });
    expect(store).toBeInstanceOf(FileSecretStore);
    expect(store.kind).toBe('file');
    expect((store as FileSecretStore).path).toBe(defaultSecretsPath(dir));
    expect(warning).toContain(defaultSecretsPath(dir));
    expect(warning).toContain('libsecret-1.so.0');
    // The fallback works.
    await store.set('connection:1', 'pw');
    expect(await store.get('connection:1')).toBe('pw');
  });

  it('falls back when the keychain rejects the probe, even with a non-Error', async () => {
    const dir = tempDir();
    const keytar = new FakeKeytar();
    keytar.getPassword = () => Promise.reject('Cannot autolaunch D-Bus without X11 $DISPLAY');
    const { store, warning } = await chooseSecretStore(dir, { load: async () => keytar });
    expect(store.kind).toBe('file');
    expect(warning).toContain('Cannot autolaunch D-Bus');
  });

  it('falls back after timeoutMs when the keychain never answers', async () => {
    const dir = tempDir();
    const started = Date.now();
    const { store, warning } = await chooseSecretStore(dir, { load: async () => hanging(), timeoutMs: 40 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(35);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(store.kind).toBe('file');
    expect(warning).toContain('no answer in 40 ms');
    expect(warning).toContain(defaultSecretsPath(dir));
  });
});

describe('keychainForMain', () => {
  it('is the keychain when keytar answers', async () => {
    const keytar = new FakeKeytar();
    const store = await keychainForMain({ load: async () => keytar });
    expect(store.kind).toBe('keychain');
    await store.set('registry-user:admin', 'pw');
    expect(keytar.entries.get('Berth/registry-user:admin')).toBe('pw');
    expect(await store.get('registry-user:admin')).toBe('pw');
  });

  it('refuses to store with the reason when keytar cannot load, and holds nothing', async () => {
    const store = await keychainForMain({
      load: async () => {
        throw new Error('no Secret Service');
      },
    });
    expect(store.kind).toBe('none');
    await expect(store.set('registry-user:admin', 'pw')).rejects.toThrow('the OS keychain is not available: no Secret Service');
    expect(await store.get('registry-user:admin')).toBeNull();
    expect(await store.delete('registry-user:admin')).toBe(false);
  });

  it('refuses after timeoutMs when the keychain never answers', async () => {
    const store = await keychainForMain({ load: async () => hanging(), timeoutMs: 30 });
    expect(store.kind).toBe('none');
    await expect(store.set('registry-user:admin', 'pw')).rejects.toThrow('no answer in 30 ms');
  });
});
