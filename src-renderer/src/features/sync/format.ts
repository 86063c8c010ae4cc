/** How sync jobs, runs and failures read on the Sync screen. */
import type { ConnectionInfo, SyncEndpoint, SyncJob, SyncRunRecord, SyncTagFilter } from '../../../../src-server/contract';
import { count } from '../../app/format';

/** A job's side in words: a connection by its name (`This computer` for the local registry), or a host. */
export function describeEndpoint(e: SyncEndpoint, connections: readonly ConnectionInfo[] = []): string {
  if ('host' in e) return e.host;
  const known = connections.find((c) => c.id === e.connection || c.name === e.connection);
  return known ? known.name : e.connection;
}

/** Where the source's repositories land: `mirror/…` (strip `team/`), or a repository named exactly. */
export function describeMapping(d: SyncJob['destination']): string {
  if (d.repository) return `into ${d.repository}`;
  const parts: string[] = [];
  parts.push(d.namespace ? `under ${d.namespace}/` : 'same names');
  if (d.stripPrefix) parts.push(`without ${d.stripPrefix}`);
  return parts.join(', ');
}

/** The tag rules in words; `every tag` without any. */
export function describeTags(t: SyncTagFilter | undefined): string {
  if (!t) return 'every tag';
  const parts: string[] = [];
  if (t.tags?.length) parts.push(`tags ${t.tags.join(', ')}`);
  if (t.digests?.length) parts.push(count(t.digests.length, 'digest'));
  if (t.include?.length) parts.push(`matching ${t.include.join(' or ')}`);
  if (t.exclude?.length) parts.push(`not ${t.exclude.join(' or ')}`);
  if (t.semver) parts.push(`versions ${t.semver}`);
  if (t.newest !== undefined) parts.push(`newest ${t.newest}`);
  return parts.length ? parts.join('; ') : 'every tag';
}

/** The platforms a job takes. */
export function describePlatforms(job: SyncJob): string {
  return job.platforms?.length ? job.platforms.join(', ') : 'all platforms';
}

/** A duration as `850 ms`, `12.3 s`, `4 min 05 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h} h ${String(m).padStart(2, '0')} min` : `${m} min ${rest} s`;
}

/** A run's counts: `2 copied, 5 skipped, 1 failed`. */
export function describeCounts(r: { copied: number; skipped: number; failed: number }): string {
  return `${r.copied} copied, ${r.skipped} skipped, ${r.failed} failed`;
}

/** How a run ended, in words. */
export function describeOutcome(r: SyncRunRecord): string {
  if (r.outcome === 'cancelled') return 'cancelled';
  if (r.outcome === 'error') return 'could not start';
  return r.failed > 0 ? 'done, with failures' : 'done';
}

/** How a run was started. */
export function describeTrigger(t: SyncRunRecord['trigger']): string {
  return t === 'schedule' ? 'on schedule' : t === 'gui' ? 'from the GUI' : 'from the CLI';
}
