/**
 * The audit entries of `/v2` requests that change content: manifest PUTs (a tag pushed, or a
 * manifest by digest) and DELETEs of manifests, tags and blobs, whether they succeed or are refused.
 * Uploads are logged only when refused (a push that succeeds is recorded once, by its manifest; one
 * refused is often refused at its first upload). Reads are not logged.
 */
import type { Context } from 'koa';
import type { AuditEvent, AuditSink } from '../../audit/audit-log';
import { looksLikeDigest } from '../../core/digest';
import { toRegistryError } from '../../core/error-mapping';
import type { V2Target } from './router';

/** What a `/v2` request would change, or null when it changes nothing worth recording. */
export function v2AuditEvent(method: string, target: V2Target): (Omit<AuditEvent, 'result'> & { refusalsOnly?: true }) | null {
  const { resource, repo, ref } = target;
  if (resource === 'uploads' && method === 'POST') return { action: 'blob.upload', target: repo, refusalsOnly: true };
  const byDigest = looksLikeDigest(ref);
  if (resource === 'manifests' && method === 'PUT') {
    return byDigest ? { action: 'manifest.push', target: `${repo}@${ref}` } : { action: 'tag.push', target: `${repo}:${ref}` };
  }
  if (resource === 'manifests' && method === 'DELETE') {
    return byDigest ? { action: 'manifest.delete', target: `${repo}@${ref}` } : { action: 'tag.delete', target: `${repo}:${ref}` };
  }
  if (resource === 'blobs' && method === 'DELETE') return { action: 'blob.delete', target: `${repo}@${ref}` };
  return null;
}

/**
 * Failures not worth an entry: a 401 is the first step of every login (the client retries with
 * credentials; a bad password is logged as `login.fail`), a 429 refused before anything was tried.
 */
const UNRECORDED: readonly string[] = ['UNAUTHORIZED', 'TOOMANYREQUESTS'];

/**
 * Runs a `/v2` request (`run`: authorization and the route) and records it when it changes content:
 * the user (or `anonymous`), the client's address, and `ok` or the error code it was refused with.
 */
export async function auditedV2(ctx: Context, target: V2Target, sink: AuditSink | undefined, run: () => Promise<void>): Promise<void> {
  const described = sink ? v2AuditEvent(ctx.method, target) : null;
  if (!sink || !described) return run();
  const { refusalsOnly, ...event } = described;
  const actor = () => ({ user: (ctx.state.user as string | undefined) ?? 'anonymous', address: ctx.ip, via: 'registry' as const });
  try {
    await run();
  } catch (err) {
    // The route already turned a not-found into its own code (see not-found.ts): what the client reads.
    const code = toRegistryError(err)?.code ?? 'UNKNOWN';
    if (!UNRECORDED.includes(code)) sink.record(actor(), { ...event, result: code });
    throw err;
  }
  if (refusalsOnly) return;
  const digest = ctx.response.get('Docker-Content-Digest');
  sink.record(actor(), { ...event, result: 'ok', ...(event.action === 'tag.push' && digest ? { detail: { digest } } : {}) });
}
