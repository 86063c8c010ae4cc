/**
 * `<data>/berth/retention.yml`: the retention policies and their schedule, read, checked and written
 * atomically. Its format, drawn once:
 *
 * ```yaml
 * schedule: 24h          # optional; absent or null: runs only on demand (at least 1m)
 * policies:
 *   - name: keep-recent
 *     repos: "team/*"     # access-rule glob: * any characters (slashes too), ? one
 *     keep-last: 10       # the 10 most recently pushed tags
 *     keep-newer-than: 30d
 *     keep-tags: ["^v\\d+\\.\\d+\\.\\d+$", "^latest$"]
 *     untagged: true      # also remove manifests no remaining tag reaches
 *     force: true         # only on a policy that keeps nothing, to confirm it
 * ```
 *
 * A missing file holds no policies. Every problem is refused with the policy and key it concerns
 * (RETENTION_FILE_INVALID): unknown keys, a file over 1 MiB, YAML alias bombs, bad globs, counts,
 * durations or patterns, duplicate names, and a policy that keeps nothing without `force`.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, parseDocument, stringify } from 'yaml';
import { RegistryError } from '../core/errors';
import { writeFileAtomic } from '../core/files';
import { parseLongDuration } from '../core/long-duration';
import { BERTH_DIR } from '../storage/layout';
import { compilePolicy, PolicyError, type StoredPolicy } from './policy';

/** The file's content. */
export interface RetentionFile {
  /** A duration such as `24h`, or null. */
  schedule: string | null;
  policies: StoredPolicy[];
}

/** The largest retention.yml read. */
export const MAX_RETENTION_FILE_BYTES = 1024 * 1024;
/** The shortest schedule. */
export const MIN_SCHEDULE_MS = 60_000;

const TOP_KEYS = new Set(['schedule', 'policies']);
/** YAML key -> policy field. */
const POLICY_KEYS: Record<string, keyof StoredPolicy> = {
  name: 'name',
  repos: 'repos',
  'keep-last': 'keepLast',
  'keep-newer-than': 'keepNewerThan',
  'keep-tags': 'keepTags',
  untagged: 'untagged',
  force: 'force',
};

/** Where the policies of a data directory live. */
export function retentionFilePath(dataDir: string): string {
  return join(dataDir, BERTH_DIR, 'retention.yml');
}

/** Checks a schedule: a duration of at least one minute; returns milliseconds. */
export function scheduleMs(schedule: string): number {
  const ms = parseLongDuration(schedule);
  if (ms === null) throw new PolicyError(`schedule: ${JSON.stringify(schedule)} is not a duration (e.g. 24h, 12h, 7d)`);
  if (ms < MIN_SCHEDULE_MS) throw new PolicyError(`schedule: ${JSON.stringify(schedule)} is shorter than one minute`);
  return ms;
}

function invalid(file: string, message: string): RegistryError {
  return new RegistryError('RETENTION_FILE_INVALID', { message: `${file}: ${message}` });
}

/** Reads and checks the file; a missing one holds no policies. Throws RETENTION_FILE_INVALID. */
export function readRetentionFile(file: string): RetentionFile {
  let size: number;
  try {
    size = statSync(file).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { schedule: null, policies: [] };
    throw invalid(file, (err as Error).message);
  }
  if (size > MAX_RETENTION_FILE_BYTES) throw invalid(file, `larger than ${MAX_RETENTION_FILE_BYTES} bytes`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw invalid(file, (err as Error).message);
  }
  return parseRetentionFile(text, file);
}

/** Parses and checks the file's text (see the format above). */
export function parseRetentionFile(text: string, file = 'retention.yml'): RetentionFile {
  if (Buffer.byteLength(text) > MAX_RETENTION_FILE_BYTES) throw invalid(file, `larger than ${MAX_RETENTION_FILE_BYTES} bytes`);
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) throw invalid(file, `not valid YAML: ${doc.errors[0]!.message}`);
  let raw: unknown;
  try {
    // An alias bomb (a billion laughs) is refused here, before it expands.
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw invalid(file, `not valid YAML: ${(err as Error).message}`);
  }
  if (raw === null || raw === undefined) return { schedule: null, policies: [] };
  if (!isMap(doc.contents) || typeof raw !== 'object' || Array.isArray(raw)) throw invalid(file, 'the top level must be a mapping (schedule, policies)');
  const top = raw as Record<string, unknown>;
  for (const k of Object.keys(top)) if (!TOP_KEYS.has(k)) throw invalid(file, `unknown key "${k}" (use schedule, policies)`);
  const out: RetentionFile = { schedule: null, policies: [] };
  try {
    if (top.schedule !== undefined && top.schedule !== null) {
      if (typeof top.schedule !== 'string') throw new PolicyError(`schedule: ${JSON.stringify(top.schedule)} is not a duration (e.g. 24h)`);
      scheduleMs(top.schedule);
      out.schedule = top.schedule;
    }
    const list = top.policies ?? [];
    if (!Array.isArray(list)) throw new PolicyError('policies: must be a list');
    const names = new Set<string>();
    list.forEach((entry, i) => {
      const p = policyOf(entry, i);
      compilePolicy(p);
      if (names.has(p.name)) throw new PolicyError(`policy ${p.name}: the name is used twice`);
      names.add(p.name);
      out.policies.push(p);
    });
  } catch (err) {
    if (err instanceof PolicyError) throw invalid(file, err.message);
    throw err;
  }
  return out;
}

function policyOf(entry: unknown, i: number): StoredPolicy {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw new PolicyError(`policies[${i}]: must be a mapping (name, repos, keep-last, ...)`);
  const o = entry as Record<string, unknown>;
  const label = typeof o.name === 'string' ? `policy ${o.name}` : `policies[${i}]`;
  const p: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    const field = Object.hasOwn(POLICY_KEYS, k) ? POLICY_KEYS[k] : undefined;
    if (!field) throw new PolicyError(`${label}: unknown key "${k}" (use ${Object.keys(POLICY_KEYS).join(', ')})`);
    if (v === null) continue;
    // `keep-newer-than: 0` is read as a number; every other number lacks a unit.
    p[field] = field === 'keepNewerThan' && typeof v === 'number' ? String(v) : v;
  }
  if (typeof p.name !== 'string') throw new PolicyError(`${label}: name: required`);
  return p as unknown as StoredPolicy;
}

/** The file's text for `content` (keys as the format above spells them). */
export function formatRetentionFile(content: RetentionFile): string {
  const policies = content.policies.map((p) => {
    const o: Record<string, unknown> = { name: p.name, repos: p.repos };
    if (p.keepLast !== undefined) o['keep-last'] = p.keepLast;
    if (p.keepNewerThan !== undefined) o['keep-newer-than'] = p.keepNewerThan;
    if (p.keepTags !== undefined && p.keepTags.length > 0) o['keep-tags'] = p.keepTags;
    if (p.untagged) o.untagged = true;
    if (p.force) o.force = true;
    return o;
  });
  const header = '# Berth retention policies (README: Retention). A tag survives when any policy matching its repository keeps it.\n';
  return header + stringify({ schedule: content.schedule, policies }, { lineWidth: 0 });
}

/** Writes the file atomically (a temp file renamed over it). */
export function writeRetentionFile(file: string, content: RetentionFile): void {
  writeFileAtomic(file, formatRetentionFile(content), 0o644);
}
