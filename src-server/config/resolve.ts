import { LOG_LEVELS, type LogLevel } from '../logger';
import { DEFAULT_LISTEN, DEFAULT_REALM, defaultDataDir } from './defaults';
import { parseListen } from './listen';
import { applyEnvOverrides, type ConfigNode, type ConfigTree, isTree, nodeAt, parseConfigText, unimplementedKeys } from './tree';
import { join } from 'node:path';
import { AUTH_MODES, type AuthMode, type BerthConfig, ConfigError, type ConfigFlags, type ListenAddress } from './types';

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

/** A resolved configuration and the warnings to print once at start. */
export interface ResolvedConfig {
  config: BerthConfig;
  warnings: string[];
}

/** registry:2 keys Berth reads with the same meaning. */
const IMPLEMENTED = new Set([
  'version',
  'http.addr',
  'http.net',
  'http.tls.certificate',
  'http.tls.key',
  'storage.filesystem.rootdirectory',
  'storage.delete.enabled',
  'auth.htpasswd.realm',
  'auth.htpasswd.path',
  'proxy.remoteurl',
  'proxy.username',
  'proxy.password',
  'log.level',
  'log.accesslog.disabled',
]);

/** Storage keys that are settings rather than a storage driver. */
const STORAGE_SETTINGS = new Set(['filesystem', 'delete', 'maintenance', 'cache', 'redirect', 'tag']);

/** YAML 1.1 booleans, as registry:2's YAML library reads them. */
const TRUE = /^(?:y|Y|yes|Yes|YES|true|True|TRUE|on|On|ON)$/;
const FALSE = /^(?:n|N|no|No|NO|false|False|FALSE|off|Off|OFF)$/;

/** registry:2 (logrus) level names mapped onto Berth's. */
const LEVEL_ALIASES: Record<string, LogLevel> = { trace: 'debug', warning: 'warn', fatal: 'error', panic: 'error' };

/** A scalar string, or undefined when absent or null-ish; a mapping or list is an error. */
function str(tree: ConfigTree, path: string): string | undefined {
  const v: ConfigNode | undefined = nodeAt(tree, path);
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new ConfigError(`${path}: expected a single value, not a ${Array.isArray(v) ? 'list' : 'mapping'}`);
  return v === '' || v === '~' || /^null$/i.test(v) ? undefined : v;
}

function bool(tree: ConfigTree, path: string): boolean | undefined {
  const v = str(tree, path);
  if (v === undefined) return undefined;
  if (TRUE.test(v)) return true;
  if (FALSE.test(v)) return false;
  throw new ConfigError(`${path}: expected true or false, got "${v}"`);
}

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
  if (str(tree, 'proxy.remoteurl')) {
    throw new ConfigError(
      'proxy.remoteurl is set, but the pull-through cache is not supported yet; remove proxy.remoteurl ' +
        '(REGISTRY_PROXY_REMOTEURL) to run Berth as a normal registry',
    );
  }
  const storage = nodeAt(tree, 'storage');
  for (const key of isTree(storage) ? Object.keys(storage) : []) {
    if (!STORAGE_SETTINGS.has(key)) throw new ConfigError(`storage.${key}: storage driver "${key}" is not supported; Berth stores on the filesystem`);
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
  applyEnvOverrides(tree, env);
  refuseUnsupported(tree);
  const warnings = unimplementedKeys(tree, IMPLEMENTED, new Set(['http.tls.clientcas', 'http.tls.letsencrypt'])).map(
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
  };
  return { config, warnings };
}
