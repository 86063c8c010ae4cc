/**
 * Payload checks of the sync and archive channels (issue 20). Only shapes are checked here: what a
 * job means (valid regexes, a semver range, a name, an interval) is checked where sync.yml is read,
 * so that the file and the API refuse the same things in the same words; paths must be absolute.
 */
import { isAbsolute } from 'node:path';
import type { HostAccess, ImagePlace, PlatformChoice, SyncEndpoint, SyncJob, SyncTagFilter } from '../contract';
import { ArgsError, isObject, named, none, object, optionalBoolean, optionalInteger, optionalString, optionalStringArray, requiredString, type Checks } from './args-kit';

/** The channels of this area. */
export type TransferChannel =
  | 'transfer:copy'
  | 'transfer:cancel'
  | 'archive:export'
  | 'archive:import'
  | 'sync:list'
  | 'sync:save'
  | 'sync:remove'
  | 'sync:run'
  | 'sync:history';

/** The channels of this area, at run time. */
export const TRANSFER_CHANNELS: readonly TransferChannel[] = ['transfer:copy', 'transfer:cancel', 'archive:export', 'archive:import', 'sync:list', 'sync:save', 'sync:remove', 'sync:run', 'sync:history'];

/** Channels whose payload may name files or hosts of the machine the core runs on. */
export const FILE_CHANNELS: readonly TransferChannel[] = ['transfer:copy', 'archive:export', 'archive:import'];

/** Most images one export takes. */
const MAX_EXPORT_IMAGES = 1000;
/** Most one-off jobs one run takes (an image-syncer images file, entry by entry). */
const MAX_RUN_JOBS = 10_000;

function absolutePath(o: Record<string, unknown>, key: string, what: string): string {
  const p = requiredString(o, key);
  if (!p || !isAbsolute(p) || p.includes('\0')) throw new ArgsError(`${what} must be an absolute path`);
  return p;
}

function access(raw: unknown): HostAccess | undefined {
  if (raw === undefined) return undefined;
  const o = object(raw, ['username', 'password', 'tlsVerify', 'caPem']);
  const out: HostAccess = {};
  for (const k of ['username', 'password', 'caPem'] as const) {
    const v = optionalString(o, k);
    if (v !== undefined) out[k] = v;
  }
  const tls = optionalBoolean(o, 'tlsVerify');
  if (tls !== undefined) out.tlsVerify = tls;
  return out;
}

/** An {@link ImagePlace}. */
export function imagePlace(raw: unknown, what: string): ImagePlace {
  if (!isObject(raw)) throw new ArgsError(`${what} must be an object`);
  const t = raw.transport;
  const reference = () => optionalString(raw, 'reference');
  const withRef = <P extends ImagePlace>(p: P): P => {
    const r = reference();
    return r === undefined ? p : { ...p, reference: r };
  };
  switch (t) {
    case 'registry': {
      const o = object(raw, ['transport', 'connection', 'repository', 'reference']);
      return withRef({ transport: 'registry', connection: requiredString(o, 'connection'), repository: requiredString(o, 'repository') });
    }
    case 'host': {
      const o = object(raw, ['transport', 'host', 'repository', 'reference', 'access']);
      const a = access(o.access);
      return withRef({ transport: 'host', host: requiredString(o, 'host'), repository: requiredString(o, 'repository'), ...(a ? { access: a } : {}) });
    }
    case 'oci':
    case 'oci-archive':
    case 'docker-archive': {
      const o = object(raw, ['transport', 'path', 'reference']);
      return withRef({ transport: t, path: absolutePath(o, 'path', `${what}'s path`) });
    }
    default:
      throw new ArgsError(`${what} has an unknown transport ${JSON.stringify(t)} (registry, host, oci, oci-archive or docker-archive)`);
  }
}

function platforms(o: Record<string, unknown>): PlatformChoice | undefined {
  const v = o.platforms;
  if (v === undefined || v === 'all') return v;
  const list = optionalStringArray(o, 'platforms');
  if (list && list.length === 0) throw new ArgsError('the platforms must be "all" or a non-empty list');
  return list;
}

function endpoint(raw: unknown, what: string, extra: string[]): { endpoint: SyncEndpoint; o: Record<string, unknown> } {
  if (!isObject(raw)) throw new ArgsError(`${what} must be an object`);
  if ('connection' in raw) {
    const o = object(raw, ['connection', ...extra]);
    return { endpoint: { connection: requiredString(o, 'connection') }, o };
  }
  const o = object(raw, ['host', 'insecure', 'access', ...extra]);
  const ep: SyncEndpoint = { host: requiredString(o, 'host') };
  const insecure = optionalBoolean(o, 'insecure');
  if (insecure !== undefined) ep.insecure = insecure;
  const a = access(o.access);
  if (a) ep.access = a;
  return { endpoint: ep, o };
}

function tagFilter(raw: unknown): SyncTagFilter | undefined {
  if (raw === undefined) return undefined;
  const o = object(raw, ['tags', 'digests', 'include', 'exclude', 'semver', 'newest']);
  const out: SyncTagFilter = {};
  for (const k of ['tags', 'digests', 'include', 'exclude'] as const) {
    const v = optionalStringArray(o, k);
    if (v !== undefined) out[k] = v;
  }
  const semver = optionalString(o, 'semver');
  if (semver !== undefined) out.semver = semver;
  const newest = optionalInteger(o, 'newest', 1, 100_000);
  if (newest !== undefined) out.newest = newest;
  return out;
}

/** A {@link SyncJob}'s shape. */
export function syncJob(raw: unknown): SyncJob {
  const o = object(raw, ['name', 'source', 'tags', 'platforms', 'referrers', 'destination', 'interval']);
  const src = endpoint(o.source, 'the source', ['repositories']);
  const repositories = optionalStringArray(src.o, 'repositories');
  if (!repositories || repositories.length === 0) throw new ArgsError('the source needs at least one repository');
  const dst = endpoint(o.destination, 'the destination', ['namespace', 'stripPrefix', 'repository', 'tag']);
  const destination: SyncJob['destination'] = { ...dst.endpoint };
  for (const k of ['namespace', 'stripPrefix', 'repository', 'tag'] as const) {
    const v = optionalString(dst.o, k);
    if (v !== undefined) destination[k] = v;
  }
  const job: SyncJob = { name: requiredString(o, 'name'), source: { ...src.endpoint, repositories }, destination };
  const tags = tagFilter(o.tags);
  if (tags) job.tags = tags;
  const p = optionalStringArray(o, 'platforms');
  if (p !== undefined) job.platforms = p;
  const referrers = optionalBoolean(o, 'referrers');
  if (referrers !== undefined) job.referrers = referrers;
  const interval = optionalString(o, 'interval');
  if (interval !== undefined) job.interval = interval;
  return job;
}

function defined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

/** Payload checks of this area. */
export const TRANSFER_CHECKS: Checks<TransferChannel> = {
  'transfer:copy': (raw) => {
    const o = object(raw, ['from', 'to', 'platforms', 'referrers', 'overwrite', 'operationId']);
    return defined({
      from: imagePlace(o.from, 'the source'),
      to: imagePlace(o.to, 'the destination'),
      platforms: platforms(o),
      referrers: optionalBoolean(o, 'referrers'),
      overwrite: optionalBoolean(o, 'overwrite'),
      operationId: optionalString(o, 'operationId'),
    });
  },
  'transfer:cancel': (raw) => ({ operationId: requiredString(object(raw, ['operationId']), 'operationId') }),
  'archive:export': (raw) => {
    const o = object(raw, ['images', 'out', 'format', 'platforms', 'referrers', 'operationId']);
    if (!Array.isArray(o.images) || o.images.length === 0 || o.images.length > MAX_EXPORT_IMAGES) throw new ArgsError(`the images must be a list of 1 to ${MAX_EXPORT_IMAGES}`);
    const format = optionalString(o, 'format');
    if (format !== undefined && format !== 'oci' && format !== 'docker') throw new ArgsError('the format must be oci or docker');
    return defined({
      images: o.images.map((p, i) => imagePlace(p, `image ${i + 1}`)),
      out: absolutePath(o, 'out', 'the archive'),
      format,
      platforms: platforms(o),
      referrers: optionalBoolean(o, 'referrers'),
      operationId: optionalString(o, 'operationId'),
    });
  },
  'archive:import': (raw) => {
    const o = object(raw, ['path', 'to', 'operationId']);
    return defined({ path: absolutePath(o, 'path', 'the archive'), to: optionalString(o, 'to'), operationId: optionalString(o, 'operationId') });
  },
  'sync:list': none,
  'sync:save': (raw) => {
    const o = object(raw, ['job', 'replace']);
    return defined({ job: syncJob(o.job), replace: optionalBoolean(o, 'replace') });
  },
  'sync:remove': named,
  'sync:run': (raw) => {
    const o = object(raw, ['job', 'jobs', 'dryRun', 'proc', 'retries', 'operationId', 'trigger']);
    let jobs: SyncJob[] | undefined;
    if (o.jobs !== undefined) {
      if (!Array.isArray(o.jobs) || o.jobs.length === 0 || o.jobs.length > MAX_RUN_JOBS) throw new ArgsError(`the jobs must be a list of 1 to ${MAX_RUN_JOBS}`);
      jobs = o.jobs.map(syncJob);
    }
    const trigger = optionalString(o, 'trigger');
    if (trigger !== undefined && trigger !== 'cli' && trigger !== 'gui') throw new ArgsError('the trigger must be cli or gui');
    return defined({
      job: optionalString(o, 'job'),
      jobs,
      dryRun: optionalBoolean(o, 'dryRun'),
      proc: optionalInteger(o, 'proc', 1, 32),
      retries: optionalInteger(o, 'retries', 0, 10),
      operationId: optionalString(o, 'operationId'),
      trigger: trigger as 'cli' | 'gui' | undefined,
    });
  },
  'sync:history': (raw) => {
    const o = object(raw, ['job', 'limit']);
    return defined({ job: optionalString(o, 'job'), limit: optionalInteger(o, 'limit', 1, 500) });
  },
};
