/**
 * What changed in the image config between two images: environment, entrypoint, command, working
 * folder, user, labels and exposed ports. The config comes from a registry, so any shape is read
 * without throwing.
 */
import type { ConfigChange, ConfigField } from '../contract/contents';

/** Longest JSON text a value is shown with; longer ones end in `…` (they are compared whole). */
export const MAX_VALUE_TEXT = 4096;

/** Deepest nesting turned into text; deeper values are shown as a note. */
const MAX_DEPTH = 64;

/**
 * Compares two image configs (the JSON documents, `config` inside them). Map-like fields give one
 * change per variable, label or port; the others one change for the field. Sorted by field, then key.
 */
export function diffConfigs(left: unknown, right: unknown): ConfigChange[] {
  const a = containerConfig(left);
  const b = containerConfig(right);
  const out: ConfigChange[] = [];
  const whole = (field: ConfigField, name: string) => {
    const l = a[name];
    const r = b[name];
    const lt = l === undefined ? null : stableJson(l);
    const rt = r === undefined ? null : stableJson(r);
    if (lt !== rt) out.push({ field, left: shown(lt), right: shown(rt) });
  };
  const byKey = (field: ConfigField, l: Map<string, unknown>, r: Map<string, unknown>) => {
    const keys = [...new Set([...l.keys(), ...r.keys()])].sort();
    for (const key of keys) {
      const lt = l.has(key) ? stableJson(l.get(key)) : null;
      const rt = r.has(key) ? stableJson(r.get(key)) : null;
      if (lt !== rt) out.push({ field, key: shown(key)!, left: shown(lt), right: shown(rt) });
    }
  };
  byKey('env', envOf(a.Env), envOf(b.Env));
  whole('entrypoint', 'Entrypoint');
  whole('cmd', 'Cmd');
  whole('workdir', 'WorkingDir');
  whole('user', 'User');
  byKey('labels', mapOf(a.Labels), mapOf(b.Labels));
  byKey('exposedPorts', mapOf(a.ExposedPorts), mapOf(b.ExposedPorts));
  return out;
}

/** The `config` object of an image config, or an empty one. */
function containerConfig(doc: unknown): Record<string, unknown> {
  const config = isObject(doc) ? doc.config : undefined;
  return isObject(config) ? config : {};
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * `Env` by variable name (the last one wins, as in a container). An entry without `=` names a
 * variable with no value: its value is shown as JSON null. Entries that are not strings are ignored.
 */
function envOf(env: unknown): Map<string, unknown> {
  const m = new Map<string, unknown>();
  if (!Array.isArray(env)) return m;
  for (const item of env) {
    if (typeof item !== 'string') continue;
    const at = item.indexOf('=');
    if (at < 0) m.set(item, null);
    else m.set(item.slice(0, at), item.slice(at + 1));
  }
  return m;
}

/** An object's own keys and values (labels, ports), or nothing for any other shape. */
function mapOf(v: unknown): Map<string, unknown> {
  return isObject(v) ? new Map(Object.entries(v)) : new Map();
}

/** JSON text with object keys sorted, so that key order alone is never a change; never throws. */
export function stableJson(v: unknown, depth = 0): string {
  if (depth > MAX_DEPTH) return '"(nested too deep)"';
  if (Array.isArray(v)) return `[${v.map((x) => stableJson(x, depth + 1)).join(',')}]`;
  if (isObject(v)) {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJson(v[k], depth + 1)}`).join(',')}}`;
  }
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null) return JSON.stringify(v) ?? 'null';
  return 'null';
}

/** Text cut to MAX_VALUE_TEXT characters. */
function shown(text: string | null): string | null {
  if (text === null || text.length <= MAX_VALUE_TEXT) return text;
  return `${text.slice(0, MAX_VALUE_TEXT)}…`;
}
