/**
 * The job form's fields as typed, and the job they describe: one pattern or rule per line, empty
 * fields left out, so that what is saved is exactly what the form shows. A side that names a host
 * (written in sync.yml by hand) is kept as it was.
 */
import type { SyncEndpoint, SyncJob, SyncTagFilter } from '../../../../src-server/contract';

/** The form's fields. */
export interface JobDraft {
  name: string;
  /** A connection id (`local`, a saved connection), or the side as it was when it names a host. */
  source: string | SyncEndpoint;
  repositories: string;
  tags: string;
  include: string;
  exclude: string;
  semver: string;
  newest: number | '';
  platforms: string;
  referrers: boolean;
  destination: string | SyncEndpoint;
  namespace: string;
  stripPrefix: string;
  repository: string;
  interval: string;
  /** Digests the job names (image-syncer's `repo@sha256:…`): not edited here, kept as they were. */
  digests?: string[];
}

/** An empty form: from the first connection into the local registry. */
export function emptyDraft(source = 'local'): JobDraft {
  return { name: '', source, repositories: '', tags: '', include: '', exclude: '', semver: '', newest: '', platforms: '', referrers: false, destination: 'local', namespace: '', stripPrefix: '', repository: '', interval: '' };
}

/** Lines (or commas) to a list, blanks dropped. */
export function listOf(text: string, commas = false): string[] {
  return text
    .split(commas ? /[\n,]/ : /\n/)
    .map((s) => s.trim())
    .filter(Boolean);
}

function endpointOf(side: string | SyncEndpoint): SyncEndpoint {
  return typeof side === 'string' ? { connection: side } : side;
}

/** The job a draft describes. */
export function jobOf(d: JobDraft): SyncJob {
  const tags: SyncTagFilter = {};
  const exact = listOf(d.tags, true);
  if (exact.length) tags.tags = exact;
  if (d.digests?.length) tags.digests = d.digests;
  const include = listOf(d.include);
  if (include.length) tags.include = include;
  const exclude = listOf(d.exclude);
  if (exclude.length) tags.exclude = exclude;
  if (d.semver.trim()) tags.semver = d.semver.trim();
  if (d.newest !== '') tags.newest = d.newest;
  const destination: SyncJob['destination'] = { ...endpointOf(d.destination) };
  if (d.namespace.trim()) destination.namespace = d.namespace.trim();
  if (d.stripPrefix.trim()) destination.stripPrefix = d.stripPrefix.trim();
  if (d.repository.trim()) destination.repository = d.repository.trim();
  const platforms = listOf(d.platforms, true);
  return {
    name: d.name.trim(),
    source: { ...endpointOf(d.source), repositories: listOf(d.repositories) },
    ...(Object.keys(tags).length ? { tags } : {}),
    ...(platforms.length ? { platforms } : {}),
    ...(d.referrers ? { referrers: true } : {}),
    destination,
    ...(d.interval.trim() ? { interval: d.interval.trim() } : {}),
  };
}

/** The form of a saved job. */
export function draftOf(job: SyncJob): JobDraft {
  const { repositories, ...source } = job.source;
  const { namespace, stripPrefix, repository, ...destination } = job.destination;
  const side = (e: SyncEndpoint): string | SyncEndpoint => ('connection' in e ? e.connection : e);
  return {
    name: job.name,
    source: side(source),
    repositories: repositories.join('\n'),
    tags: [...(job.tags?.tags ?? [])].join(', '),
    include: (job.tags?.include ?? []).join('\n'),
    exclude: (job.tags?.exclude ?? []).join('\n'),
    semver: job.tags?.semver ?? '',
    newest: job.tags?.newest ?? '',
    platforms: (job.platforms ?? []).join(', '),
    referrers: job.referrers === true,
    destination: side(destination),
    namespace: namespace ?? '',
    stripPrefix: stripPrefix ?? '',
    repository: repository ?? '',
    interval: job.interval ?? '',
    ...(job.tags?.digests?.length ? { digests: job.tags.digests } : {}),
  };
}
