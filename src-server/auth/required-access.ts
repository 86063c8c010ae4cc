import type { Right } from './rules';

/**
 * What a `/v2` path addresses (the shape of http's V2Target, restated here because auth sits below
 * http): `resource` is ping, catalog, tags, manifests, blobs, uploads (POST), upload (one upload
 * by id) or referrers.
 */
export interface AccessTarget {
  resource: string;
  repo: string;
  ref: string;
}

/** One right needed on one repository. */
export interface Need {
  repo: string;
  right: Right;
}

/** What a `/v2` request needs beyond a login. */
export interface RequiredAccess {
  /** Every right the request needs; the first one missing is named in the 403. */
  needs: Need[];
  /**
   * A cross-repository mount (`?mount=&from=`): pull on this repository makes the mount possible.
   * Without it the request is not refused; the mount is dropped and a plain upload starts.
   */
  mountFrom?: string;
  /** A mount without `from` (the blob from anywhere): only for callers with pull on every repository. */
  automaticMount?: boolean;
}

const READS = new Set(['GET', 'HEAD']);

function rightFor(resource: string, method: string): Right {
  if (resource === 'uploads' || resource === 'upload') return 'push';
  if (READS.has(method)) return 'pull';
  if (method === 'DELETE' && (resource === 'manifests' || resource === 'blobs')) return 'delete';
  if (method === 'PUT' && resource === 'manifests') return 'push';
  // Methods a resource does not answer (405 from the router) still need a right there, so that
  // strangers learn nothing; pull is the least a caller can hold.
  return 'pull';
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/**
 * What a request needs, from its method, its target and its query (`mount`, `from`):
 * `'login'` for ping and catalog (any valid user; the catalog is filtered by pull rights), otherwise
 * the rights per repository. Reads need pull; manifest PUT and every upload request need push;
 * DELETE of manifests (and tags, which are manifests by tag) and blobs needs delete.
 */
export function requiredAccess(
  method: string,
  target: AccessTarget,
  query: Record<string, string | string[] | undefined>,
): RequiredAccess | 'login' {
  if (target.resource === 'ping' || target.resource === 'catalog') return 'login';
  const out: RequiredAccess = { needs: [{ repo: target.repo, right: rightFor(target.resource, method) }] };
  if (target.resource === 'uploads' && method === 'POST' && first(query.mount) !== undefined) {
    const from = first(query.from);
    if (from === undefined) out.automaticMount = true;
    else out.mountFrom = from;
  }
  return out;
}
