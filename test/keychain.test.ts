/**
 * keytar against a real Secret Service: gnome-keyring in a private D-Bus session per run, with its
 * own HOME, so nothing touches (or needs) the user's keyring, a display or a prompt. `--unlock`
 * with a password on stdin creates and unlocks the `login` collection, where keytar writes.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KeytarSecretStore, type KeytarLike } from '../src-main/keychain';
import { tempDir } from './helpers/berth-server';

const ROOT = resolve(import.meta.dirname, '..');
const PROBE = join(ROOT, 'test/fixtures/keychain/probe.ts');

const tmp = tempDir('berth-keychain-');
afterAll(() => tmp.cleanup());

/** Runs `script` (bash) inside `dbus-run-session` with an unlocked gnome-keyring and a private HOME. */
function inKeyringSession(home: string, script: string) {
  const runtime = join(home, 'run');
  mkdirSync(runtime, { recursive: true, mode: 0o700 });
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_DATA_HOME: join(home, 'data'),
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_CACHE_HOME: join(home, 'cache'),
    XDG_RUNTIME_DIR: runtime,
    CI: 'true',
  };
  const node = `${JSON.stringify(process.execPath)} --import tsx ${JSON.stringify(PROBE)}`;
  const r = spawnSync(
    'dbus-run-session',
    ['--', 'bash', '-c', `echo -n test | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 90\n${script.replaceAll('PROBE', node)}`],
    { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 },
  );
  expect(r.error).toBeUndefined();
  expect(r.status, r.stderr).toBe(0);
  return r.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('KeytarSecretStore on gnome-keyring (Secret Service over D-Bus)', () => {
  it('sets, gets, overwrites and deletes; accounts and services are apart; another process reads what was kept', () => {
    const home = join(tmp.dir, 'a');
    const [write, read] = inKeyringSession(home, 'PROBE write && PROBE read');
    expect(write).toEqual({
      kind: 'keychain',
      initial: null,
      afterSet: 'first-secret',
      afterOverwrite: 'second-secret',
      unicode: true,
      aAfterB: 'second-secret',
      otherService: null,
      deleted: true,
      afterDelete: null,
      deletedAgain: false,
      bAfterDeleteA: true,
      deletedB: true,
    });
    expect(read).toEqual({ kind: 'keychain', kept: 'kept-secret-7f3a', a: null });

    // The secret went to gnome-keyring's encrypted keyring file, not in the clear.
    const keyrings = join(home, 'data', 'keyrings');
    const files = readdirSync(keyrings);
    expect(files).toContain('login.keyring');
    for (const f of files) expect(readFileSync(join(keyrings, f)).includes('kept-secret-7f3a')).toBe(false);
  });

  it('keeps a separate keyring per session: a new HOME starts empty', () => {
    const [read] = inKeyringSession(join(tmp.dir, 'b'), 'PROBE read');
    expect(read).toEqual({ kind: 'keychain', kept: null, a: null });
  });
});

describe('KeytarSecretStore', () => {
  it('passes its service and the account to keytar, and refuses an empty account', async () => {
    const calls: string[][] = [];
    const fake: KeytarLike = {
      getPassword: async (s, a) => (calls.push(['get', s, a]), 'x'),
      setPassword: async (s, a, p) => void calls.push(['set', s, a, p]),
      deletePassword: async (s, a) => (calls.push(['delete', s, a]), true),
    };
    const store = new KeytarSecretStore(fake);
    await store.set('connection:1', 'pw');
    expect(await store.get('connection:1')).toBe('x');
    expect(await store.delete('connection:1')).toBe(true);
    await expect(store.set('', 'pw')).rejects.toThrow(/account/);
    expect(calls).toEqual([
      ['set', 'Berth', 'connection:1', 'pw'],
      ['get', 'Berth', 'connection:1'],
      ['delete', 'Berth', 'connection:1'],
    ]);
  });
});
