/**
 * Opens the registries a copy or a sync job names: the local registry (as served), a saved
 * connection by name or id (through the app core's connections when it runs here, else read from
 * `<data>/berth/app.db` and the secrets file as headless Berth keeps them), or a host: its saved
 * connection when one names it, else the access given. `insecure` means plain http; `tlsVerify:
 * false` accepts any certificate (or plain http when the host does not speak TLS), as skopeo does.
 */
import { existsSync } from 'node:fs';
import { LocalSource } from '../browse/local-source';
import { RemoteSource } from '../browse/remote-source';
import type { RegistrySource } from '../browse/source';
import { openAppDatabase } from '../connections/app-db';
import { ConnectionSecrets } from '../connections/bound-secrets';
import { defaultSecretsPath, FileSecretStore } from '../connections/secret-store';
import { ConnectionStore, type StoredConnection } from '../connections/store';
import { appDatabasePath, findSavedRemote, registryHostOf, type SavedRemote } from '../contents/saved-connection';
import type { ConnectionTrust, HostAccess } from '../contract';
import { LOCAL_CONNECTION_ID } from '../contract';
import { RegistryError } from '../core/errors';
import type { RegistryService } from '../registry/service';
import type { RemoteCredentials } from '../remote/auth';
import { RemoteRegistry } from '../remote/client';
import { fetchPeerCertificate } from '../remote/trust';
import type { TransportTimeouts } from '../remote/transport';
import type { OpenedRegistry, RegistryEndpoint, RegistryOpener } from './endpoints';

/** A saved connection's source as the app core holds it (shared: the opener never closes it). */
export interface ConnectionSourceFound {
  source: RegistrySource;
  /** The connection's name. */
  name: string;
}

/** Looks a saved connection up by id or name; null when none has it. */
export type ConnectionSourceLookup = (idOrName: string) => Promise<ConnectionSourceFound | null>;

/** What the opener works with. */
export interface RegistryOpenerDeps {
  dataDir: string;
  /** The local registry as served. */
  served: RegistryService;
  /** `host[:port]` the local registry is pulled from (default `localhost`). */
  localHost?: () => string;
  /** The app core's connections, when it runs in this process. */
  connectionSource?: ConnectionSourceLookup;
  timeouts?: Partial<TransportTimeouts>;
}

/** A RegistryOpener that can be handed the app core's connections once it exists. */
export interface FullRegistryOpener extends RegistryOpener {
  /** Uses the app core's connections (null: read app.db again). */
  useConnections(lookup: ConnectionSourceLookup | null): void;
  /** Names the local registry by the address it listens on (`127.0.0.1:5000`) in reports and pull references. */
  useLocalHost(host: () => string): void;
}

/** Builds the opener. */
export function createRegistryOpener(deps: RegistryOpenerDeps): FullRegistryOpener {
  let lookup = deps.connectionSource ?? null;
  let hostOfLocal = deps.localHost ?? (() => 'localhost');
  const localHost = () => hostOfLocal();
  return {
    useConnections(l) {
      lookup = l;
    },
    useLocalHost(host) {
      hostOfLocal = host;
    },
    async open(endpoint: RegistryEndpoint): Promise<OpenedRegistry> {
      if ('connection' in endpoint) {
        if (endpoint.connection === LOCAL_CONNECTION_ID) {
          return { source: new LocalSource(deps.served, localHost), label: 'local', host: localHost(), close: async () => {} };
        }
        if (lookup) {
          const found = await lookup(endpoint.connection);
          if (!found) throw unknownConnection(endpoint.connection);
          return { source: found.source, label: found.name, host: found.source.pullHost, close: async () => {} };
        }
        const source = await savedConnectionSource(deps.dataDir, endpoint.connection, deps.timeouts);
        return { source, label: source.name, host: source.pullHost, close: async () => source.close?.() };
      }
      const saved = await findSavedRemote(deps.dataDir, endpoint.host);
      const source = await hostSource(endpoint.host, endpoint.insecure === true, endpoint.access, saved, deps.timeouts);
      return { source, label: endpoint.host, host: endpoint.host, close: async () => source.close?.() };
    },
  };
}

function unknownConnection(name: string): RegistryError {
  return new RegistryError('CONNECTION_UNKNOWN', { message: `no saved connection is named ${JSON.stringify(name)} (nor has that id); add it in Berth, or name the host` });
}

/** A saved connection read from the data directory (no app core in this process). */
async function savedConnectionSource(dataDir: string, idOrName: string, timeouts?: Partial<TransportTimeouts>): Promise<RegistrySource> {
  const path = appDatabasePath(dataDir);
  if (!existsSync(path)) throw unknownConnection(idOrName);
  const db = openAppDatabase(path);
  let conn: StoredConnection | null;
  try {
    const store = new ConnectionStore(db);
    conn = store.get(idOrName) ?? store.findByName(idOrName);
  } finally {
    db.close();
  }
  if (!conn) throw unknownConnection(idOrName);
  const password = await new ConnectionSecrets(new FileSecretStore(defaultSecretsPath(dataDir))).forUrl(conn.id, conn.url);
  const credentials = password !== null && conn.username ? { username: conn.username, password } : undefined;
  const client = new RemoteRegistry({ url: conn.url, credentials, trust: conn.trust, timeouts });
  return new RemoteSource({ id: conn.id, name: conn.name, client, kind: conn.kind, repositories: conn.repositories, namespaces: conn.namespaces });
}

/** Where to connect to a host, and with which trust. */
async function hostEndpoint(host: string, insecure: boolean, access: HostAccess | undefined, saved: SavedRemote | null): Promise<{ url: string; trust: ConnectionTrust | undefined }> {
  if (saved) return { url: saved.url, trust: saved.trust };
  const name = registryHostOf(host);
  if (insecure) return { url: `http://${name}`, trust: undefined };
  const base = `https://${name}`;
  if (access?.caPem) return { url: base, trust: { mode: 'ca', caPem: access.caPem } };
  if (access?.tlsVerify === false) {
    // Whatever certificate it presents is accepted (pinned for this run); a host that does not
    // speak TLS is reached over plain http.
    const cert = await fetchPeerCertificate(base, 5_000).catch(() => null);
    if (cert) return { url: base, trust: { mode: 'pin', pinSha256: cert.fingerprintSha256 } };
    return { url: `http://${name}`, trust: undefined };
  }
  return { url: base, trust: undefined };
}

/** A host as a RegistrySource: its saved connection's password first, else `access`. */
export async function hostSource(host: string, insecure: boolean, access: HostAccess | undefined, saved: SavedRemote | null, timeouts?: Partial<TransportTimeouts>): Promise<RegistrySource> {
  const { url, trust } = await hostEndpoint(host, insecure, access, saved);
  const savedCreds = saved?.username && saved.password !== null ? { username: saved.username, password: saved.password } : undefined;
  const given: RemoteCredentials | undefined = access?.username !== undefined && access.password !== undefined ? { username: access.username, password: access.password } : undefined;
  const client = new RemoteRegistry({ url, credentials: savedCreds ?? given, trust, timeouts });
  const hub = new URL(url).host === 'registry-1.docker.io';
  return new RemoteSource({ id: `host:${host}`, name: host, client, kind: hub ? 'dockerhub' : 'registry' });
}
