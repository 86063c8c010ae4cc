/**
 * Where connection passwords and tokens live: never in SQLite, never in a log. The Electron shell
 * uses the OS keychain (src-main/keychain.ts); headless Berth uses {@link FileSecretStore}.
 */
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SecretStoreInfo } from '../contract';
import { withLockFile, writeFileAtomic } from '../core/files';

/** Headless Berth's secrets file in a data directory: `<data>/berth/secrets.json`. */
export function defaultSecretsPath(dataDir: string): string {
  return join(dataDir, 'berth', 'secrets.json');
}

/** A place for secrets, by account name (`connection:<id>`). */
export interface SecretStore {
  /** What it is, for status and logs (`keychain`, `file`, `memory`). */
  readonly kind: string;
  /** Where it keeps secrets when that is a file (shown to the user by `secrets:info`). */
  readonly location?: string;
  /** The secret of `account`, or null when none is stored. */
  get(account: string): Promise<string | null>;
  /** Stores (or replaces) the secret of `account`. */
  set(account: string, secret: string): Promise<void>;
  /** Removes the secret of `account`; false when there was none. */
  delete(account: string): Promise<boolean>;
}

/** What `secrets:info` reports of a store: its kind, and its file for a file store. */
export function describeSecretStore(store: SecretStore): SecretStoreInfo {
  const kind = store.kind === 'keychain' || store.kind === 'file' ? store.kind : 'memory';
  return { kind, location: kind === 'file' ? (store.location ?? null) : null };
}

/** A secrets file or folder Berth will not use; the message says how to fix it (never holds a secret). */
export class SecretStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretStoreError';
  }
}

/** Secrets kept in memory only, lost on exit (tests, and a server that must not write any). */
export class MemorySecretStore implements SecretStore {
  readonly kind = 'memory';
  private readonly secrets = new Map<string, string>();

  async get(account: string): Promise<string | null> {
    return this.secrets.get(account) ?? null;
  }

  async set(account: string, secret: string): Promise<void> {
    checkAccount(account);
    this.secrets.set(account, secret);
  }

  async delete(account: string): Promise<boolean> {
    return this.secrets.delete(account);
  }
}

/** The file's content: a version, and the secrets by account. */
interface SecretsFile {
  version: 1;
  secrets: Record<string, string>;
}

/**
 * Headless Berth's secret store: a JSON file, by default `<data>/berth/secrets.json`, in the
 * manner of `~/.docker/config.json` and podman's `auth.json`, but stricter.
 *
 * What it protects against: other users of the machine. The file is created mode 0600 in a folder
 * created mode 0700, and Berth refuses to read it when group or others have any access to it (the
 * error says `chmod 600 <path>`), or when its folder is writable by them (they could swap the file);
 * this is how ssh treats `~/.ssh`. Secrets never go into SQLite (the database, its WAL and backups
 * of it stay free of them) and never into a log or an error message. Writes are atomic (temp file,
 * fsync, rename) under a lock file, so a crash or two Berth processes never lose or mangle it.
 *
 * What it does not protect against: anything running as the same user (or root), which can read the
 * file, and anyone who gets a copy of the disk or of a backup of it: the secrets are stored in
 * plain text, not encrypted. Encrypting them with a key kept beside them would only hide them; a
 * headless server has no one to type a passphrase at start. Where that matters, keep the data
 * folder on an encrypted disk, or use the desktop app, which keeps secrets in the OS keychain.
 */
export class FileSecretStore implements SecretStore {
  readonly kind = 'file';
  /** Serialises this instance's writes (the lock file serialises them between processes). */
  private queue: Promise<unknown> = Promise.resolve();

  /** `path`: the JSON file (created on the first set, with its folder). */
  constructor(readonly path: string) {}

  get location(): string {
    return this.path;
  }

  async get(account: string): Promise<string | null> {
    return this.read().get(account) ?? null;
  }

  async set(account: string, secret: string): Promise<void> {
    checkAccount(account);
    if (typeof secret !== 'string') throw new TypeError('a secret must be a string');
    await this.edit((secrets) => {
      secrets.set(account, secret);
      return true;
    });
  }

  async delete(account: string): Promise<boolean> {
    return this.edit((secrets) => secrets.delete(account));
  }

  /** Reads, changes and writes the file under the lock; `change` answers whether to write. */
  private edit(change: (secrets: Map<string, string>) => boolean): Promise<boolean> {
    const run = async () => {
      const dir = dirname(this.path);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      return withLockFile(
        `${this.path}.lock`,
        () => {
          const secrets = this.read();
          if (!change(secrets)) return false;
          const file: SecretsFile = { version: 1, secrets: Object.fromEntries(secrets) };
          writeFileAtomic(this.path, JSON.stringify(file, null, 2) + '\n', 0o600);
          return true;
        },
        { busy: () => new SecretStoreError(`the secrets file ${this.path} is locked by another Berth process (${this.path}.lock)`) },
      );
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** The file's content; empty when it does not exist yet. Refuses a file others may read. */
  private read(): Map<string, string> {
    const dir = dirname(this.path);
    let mode: number;
    try {
      mode = statSync(this.path).mode;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
      throw new SecretStoreError(`cannot read the secrets file ${this.path}: ${(err as Error).message}`);
    }
    if (mode & 0o077) {
      throw new SecretStoreError(
        `the secrets file ${this.path} can be read by other users (mode ${octal(mode)}); run \`chmod 600 ${this.path}\``,
      );
    }
    const dirMode = statSync(dir).mode;
    if (dirMode & 0o022) {
      throw new SecretStoreError(
        `the folder of the secrets file ${dir} can be written by other users (mode ${octal(dirMode)}); run \`chmod 700 ${dir}\``,
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch (err) {
      if (err instanceof SyntaxError) {
        // JSON.parse quotes the text near the fault, which may be a secret: say only where the file is.
        throw new SecretStoreError(`the secrets file ${this.path} is not valid JSON; fix or remove it`);
      }
      throw new SecretStoreError(`cannot read the secrets file ${this.path}: ${(err as Error).message}`);
    }
    if (!isSecretsFile(parsed)) {
      throw new SecretStoreError(`the secrets file ${this.path} is not a Berth secrets file (version 1, "secrets" of strings)`);
    }
    return new Map(Object.entries(parsed.secrets));
  }
}

function isSecretsFile(v: unknown): v is SecretsFile {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  if (o.version !== 1 || typeof o.secrets !== 'object' || o.secrets === null || Array.isArray(o.secrets)) return false;
  return Object.values(o.secrets).every((s) => typeof s === 'string');
}

function checkAccount(account: string): void {
  if (typeof account !== 'string' || account === '') throw new TypeError('a secret needs an account name');
}

const octal = (mode: number) => '0' + (mode & 0o777).toString(8);
