/**
 * The GUI's handler table over a running registry: local control, administration (users,
 * certificates) and the app core (connections, browsing, copy). One composition for both faces of
 * the GUI: `berth serve` (HTTP bridge) and the desktop app's registry process (IPC).
 */
import { join } from 'node:path';
import { createAdminHandlers } from '../api/admin';
import { createCoreHandlers, type CoreHandlers } from '../api/handlers';
import type { LocalControl } from '../api/local';
import { createAppCore, type AppCore } from '../app-core';
import type { BerthConfig } from '../config/types';
import type { SecretStore } from '../connections/secret-store';
import { listingCachePath } from '../contents/listing-cache';
import type { Logger } from '../logger';
import type { createServices } from '../services';
import { BERTH_DIR } from '../storage/layout';
import type { CertificateStore } from '../tls/store';
import type { AuthSetup } from './auth-setup';

/** What the GUI's handlers are built on. */
export interface GuiHandlerDeps {
  config: BerthConfig;
  services: Awaited<ReturnType<typeof createServices>>;
  log: Logger;
  auth: AuthSetup;
  /** Start, stop and settings of the registry, as the hosting process does them. */
  local: LocalControl;
  /** Where connection passwords go: the 0600 file (headless) or the OS keychain (desktop). */
  secrets: SecretStore;
  /** The listeners' URLs (empty while not listening). */
  urls: () => { url: string; tlsUrl: string | null };
  certificates: CertificateStore;
  /** Reloads the HTTPS listener's certificate after a regeneration. */
  reloadCertificate: () => Promise<unknown>;
}

/** Builds the handler table; `core` must be closed with the server. */
export function createGuiHandlers(deps: GuiHandlerDeps): { handlers: CoreHandlers; core: AppCore } {
  const { config, services, log, auth, local } = deps;
  const core = createAppCore({
    registry: services.registry,
    served: services.served,
    log,
    dbPath: join(config.dataDir, BERTH_DIR, 'app.db'),
    secrets: deps.secrets,
    localUrl: () => (local.status().running ? deps.urls().url || null : null),
    // Layer listings by digest: reopening an image, or one sharing layers, reads no layer again.
    contentsCachePath: listingCachePath(config.dataDir),
  });
  // Reports and pull references name the local registry by where it listens.
  services.opener.useLocalHost(() => {
    const url = deps.urls().url;
    try {
      return url ? new URL(url).host : 'localhost';
    } catch {
      return 'localhost';
    }
  });
  // Copies and sync jobs open saved connections through the app core (its keychain, its cached sources).
  services.opener.useConnections(async (idOrName) => {
    const all = await core.connections.list();
    const conn = all.find((c) => c.id === idOrName) ?? all.find((c) => c.name === idOrName);
    return conn ? { source: await core.connections.source(conn.id), name: conn.name } : null;
  });
  const app: Partial<CoreHandlers> = {
    ...createAdminHandlers({
      authPaths: { htpasswdPath: config.auth.htpasswdPath, accessPath: config.auth.accessPath },
      authMode: config.auth.mode,
      // The first start's admin password, handed to the GUI once (users:initial-password).
      initialPassword: auth.initialPassword,
      certificates: deps.certificates,
      tlsUrl: () => deps.urls().tlsUrl,
      reloadCertificate: deps.reloadCertificate,
      onUsersChanged: () => {
        auth.login?.verifier.recheck();
        auth.login?.access.recheck();
      },
    }),
    ...core.handlers,
  };
  const handlers = createCoreHandlers({
    registry: services.registry,
    log,
    local,
    app,
    deleteRemoteRepository: core.deleteRemoteRepository,
    auditPath: services.auditPath,
    usageHistory: services.usageHistory,
    retention: services.retention,
    transfer: services.transfer,
    sync: services.sync,
  });
  return { handlers, core };
}
