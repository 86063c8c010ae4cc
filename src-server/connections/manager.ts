/**
 * The connections the user works with: the local registry (built in) and the saved remote ones,
 * their secrets in a SecretStore, and one registry source per connection for browsing and copying.
 */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { ConnectionDraft, ConnectionInfo, ConnectionTestResult, ConnectionTrust } from '../contract';
import { LOCAL_CONNECTION_ID } from '../contract';
import { RegistryError } from '../core/errors';
import { ConnectionSecrets, originOf } from './bound-secrets';
import type { SecretStore } from './secret-store';
import { ConnectionStore, type StoredConnection } from './store';
import {
  checkKind,
  checkName,
  checkNames,
  checkPassword,
  checkUsername,
  invalid,
  normalizeTrust,
  normalizeUrl,
} from './validate';

/** The local connection's name in lists. */
export const LOCAL_CONNECTION_NAME = 'This computer';

/** What a connection test sends to the registry. */
export interface ProbeInput {
  url: string;
  credentials?: { username: string; password: string };
  trust?: ConnectionTrust;
}

/**
 * What the manager works on. `S` is the registry source type (browse's RegistrySource, which this
 * layer may not import); the two factories come from layers above (remote/probe, browse/remote-source).
 */
export interface ConnectionManagerOptions<S> {
  db: Database.Database;
  secrets: SecretStore;
  /** The embedded registry: its in-process source, and its URL while it listens (null when stopped). */
  local: { source: S; url: () => string | null };
  /** Builds the source of a remote connection with its secret (null without one). */
  remoteSource: (conn: ConnectionInfo, secret: string | null) => S;
  /** Tries a registry: reachability, TLS, credentials. */
  probe: (input: ProbeInput) => Promise<ConnectionTestResult>;
  /** Frees a source dropped after an edit or removal, or at close (its connection pool). */
  closeSource?: (source: S) => Promise<void>;
}

/** Lists, saves, tests and opens connections. Every refusal is a RegistryError with a CONNECTION_* code. */
export class ConnectionManager<S = unknown> {
  private readonly store: ConnectionStore;
  private readonly sources = new Map<string, S>();
  /** Counts edits and removals, so that a source built across one is not cached. */
  private generation = 0;

  /** Each secret with the origin it was given for: it is sent there and nowhere else. */
  private readonly secrets: ConnectionSecrets;

  constructor(private readonly opts: ConnectionManagerOptions<S>) {
    this.store = new ConnectionStore(opts.db);
    this.secrets = new ConnectionSecrets(answerable(opts.secrets));
  }

  /** Every connection, the local one first, then the saved ones oldest first. */
  async list(): Promise<ConnectionInfo[]> {
    const saved = await Promise.all(this.store.list().map((c) => this.info(c)));
    return [this.localInfo(), ...saved];
  }

  /** One connection; CONNECTION_UNKNOWN when there is none with this id. */
  async get(id: string): Promise<ConnectionInfo> {
    if (id === LOCAL_CONNECTION_ID) return this.localInfo();
    return this.info(this.stored(id));
  }

  /** Saves a new remote connection (and its password in the secret store). */
  async add(draft: ConnectionDraft): Promise<ConnectionInfo> {
    if (typeof draft !== 'object' || draft === null) throw invalid('draft', 'a connection needs a name, a kind and a URL');
    const fields = this.checkFields(draft, null);
    const password = checkPassword(draft.password);
    if (password && !fields.username) throw invalid('username', 'a password needs a user name (for a token, any name the registry accepts)');
    const conn: StoredConnection = { id: randomUUID(), ...fields, createdAt: new Date().toISOString() };
    this.insert(conn);
    if (password) {
      try {
        await this.secrets.set(conn.id, conn.url, password);
      } catch (err) {
        this.store.delete(conn.id);
        throw err;
      }
    }
    return this.info(conn);
  }

  /**
   * Changes a saved connection: missing fields keep their value; password null removes it. A URL
   * of another origin (scheme, host or port) drops the stored password unless the same patch gives
   * one: a password typed for one registry is never sent to another.
   */
  async update(id: string, patch: Partial<ConnectionDraft>): Promise<ConnectionInfo> {
    if (id === LOCAL_CONNECTION_ID) throw invalid('id', 'the local registry\'s connection cannot be edited (change its settings instead)');
    const current = this.stored(id);
    if (typeof patch !== 'object' || patch === null) throw invalid('draft', 'the changes must be an object');
    const merged: ConnectionDraft = {
      name: patch.name ?? current.name,
      kind: patch.kind ?? current.kind,
      url: patch.url ?? current.url,
      username: patch.username === undefined ? current.username : patch.username,
      // A URL change may drop https; the trust then has to be given again, and is checked against it.
      trust: patch.trust ?? current.trust,
      repositories: patch.repositories ?? current.repositories,
      namespaces: patch.namespaces ?? current.namespaces,
    };
    const fields = this.checkFields(merged, id);
    const password = checkPassword(patch.password);
    const sameOrigin = originOf(fields.url) === originOf(current.url);
    const kept = password === undefined && sameOrigin ? await this.secrets.forUrl(id, current.url) : null;
    const willHaveSecret = password ? true : kept !== null;
    if (willHaveSecret && !fields.username) {
      throw invalid('username', 'a password needs a user name (remove the password too, or keep a user name)');
    }
    if (password) await this.secrets.set(id, fields.url, password);
    else if (password === null || !sameOrigin) await this.secrets.delete(id);
    const conn: StoredConnection = { ...current, ...fields };
    try {
      this.write(() => this.store.update(conn));
    } finally {
      this.forget(id);
    }
    return this.info(conn);
  }

  /** Removes a saved connection and its secret. */
  async remove(id: string): Promise<void> {
    if (id === LOCAL_CONNECTION_ID) throw invalid('id', 'the local registry\'s connection cannot be removed');
    this.stored(id);
    // The secret first: if the keychain refuses, nothing is lost and the user can try again.
    await this.secrets.delete(id);
    this.store.delete(id);
    this.forget(id);
  }

  /** Tries a saved connection (with its stored secret) or a draft (with the password it carries). */
  async test(args: { id: string } | { draft: ConnectionDraft }): Promise<ConnectionTestResult> {
    if ('id' in args) {
      if (args.id === LOCAL_CONNECTION_ID) {
        const url = this.opts.local.url();
        if (url === null) return notRunning();
        return this.opts.probe({ url, trust: { mode: 'system' } });
      }
      const conn = this.stored(args.id);
      const secret = await this.secrets.forUrl(conn.id, conn.url);
      return this.opts.probe(probeInput(conn.url, conn.username, secret, conn.trust));
    }
    const draft = args.draft;
    if (typeof draft !== 'object' || draft === null) throw invalid('draft', 'a connection needs a kind and a URL');
    // A draft is tried before it has a (unique) name, so only what reaches the registry is checked.
    const kind = checkKind(draft.kind);
    const url = normalizeUrl(draft.url, kind);
    const trust = normalizeTrust(draft.trust, url);
    return this.opts.probe(probeInput(url, checkUsername(draft.username), checkPassword(draft.password) ?? null, trust));
  }

  /** The registry source of a connection (one per remote connection, rebuilt after an edit). */
  async source(id: string): Promise<S> {
    if (id === LOCAL_CONNECTION_ID) return this.opts.local.source;
    const cached = this.sources.get(id);
    if (cached !== undefined) return cached;
    const generation = this.generation;
    const conn = this.stored(id);
    const secret = await this.secrets.forUrl(id, conn.url);
    const source = this.opts.remoteSource(this.toInfo(conn, secret !== null), secret);
    // An edit that ran while the secret was read may have changed it: use this source once, keep none.
    if (generation === this.generation) this.sources.set(id, source);
    return source;
  }

  private checkFields(draft: ConnectionDraft, selfId: string | null): Omit<StoredConnection, 'id' | 'createdAt'> {
    const name = checkName(draft.name);
    if (name.toLowerCase() === LOCAL_CONNECTION_NAME.toLowerCase()) {
      throw invalid('name', `"${LOCAL_CONNECTION_NAME}" is the local registry's name; choose another`);
    }
    const taken = this.store.findByName(name);
    if (taken && taken.id !== selfId) throw invalid('name', `a connection named "${taken.name}" exists already`);
    const kind = checkKind(draft.kind);
    const url = normalizeUrl(draft.url, kind);
    return {
      name,
      kind,
      url,
      username: checkUsername(draft.username),
      trust: normalizeTrust(draft.trust, url),
      repositories: checkNames(draft.repositories, 'repositories'),
      namespaces: checkNames(draft.namespaces, 'namespaces'),
    };
  }

  private forget(id: string): void {
    this.generation++;
    const dropped = this.sources.get(id);
    this.sources.delete(id);
    if (dropped !== undefined) void this.opts.closeSource?.(dropped).catch(() => {});
  }

  /** Frees every remote source (at shutdown); the manager is not used afterwards. */
  async close(): Promise<void> {
    const all = [...this.sources.values()];
    this.sources.clear();
    await Promise.all(all.map((s) => this.opts.closeSource?.(s).catch(() => {})));
  }

  private insert(conn: StoredConnection): void {
    this.write(() => this.store.insert(conn));
  }

  /** Runs a write; a name taken meanwhile by another process is the same refusal as one seen before. */
  private write(fn: () => unknown): void {
    try {
      fn();
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw invalid('name', 'a connection with this name exists already');
      throw err;
    }
  }

  private stored(id: string): StoredConnection {
    const conn = typeof id === 'string' ? this.store.get(id) : null;
    if (!conn) throw unknown(id);
    return conn;
  }

  private async info(conn: StoredConnection): Promise<ConnectionInfo> {
    return this.toInfo(conn, (await this.secrets.forUrl(conn.id, conn.url)) !== null);
  }

  private toInfo(conn: StoredConnection, hasSecret: boolean): ConnectionInfo {
    return { ...conn, hasSecret };
  }

  private localInfo(): ConnectionInfo {
    return {
      id: LOCAL_CONNECTION_ID,
      name: LOCAL_CONNECTION_NAME,
      kind: 'local',
      url: this.opts.local.url(),
      username: null,
      hasSecret: false,
      trust: { mode: 'system' },
      repositories: [],
      namespaces: [],
      createdAt: new Date(0).toISOString(),
    };
  }
}

function probeInput(url: string, username: string | null, secret: string | null, trust: ConnectionTrust): ProbeInput {
  return username !== null && secret !== null ? { url, credentials: { username, password: secret }, trust } : { url, trust };
}

/**
 * The store with its failures (a locked keychain, a secrets file others may read) as
 * SECRETS_UNAVAILABLE, whose message reaches the user, instead of an INTERNAL error only logged.
 */
function answerable(store: SecretStore): SecretStore {
  const guard = async <T>(op: () => Promise<T>): Promise<T> => {
    try {
      return await op();
    } catch (err) {
      if (err instanceof RegistryError) throw err;
      const why = err instanceof Error ? err.message : String(err);
      throw new RegistryError('SECRETS_UNAVAILABLE', { message: `the ${store.kind} secret store failed: ${why}`, detail: { store: store.kind } });
    }
  };
  return {
    kind: store.kind,
    get: (account) => guard(() => store.get(account)),
    set: (account, secret) => guard(() => store.set(account, secret)),
    delete: (account) => guard(() => store.delete(account)),
  };
}

function unknown(id: string): RegistryError {
  // The id means nothing to a user; the connection's name is gone with it.
  return new RegistryError('CONNECTION_UNKNOWN', { message: 'this connection no longer exists: it was removed, perhaps in another window', detail: { id } });
}

function notRunning(): ConnectionTestResult {
  return {
    ok: false,
    url: '',
    apiVersion: null,
    authScheme: 'none',
    catalog: false,
    certificate: null,
    error: { code: 'UNREACHABLE', message: 'the local registry is not running; start it first' },
    latencyMs: 0,
  };
}
