/**
 * How a `/v2` route chooses what "not found" means to its client. Storage and the registry throw a
 * neutral NotFoundError; the route knows what was looked up, so it names the OCI code: the router's
 * table wraps each handler that looks something up in {@link notFoundAs}.
 */
import type { OciCode } from '../../contract/codes';
import { NotFoundError, RegistryError } from '../../core/errors';

/** The OCI codes that say something looked up is missing. */
export type NotFoundCode = Extract<OciCode, 'BLOB_UNKNOWN' | 'BLOB_UPLOAD_UNKNOWN' | 'MANIFEST_UNKNOWN' | 'NAME_UNKNOWN' | 'NOT_FOUND'>;

/**
 * `handler`, with any NotFoundError it throws answered as `code` (a RegistryError, so that the error
 * middleware and the audit log both see the chosen code); other errors pass unchanged.
 */
export function notFoundAs<A extends unknown[]>(code: NotFoundCode, handler: (...args: A) => Promise<void> | void): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await handler(...args);
    } catch (err) {
      throw err instanceof NotFoundError ? new RegistryError(code) : err;
    }
  };
}
