/**
 * The neutral failures of storage and the registry as the OCI error a client reads: the one place
 * that says which code, status, message and detail each one answers with. Both faces use it, the
 * `/v2` error middleware (http/errors.ts) and the app API's mapper (api/errors.ts), so a failure
 * reads the same whichever way it came.
 */
import {
  DeletesDisabledError,
  DigestMismatchError,
  InvalidManifestError,
  InvalidReferenceError,
  ManifestTooLargeError,
  MissingReferencesError,
  NotFoundError,
  RegistryError,
  UploadOffsetError,
  WritesHeldError,
} from './errors';
import type { OciCode } from '../contract/codes';

/**
 * `err` as a RegistryError: itself when it is one, the mapped error when it is a neutral one, null
 * for anything else (a bug, to be logged by the caller). A NotFoundError takes `notFound`, the code
 * the caller chose for what it looked up (a missing blob is BLOB_UNKNOWN on GET, and a lookup no
 * caller named more exactly is NOT_FOUND).
 */
export function toRegistryError(err: unknown, notFound: OciCode = 'NOT_FOUND'): RegistryError | null {
  if (err instanceof RegistryError) return err;
  if (err instanceof NotFoundError) return new RegistryError(notFound);
  if (err instanceof DigestMismatchError) {
    return new RegistryError('DIGEST_INVALID', { detail: { expected: err.expected, actual: err.actual } });
  }
  if (err instanceof UploadOffsetError) {
    return new RegistryError('RANGE_INVALID', {
      headers: { Range: `0-${Math.max(err.currentSize - 1, 0)}` },
      detail: { size: err.currentSize },
    });
  }
  if (err instanceof DeletesDisabledError) return new RegistryError('UNSUPPORTED', { message: err.message });
  if (err instanceof WritesHeldError) return new RegistryError('UNAVAILABLE', { message: err.message });
  if (err instanceof MissingReferencesError) {
    // registry:2's codes: blobs a manifest lists are MANIFEST_BLOB_UNKNOWN, an index's children MANIFEST_UNKNOWN.
    return new RegistryError(err.kind === 'blob' ? 'MANIFEST_BLOB_UNKNOWN' : 'MANIFEST_UNKNOWN', { detail: { missing: err.digests } });
  }
  if (err instanceof InvalidReferenceError) {
    return err.kind === 'digest'
      ? new RegistryError('DIGEST_INVALID', { detail: { digest: err.reference } })
      : new RegistryError('TAG_INVALID', { detail: { tag: err.reference } });
  }
  if (err instanceof ManifestTooLargeError) {
    return new RegistryError('MANIFEST_INVALID', { status: 413, message: err.message, detail: { limit: err.limit } });
  }
  if (err instanceof InvalidManifestError) {
    return err.tooMany
      ? new RegistryError('MANIFEST_INVALID', { message: err.reason, detail: { limit: err.tooMany.limit, descriptors: err.tooMany.descriptors } })
      : new RegistryError('MANIFEST_INVALID', { detail: { reason: err.reason } });
  }
  return null;
}
