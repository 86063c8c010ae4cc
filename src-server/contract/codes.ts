/**
 * Berth's one error vocabulary: every code a client can read, in three groups. The `/v2` API's
 * error body, the bridge envelope (`ApiError`) and the GUI's titles all take their codes from
 * here, so a code cannot be sent that the GUI has no title for, nor renamed in one place only.
 *
 * - {@link OCI_CODES}: what the registry API (`/v2`) answers, with the HTTP status of each.
 * - {@link APP_CODES}: what the app API adds (IPC, `/_berth/api`, the control server).
 * - {@link TRANSPORT_CODES}: what the GUI's own transport reports when no answer came.
 *
 * Pure data and types, like the rest of contract/. Every code string here is on the wire and tested
 * by clients: never rename one.
 */
/** A code's HTTP status, and its message when the thrower gives none. */
export interface CodeInfo {
  readonly status: number;
  readonly message: string;
}

/**
 * The registry API's codes. First the OCI Distribution spec's table
 * (https://github.com/opencontainers/distribution-spec/blob/main/spec.md#error-codes), then the codes
 * registry:2 also sends and clients know (RANGE_INVALID, TAG_INVALID, PAGINATION_NUMBER_INVALID,
 * UNAVAILABLE, UNKNOWN), then Berth's NOT_FOUND for a path that addresses nothing.
 */
export const OCI_CODES = {
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
  UNAUTHORIZED: { status: 401, message: 'authentication required' },
  DENIED: { status: 403, message: 'requested access to the resource is denied' },
  UNSUPPORTED: { status: 405, message: 'the operation is unsupported' },
  TOOMANYREQUESTS: { status: 429, message: 'too many requests' },
  // registry:2's additions.
  RANGE_INVALID: { status: 416, message: 'requested range not satisfiable' },
  TAG_INVALID: { status: 400, message: 'manifest tag did not match URI' },
  PAGINATION_NUMBER_INVALID: { status: 400, message: 'invalid number of results requested' },
  // The app API sends UNAVAILABLE too, for a stopped registry: hence its message.
  UNAVAILABLE: { status: 503, message: 'the registry is stopped' },
  UNKNOWN: { status: 500, message: 'unknown error' },
  // Berth's: a path outside the API's routes, and a lookup no route named more exactly.
  NOT_FOUND: { status: 404, message: 'not found' },
} as const satisfies Record<string, CodeInfo>;

/**
 * The app API's codes (users, groups, certificates, settings, browsing, copying, deleting, the
 * bridges themselves, and a remote registry's failures as the GUI explains them). `status` is what
 * a plain HTTP answer would carry; the bridges send most of these inside a 200 envelope.
 */
export const APP_CODES = {
  // Users and groups (issues 5 and 15): no change may leave the registry without an administrator.
  USER_UNKNOWN: { status: 404, message: 'no such user' },
  USER_EXISTS: { status: 409, message: 'the user already exists' },
  USER_NAME_INVALID: { status: 400, message: 'invalid user name' },
  RULES_INVALID: { status: 400, message: 'invalid access rules' },
  LAST_ADMIN: { status: 409, message: 'the change would leave no user with admin@*' },
  GROUP_UNKNOWN: { status: 404, message: 'no such group' },
  GROUP_EXISTS: { status: 409, message: 'the group already exists' },
  GROUP_NAME_INVALID: { status: 400, message: 'invalid group name' },
  NAME_TAKEN: { status: 409, message: 'users and groups need different names' },
  PASSWORD_INVALID: { status: 400, message: 'invalid password' },
  // Certificates and settings.
  CERTIFICATE_INVALID: { status: 400, message: 'certificate problem' },
  OUTSIDE_CA: { status: 409, message: 'the names are outside what the CA may vouch for: a new CA is needed' },
  SETTINGS_INVALID: { status: 400, message: 'invalid settings' },
  // Deleting and copying (issue 16): nothing happens otherwise than previewed or confirmed.
  TAG_MOVED: { status: 409, message: 'the tag no longer points at the confirmed digest' },
  SIBLINGS_AFFECTED: { status: 409, message: 'deleting the manifest would delete other tags too' },
  PLAN_OUTDATED: { status: 409, message: 'the registry would delete otherwise than the preview said' },
  PLATFORM_UNKNOWN: { status: 400, message: 'platform not in the image index' },
  // Image contents (issue 18): a layer that is corrupt, hostile beyond reading, or not the digest it claims.
  LAYER_UNREADABLE: { status: 422, message: 'a layer of the image cannot be read' },
  DESTINATION_EXISTS: { status: 409, message: 'the target tag points at another image: confirm the overwrite with its digest' },
  DESTINATION_CHANGED: { status: 409, message: 'the target tag changed since the copy was confirmed' },
  CANCELLED: { status: 409, message: 'the operation was cancelled' },
  BUSY: { status: 409, message: 'another operation is running' },
  // Retention and the trash (issue 19).
  POLICY_INVALID: { status: 400, message: 'invalid retention policy' },
  POLICY_UNKNOWN: { status: 404, message: 'no such retention policy' },
  POLICY_EXISTS: { status: 409, message: 'a retention policy of that name exists' },
  POLICY_KEEPS_NOTHING: { status: 409, message: 'the policy would delete every tag it matches: confirm with force' },
  RETENTION_FILE_INVALID: { status: 422, message: 'retention.yml cannot be read' },
  TRASH_ITEM_UNKNOWN: { status: 404, message: 'not in the trash (restored, emptied, or expired)' },
  RESTORE_CONFLICT: { status: 409, message: 'the tag points at another image now' },
  RESTORE_INCOMPLETE: { status: 409, message: 'content the item needs is no longer stored' },
  // Sync and archives (issue 20).
  SYNC_JOB_INVALID: { status: 400, message: 'the sync job is invalid' },
  SYNC_JOB_UNKNOWN: { status: 404, message: 'no such sync job' },
  SYNC_JOB_EXISTS: { status: 409, message: 'a sync job of that name exists' },
  SYNC_FILE_INVALID: { status: 400, message: 'the sync file cannot be read' },
  ARCHIVE_INVALID: { status: 400, message: 'the archive cannot be read' },
  IMAGE_PLACE_INVALID: { status: 400, message: 'the image reference cannot be used here' },
  // Connections.
  CONNECTION_INVALID: { status: 400, message: 'invalid connection' },
  CONNECTION_UNKNOWN: { status: 404, message: 'no such connection' },
  SECRETS_UNAVAILABLE: { status: 500, message: 'the secret store cannot be used' },
  // A remote registry's failures (browse, copy, `connections:test`): a bad gateway, as HTTP.
  UNREACHABLE: { status: 502, message: 'the registry cannot be reached' },
  AUTH_FAILED: { status: 502, message: 'the registry refused the credentials' },
  AUTH_REQUIRED: { status: 502, message: 'the registry needs credentials' },
  CERT_UNTRUSTED: { status: 502, message: "the registry's certificate is not trusted" },
  TLS_ERROR: { status: 502, message: 'the secure connection failed' },
  NOT_A_REGISTRY: { status: 502, message: 'the address is not a container registry' },
  RATE_LIMITED: { status: 502, message: 'the registry asks to slow down' },
  REMOTE_ERROR: { status: 502, message: 'the registry answered unexpectedly' },
  // The bridges: a request they cannot take, and a failure nobody foresaw.
  ARGS_INVALID: { status: 400, message: 'invalid arguments' },
  CHANNEL_UNKNOWN: { status: 404, message: 'unknown channel' },
  CSRF: { status: 403, message: 'cross-site request refused' },
  INTERNAL: { status: 500, message: 'internal error (see the server log)' },
} as const satisfies Record<string, CodeInfo>;

/** Codes no server sends: the GUI's transport reports them when no answer came at all. */
export const TRANSPORT_CODES = {
  /** Berth's HTTP bridge did not answer (`berth serve` stopped, or the network failed). */
  OFFLINE: { message: 'Berth does not answer' },
} as const satisfies Record<string, { message: string }>;

/** A code of the registry API (`/v2`). */
export type OciCode = keyof typeof OCI_CODES;
/** A code only the app API sends. */
export type AppCode = keyof typeof APP_CODES;
/** A code only the GUI's transport reports. */
export type TransportCode = keyof typeof TRANSPORT_CODES;
/** Any code a Berth client can meet. */
export type Code = OciCode | AppCode | TransportCode;

/** True when `value` is a code of {@link OCI_CODES}. */
export function isOciCode(value: unknown): value is OciCode {
  return typeof value === 'string' && Object.hasOwn(OCI_CODES, value);
}

/** True when `value` is any code of the vocabulary. */
export function isCode(value: unknown): value is Code {
  return typeof value === 'string' && (Object.hasOwn(OCI_CODES, value) || Object.hasOwn(APP_CODES, value) || Object.hasOwn(TRANSPORT_CODES, value));
}

