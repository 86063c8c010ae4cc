/** The storage pictures' figures in words: one source for labels, readouts and accessible names. */
import type { RepositoryUsage, UsageBytes, UsageHistoryPoint } from '../../../../src-server/contract';
import { count, formatBytes } from '../../app/format';

/** Exact bytes with digit grouping: `12,345,678 bytes`. */
export function exactBytes(n: number): string {
  return `${n.toLocaleString()} ${n === 1 ? 'byte' : 'bytes'}`;
}

/** A repository's figures: `team/app: 12.3 MB stored (12,345,678 bytes), 10.1 MB unique, 2.20 MB shared, 0 B untagged, 3 tags`. */
export function describeRepository(r: RepositoryUsage): string {
  return (
    `${r.name}: ${formatBytes(r.stored)} stored (${exactBytes(r.stored)}), ${formatBytes(r.unique)} unique, ` +
    `${formatBytes(r.shared)} shared, ${formatBytes(r.untagged)} untagged, ${count(r.tags, 'tag')}`
  );
}

/** The name of the group of smaller repositories: `9,950 smaller repositories`. */
export function restName(repositories: number): string {
  return `${count(repositories, 'smaller repository', 'smaller repositories')}`;
}

/** The group's figures. */
export function describeRest(rest: UsageBytes & { repositories: number }): string {
  return `${restName(rest.repositories)}: ${formatBytes(rest.stored)} stored (${exactBytes(rest.stored)}), ${formatBytes(rest.unique)} unique, ${formatBytes(rest.shared)} shared`;
}

/** A day as the user's locale writes it, e.g. `Mar 10, 2026` (the day is a UTC day). */
export function formatDay(day: string, opts: Intl.DateTimeFormatOptions = { year: 'numeric', month: 'short', day: 'numeric' }): string {
  return new Date(`${day}T00:00:00Z`).toLocaleDateString(undefined, { ...opts, timeZone: 'UTC' });
}

/** `09:30 UTC`: when a point was measured. */
export function formatMeasuredAt(iso: string): string {
  return `${iso.slice(11, 16)} UTC`;
}

/** A day's figures: `Mar 10, 2026: 12.3 MB stored (12,345,678 bytes), 4 repositories, 9 manifests, 22 blobs; measured 09:30 UTC`. */
export function describePoint(p: UsageHistoryPoint): string {
  return (
    `${formatDay(p.day)}: ${formatBytes(p.stored)} stored (${exactBytes(p.stored)}), ${count(p.repositories, 'repository', 'repositories')}, ` +
    `${count(p.manifests, 'manifest')}, ${count(p.blobs, 'blob')}; measured ${formatMeasuredAt(p.at)}`
  );
}
