/**
 * A sync job's shape as sync.yml writes it (the keys of SyncJob), read from parsed YAML: every
 * unknown key is refused (`__proto__` too), and every problem names the job and the key.
 */
import type { HostAccess, SyncEndpoint, SyncJob, SyncTagFilter } from '../contract';
import { SyncJobError } from './job-check';

type Raw = Record<string, unknown>;

const JOB_KEYS = ['name', 'source', 'tags', 'platforms', 'referrers', 'destination', 'interval'];
const TAG_KEYS = ['tags', 'digests', 'include', 'exclude', 'semver', 'newest'];
const ACCESS_KEYS = ['username', 'password', 'tlsVerify', 'caPem'];

/** Reads entry `i` of `jobs:`; throws SyncJobError. */
export function jobOfRaw(raw: unknown, i: number): SyncJob {
  const label = isMap(raw) && typeof raw.name === 'string' ? raw.name : `jobs[${i}]`;
  const r = new Reader(label);
  const o = r.map(raw, 'the job', JOB_KEYS);
  const name = r.string(o, 'name', true)!;
  const source = r.endpoint(o.source, 'source', ['repositories']);
  const repositories = r.strings(source.o, 'source.repositories', 'repositories');
  if (!repositories) throw new SyncJobError(label, 'source.repositories', 'required: the repositories to take (names or globs)');
  const dst = r.endpoint(o.destination, 'destination', ['namespace', 'stripPrefix', 'repository', 'tag']);
  const destination: SyncJob['destination'] = { ...dst.endpoint };
  for (const k of ['namespace', 'stripPrefix', 'repository', 'tag'] as const) {
    const v = r.string(dst.o, k, false, `destination.${k}`);
    if (v !== undefined) destination[k] = v;
  }
  const job: SyncJob = { name, source: { ...source.endpoint, repositories }, destination };
  if (o.tags !== undefined && o.tags !== null) job.tags = r.tags(o.tags);
  const platforms = r.strings(o, 'platforms');
  if (platforms) job.platforms = platforms;
  const referrers = r.boolean(o, 'referrers');
  if (referrers !== undefined) job.referrers = referrers;
  const interval = r.string(o, 'interval', false);
  if (interval !== undefined) job.interval = interval;
  return job;
}

function isMap(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class Reader {
  constructor(private readonly job: string) {}

  fail(key: string, what: string): SyncJobError {
    return new SyncJobError(this.job, key, what);
  }

  map(raw: unknown, key: string, allowed: string[]): Raw {
    if (!isMap(raw)) throw this.fail(key, `must be a mapping (${allowed.join(', ')})`);
    for (const k of Object.keys(raw)) if (!allowed.includes(k)) throw this.fail(key === 'the job' ? k : `${key}.${k}`, `unknown key (use ${allowed.join(', ')})`);
    return raw;
  }

  string(o: Raw, k: string, required: boolean, key = k): string | undefined {
    const v = o[k];
    if ((v === undefined || v === null) && !required) return undefined;
    if (typeof v !== 'string') throw this.fail(key, required && v === undefined ? 'required' : 'must be a string');
    return v;
  }

  boolean(o: Raw, k: string, key = k): boolean | undefined {
    const v = o[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') throw this.fail(key, 'must be true or false');
    return v;
  }

  strings(o: Raw, key: string, k = key): string[] | undefined {
    const v = o[k];
    if (v === undefined || v === null) return undefined;
    // One string where a list is meant is taken as a list of one.
    const list = typeof v === 'string' ? [v] : v;
    if (!Array.isArray(list) || list.some((x) => typeof x !== 'string')) throw this.fail(key, 'must be a list of strings');
    return list as string[];
  }

  endpoint(raw: unknown, side: string, extra: string[]): { endpoint: SyncEndpoint; o: Raw } {
    if (!isMap(raw)) throw this.fail(side, 'required: a mapping with connection (local or a saved connection) or host');
    if ('connection' in raw) {
      const o = this.map(raw, side, ['connection', ...extra]);
      return { endpoint: { connection: this.string(o, 'connection', true, `${side}.connection`)! }, o };
    }
    const o = this.map(raw, side, ['host', 'insecure', 'access', ...extra]);
    if (o.host === undefined) throw this.fail(side, 'name a connection (local or a saved connection) or a host');
    const ep: SyncEndpoint = { host: this.string(o, 'host', true, `${side}.host`)! };
    const insecure = this.boolean(o, 'insecure', `${side}.insecure`);
    if (insecure !== undefined) ep.insecure = insecure;
    if (o.access !== undefined) ep.access = this.access(o.access, `${side}.access`);
    return { endpoint: ep, o };
  }

  access(raw: unknown, key: string): HostAccess {
    const o = this.map(raw, key, ACCESS_KEYS);
    const out: HostAccess = {};
    for (const k of ['username', 'password', 'caPem'] as const) {
      const v = this.string(o, k, false, `${key}.${k}`);
      if (v !== undefined) out[k] = v;
    }
    const tls = this.boolean(o, 'tlsVerify', `${key}.tlsVerify`);
    if (tls !== undefined) out.tlsVerify = tls;
    return out;
  }

  tags(raw: unknown): SyncTagFilter {
    const o = this.map(raw, 'tags', TAG_KEYS);
    const out: SyncTagFilter = {};
    for (const k of ['tags', 'digests', 'include', 'exclude'] as const) {
      const v = this.strings(o, `tags.${k}`, k);
      if (v !== undefined) out[k] = v;
    }
    // `semver: 3` is read by YAML as a number; it means the range "3".
    const semver = typeof o.semver === 'number' ? String(o.semver) : this.string(o, 'semver', false, 'tags.semver');
    if (semver !== undefined) out.semver = semver;
    if (o.newest !== undefined && o.newest !== null) {
      if (typeof o.newest !== 'number' || !Number.isInteger(o.newest) || o.newest < 1 || o.newest > 100_000) throw this.fail('tags.newest', 'must be a whole number from 1 to 100000');
      out.newest = o.newest;
    }
    return out;
  }
}
