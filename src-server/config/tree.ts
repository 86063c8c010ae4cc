import { parse } from 'yaml';
import { ConfigError } from './types';

/**
 * A registry:2 configuration as a plain tree. Every scalar stays a string (YAML's failsafe schema),
 * and each key's reader converts it, the way registry:2 unmarshals a scalar into a typed field: an
 * address like `0.0.0.0:443` or a realm like `010` stays exactly as written.
 */
export type ConfigNode = string | ConfigNode[] | ConfigTree;
/** A mapping node. */
export interface ConfigTree {
  [key: string]: ConfigNode;
}

/** Sections whose scalar form names a type: `REGISTRY_AUTH=htpasswd` means `auth: {htpasswd: {}}`. */
const TYPED_SECTIONS = new Set(['auth', 'storage']);

/**
 * `REGISTRY_*` variables that belong to other tools and never to registry:2's configuration:
 * REGISTRY_AUTH_FILE is the containers-auth.json path of podman, buildah and skopeo, and
 * REGISTRY_CONFIGURATION_PATH is read by the registry:2 image's entrypoint, not by its parser.
 */
const FOREIGN_ENV = new Set(['REGISTRY_AUTH_FILE', 'REGISTRY_CONFIGURATION_PATH']);

/** True for a mapping node. */
export function isTree(node: ConfigNode | undefined): node is ConfigTree {
  return typeof node === 'object' && node !== null && !Array.isArray(node);
}

function normalizeTyped(tree: ConfigTree): void {
  for (const key of TYPED_SECTIONS) {
    const v = tree[key];
    if (typeof v === 'string') tree[key] = v === '' ? {} : { [v]: {} };
  }
}

/** Parses a config.yml text; an empty file is an empty tree. */
export function parseConfigText(text: string, source: string): ConfigTree {
  let doc: unknown;
  try {
    doc = parse(text, { schema: 'failsafe' });
  } catch (err) {
    const first = String((err as Error).message).split('\n')[0];
    throw new ConfigError(`${source}: invalid YAML: ${first}`);
  }
  if (doc === null || doc === undefined || doc === '') return {};
  if (!isTree(doc as ConfigNode)) throw new ConfigError(`${source}: expected a YAML mapping at the top level`);
  const tree = doc as ConfigTree;
  normalizeTyped(tree);
  return tree;
}

function parseEnvValue(value: string): ConfigNode {
  try {
    const v = parse(value, { schema: 'failsafe' }) as ConfigNode | null | undefined;
    return v ?? '';
  } catch {
    // registry:2 would reject it; a raw string is the closest harmless meaning.
    return value;
  }
}

/** The `REGISTRY_*` variables registry:2 reads, in the order it applies them, with their key paths. */
function envOverrides(env: NodeJS.ProcessEnv): { name: string; path: string[] }[] {
  return Object.keys(env)
    .filter((n) => n.startsWith('REGISTRY_') && !FOREIGN_ENV.has(n) && env[n] !== undefined)
    .sort()
    .map((name) => ({ name, path: name.slice('REGISTRY_'.length).toLowerCase().split('_') }))
    .filter(({ path }) => !path.some((p) => p === ''));
}

/** The `REGISTRY_*` variable that sets a dotted key path (`http.addr` -> `REGISTRY_HTTP_ADDR`), as registry:2 reads it. */
export function envVariable(path: string): string {
  return `REGISTRY_${path.toUpperCase().replace(/\./g, '_')}`;
}

/**
 * Applies registry:2's environment overrides to a tree (which it changes): `REGISTRY_A_B_C=v` sets
 * `a.b.c` to `v` read as YAML. Variables are applied in name order, as registry:2 does, so that
 * `REGISTRY_AUTH=htpasswd` comes before `REGISTRY_AUTH_HTPASSWD_PATH`. Returns the dotted key paths
 * it set (where each value came from, see provenance.ts).
 */
export function applyEnvOverrides(tree: ConfigTree, env: NodeJS.ProcessEnv): string[] {
  const overrides = envOverrides(env);
  for (const { name, path } of overrides) {
    let node = tree;
    for (const key of path.slice(0, -1)) {
      let child = node[key];
      // A scalar in the way is replaced, as registry:2 replaces a field it unmarshals into.
      if (!isTree(child)) {
        child = {};
        node[key] = child;
      }
      node = child;
    }
    node[path.at(-1)!] = parseEnvValue(env[name]!);
    if (node === tree) normalizeTyped(tree);
  }
  return overrides.map(({ path }) => path.join('.'));
}

/** The node at a dotted key path, if any. */
export function nodeAt(tree: ConfigTree, path: string): ConfigNode | undefined {
  let node: ConfigNode | undefined = tree;
  for (const key of path.split('.')) {
    if (!isTree(node)) return undefined;
    node = node[key];
  }
  return node;
}

/**
 * Key paths present in the tree that are not in `implemented` (nor a section leading to one), each
 * reported once at the shallowest level (`health`, `http.headers`, `storage.cache`).
 */
export function unimplementedKeys(tree: ConfigTree, implemented: ReadonlySet<string>, skip: ReadonlySet<string>): string[] {
  const out: string[] = [];
  const walk = (node: ConfigTree, prefix: string) => {
    for (const [key, child] of Object.entries(node)) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (implemented.has(path) || skip.has(path)) continue;
      const isSection = [...implemented].some((k) => k.startsWith(path + '.'));
      if (isSection && isTree(child)) walk(child, path);
      else out.push(path);
    }
  };
  walk(tree, '');
  return out;
}

/** YAML 1.1 booleans, as registry:2's YAML library reads them. */
const TRUE = /^(?:y|Y|yes|Yes|YES|true|True|TRUE|on|On|ON)$/;
const FALSE = /^(?:n|N|no|No|NO|false|False|FALSE|off|Off|OFF)$/;

/** A scalar string, or undefined when absent or null-ish; a mapping or list is an error. */
export function str(tree: ConfigTree, path: string): string | undefined {
  const v: ConfigNode | undefined = nodeAt(tree, path);
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new ConfigError(`${path}: expected a single value, not a ${Array.isArray(v) ? 'list' : 'mapping'}`);
  return v === '' || v === '~' || /^null$/i.test(v) ? undefined : v;
}

/** A YAML 1.1 boolean's value, or undefined when the scalar is not one. */
export function yamlBool(v: string): boolean | undefined {
  return TRUE.test(v) ? true : FALSE.test(v) ? false : undefined;
}

/** A YAML 1.1 boolean, or undefined when absent; anything else is an error naming the key. */
export function bool(tree: ConfigTree, path: string): boolean | undefined {
  const v = str(tree, path);
  if (v === undefined) return undefined;
  const b = yamlBool(v);
  if (b === undefined) throw new ConfigError(`${path}: expected true or false, got "${v}"`);
  return b;
}
