import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultSecretsPath, describeSecretStore, FileSecretStore, MemorySecretStore, SecretStoreError, type SecretStore } from './secret-store';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'berth-secrets-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const mode = (p: string) => statSync(p).mode & 0o777;

describe.each<[string, () => SecretStore]>([
  ['MemorySecretStore', () => new MemorySecretStore()],
  ['FileSecretStore', () => new FileSecretStore(join(dir, 'berth', 'secrets.json'))],
])('%s', (_name, make) => {
  it('sets, gets, overwrites and deletes one account without touching another', async () => {
    const s = make();
    expect(await s.get('connection:a')).toBeNull();
    await s.set('connection:a', 'one');
    await s.set('connection:b', 'pässwörd 🔑 密码');
    await s.set('connection:a', 'two');
    expect(await s.get('connection:a')).toBe('two');
    expect(await s.get('connection:b')).toBe('pässwörd 🔑 密码');
    expect(await s.delete('connection:a')).toBe(true);
    expect(await s.delete('connection:a')).toBe(false);
    expect(await s.get('connection:a')).toBeNull();
    expect(await s.get('connection:b')).toBe('pässwörd 🔑 密码');
  });

  it('treats names like __proto__ as plain accounts', async () => {
    const s = make();
    await s.set('__proto__', 'p');
    await s.set('constructor', 'c');
    expect(await s.get('__proto__')).toBe('p');
    expect(await s.get('constructor')).toBe('c');
    expect(await s.get('toString')).toBeNull();
  });

  it('refuses an empty account name', async () => {
    await expect(make().set('', 'x')).rejects.toThrow(/account/);
  });
});

describe('FileSecretStore', () => {
  const file = () => join(dir, 'berth', 'secrets.json');

  it('lives in <data>/berth/secrets.json by default', () => {
    expect(defaultSecretsPath('/srv/registry')).toBe('/srv/registry/berth/secrets.json');
  });

  it('creates nothing until a secret is set, then a 0600 file in a 0700 folder', async () => {
    const s = new FileSecretStore(file());
    expect(await s.get('x')).toBeNull();
    expect(readdirSync(dir)).toEqual([]);
    await s.set('connection:1', 'secret-1');
    expect(mode(join(dir, 'berth'))).toBe(0o700);
    expect(mode(file())).toBe(0o600);
    expect(JSON.parse(readFileSync(file(), 'utf8'))).toEqual({ version: 1, secrets: { 'connection:1': 'secret-1' } });
    expect(s.kind).toBe('file');
  });

  it('keeps 0600 even under a lax umask, and a second instance (another process) reads what the first wrote', async () => {
    const old = process.umask(0);
    try {
      await new FileSecretStore(file()).set('a', 'b');
    } finally {
      process.umask(old);
    }
    expect(mode(file())).toBe(0o600);
    expect(await new FileSecretStore(file()).get('a')).toBe('b');
  });

  it.each([0o644, 0o640, 0o604, 0o660])('refuses to read or write a file with mode %o and says chmod 600', async (m) => {
    const s = new FileSecretStore(file());
    await s.set('a', 'b');
    chmodSync(file(), m);
    const before = readFileSync(file());
    await expect(s.get('a')).rejects.toThrow(`chmod 600 ${file()}`);
    await expect(s.set('a', 'c')).rejects.toBeInstanceOf(SecretStoreError);
    expect(readFileSync(file())).toEqual(before);
    chmodSync(file(), 0o600);
    expect(await s.get('a')).toBe('b');
  });

  it('refuses a folder others may write to (they could swap the file)', async () => {
    const s = new FileSecretStore(file());
    await s.set('a', 'b');
    chmodSync(join(dir, 'berth'), 0o777);
    await expect(s.get('a')).rejects.toThrow(`chmod 700 ${join(dir, 'berth')}`);
  });

  it('names a broken file without quoting it (it may hold secrets)', async () => {
    mkdirSync(join(dir, 'berth'), { mode: 0o700 });
    writeFileSync(file(), '{"version":1,"secrets":{"a":"hunter2-not-json', { mode: 0o600 });
    const err = await new FileSecretStore(file()).get('a').catch((e: Error) => e);
    expect(err).toBeInstanceOf(SecretStoreError);
    expect((err as Error).message).toContain(file());
    expect((err as Error).message).not.toContain('hunter2');
    expect((err as Error).cause).toBeUndefined();

    writeFileSync(file(), JSON.stringify({ version: 1, secrets: { a: 42 } }));
    await expect(new FileSecretStore(file()).get('a')).rejects.toThrow(/not a Berth secrets file/);
  });

  it('leaves no temp or lock file behind', async () => {
    const s = new FileSecretStore(file());
    await Promise.all(Array.from({ length: 20 }, (_, i) => s.set(`k${i}`, `v${i}`)));
    await s.delete('k3');
    expect(readdirSync(join(dir, 'berth'))).toEqual(['secrets.json']);
    expect(Object.keys(JSON.parse(readFileSync(file(), 'utf8')).secrets)).toHaveLength(19);
  });

  it('keeps every secret when two processes write at once (the lock file serialises them)', async () => {
    const module = resolve(import.meta.dirname, 'secret-store.ts');
    const writer = (who: string) =>
      new Promise<void>((done, fail) => {
        const code = `import { FileSecretStore } from ${JSON.stringify(module)};
          const s = new FileSecretStore(${JSON.stringify(file())});
          for (let i = 0; i < 40; i++) await s.set('${who}' + i, 'secret-${who}' + i);`;
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        child.stderr.on('data', (d) => (err += d));
        child.on('exit', (c) => (c === 0 ? done() : fail(new Error(`writer ${who} exited ${c}: ${err}`))));
      });
    await Promise.all([writer('a'), writer('b')]);
    const s = new FileSecretStore(file());
    for (let i = 0; i < 40; i++) {
      expect(await s.get(`a${i}`)).toBe(`secret-a${i}`);
      expect(await s.get(`b${i}`)).toBe(`secret-b${i}`);
    }
    expect(readdirSync(join(dir, 'berth'))).toEqual(['secrets.json']);
  });
});

describe('describeSecretStore', () => {
  it('names the file of a file store, and only the kind of the others', () => {
    expect(describeSecretStore(new FileSecretStore('/data/berth/secrets.json'))).toEqual({ kind: 'file', location: '/data/berth/secrets.json' });
    expect(describeSecretStore(new MemorySecretStore())).toEqual({ kind: 'memory', location: null });
    const keychain = { kind: 'keychain', get: async () => null, set: async () => {}, delete: async () => false };
    expect(describeSecretStore(keychain)).toEqual({ kind: 'keychain', location: null });
  });
});
