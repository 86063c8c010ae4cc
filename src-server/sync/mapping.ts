/**
 * Where a source repository lands: `stripPrefix` taken off its path, then `namespace` put before
 * what is left (`team/app/x`, strip `team/`, namespace `mirror` → `mirror/app/x`), or exactly
 * `repository` for a job of one repository.
 */
import type { SyncJob } from '../contract';

/** Whether a repository pattern is a glob (`*` any characters, slashes included; `?` one). */
export function hasGlob(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}

/** The destination repository of `source` under the destination's mapping. */
export function destinationRepository(d: Pick<SyncJob['destination'], 'namespace' | 'stripPrefix' | 'repository'>, source: string): string {
  if (d.repository !== undefined) return d.repository;
  let rest = source;
  if (d.stripPrefix !== undefined && rest.startsWith(d.stripPrefix)) rest = rest.slice(d.stripPrefix.length).replace(/^\/+/, '');
  if (d.namespace === undefined) return rest;
  return rest ? `${d.namespace.replace(/\/+$/, '')}/${rest}` : d.namespace;
}
