/**
 * image-syncer's configuration, read as image-syncer reads it, turned into one-off sync jobs:
 *
 * - the auth file (`--auth`): `{ "HOST" | "HOST/NAMESPACE": { username, password, insecure } }`;
 *   a value written `${NAME}` or `$NAME` is taken from the environment; `insecure: true` means the
 *   registry speaks plain http (no TLS, so no certificate check). A `HOST/NAMESPACE` entry wins
 *   over the `HOST` one for images in that namespace.
 * - the images file (`--images`): `{ "SRC": "DST" | ["DST", ...] }`, where SRC is
 *   `HOST/PATH` (every tag), `HOST/PATH:t1,t2` (those tags), `HOST/PATH:/REGEX/` (tags matching a
 *   regular expression) or `HOST/PATH@sha256:...` (one image by digest); DST is `HOST/PATH`, or
 *   `HOST/PATH:TAG` for a source of one tag; an empty DST lands in `--registry/--namespace/NAME`.
 * - the combined file (`--config`): `{ "auth": {...}, "images": {...} }`.
 *
 * Each file is JSON or YAML. A name without a host (`nginx`) is Docker Hub's, as docker reads it.
 * Every error names the file and the entry.
 */
import type { HostAccess, SyncEndpoint, SyncJob } from '../contract';
import { RegistryError } from '../core/errors';
import { checkJob, SyncJobError } from './job-check';
import { parseYamlText } from './sync-file';

/** One auth entry. */
export interface AuthEntry {
  username?: string;
  password?: string;
  insecure?: boolean;
}

/** The auth file: by `HOST` or `HOST/NAMESPACE`. */
export type AuthTable = Map<string, AuthEntry>;

/** Where images without a destination go (image-syncer's --registry and --namespace). */
export interface ImageSyncerDefaults {
  registry?: string;
  namespace?: string;
}

/** A file's text and its name (for messages). */
export interface NamedText {
  file: string;
  text: string;
}

/** Most entries an images file may hold. */
export const MAX_IMAGE_ENTRIES = 10_000;

function invalid(message: string): RegistryError {
  return new RegistryError('SYNC_FILE_INVALID', { message });
}

/** A JSON or YAML file's content (JSON when it parses as JSON, else YAML with the sync file's rules). */
export function parseConfigText({ file, text }: NamedText): unknown {
  const t = text.replace(/^\uFEFF/, '');
  if (/^\s*[{[]/.test(t)) {
    try {
      return JSON.parse(t) as unknown;
    } catch {
      // Not JSON after all: YAML reads flow mappings too, and says where it fails.
    }
  }
  return parseYamlText(t, (m) => invalid(`${file}: ${m}`));
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A value that refers to the environment (`${NAME}`, `$NAME`), resolved; other values as they are. */
function fromEnv(value: string, env: NodeJS.ProcessEnv, where: string): string {
  const m = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(value) ?? /^\$([A-Za-z_][A-Za-z0-9_]*)$/.exec(value);
  if (!m) return value;
  const v = env[m[1]!];
  if (v === undefined) throw invalid(`${where} refers to the environment variable ${m[1]}, which is not set`);
  return v;
}

/** Reads the auth file's content (or the combined file's `auth`). */
export function readAuthTable(raw: unknown, file: string, env: NodeJS.ProcessEnv = process.env): AuthTable {
  const table: AuthTable = new Map();
  if (raw === null || raw === undefined) return table;
  if (!isMap(raw)) throw invalid(`${file}: must be a mapping of registry hosts to { username, password, insecure }`);
  for (const [key, value] of Object.entries(raw)) {
    const where = `${file} entry ${JSON.stringify(key)}`;
    if (!key || !/^[A-Za-z0-9.\-[\]:]+(\/[a-z0-9._-]+)?$/.test(key)) throw invalid(`${where}: the key must be a registry host or host/namespace`);
    if (!isMap(value)) throw invalid(`${where}: must be a mapping with username, password, insecure`);
    const entry: AuthEntry = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === 'username' || k === 'password') {
        if (typeof v !== 'string') throw invalid(`${where}: ${k} must be a string`);
        entry[k] = fromEnv(v, env, `${where}: ${k}`);
      } else if (k === 'insecure') {
        if (typeof v !== 'boolean') throw invalid(`${where}: insecure must be true or false`);
        entry.insecure = v;
      } else {
        throw invalid(`${where}: unknown key "${k}" (use username, password, insecure)`);
      }
    }
    table.set(key, entry);
  }
  return table;
}

/** An image reference split into its host and path (a name without a host is Docker Hub's). */
export function splitHost(ref: string): { host: string; path: string } {
  const slash = ref.indexOf('/');
  const first = slash < 0 ? '' : ref.slice(0, slash);
  if (first && (first.includes('.') || first.includes(':') || first === 'localhost')) return { host: first, path: ref.slice(slash + 1) };
  return { host: 'docker.io', path: ref };
}

/** Docker Hub's official images live under `library/`. */
function hubPath(host: string, path: string): string {
  return (host === 'docker.io' || host === 'index.docker.io' || host === 'registry-1.docker.io') && !path.includes('/') ? `library/${path}` : path;
}

/** An images-file key, parsed. */
interface SourceKey {
  host: string;
  repository: string;
  tags?: string[];
  regex?: string;
  digest?: string;
}

function parseSourceKey(key: string, where: string): SourceKey {
  if (!key.trim()) throw invalid(`${where}: the source is empty`);
  let name = key;
  const out: Partial<SourceKey> = {};
  const regexAt = key.indexOf(':/');
  const at = key.indexOf('@');
  if (regexAt > 0 && key.endsWith('/') && key.length > regexAt + 3) {
    name = key.slice(0, regexAt);
    out.regex = key.slice(regexAt + 2, -1);
    try {
      new RegExp(out.regex);
    } catch (err) {
      throw invalid(`${where}: the tag regex /${out.regex}/ is not a regular expression: ${(err as Error).message}`);
    }
  } else if (at > 0) {
    name = key.slice(0, at);
    out.digest = key.slice(at + 1);
  } else {
    const colon = key.indexOf(':', key.lastIndexOf('/') + 1);
    if (colon >= 0) {
      name = key.slice(0, colon);
      out.tags = key
        .slice(colon + 1)
        .split(',')
        .map((t) => t.trim());
      if (out.tags.some((t) => !t)) throw invalid(`${where}: an empty tag in the list (write SRC:tag1,tag2)`);
    }
  }
  const { host, path } = splitHost(name);
  if (!path) throw invalid(`${where}: no repository after the host`);
  return { ...out, host, repository: hubPath(host, path) };
}

interface DestinationRef {
  host: string;
  repository: string;
  tag?: string;
}

function parseDestination(value: string, source: SourceKey, defaults: ImageSyncerDefaults, where: string): DestinationRef {
  if (value === '') {
    if (!defaults.registry || !defaults.namespace) throw invalid(`${where}: the destination is empty and no default is set (give --registry and --namespace)`);
    const last = source.repository.slice(source.repository.lastIndexOf('/') + 1);
    return { host: defaults.registry, repository: `${defaults.namespace}/${last}` };
  }
  if (value.includes('@')) throw invalid(`${where}: a destination cannot be a digest (${value}); give HOST/PATH or HOST/PATH:TAG`);
  let name = value;
  let tag: string | undefined;
  const colon = value.indexOf(':', value.lastIndexOf('/') + 1);
  if (colon >= 0) {
    name = value.slice(0, colon);
    tag = value.slice(colon + 1);
  }
  const { host, path } = splitHost(name);
  if (!path) throw invalid(`${where}: the destination ${JSON.stringify(value)} has no repository`);
  return { host, repository: hubPath(host, path), ...(tag !== undefined ? { tag } : {}) };
}

/** The auth entry for `host/repository`: `host/namespace` first, then `host`. */
export function authFor(table: AuthTable, host: string, repository: string): AuthEntry | undefined {
  const ns = repository.includes('/') ? repository.slice(0, repository.indexOf('/')) : null;
  return (ns !== null ? table.get(`${host}/${ns}`) : undefined) ?? table.get(host);
}

function endpointOf(table: AuthTable, host: string, repository: string): SyncEndpoint {
  const a = authFor(table, host, repository);
  const ep: SyncEndpoint = { host };
  if (a?.insecure) ep.insecure = true;
  if (a?.username !== undefined || a?.password !== undefined) {
    const access: HostAccess = {};
    if (a.username !== undefined) access.username = a.username;
    if (a.password !== undefined) access.password = a.password;
    ep.access = access;
  }
  return ep;
}

/** What the one-off jobs come from. */
export interface ImageSyncerInput {
  /** The auth file's (or combined file's `auth`) content, and its name. */
  auth: AuthTable;
  /** The images file's (or combined file's `images`) content. */
  images: unknown;
  imagesFile: string;
  defaults?: ImageSyncerDefaults;
}

/** The jobs of an images file: one per entry and destination, named `image-syncer-N[.M]`. */
export function imageSyncerJobs(input: ImageSyncerInput): SyncJob[] {
  const { images, imagesFile } = input;
  if (!isMap(images)) throw invalid(`${imagesFile}: must be a mapping of sources to destinations`);
  const entries = Object.entries(images);
  if (entries.length === 0) throw invalid(`${imagesFile}: names no images`);
  if (entries.length > MAX_IMAGE_ENTRIES) throw invalid(`${imagesFile}: more than ${MAX_IMAGE_ENTRIES} entries`);
  const jobs: SyncJob[] = [];
  entries.forEach(([key, value], i) => {
    const where = `${imagesFile} entry ${JSON.stringify(key)}`;
    const src = parseSourceKey(key, where);
    const dests = typeof value === 'string' ? [value] : Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string') ? (value as string[]) : null;
    if (!dests) throw invalid(`${where}: the destination must be a string or a list of strings`);
    dests.forEach((d, j) => {
      const dst = parseDestination(d, src, input.defaults ?? {}, where);
      const job: SyncJob = {
        name: dests.length > 1 ? `image-syncer-${i + 1}.${j + 1}` : `image-syncer-${i + 1}`,
        source: { ...endpointOf(input.auth, src.host, src.repository), repositories: [src.repository] },
        destination: { ...endpointOf(input.auth, dst.host, dst.repository), repository: dst.repository, ...(dst.tag !== undefined ? { tag: dst.tag } : {}) },
      };
      if (src.tags) job.tags = { tags: src.tags };
      else if (src.regex !== undefined) job.tags = { include: [src.regex] };
      else if (src.digest !== undefined) job.tags = { digests: [src.digest] };
      if (dst.tag !== undefined && src.tags?.length !== 1) {
        throw invalid(`${where}: the destination ${JSON.stringify(d)} has a tag, so the source must name exactly one tag`);
      }
      try {
        checkJob(job, { allowAccess: true });
      } catch (err) {
        if (err instanceof SyncJobError) throw invalid(`${where}: ${err.key}: ${err.what}`);
        throw err;
      }
      jobs.push(job);
    });
  });
  return jobs;
}

/** The combined file (`--config`): its auth table and images. */
export function readCombined(raw: unknown, file: string, env: NodeJS.ProcessEnv = process.env): { auth: AuthTable; images: unknown } {
  if (!isMap(raw)) throw invalid(`${file}: must be a mapping with auth and images`);
  for (const k of Object.keys(raw)) if (k !== 'auth' && k !== 'images') throw invalid(`${file}: unknown key "${k}" (use auth, images)`);
  if (raw.images === undefined) throw invalid(`${file}: images: required`);
  return { auth: readAuthTable(raw.auth, `${file} (auth)`, env), images: raw.images };
}
