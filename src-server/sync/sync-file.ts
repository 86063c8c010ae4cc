/**
 * `<data>/berth/sync.yml`: the sync jobs, read, checked and written atomically. Its format:
 *
 * ```yaml
 * jobs:
 *   - name: mirror-team              # letters, digits, . _ -
 *     source:
 *       connection: upstream         # "local", or a saved connection's name or id
 *       # or: host: registry.example.com:5000, insecure: true (plain http)
 *       repositories: ["team/*", "tools/builder"]   # names, or globs (* any characters, ? one)
 *     tags:                          # optional; every rule given must hold
 *       include: ["^v\\d+"]          # regular expressions (JavaScript), any must match
 *       exclude: ["-rc"]             # none may match
 *       semver: ">=1.2 <2"           # tags that are versions (after an optional v) in this range
 *       newest: 5                    # the newest 5 of what is left (by version, else natural order)
 *       # tags: [v1, v2]             # exactly these tags (a missing one fails)
 *       # digests: ["sha256:..."]    # these images by digest
 *     platforms: [linux/amd64]       # optional; omitted: every platform, the index unchanged
 *     referrers: true                # optional; also copy signatures, SBOMs
 *     destination:
 *       connection: local
 *       namespace: mirror            # team/app -> mirror/team/app
 *       stripPrefix: team/           # with namespace: team/app -> mirror/app
 *       # repository: exact/name     # for a job of one repository
 *       # tag: stable                # for a job of exactly one tag (tags: [v1]): written as this tag
 *     interval: 6h                   # optional; the server runs the job this often (at least 1m)
 * ```
 *
 * A missing file holds no jobs. Credentials are never kept here (`access` is refused): a host that
 * needs them is reached through its saved connection. Every problem is refused with the job and key
 * it concerns (SYNC_FILE_INVALID): unknown keys, a file over 1 MiB, YAML alias bombs, bad names,
 * patterns, ranges, intervals and mappings, and a name used twice.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument, stringify } from 'yaml';
import type { SyncJob } from '../contract';
import { RegistryError } from '../core/errors';
import { writeFileAtomic } from '../core/files';
import { BERTH_DIR } from '../storage/layout';
import { checkJob, SyncJobError } from './job-check';
import { jobOfRaw } from './job-shape';

/** The largest sync.yml read. */
export const MAX_SYNC_FILE_BYTES = 1024 * 1024;
/** Most jobs one file holds. */
export const MAX_JOBS = 1000;

/** Where the jobs of a data directory live. */
export function syncFilePath(dataDir: string): string {
  return join(dataDir, BERTH_DIR, 'sync.yml');
}

function invalid(file: string, message: string): RegistryError {
  return new RegistryError('SYNC_FILE_INVALID', { message: `${file}: ${message}` });
}

/** Reads and checks the file; a missing one holds no jobs. Throws SYNC_FILE_INVALID. */
export function readSyncFile(file: string): SyncJob[] {
  let size: number;
  try {
    size = statSync(file).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw invalid(file, (err as Error).message);
  }
  if (size > MAX_SYNC_FILE_BYTES) throw invalid(file, `larger than ${MAX_SYNC_FILE_BYTES} bytes`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw invalid(file, (err as Error).message);
  }
  return parseSyncFile(text, file);
}

/** Parses YAML text with the file rules (size, aliases, one document); throws `fail(message)`. */
export function parseYamlText(text: string, fail: (message: string) => Error): unknown {
  if (Buffer.byteLength(text) > MAX_SYNC_FILE_BYTES) throw fail(`larger than ${MAX_SYNC_FILE_BYTES} bytes`);
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) throw fail(`not valid YAML: ${doc.errors[0]!.message}`);
  try {
    // An alias bomb (a billion laughs) is refused here, before it expands.
    return doc.toJS({ maxAliasCount: 100 }) as unknown;
  } catch (err) {
    throw fail(`not valid YAML: ${(err as Error).message}`);
  }
}

/** Parses and checks the file's text (see the format above). */
export function parseSyncFile(text: string, file = 'sync.yml'): SyncJob[] {
  const raw = parseYamlText(text, (m) => invalid(file, m));
  if (raw === null || raw === undefined) return [];
  if (typeof raw !== 'object' || Array.isArray(raw)) throw invalid(file, 'the top level must be a mapping with jobs:');
  const top = raw as Record<string, unknown>;
  for (const k of Object.keys(top)) if (k !== 'jobs') throw invalid(file, `unknown key "${k}" (use jobs)`);
  const list = top.jobs ?? [];
  if (!Array.isArray(list)) throw invalid(file, 'jobs: must be a list');
  if (list.length > MAX_JOBS) throw invalid(file, `jobs: at most ${MAX_JOBS}`);
  const names = new Set<string>();
  try {
    return list.map((entry, i) => {
      const job = jobOfRaw(entry, i);
      checkJob(job, { allowAccess: false });
      if (names.has(job.name)) throw new SyncJobError(job.name, 'name', 'used by two jobs');
      names.add(job.name);
      return job;
    });
  } catch (err) {
    if (err instanceof SyncJobError) throw new RegistryError('SYNC_FILE_INVALID', { message: `${file}: ${err.message}`, detail: { job: err.job, key: err.key } });
    throw err;
  }
}

/** The file's text for `jobs`. */
export function formatSyncFile(jobs: readonly SyncJob[]): string {
  const header = '# Berth sync jobs (README: Sync). Credentials are never kept here: name a saved connection.\n';
  return header + stringify({ jobs }, { lineWidth: 0 });
}

/** Writes the file atomically (a temp file renamed over it). */
export function writeSyncFile(file: string, jobs: readonly SyncJob[]): void {
  writeFileAtomic(file, formatSyncFile(jobs), 0o644);
}
