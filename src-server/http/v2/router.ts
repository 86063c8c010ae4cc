import type { Context } from 'koa';
import { RegistryError } from '../../core/errors';
import { isValidName } from '../../core/names';
import type { RegistryService } from '../../registry/service';
import { deleteBlob, getBlob } from './blob-routes';
import { getCatalog, getTags } from './list-routes';
import { deleteManifest, getManifest, getReferrers, putManifest } from './manifest-routes';
import { notFoundAs } from './not-found';
import { cancelUpload, finishUpload, patchUpload, startUpload, uploadStatus } from './upload-routes';

type Handler = (ctx: Context, registry: RegistryService, repo: string, ref: string) => Promise<void> | void;

/**
 * The resources under a repository and the methods each answers. Every handler that looks something
 * up names what a missing one is to the client (see not-found.ts); the referrers of an unknown
 * digest are an empty list, never a 404.
 */
const ROUTES: Record<string, Partial<Record<string, Handler>>> = {
  tags: { GET: notFoundAs('NAME_UNKNOWN', (ctx: Context, r: RegistryService, repo: string) => getTags(ctx, r, repo)) },
  manifests: {
    GET: notFoundAs('MANIFEST_UNKNOWN', getManifest),
    HEAD: notFoundAs('MANIFEST_UNKNOWN', getManifest),
    PUT: notFoundAs('MANIFEST_UNKNOWN', putManifest),
    DELETE: notFoundAs('MANIFEST_UNKNOWN', deleteManifest),
  },
  blobs: { GET: notFoundAs('BLOB_UNKNOWN', getBlob), HEAD: notFoundAs('BLOB_UNKNOWN', getBlob), DELETE: notFoundAs('BLOB_UNKNOWN', deleteBlob) },
  uploads: { POST: notFoundAs('BLOB_UPLOAD_UNKNOWN', (ctx: Context, r: RegistryService, repo: string) => startUpload(ctx, r, repo)) },
  upload: {
    GET: notFoundAs('BLOB_UPLOAD_UNKNOWN', uploadStatus),
    PATCH: notFoundAs('BLOB_UPLOAD_UNKNOWN', patchUpload),
    PUT: notFoundAs('BLOB_UPLOAD_UNKNOWN', finishUpload),
    DELETE: notFoundAs('BLOB_UPLOAD_UNKNOWN', cancelUpload),
  },
  referrers: { GET: getReferrers },
};

// A repository name may contain slashes, so the resource is found from the end of the path.
const PATH_RE = /^\/v2\/(.+?)\/(?:(tags)\/list|(manifests)\/([^/]+)|blobs\/(uploads)\/|blobs\/uploads\/([^/]+)|(blobs)\/([^/]+)|(referrers)\/([^/]+))$/;

/** What a `/v2/...` path addresses. */
export interface V2Target {
  resource: 'ping' | 'catalog' | keyof typeof ROUTES;
  repo: string;
  ref: string;
}

/** Parses a `/v2/...` path; null when it addresses nothing. */
export function parseV2Path(path: string): V2Target | null {
  if (path === '/v2/' || path === '/v2') return { resource: 'ping', repo: '', ref: '' };
  if (path === '/v2/_catalog') return { resource: 'catalog', repo: '', ref: '' };
  const m = PATH_RE.exec(path);
  if (!m) return null;
  const repo = m[1]!;
  if (m[2]) return { resource: 'tags', repo, ref: '' };
  if (m[3]) return { resource: 'manifests', repo, ref: m[4]! };
  if (m[5]) return { resource: 'uploads', repo, ref: '' };
  if (m[6]) return { resource: 'upload', repo, ref: m[6] };
  if (m[7]) return { resource: 'blobs', repo, ref: m[8]! };
  return { resource: 'referrers', repo, ref: m[10]! };
}

/** Dispatches a `/v2/...` request to its handler, checking the name and the method. */
export async function dispatchV2(ctx: Context, registry: RegistryService, target: V2Target): Promise<void> {
  const { resource, repo, ref } = target;
  if (resource === 'ping' || resource === 'catalog') {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') throw new RegistryError('UNSUPPORTED', { detail: { method: ctx.method } });
    if (resource === 'ping') {
      ctx.body = {};
    } else {
      getCatalog(ctx, registry);
    }
    return;
  }
  if (!isValidName(repo)) throw new RegistryError('NAME_INVALID', { detail: { name: repo } });
  const handler = ROUTES[resource]![ctx.method];
  if (!handler) throw new RegistryError('UNSUPPORTED', { detail: { method: ctx.method, resource } });
  await handler(ctx, registry, repo, decodeRef(ref));
}

/** References may arrive percent-encoded (`sha256%3Aabc`); anything that decodes badly stays as is and fails validation. */
function decodeRef(ref: string): string {
  if (!ref.includes('%')) return ref;
  try {
    return decodeURIComponent(ref);
  } catch {
    return ref;
  }
}
