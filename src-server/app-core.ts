import type Database from 'better-sqlite3';
import type { CoreHandlers } from './api/handlers';
import { createBrowseHandlers } from './api/browse';
import { createConnectionHandlers } from './api/connections';
import { createContentsDownloader, createContentsHandlers, type ContentsDownloader } from './api/contents';
import { createCopyHandlers } from './api/copy';
import { createReferrerHandlers } from './api/referrers';
import { Browser } from './browse/browser';
import { BrowseCache } from './browse/cache';
import { LocalSource } from './browse/local-source';
import { RemoteSource } from './browse/remote-source';
import type { RegistrySource } from './browse/source';
import { openAppDatabase } from './connections/app-db';
import { ConnectionManager } from './connections/manager';
import type { SecretStore } from './connections/secret-store';
import { createContentsService } from './contents/service';
import type { ConnectionInfo } from './contract';
import type { Logger } from './logger';
import { RemoteRegistry } from './remote/client';
import { testConnection } from './remote/probe';
import type { Registry } from './registry/registry';
import type { RegistryService } from './registry/service';

/** What the app core is built on. */
export interface AppCoreOptions {
  /** The embedded registry, browsed (its index, origins and sizes) in-process. */
  registry: Registry;
  /** The registry as it is served, read and written in-process (a pull-through cache around `registry` when one is configured); default `registry`. */
  served?: RegistryService;
  log: Logger;
  /** The app's SQLite file: connections and the browse cache (never a secret). */
  dbPath: string;
  /** Where passwords and tokens go: the OS keychain (desktop) or the 0600 secrets file (headless). */
  secrets: SecretStore;
  /** The local registry's base URL while it listens, else null. */
  localUrl: () => string | null;
  /** Docker Hub's web API (tests point it at loopback). */
  hubApiUrl?: string;
  /** The SQLite file caching layer listings by digest (`<dataDir>/berth/layer-listings.db`); null for none. */
  contentsCachePath: string | null;
}

/** The app core: the handlers of the connections, browse and copy channels, over one app database. */
export interface AppCore {
  handlers: Partial<CoreHandlers>;
  /** Deletes a repository of a remote connection (for `repository:delete` with a connection). */
  deleteRemoteRepository: (connection: string, name: string) => Promise<{ tags: number; manifests: number }>;
  connections: ConnectionManager<RegistrySource>;
  browser: Browser;
  /** Streams a file or folder of an image: the HTTP bridge's download. */
  download: ContentsDownloader;
  close(): Promise<void>;
}

/**
 * The composition root of the GUI's API beside the registry: connections (stored in SQLite,
 * secrets in the secret store), sources for each (the local registry in-process, remotes over
 * HTTP with their own trust), the browse service with its cache, copy, and image contents (files,
 * layers, previews, diffs and downloads, layer listings cached by digest). Used by `berth serve
 * --ui` and by the Electron shell, with the secret store each chooses.
 */
export function createAppCore(opts: AppCoreOptions): AppCore {
  const db: Database.Database = openAppDatabase(opts.dbPath);
  const local = new LocalSource(opts.served ?? opts.registry, () => hostOf(opts.localUrl()) ?? 'localhost:5000');
  const connections = new ConnectionManager<RegistrySource>({
    db,
    secrets: opts.secrets,
    local: { source: local, url: opts.localUrl },
    remoteSource: (conn, secret) => remoteSource(conn, secret, opts.hubApiUrl),
    probe: (input) => testConnection(input),
    closeSource: async (s) => s.close?.(),
  });
  const source = (id: string) => connections.source(id);
  const browser = new Browser({ cache: new BrowseCache(db), source, registry: opts.registry });
  const contents = createContentsService({ cachePath: opts.contentsCachePath, log: opts.log });
  const contentsDeps = { service: contents, source };
  return {
    handlers: {
      ...createConnectionHandlers(connections, opts.secrets),
      ...createBrowseHandlers(browser, opts.log),
      // A copy may have written to the target even when it failed: its listings are re-read.
      ...createCopyHandlers({ source, afterCopy: (connection, repository) => browser.invalidate(connection, repository) }),
      ...createReferrerHandlers(browser),
      ...createContentsHandlers(contentsDeps),
    },
    deleteRemoteRepository: (connection, name) => browser.deleteRepository(connection, name),
    connections,
    browser,
    download: createContentsDownloader(contentsDeps),
    close: async () => {
      await connections.close();
      contents.close();
      db.close();
    },
  };
}

function remoteSource(conn: ConnectionInfo, secret: string | null, hubApiUrl: string | undefined): RegistrySource {
  const credentials = secret !== null && conn.username ? { username: conn.username, password: secret } : undefined;
  const client = new RemoteRegistry({ url: conn.url!, credentials, trust: conn.trust });
  return new RemoteSource({ id: conn.id, name: conn.name, client, kind: conn.kind, repositories: conn.repositories, namespaces: conn.namespaces, hubApiUrl });
}

function hostOf(url: string | null): string | null {
  if (!url) return null;
  try {
    return new URL(url).host;
  } catch {
    return null;
  }
}
