/**
 * The saved connection of a remote host, as headless Berth keeps them: rows in `<data>/berth/app.db`
 * and their origin-bound passwords in `<data>/berth/secrets.json`. Read only: nothing is created
 * when the data directory has no app database.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openAppDatabase } from '../connections/app-db';
import { ConnectionSecrets } from '../connections/bound-secrets';
import { defaultSecretsPath, FileSecretStore } from '../connections/secret-store';
import { ConnectionStore } from '../connections/store';
import type { ConnectionTrust } from '../contract/connections';
import { BERTH_DIR } from '../storage/layout';

/** What a saved connection gives a remote read. */
export interface SavedRemote {
  /** The connection's name, for messages. */
  name: string;
  /** Its base URL (scheme, host, port). */
  url: string;
  username: string | null;
  /** Its password, when one is saved for this URL's origin. */
  password: string | null;
  trust: ConnectionTrust;
}

/** The app database of a data directory. */
export function appDatabasePath(dataDir: string): string {
  return join(dataDir, BERTH_DIR, 'app.db');
}

/** `docker.io` and its aliases name Docker Hub's registry host. */
export function registryHostOf(host: string): string {
  return host === 'docker.io' || host === 'index.docker.io' ? 'registry-1.docker.io' : host;
}

/** The first saved connection whose URL names `host` (`host[:port]`), or null. */
export async function findSavedRemote(dataDir: string, host: string): Promise<SavedRemote | null> {
  const path = appDatabasePath(dataDir);
  if (!existsSync(path)) return null;
  const db = openAppDatabase(path);
  try {
    const wanted = registryHostOf(host);
    const conn = new ConnectionStore(db).list().find((c) => {
      try {
        return new URL(c.url).host === wanted;
      } catch {
        return false;
      }
    });
    if (!conn) return null;
    const password = await new ConnectionSecrets(new FileSecretStore(defaultSecretsPath(dataDir))).forUrl(conn.id, conn.url);
    return { name: conn.name, url: conn.url, username: conn.username, password, trust: conn.trust };
  } finally {
    db.close();
  }
}
