import { LOG_LEVELS, type LogLevel } from '../logger';
import { DEFAULT_LISTEN, DEFAULT_REALM, defaultDataDir } from './defaults';
import { parseDuration } from './duration';
import { parseListen } from './listen';
import { parseLongDuration } from '../core/long-duration';
import { UPLOAD_PURGING_KEYS, uploadPurgingConfig } from './maintenance';
import { redirectConfig, S3_KEYS, S3_KNOWN_UNSUPPORTED_KEYS, s3Config } from './s3';
import { TRUSTED_PROXIES_KEY, trustedProxiesConfig } from './trusted-proxies';
import { treeSource, type ConfigSource, type ConfigSources } from './provenance';
import { applyEnvOverrides, bool, type ConfigNode, type ConfigTree, isTree, nodeAt, parseConfigText, str, unimplementedKeys } from './tree';
import { join } from 'node:path';
import { AUTH_MODES, type AuthMode, type BerthConfig, ConfigError, type ConfigFlags, type ListenAddress } from './types';

export { parseDuration } from './duration';

/** Everything configuration depends on, passed in so that resolution is pure. */
export interface ResolveInput {
  flags: ConfigFlags;
  env: NodeJS.ProcessEnv;
  /** Text of the `--config` file, if one was given. */
  fileText?: string;
  /** Name of that file, for messages. */
  fileName?: string;
  platform?: NodeJS.Platform;
  home?: string;
}

/** A resolved configuration, where each value came from, and the warnings to print once at start. */
export interface ResolvedConfig {
  config: BerthConfig;
  /** The source of each value (see provenance.ts). */
  sources: ConfigSources;
  warnings: string[];
}

/** registry:2 keys Berth reads with the same meaning. */
const IMPLEMENTED = new Set([
  'version',
  'http.addr',
  'http.net',
  'http.tls.certificate',
  'http.tls.key',
  // Berth's own: the reverse proxies whose X-Forwarded-For names the client.
  TRUSTED_PROXIES_KEY,
  'storage.filesystem.rootdirectory',
  'storage.delete.enabled',
  ...S3_KEYS,
  'storage.redirect.disable',
  ...UPLOAD_PURGING_KEYS,
  'auth.htpasswd.realm',
  'auth.htpasswd.path',
  'proxy.remoteurl',
  'proxy.username',
  'proxy.password',
  // Berth's own: how long a cached tag is served before the upstream is asked again.
  'proxy.tagttl',
  'log.level',
  'log.accesslog.disabled',
  // Berth's own: how long deletes stay in the trash.
  'trash.keep',
]);

/** Storage keys that are settings rather than a storage driver. */
const STORAGE_SETTINGS = new Set(['delete', 'maintenance', 'cache', 'redirect', 'tag']);
/** The storage drivers Berth has. */
const STORAGE_DRIVERS = new Set(['filesystem', 's3']);

/** registry:2 (logrus) level names mapped onto Berth's. */
const LEVEL_ALIASES: Record<string, LogLevel> = { trace: 'debug', warning: 'warn', fatal: 'error', panic: 'error' };

function nonEmpty(node: ConfigNode | undefined): boolean {
  if (node === undefined) return false;
  if (typeof node === 'string') return node !== '' && node !== '~';
  return Array.isArray(node) ? node.length > 0 : Object.keys(node).length > 0;
}

function logLevel(value: string, source: string): LogLevel {
  const v = value.toLowerCase();
  const level = LEVEL_ALIASES[v] ?? (LOG_LEVELS as readonly string[]).find((l) => l === v);
  if (!level) throw new ConfigError(`${source}: unknown log level "${value}" (use ${LOG_LEVELS.join(', ')})`);
  return level as LogLevel;
}

/** Refuses what Berth cannot honour, where serving anyway would be wrong or unsafe. */
function refuseUnsupported(tree: ConfigTree): void {
  const storage = nodeAt(tree, 'storage');
  const drivers = (isTree(storage) ? Object.keys(storage) : []).filter((key) => !STORAGE_SETTINGS.has(key));
  for (const key of drivers) {
    if (!STORAGE_DRIVERS.has(key)) throw new ConfigError(`storage.${key}: storage driver "${key}" is not supported; Berth stores on the filesystem or in S3 (storage.s3)`);
  }
  if (drivers.length > 1) {
    throw new ConfigError(
      `storage: ${drivers.join(' and ')} are both set; registry:2 takes one storage driver ` +
        "(REGISTRY_STORAGE=s3 replaces the file's storage section, as it does for registry:2)",
    );
  }
  const auth = nodeAt(tree, 'auth');
  for (const key of isTree(auth) ? Object.keys(auth) : []) {
    // Serving without the access control the file asks for would open the registry to everyone.
    if (key !== 'htpasswd') throw new ConfigError(`auth.${key}: auth type "${key}" is not supported; Berth supports auth.htpasswd`);
  }
  for (const key of ['http.tls.clientcas', 'http.tls.letsencrypt']) {
    if (nonEmpty(nodeAt(tree, key))) throw new ConfigError(`${key} is not supported`);
  }
  const net = str(tree, 'http.net');
  if (net !== undefined && net !== 'tcp') throw new ConfigError(`http.net: "${net}" is not supported; Berth listens on TCP`);
}

/**
 * The auth mode: the flag when given; else Basic when the config has auth.htpasswd; else none for a
 * registry:2 config without auth (its meaning there); else Berth's own default, Basic.
 */
function authMode(flag: string | undefined, hasHtpasswd: boolean, hasFile: boolean): AuthMode {
  if (flag !== undefined) {
    if (!(AUTH_MODES as readonly string[]).includes(flag)) {
      throw new ConfigError(`--auth: unknown mode "${flag}" (use ${AUTH_MODES.join(', ')})`);
    }
    return flag as AuthMode;
  }
  if (hasHtpasswd) return 'basic';
  return hasFile ? 'none' : 'basic';
}

/** `proxy.tagttl` when not set: tags are re-checked upstream at most every five minutes. */
export const DEFAULT_TAG_TTL_MS = 5 * 60_000;

/**
 * The pull-through cache (registry:2's `proxy` section, plus Berth's `proxy.tagttl`), or undefined
 * when `proxy.remoteurl` is not set. Error messages never repeat the password.
 */
function proxyConfig(tree: ConfigTree, warnings: string[]): BerthConfig['proxy'] {
  const remote = str(tree, 'proxy.remoteurl');
  const username = str(tree, 'proxy.username');
  const password = str(tree, 'proxy.password');
  const ttl = str(tree, 'proxy.tagttl');
  if (!remote) {
    if (username !== undefined || password !== undefined || ttl !== undefined) warnings.push('proxy settings without proxy.remoteurl are ignored');
    return undefined;
  }
  // Whatever precedes an `@` may be a password: never repeated in a message.
  const shown = remote.replace(/^[^@]*@/, (m) => m.replace(/[^/:]*@$/, '***@'));
  let url: URL;
  try {
    url = new URL(remote);
  } catch {
    throw new ConfigError(`proxy.remoteurl: "${shown}" is not a URL (e.g. https://registry-1.docker.io)`);
  }
  if (url.username || url.password) {
    throw new ConfigError('proxy.remoteurl: put the user name and password in proxy.username and proxy.password, not in the URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`proxy.remoteurl: "${shown}" must start with https:// or http://`);
  }
  if (url.search || url.hash) throw new ConfigError(`proxy.remoteurl: "${shown}" must not have a query or fragment`);
  if ((username === undefined) !== (password === undefined)) throw new ConfigError('proxy.username and proxy.password must be set together');
  const tagTtlMs = ttl === undefined ? DEFAULT_TAG_TTL_MS : parseDuration(ttl);
  if (tagTtlMs === null) throw new ConfigError(`proxy.tagttl: invalid duration "${ttl}" (e.g. 30s, 5m, 1h, or 0 to ask the upstream on every pull)`);
  const remoteUrl = (url.origin + url.pathname).replace(/\/+$/, '');
  return { remoteUrl, ...(username !== undefined ? { username, password: password! } : {}), tagTtlMs };
}

/** `trash.keep` when not set: a week. */
export const DEFAULT_TRASH_KEEP_MS = 7 * 86_400_000;

/** `trash.keep`: a duration (`7d`, `36h`, `2w`), or 0 for deletes that skip the trash. */
function trashKeep(tree: ConfigTree): number {
  const text = str(tree, 'trash.keep');
  if (text === undefined) return DEFAULT_TRASH_KEEP_MS;
  const ms = parseLongDuration(text);
  if (ms === null) throw new ConfigError(`trash.keep: invalid duration "${text}" (e.g. 7d, 36h, 2w, or 0 for deletes that skip the trash)`);
  return ms;
}

/** True for addresses only this machine can reach. */
export function isLoopback(addr: ListenAddress): boolean {
  const h = addr.host;
  if (h === undefined) return false;
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * Resolves Berth's configuration with registry:2's meanings. Precedence: command-line flags, then
 * BERTH_DATA and REGISTRY_* variables, then the config file, then Berth's defaults. Throws
 * ConfigError with a one-line message.
 */
export function resolveConfig(input: ResolveInput): ResolvedConfig {
  const { flags, env } = input;
  const tree = input.fileText === undefined ? {} : parseConfigText(input.fileText, input.fileName ?? 'config');
  const envPaths = applyEnvOverrides(tree, env);
  const from = (key: string): ConfigSource => treeSource(tree, envPaths, key);
  refuseUnsupported(tree);
  const warnings = unimplementedKeys(tree, IMPLEMENTED, new Set(['http.tls.clientcas', 'http.tls.letsencrypt', ...S3_KNOWN_UNSUPPORTED_KEYS])).map(
    (k) => `config key ${k} is not supported by Berth and is ignored`,
  );

  const listen = flags.listen !== undefined
    ? parseListen(flags.listen, '--listen')
    : parseListen(str(tree, 'http.addr') ?? DEFAULT_LISTEN, 'http.addr');

  const certificate = str(tree, 'http.tls.certificate');
  const key = str(tree, 'http.tls.key');
  if (!!certificate !== !!key) throw new ConfigError('http.tls needs both certificate and key');

  let htpasswd: { realm: string; path: string } | undefined;
  if (isTree(nodeAt(tree, 'auth.htpasswd'))) {
    const path = str(tree, 'auth.htpasswd.path');
    if (!path) throw new ConfigError('auth.htpasswd.path must be set (the htpasswd file to read)');
    htpasswd = { realm: str(tree, 'auth.htpasswd.realm') ?? DEFAULT_REALM, path };
  }
  const dataDir =
    flags.data || env.BERTH_DATA || str(tree, 'storage.filesystem.rootdirectory') || defaultDataDir(input.platform, env, input.home);

  const levelFlag = flags.logLevel;
  const levelTree = str(tree, 'log.level');
  const accessDisabled = bool(tree, 'log.accesslog.disabled');

  const tlsListen = flags.tlsListen !== undefined ? parseListen(flags.tlsListen, '--tls-listen') : undefined;
  const allowOpenNetwork = flags.allowOpenNetwork === true;
  const auth = {
    mode: authMode(flags.auth, htpasswd !== undefined, input.fileText !== undefined),
    realm: htpasswd?.realm ?? DEFAULT_REALM,
    htpasswdPath: htpasswd?.path ?? join(dataDir, 'berth', 'htpasswd'),
    accessPath: join(dataDir, 'berth', 'access.yml'),
    autoInit: htpasswd === undefined,
  };
  if (auth.mode === 'none' && !allowOpenNetwork) {
    for (const [addr, source] of [[listen, '--listen'], [tlsListen, '--tls-listen']] as const) {
      if (addr && !isLoopback(addr)) {
        throw new ConfigError(
          `${source} ${addr.host ?? '(every interface)'} is reachable from the network and auth is off: ` +
            'everyone could push and delete. Turn auth on (the default, or auth.htpasswd), or pass --allow-open-network',
        );
      }
    }
  }

  const config: BerthConfig = {
    dataDir,
    listen,
    ...(certificate && key ? { tls: { certificate, key } } : {}),
    deleteEnabled: bool(tree, 'storage.delete.enabled') ?? true,
    auth,
    ...(tlsListen ? { tlsListen } : {}),
    tlsNames: flags.tlsName ?? [],
    allowOpenNetwork,
    logLevel: levelFlag !== undefined ? logLevel(levelFlag, '--log-level') : levelTree ? logLevel(levelTree, 'log.level') : 'info',
    accessLog: flags.accessLog === true || accessDisabled === false,
    trashKeepMs: trashKeep(tree),
  };
  const proxy = proxyConfig(tree, warnings);
  if (proxy) config.proxy = proxy;
  const s3 = s3Config(tree, warnings);
  if (s3) config.s3 = s3;
  const redirect = redirectConfig(tree, s3, warnings);
  if (redirect !== undefined) config.redirect = redirect;
  const uploadPurging = uploadPurgingConfig(tree);
  if (uploadPurging) config.uploadPurging = uploadPurging;
  const trustedProxies = trustedProxiesConfig(tree);
  if (trustedProxies) config.trustedProxies = trustedProxies;
  // Each source says which of the choices above made the value.
  const sources: ConfigSources = {
    dataDir: flags.data ? 'flag' : env.BERTH_DATA ? 'env' : str(tree, 'storage.filesystem.rootdirectory') ? from('storage.filesystem.rootdirectory') : 'default',
    listen: flags.listen !== undefined ? 'flag' : from('http.addr'),
    tls: config.tls ? from('http.tls') : 'default',
    tlsListen: flags.tlsListen !== undefined ? 'flag' : 'default',
    tlsNames: flags.tlsName !== undefined ? 'flag' : 'default',
    allowOpenNetwork: flags.allowOpenNetwork !== undefined ? 'flag' : 'default',
    deleteEnabled: from('storage.delete.enabled'),
    'auth.mode': flags.auth !== undefined ? 'flag' : htpasswd ? from('auth.htpasswd') : input.fileText !== undefined ? 'file' : 'default',
    'auth.realm': htpasswd ? from('auth.htpasswd.realm') : 'default',
    'auth.htpasswdPath': htpasswd ? from('auth.htpasswd.path') : 'default',
    logLevel: levelFlag !== undefined ? 'flag' : levelTree ? from('log.level') : 'default',
    accessLog: flags.accessLog === true ? 'flag' : from('log.accesslog.disabled'),
    proxy: from('proxy'),
    s3: s3 ? from('storage.s3') : 'default',
    redirect: redirect !== undefined ? from('storage.redirect.disable') : 'default',
    uploadPurging: uploadPurging ? from('storage.maintenance.uploadpurging') : 'default',
    trustedProxies: trustedProxies ? from(TRUSTED_PROXIES_KEY) : 'default',
  };
  return { config, sources, warnings };
}
