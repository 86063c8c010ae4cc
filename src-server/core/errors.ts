/**
 * The error model of the core: one error class that carries a code of the contract's vocabulary,
 * and the neutral failures that storage and the registry throw instead, leaving the code to the
 * caller (see http/errors.ts and api/errors.ts, the one mapper of each direction).
 * https://github.com/opencontainers/distribution-spec/blob/main/spec.md#error-codes
 */
import { APP_CODES, OCI_CODES, type AppCode, type OciCode } from '../contract/codes';

/**
 * Every code a RegistryError may carry, with its HTTP status and default message: the contract's
 * OCI and app tables, joined (no list of its own).
 */
export const ERROR_CODES = { ...OCI_CODES, ...APP_CODES } as const;

/** A code of the table above. */
export type ErrorCode = OciCode | AppCode;

/** An error that the HTTP layer writes as `{"errors":[{code,message,detail}]}`. */
export class RegistryError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly detail: unknown;
  /** Extra response headers (e.g. `Range` on a 416, `WWW-Authenticate` on a 401). */
  readonly headers: Record<string, string>;

  constructor(
    code: ErrorCode,
    opts: { message?: string; detail?: unknown; status?: number; headers?: Record<string, string> } = {},
  ) {
    super(opts.message ?? ERROR_CODES[code].message);
    this.name = 'RegistryError';
    this.code = code;
    this.status = opts.status ?? ERROR_CODES[code].status;
    this.detail = opts.detail;
    this.headers = opts.headers ?? {};
  }
}

/**
 * Neutral storage-level failures. Storage throws these; routes map them to an OCI code,
 * because the context decides (a missing blob is BLOB_UNKNOWN on GET, MANIFEST_BLOB_UNKNOWN on PUT).
 */
export class NotFoundError extends Error {
  constructor(readonly what: string) {
    super(`${what} not found`);
    this.name = 'NotFoundError';
  }
}

/** The bytes received do not hash to the digest the client named. */
export class DigestMismatchError extends Error {
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`digest mismatch: expected ${expected}, got ${actual}`);
    this.name = 'DigestMismatchError';
  }
}

/** An upload was resumed at the wrong offset or is busy with another request. */
export class UploadOffsetError extends Error {
  constructor(readonly currentSize: number) {
    super(`upload is at offset ${currentSize}`);
    this.name = 'UploadOffsetError';
  }
}

/** Deleting is switched off (`storage.delete.enabled` false): every delete is refused. */
export class DeletesDisabledError extends Error {
  constructor() {
    super('deletes are disabled (storage.delete.enabled)');
    this.name = 'DeletesDisabledError';
  }
}

/**
 * Writes wait while another instance on shared storage collects garbage, and the wait ran out;
 * `reason` says who holds the collection lease.
 */
export class WritesHeldError extends Error {
  constructor(readonly reason: string) {
    super(`writes are held: ${reason}; try again when it ends`);
    this.name = 'WritesHeldError';
  }
}

/**
 * A pushed manifest lists content the repository lacks: blobs (its config and layers) or, for an
 * index, child manifests. `digests` are the missing ones, in the order the thrower chose.
 */
export class MissingReferencesError extends Error {
  constructor(
    readonly kind: 'blob' | 'manifest',
    readonly digests: string[],
  ) {
    super(`the manifest references ${digests.length} unknown ${kind}(s)`);
    this.name = 'MissingReferencesError';
  }
}

/** A manifest pushed under a reference that is not a valid digest (`kind` digest) or tag (`kind` tag). */
export class InvalidReferenceError extends Error {
  constructor(
    readonly kind: 'digest' | 'tag',
    readonly reference: string,
  ) {
    super(`invalid ${kind} ${JSON.stringify(reference)}`);
    this.name = 'InvalidReferenceError';
  }
}

/** A pushed manifest over the size limit. */
export class ManifestTooLargeError extends Error {
  constructor(readonly limit: number) {
    super('manifest too large');
    this.name = 'ManifestTooLargeError';
  }
}

/**
 * A pushed manifest the registry cannot store: it does not parse (`reason`), or it lists more
 * descriptors than allowed (`tooMany`, and `reason` says so).
 */
export class InvalidManifestError extends Error {
  constructor(
    readonly reason: string,
    readonly tooMany?: { limit: number; descriptors: number },
  ) {
    super(reason);
    this.name = 'InvalidManifestError';
  }
}
