import type { Context } from 'koa';
import { MediaType } from '../../core/mediatypes';
import { MAX_MANIFEST_BYTES } from '../../registry/manifest-checks';
import type { RegistryService } from '../../registry/service';
import { empty, queryParam, readBody, requireDigest } from './util';

/** GET/HEAD /v2/<name>/manifests/<reference> — https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests */
export async function getManifest(ctx: Context, registry: RegistryService, repo: string, ref: string): Promise<void> {
  const m = await registry.getManifest(repo, ref);
  ctx.status = 200;
  ctx.set('Docker-Content-Digest', m.digest);
  ctx.set('ETag', `"${m.digest}"`);
  ctx.type = m.mediaType;
  if (ctx.method === 'HEAD') {
    ctx.set('Content-Length', String(m.body.length));
    return;
  }
  ctx.body = m.body;
}

/** PUT /v2/<name>/manifests/<reference> — https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-manifests */
export async function putManifest(ctx: Context, registry: RegistryService, repo: string, ref: string): Promise<void> {
  const body = await readBody(ctx, MAX_MANIFEST_BYTES);
  const { digest, subject } = await registry.putManifest(repo, ref, body, ctx.get('Content-Type') || undefined);
  ctx.set('Location', `/v2/${repo}/manifests/${digest}`);
  ctx.set('Docker-Content-Digest', digest);
  if (subject) ctx.set('OCI-Subject', subject);
  empty(ctx, 201);
}

/** DELETE /v2/<name>/manifests/<reference> — by digest (and its tags) or by tag. */
export async function deleteManifest(ctx: Context, registry: RegistryService, repo: string, ref: string): Promise<void> {
  // Into the trash first, recording who deleted it when the request was authenticated.
  const user = ctx.state.user as string | undefined;
  await registry.deleteManifest(repo, ref, { source: 'registry-api', ...(user ? { by: user } : {}) });
  empty(ctx, 202);
}

/** GET /v2/<name>/referrers/<digest> — https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-referrers */
export function getReferrers(ctx: Context, registry: RegistryService, repo: string, ref: string): void {
  const d = requireDigest(ref);
  const artifactType = queryParam(ctx, 'artifactType') || undefined;
  const rows = registry.referrers(repo, d.digest, artifactType);
  if (artifactType) ctx.set('OCI-Filters-Applied', 'artifactType');
  ctx.type = MediaType.OciIndex;
  ctx.body = {
    schemaVersion: 2,
    mediaType: MediaType.OciIndex,
    manifests: rows.map((r) => ({
      mediaType: r.mediaType,
      digest: r.digest,
      size: r.size,
      ...(r.artifactType ? { artifactType: r.artifactType } : {}),
      ...(r.annotations ? { annotations: r.annotations } : {}),
    })),
  };
}
