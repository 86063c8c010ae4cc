/**
 * Where each value of a resolved configuration came from, recorded while it is resolved, so that
 * what comes later (the GUI's saved settings) knows which values were set explicitly without
 * reading the config file or the environment again (issue 17).
 */
import { nodeAt, type ConfigTree } from './tree';

/**
 * A configuration value's source, in rising precedence: Berth's default, the `--config` file, the
 * environment (BERTH_DATA, REGISTRY_*), a command-line flag. `settings` is the GUI's settings.json,
 * which applies only where the value would otherwise be the default.
 */
export type ConfigSource = 'default' | 'file' | 'env' | 'flag' | 'settings';

/** The keys whose source is recorded: BerthConfig's fields, dotted below `auth`. */
export const CONFIG_KEYS = [
  'dataDir',
  'listen',
  'tls',
  'tlsListen',
  'tlsNames',
  'allowOpenNetwork',
  'deleteEnabled',
  'auth.mode',
  'auth.realm',
  'auth.htpasswdPath',
  'logLevel',
  'accessLog',
  'proxy',
  's3',
  'redirect',
  'uploadPurging',
  'trustedProxies',
] as const;

/** A key of {@link CONFIG_KEYS}. */
export type ConfigKey = (typeof CONFIG_KEYS)[number];

/** The source of every recorded key. */
export type ConfigSources = Record<ConfigKey, ConfigSource>;

/**
 * The source of a registry:2 key (dotted, as in the file) in the tree merged from the file and the
 * environment (`envPaths`: the dotted paths the environment set). A key absent from the tree is the
 * default's; a key the environment set, or set a section around or a key inside, is the
 * environment's; any other is the file's. Present counts, even empty: registry:2 reads it as set.
 */
export function treeSource(tree: ConfigTree, envPaths: readonly string[], key: string): ConfigSource {
  if (nodeAt(tree, key) === undefined) return 'default';
  const touched = envPaths.some((p) => p === key || key.startsWith(`${p}.`) || p.startsWith(`${key}.`));
  return touched ? 'env' : 'file';
}
