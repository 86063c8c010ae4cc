import type { LogLevel } from '../logger';

/** Where the registry listens. `host` undefined means every interface (registry:2's `:5000`). */
export interface ListenAddress {
  host: string | undefined;
  port: number;
}

/** Berth's resolved configuration: everything `berth serve` needs, already validated. */
export interface BerthConfig {
  /** Storage root (registry:2's `storage.filesystem.rootdirectory`). */
  dataDir: string;
  listen: ListenAddress;
  /** PEM files for HTTPS (`http.tls.certificate` + `http.tls.key`); plain HTTP when absent. */
  tls?: { certificate: string; key: string };
  /** `storage.delete.enabled` (Berth's default: true). */
  deleteEnabled: boolean;
  /** `auth.htpasswd`: Basic auth in front of /v2. */
  htpasswd?: { realm: string; path: string };
  logLevel: LogLevel;
  /** The per-request log (`log.accesslog.disabled: false` or `--access-log`); off by default. */
  accessLog: boolean;
}

/** Command-line flags that take part in configuration (highest precedence). */
export interface ConfigFlags {
  data?: string;
  listen?: string;
  accessLog?: boolean;
  logLevel?: string;
}

/** A configuration problem, reported to the user as one line. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}
