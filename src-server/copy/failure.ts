/**
 * A failure during a copy, restated so that it names what was being copied (`blob sha256:… to
 * team/app`): the user must learn which part failed, whichever registry failed it.
 */
import { DigestMismatchError, NotFoundError, RegistryError, type ErrorCode } from '../core/errors';
import { toRegistryError } from '../core/error-mapping';
import { RemoteError } from '../remote/errors';

/**
 * `err` as a RegistryError whose message starts with `what`. Registry and remote errors keep their
 * meaning (code, status); an error of unknown kind is returned as it is (a bug: the API logs it).
 */
export function copyFailure(err: unknown, what: string, detail: Record<string, unknown>): unknown {
  const restate = (code: ErrorCode, message: string, status?: number, cause?: unknown) =>
    new RegistryError(code, { message: `${what}: ${message}`, status, detail: cause === undefined ? detail : { ...detail, cause } });
  if (err instanceof RegistryError) return restate(err.code, err.message, err.status, err.detail);
  if (err instanceof DigestMismatchError) return restate('DIGEST_INVALID', err.message);
  if (err instanceof NotFoundError) return restate(err.what === 'manifest' ? 'MANIFEST_UNKNOWN' : 'BLOB_UNKNOWN', err.message);
  // The local registry's other neutral refusals (deletes off, a manifest's missing blobs...) read as a remote's would.
  const mapped = toRegistryError(err);
  if (mapped) return restate(mapped.code, mapped.message, mapped.status, mapped.detail);
  if (err instanceof RemoteError) {
    // Kept as the remote error it is, so the API answers its own code (CERT_UNTRUSTED, UNREACHABLE,
    // the registry's DENIED...) with its detail; only the message learns what was being copied.
    err.message = `${what}: ${err.message}`;
    return err;
  }
  return err;
}

/** What a copy had done when it stopped. */
export interface StoppedCounts {
  blobsCopied: number;
  blobsMounted: number;
  bytesCopied: number;
  /** Manifests written by digest (children of an index, referrers); the target tag is never among them. */
  manifestsWritten: number;
}

/**
 * The error a cancelled copy ends with, saying what stayed: never the tag, and blobs (and child
 * manifests by digest) already copied, which nothing references until a garbage collection removes
 * them. `tag` is the target tag, or null for a push by digest.
 */
export function cancelledError(repository: string, tag: string | null, done: StoppedCounts): RegistryError {
  const first = tag === null ? `the copy to ${repository} was cancelled before its manifest was written` : `the copy to ${repository}:${tag} was cancelled before the tag was written: ${repository}:${tag} is as it was`;
  const moved = done.blobsCopied + done.blobsMounted;
  const stayed = [
    moved > 0 ? `${moved} blob${moved === 1 ? '' : 's'} (${done.bytesCopied} bytes streamed)` : '',
    done.manifestsWritten > 0 ? `${done.manifestsWritten} untagged manifest${done.manifestsWritten === 1 ? '' : 's'}` : '',
  ].filter(Boolean);
  const rest = stayed.length ? `${stayed.join(' and ')} already copied stay in ${repository}, unreferenced, until a garbage collection removes them` : 'nothing was written';
  return new RegistryError('CANCELLED', { message: `${first}; ${rest}`, detail: { ...done } });
}
