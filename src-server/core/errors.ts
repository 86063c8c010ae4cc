/**
 * The OCI Distribution error model: one code table, one error class.
 * https://github.com/opencontainers/distribution-spec/blob/main/spec.md#error-codes
 */

/** Every error code Berth answers with, with its HTTP status and default message. */
export const ERROR_CODES = {
  BLOB_UNKNOWN: { status: 404, message: 'blob unknown to registry' },
  BLOB_UPLOAD_INVALID: { status: 400, message: 'blob upload invalid' },
  BLOB_UPLOAD_UNKNOWN: { status: 404, message: 'blob upload unknown to registry' },
  DIGEST_INVALID: { status: 400, message: 'provided digest did not match uploaded content' },
  MANIFEST_BLOB_UNKNOWN: { status: 400, message: 'manifest references a manifest or blob unknown to registry' },
  MANIFEST_INVALID: { status: 400, message: 'manifest invalid' },
  MANIFEST_UNKNOWN: { status: 404, message: 'manifest unknown to registry' },
  NAME_INVALID: { status: 400, message: 'invalid repository name' },
  NAME_UNKNOWN: { status: 404, message: 'repository name not known to registry' },
  SIZE_INVALID: { status: 400, message: 'provided length did not match content length' },
  RANGE_INVALID: { status: 416, message: 'requested range not satisfiable' },
  TAG_INVALID: { status: 400, message: 'manifest tag did not match URI' },
  PAGINATION_NUMBER_INVALID: { status: 400, message: 'invalid number of results requested' },
  UNAUTHORIZED: { status: 401, message: 'authentication required' },
  DENIED: { status: 403, message: 'requested access to the resource is denied' },
  UNSUPPORTED: { status: 405, message: 'the operation is unsupported' },
  TOOMANYREQUESTS: { status: 429, message: 'too many requests' },
  NOT_FOUND: { status: 404, message: 'not found' },
  // The admin side of the app core (issue 5): `berth serve --ui`'s start/stop, users, certificates, settings.
  UNAVAILABLE: { status: 503, message: 'the registry is stopped' },
  USER_UNKNOWN: { status: 404, message: 'no such user' },
  USER_EXISTS: { status: 409, message: 'the user already exists' },
  USER_NAME_INVALID: { status: 400, message: 'invalid user name' },
  RULES_INVALID: { status: 400, message: 'invalid access rules' },
  // Issue 15: groups, and no change that leaves the registry without an administrator.
  LAST_ADMIN: { status: 409, message: 'the change would leave no user with admin@*' },
  GROUP_UNKNOWN: { status: 404, message: 'no such group' },
  GROUP_EXISTS: { status: 409, message: 'the group already exists' },
  GROUP_NAME_INVALID: { status: 400, message: 'invalid group name' },
  NAME_TAKEN: { status: 409, message: 'users and groups need different names' },
  PASSWORD_INVALID: { status: 400, message: 'invalid password' },
  CERTIFICATE_INVALID: { status: 400, message: 'certificate problem' },
  OUTSIDE_CA: { status: 409, message: 'the names are outside what the CA may vouch for: a new CA is needed' },
  SETTINGS_INVALID: { status: 400, message: 'invalid settings' },
  TAG_MOVED: { status: 409, message: 'the tag no longer points at the confirmed digest' },
  SIBLINGS_AFFECTED: { status: 409, message: 'deleting the manifest would delete other tags too' },
  PLATFORM_UNKNOWN: { status: 400, message: 'platform not in the image index' },
  // Connections (issue 5).
  CONNECTION_INVALID: { status: 400, message: 'invalid connection' },
  CONNECTION_UNKNOWN: { status: 404, message: 'no such connection' },
  SECRETS_UNAVAILABLE: { status: 500, message: 'the secret store cannot be used' },
  UNKNOWN: { status: 500, message: 'unknown error' },
  // Issue 16: a delete plan the registry would carry out otherwise than previewed.
  PLAN_OUTDATED: { status: 409, message: 'the registry would delete otherwise than the preview said' },
} as const satisfies Record<string, { status: number; message: string }>;

/** A code from the table above. */
export type ErrorCode = keyof typeof ERROR_CODES;

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
