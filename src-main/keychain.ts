/**
 * The desktop app's secret store: the OS keychain (macOS Keychain, Windows Credential Manager, the
 * Secret Service on Linux: GNOME Keyring, KWallet) through keytar. Only the Electron shell loads
 * keytar (a native module); src-server sees the SecretStore interface.
 */
import { defaultSecretsPath, FileSecretStore, type SecretStore } from '../src-server/connections/secret-store';

/** The part of keytar Berth uses (keytar's own functions, or a stand-in with the same behaviour). */
export interface KeytarLike {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

/** Secrets in the OS keychain, as entries of `service` (`Berth`) named by account (`connection:<id>`). */
export class KeytarSecretStore implements SecretStore {
  readonly kind = 'keychain';

  constructor(
    private readonly keytar: KeytarLike,
    private readonly service = 'Berth',
  ) {}

  get(account: string): Promise<string | null> {
    return this.keytar.getPassword(this.service, account);
  }

  async set(account: string, secret: string): Promise<void> {
    if (typeof account !== 'string' || account === '') throw new TypeError('a secret needs an account name');
    await this.keytar.setPassword(this.service, account, secret);
  }

  delete(account: string): Promise<boolean> {
    return this.keytar.deletePassword(this.service, account);
  }
}

/**
 * Loads keytar. It is CommonJS: under Node's ESM its functions sit on the namespace's `default`
 * (the named exports Node guesses hold only `getPassword`); a bundler may flatten them onto the
 * namespace itself. Whichever has all three is used.
 */
export async function loadKeytar(): Promise<KeytarLike> {
  const mod = (await import('keytar')) as unknown as Partial<KeytarLike> & { default?: Partial<KeytarLike> };
  const api = [mod.default, mod].find(isKeytar);
  if (!api) throw new Error('keytar loaded without getPassword, setPassword and deletePassword');
  return {
    getPassword: api.getPassword.bind(api),
    setPassword: api.setPassword.bind(api),
    deletePassword: api.deletePassword.bind(api),
  };
}

function isKeytar(m: Partial<KeytarLike> | undefined): m is KeytarLike {
  return !!m && typeof m.getPassword === 'function' && typeof m.setPassword === 'function' && typeof m.deletePassword === 'function';
}

/** How long the keychain may take to answer the first question before Berth gives up on it. */
const PROBE_TIMEOUT_MS = 5000;

/**
 * The desktop registry process's secret store: the OS keychain when it answers, else the headless
 * file store (`<data>/berth/secrets.json`, mode 0600) with a warning saying why. On Linux without a
 * Secret Service (no GNOME Keyring or KWallet running) keytar throws or never answers; Berth must
 * still start, and the user must be told where their passwords went.
 */
export async function chooseSecretStore(
  dataDir: string,
  opts: { load?: () => Promise<KeytarLike>; timeoutMs?: number } = {},
): Promise<{ store: SecretStore; warning: string | null }> {
  const load = opts.load ?? loadKeytar;
  try {
    const keytar = await load();
    await withTimeout(keytar.getPassword('Berth', 'probe'), opts.timeoutMs ?? PROBE_TIMEOUT_MS);
    return { store: new KeytarSecretStore(keytar), warning: null };
  } catch (err) {
    const path = defaultSecretsPath(dataDir);
    return {
      store: new FileSecretStore(path),
      warning: `the OS keychain is not available (${(err as Error).message}); connection passwords are kept in ${path} (readable only by you)`,
    };
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/**
 * The main process's keychain (the local registry's admin password): keytar when it answers, else a
 * store that refuses with the reason, so the first-run offer shows the password again instead of
 * writing it anywhere else.
 */
export async function keychainForMain(opts: { load?: () => Promise<KeytarLike>; timeoutMs?: number } = {}): Promise<SecretStore> {
  try {
    const keytar = await (opts.load ?? loadKeytar)();
    await withTimeout(keytar.getPassword('Berth', 'probe'), opts.timeoutMs ?? PROBE_TIMEOUT_MS);
    return new KeytarSecretStore(keytar);
  } catch (err) {
    const reason = `the OS keychain is not available: ${(err as Error).message}`;
    return {
      kind: 'none',
      get: async () => null,
      set: async () => {
        throw new Error(reason);
      },
      delete: async () => false,
    };
  }
}
