import type { LogLevel } from '../logger';
import type { S3Options } from '../storage/s3-options';
import type { UploadPurgeSettings } from '../storage/upload-purge';

/** Where the registry listens. `host` undefined means every interface (registry:2's `:5000`). */
export interface ListenAddress {
  host: string | undefined;
  port: number;
}

/** Berth's resolved configuration: everything `berth serve` needs, already validated. */
export interface BerthConfig {
  /**
   * Storage root (registry:2's `storage.filesystem.rootdirectory`). With `s3` it holds only Berth's
   * own files (index, users, certificates), from `--data`, BERTH_DATA or the default.
   */
  dataDir: string;
  /** The registry's content in an S3-compatible bucket (registry:2's `storage.s3`); absent: under dataDir. */
  s3?: S3Options;
  /**
   * Blob GETs redirected to presigned URLs (`storage.redirect.disable: false`, S3 only). Off unless
   * set, where registry:2 redirects unless disabled; absent when the key is not given.
   */
  redirect?: boolean;
  /**
   * Removal of abandoned uploads (`storage.maintenance.uploadpurging`). Absent when the config does
   * not mention it, which means registry:2's defaults (DEFAULT_UPLOAD_PURGING: on, 168h, every 24h).
   */
  uploadPurging?: UploadPurgeSettings;
  listen: ListenAddress;
  /** PEM files for HTTPS (`http.tls.certificate` + `http.tls.key`); plain HTTP when absent. */
  tls?: { certificate: string; key: string };
  /** `storage.delete.enabled` (Berth's default: true). */
  deleteEnabled: boolean;
  /** Who may do what (issue 3): the mode and where users and rights live. */
  auth: AuthConfig;
  /** A second listener serving HTTPS with Berth's own certificate (`--tls-listen`). */
  tlsListen?: ListenAddress;
  /** Extra names and wildcards for Berth's server certificate (`--tls-name`). */
  tlsNames: string[];
  /** Allow listening beyond loopback without auth (`--allow-open-network`). */
  allowOpenNetwork: boolean;
  logLevel: LogLevel;
  /** The per-request log (`log.accesslog.disabled: false` or `--access-log`); off by default. */
  accessLog: boolean;
  /** The pull-through cache of an upstream registry (`proxy.remoteurl`); absent: a normal registry. */
  proxy?: ProxyConfig;
  /**
   * Reverse proxies whose X-Forwarded-For names the client (`http.trustedproxies`); absent: the
   * client is always the socket's peer.
   */
  trustedProxies?: TrustedProxy[];
  /**
   * How long a deleted tag or manifest stays in the trash (`trash.keep`, Berth's own; default 7d),
   * restorable and held back from garbage collection. 0: deletes skip the trash and are final.
   */
  trashKeepMs: number;
}

/** An address range (CIDR) of `http.trustedproxies`. */
export interface TrustedProxy {
  address: string;
  /** Prefix length; 32 or 128 for a single address. */
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

/** The pull-through cache's settings. The password is never logged. */
export interface ProxyConfig {
  /** The upstream's base URL, without a trailing slash (`proxy.remoteurl`). */
  remoteUrl: string;
  /** `proxy.username` and `proxy.password`, set together. */
  username?: string;
  password?: string;
  /** How long a cached tag is served without asking the upstream (`proxy.tagttl`, default 5m; 0 = always ask). */
  tagTtlMs: number;
}

/** Authentication modes: Basic against htpasswd, Bearer tokens from Berth's /token, or none. */
export const AUTH_MODES = ['basic', 'token', 'none'] as const;
/** An authentication mode. */
export type AuthMode = (typeof AUTH_MODES)[number];

/** Resolved authentication settings. */
export interface AuthConfig {
  mode: AuthMode;
  realm: string;
  /** The htpasswd file: `auth.htpasswd.path`, else `<data>/berth/htpasswd`. */
  htpasswdPath: string;
  /** The rights file, `<data>/berth/access.yml`. */
  accessPath: string;
  /**
   * True when Berth owns the htpasswd (no `auth.htpasswd` in a config): the first start then
   * creates it with an admin user. A registry:2 setup's file is never created or rewritten.
   */
  autoInit: boolean;
}

/** Command-line flags that take part in configuration (highest precedence). */
export interface ConfigFlags {
  data?: string;
  listen?: string;
  auth?: string;
  tlsListen?: string;
  tlsName?: string[];
  allowOpenNetwork?: boolean;
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
