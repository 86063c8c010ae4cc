/**
 * What a sync job means, checked once for every way a job arrives (sync.yml, the `sync:save` and
 * `sync:run` channels, image-syncer's files), so each refuses the same things in the same words:
 * `sync job NAME: KEY: what is wrong`.
 */
import { validRange } from 'semver';
import type { SyncEndpoint, SyncJob } from '../contract';
import { LOCAL_CONNECTION_ID } from '../contract';
import { parseDigest } from '../core/digest';
import { RegistryError } from '../core/errors';
import { parseLongDuration } from '../core/long-duration';
import { isValidName, isValidTag } from '../core/names';
import { destinationRepository, hasGlob } from './mapping';

/** A job's problem, naming the job and the key. */
export class SyncJobError extends Error {
  constructor(
    readonly job: string,
    readonly key: string,
    readonly what: string,
  ) {
    super(`sync job ${job}: ${key}: ${what}`);
    this.name = 'SyncJobError';
  }
}

/** The shortest interval. */
export const MIN_INTERVAL_MS = 60_000;
/** Most patterns (repositories, include, exclude) one list holds. */
export const MAX_PATTERNS = 100;
/** Longest pattern or regular expression. */
export const MAX_PATTERN_LENGTH = 256;
/** Most explicit tags or digests one job names. */
export const MAX_NAMED = 10_000;

const JOB_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;
const GLOB = /^[a-z0-9._/*?-]+$/;
const PLATFORM = /^[a-z0-9_.-]+\/[a-z0-9_.-]+(?:\/[a-z0-9_.-]+)?$/;

/** Whether a job name is valid. */
export function isValidJobName(name: string): boolean {
  return JOB_NAME.test(name);
}

/** The interval in milliseconds; throws SyncJobError (as `job`'s) when it is not at least a minute. */
export function intervalMs(job: string, interval: string): number {
  const ms = parseLongDuration(interval);
  if (ms === null) throw new SyncJobError(job, 'interval', `${JSON.stringify(interval)} is not a duration (e.g. 30m, 6h, 1d)`);
  if (ms < MIN_INTERVAL_MS) throw new SyncJobError(job, 'interval', `${JSON.stringify(interval)} is shorter than one minute`);
  return ms;
}

/**
 * Checks what `job` means; throws SyncJobError. `allowAccess`: whether endpoints may carry
 * credentials (one-off runs); sync.yml never holds them.
 */
export function checkJob(job: SyncJob, opts: { allowAccess: boolean }): void {
  const name = job.name;
  if (!isValidJobName(name)) throw new SyncJobError(JSON.stringify(name), 'name', 'use 1 to 128 letters, digits, ".", "_" and "-", starting with a letter or digit');
  const fail = (key: string, what: string) => new SyncJobError(name, key, what);
  checkEndpoint(job.source, 'source', opts.allowAccess, fail);
  checkEndpoint(job.destination, 'destination', opts.allowAccess, fail);
  const repos = job.source.repositories;
  if (repos.length === 0) throw fail('source.repositories', 'name at least one repository');
  if (repos.length > MAX_PATTERNS) throw fail('source.repositories', `at most ${MAX_PATTERNS} entries`);
  for (const r of repos) {
    if (hasGlob(r)) {
      if (r.length > MAX_PATTERN_LENGTH || !GLOB.test(r)) throw fail('source.repositories', `${JSON.stringify(r)} is not a repository glob (lowercase name characters, * and ?)`);
    } else if (!isValidName(r)) {
      throw fail('source.repositories', `${JSON.stringify(r)} is not a valid repository name`);
    }
  }
  checkTags(job, fail);
  for (const p of job.platforms ?? []) if (!PLATFORM.test(p)) throw fail('platforms', `${JSON.stringify(p)} is not a platform (os/arch[/variant], e.g. linux/amd64)`);
  if (job.platforms && job.platforms.length === 0) throw fail('platforms', 'leave it out to take every platform, or name at least one');
  checkMapping(job, fail);
  if (job.interval !== undefined) intervalMs(name, job.interval);
}

type Fail = (key: string, what: string) => SyncJobError;

function checkEndpoint(ep: SyncEndpoint, side: 'source' | 'destination', allowAccess: boolean, fail: Fail): void {
  if ('connection' in ep) {
    if (!ep.connection.trim() || ep.connection.length > 256) throw fail(`${side}.connection`, 'name the local registry ("local"), or a saved connection by name or id');
    return;
  }
  if (!HOST.test(ep.host) || ep.host.length > 261) throw fail(`${side}.host`, `${JSON.stringify(ep.host)} is not a registry host (HOST or HOST:PORT)`);
  if (ep.access !== undefined && !allowAccess) {
    throw fail(`${side}.access`, 'credentials are never kept in sync.yml; save a connection for the host in Berth and name it, or run image-syncer\'s files with --auth');
  }
}

function checkTags(job: SyncJob, fail: Fail): void {
  const t = job.tags;
  if (!t) return;
  if (t.tags) {
    if (t.tags.length === 0 || t.tags.length > MAX_NAMED) throw fail('tags.tags', `name 1 to ${MAX_NAMED} tags, or leave it out`);
    for (const tag of t.tags) if (!isValidTag(tag)) throw fail('tags.tags', `${JSON.stringify(tag)} is not a valid tag`);
  }
  if (t.digests) {
    if (t.digests.length === 0 || t.digests.length > MAX_NAMED) throw fail('tags.digests', `name 1 to ${MAX_NAMED} digests, or leave it out`);
    for (const d of t.digests) if (!parseDigest(d)) throw fail('tags.digests', `${JSON.stringify(d)} is not a digest (sha256:...)`);
  }
  for (const key of ['include', 'exclude'] as const) {
    const list = t[key];
    if (!list) continue;
    if (list.length > MAX_PATTERNS) throw fail(`tags.${key}`, `at most ${MAX_PATTERNS} regular expressions`);
    for (const re of list) {
      if (re.length === 0 || re.length > MAX_PATTERN_LENGTH) throw fail(`tags.${key}`, `a regular expression must have 1 to ${MAX_PATTERN_LENGTH} characters`);
      try {
        new RegExp(re);
      } catch (err) {
        throw fail(`tags.${key}`, `${JSON.stringify(re)} is not a regular expression: ${(err as Error).message}`);
      }
    }
  }
  if (t.semver !== undefined && (t.semver.length > MAX_PATTERN_LENGTH || validRange(t.semver) === null)) {
    throw fail('tags.semver', `${JSON.stringify(t.semver)} is not a semver range (e.g. ">=1.2 <2", "^3")`);
  }
  if (t.newest !== undefined && (!Number.isInteger(t.newest) || t.newest < 1)) throw fail('tags.newest', 'must be a whole number of at least 1');
  if (t.digests && (t.tags || t.include || t.exclude || t.semver !== undefined || t.newest !== undefined)) {
    throw fail('tags.digests', 'a job copies either digests or tags: put the digests in a job of their own');
  }
}

function checkMapping(job: SyncJob, fail: Fail): void {
  const d = job.destination;
  if (d.namespace !== undefined && (d.namespace === '' || !isValidName(d.namespace))) throw fail('destination.namespace', `${JSON.stringify(d.namespace)} is not a valid repository path`);
  if (d.stripPrefix !== undefined && (d.stripPrefix === '' || d.stripPrefix.length > 255)) throw fail('destination.stripPrefix', 'must be the start of the source repositories (e.g. "team/")');
  if (d.repository !== undefined) {
    if (!isValidName(d.repository)) throw fail('destination.repository', `${JSON.stringify(d.repository)} is not a valid repository name`);
    if (d.namespace !== undefined || d.stripPrefix !== undefined) throw fail('destination.repository', 'names the destination exactly: leave out namespace and stripPrefix');
    const src = job.source.repositories;
    if (src.length !== 1 || hasGlob(src[0]!)) throw fail('destination.repository', 'takes a job whose source is one repository (no glob); use namespace for several');
  }
  if (d.tag !== undefined) {
    if (!isValidTag(d.tag)) throw fail('destination.tag', `${JSON.stringify(d.tag)} is not a valid tag`);
    const t = job.tags;
    const one = t?.tags?.length === 1 && !t.include && !t.exclude && t.semver === undefined && !t.digests;
    if (!one) throw fail('destination.tag', 'renames one tag: the job must take exactly one tag (tags: [TAG])');
  }
  const same = sameEndpoint(job.source, job.destination);
  for (const r of job.source.repositories) {
    if (hasGlob(r)) continue;
    const to = destinationRepository(d, r);
    if (!isValidName(to)) throw fail('destination', `${r} would land in ${JSON.stringify(to)}, which is not a valid repository name`);
    if (same && to === r && d.tag === undefined) throw fail('destination', `${r} would be copied onto itself: give a namespace or another destination`);
  }
}

function sameEndpoint(a: SyncEndpoint, b: SyncEndpoint): boolean {
  if ('connection' in a && 'connection' in b) return a.connection === b.connection;
  if ('host' in a && 'host' in b) return a.host === b.host;
  return false;
}

/** A job's problem as the API answers it. */
export function jobInvalid(err: unknown): unknown {
  if (err instanceof SyncJobError) return new RegistryError('SYNC_JOB_INVALID', { message: err.message, detail: { job: err.job, key: err.key } });
  return err;
}

/** Whether an endpoint is the local registry. */
export function isLocal(ep: SyncEndpoint): boolean {
  return 'connection' in ep && ep.connection === LOCAL_CONNECTION_ID;
}
