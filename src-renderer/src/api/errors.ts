/**
 * Every error the GUI shows goes through here: an API error code becomes a title and a sentence a
 * user understands, with the server's own message kept as the detail.
 */
import type { Code } from '../../../src-server/contract';
import { ApiCallError } from './app-api';

/** An error in words. */
export interface ErrorText {
  title: string;
  message: string;
}

/** A title for every code of the contract's vocabulary: the compiler refuses a code without one. */
const TITLES: Record<Code, string> = {
  UNREACHABLE: 'Cannot reach the registry',
  OFFLINE: 'Berth does not answer',
  AUTH_FAILED: 'The registry refused the user name or password',
  AUTH_REQUIRED: 'The registry needs a user name and password',
  DENIED: 'Not allowed',
  UNAUTHORIZED: 'Please log in again',
  CERT_UNTRUSTED: "The registry's certificate is not trusted",
  TLS_ERROR: 'A secure connection could not be made',
  NOT_A_REGISTRY: 'This address is not a container registry',
  RATE_LIMITED: 'The registry asks to slow down',
  TOOMANYREQUESTS: 'Too many attempts',
  UNSUPPORTED: 'Not supported here',
  NAME_UNKNOWN: 'No such repository',
  MANIFEST_UNKNOWN: 'No such image or tag',
  NAME_INVALID: 'Invalid repository name',
  TAG_MOVED: 'The tag changed meanwhile',
  SIBLINGS_AFFECTED: 'Other tags would be deleted too',
  CONNECTION_INVALID: 'Please check the connection details',
  CONNECTION_UNKNOWN: 'This connection no longer exists',
  SECRETS_UNAVAILABLE: 'The password store is not available',
  USER_EXISTS: 'That user exists already',
  USER_UNKNOWN: 'No such user',
  RULES_INVALID: 'The rights are not valid',
  LAST_ADMIN: 'Berth needs at least one administrator',
  GROUP_UNKNOWN: 'No such group',
  GROUP_EXISTS: 'That group exists already',
  GROUP_NAME_INVALID: 'Invalid group name',
  NAME_TAKEN: 'That name is taken',
  PASSWORD_INVALID: 'The password is not valid',
  SETTINGS_INVALID: 'Please check the settings',
  CERTIFICATE_INVALID: 'The certificate names are not valid',
  OUTSIDE_CA: "Outside what Berth's CA may vouch for",
  BUSY: 'Busy',
  UNAVAILABLE: 'The registry is stopped',
  PLATFORM_UNKNOWN: 'No such platform in this image',
  LAYER_UNREADABLE: 'A layer cannot be read',
  POLICY_INVALID: 'Invalid retention policy',
  POLICY_UNKNOWN: 'No such retention policy',
  POLICY_EXISTS: 'A policy of that name exists',
  POLICY_KEEPS_NOTHING: 'This policy would delete every tag it matches',
  RETENTION_FILE_INVALID: 'retention.yml cannot be read',
  TRASH_ITEM_UNKNOWN: 'No longer in the trash',
  RESTORE_CONFLICT: 'The tag points at another image now',
  RESTORE_INCOMPLETE: 'This item can no longer be restored',
  SYNC_JOB_INVALID: 'The sync job is not valid',
  SYNC_JOB_UNKNOWN: 'No such sync job',
  SYNC_JOB_EXISTS: 'A sync job of that name exists',
  SYNC_FILE_INVALID: 'sync.yml cannot be read',
  ARCHIVE_INVALID: 'The archive cannot be read',
  IMAGE_PLACE_INVALID: 'That image cannot be used here',
  ARGS_INVALID: 'Berth did not understand the request',
  CSRF: 'The request was refused as cross-site: reload the page',
  REMOTE_ERROR: 'The registry answered unexpectedly',
  TAG_INVALID: 'Invalid tag',
  USER_NAME_INVALID: 'Invalid user name',
  BLOB_UNKNOWN: 'A layer or config is missing',
  MANIFEST_BLOB_UNKNOWN: 'The image lists content the registry lacks',
  BLOB_UPLOAD_INVALID: 'The upload was refused',
  BLOB_UPLOAD_UNKNOWN: 'The upload no longer exists',
  SIZE_INVALID: 'The content does not have the announced size',
  RANGE_INVALID: 'The requested range is not valid',
  PAGINATION_NUMBER_INVALID: 'Invalid page size',
  UNKNOWN: 'The registry failed',
  CHANNEL_UNKNOWN: 'Berth does not know this request',
  DIGEST_INVALID: 'The content does not match its digest',
  MANIFEST_INVALID: 'The image manifest cannot be read',
  NOT_FOUND: 'Not found',
  INTERNAL: 'Something went wrong in Berth',
  PLAN_OUTDATED: 'The registry would delete more than the preview said',
  DESTINATION_EXISTS: 'The tag holds another image',
  DESTINATION_CHANGED: 'The tag changed meanwhile',
  CANCELLED: 'Cancelled',
};

/** The title and sentence for any error (an ApiCallError, a network failure, a bug). */
export function describeError(err: unknown): ErrorText {
  if (err instanceof ApiCallError) {
    let message = err.message;
    const cert = (err.detail as { certificate?: { fingerprintSha256?: string } } | undefined)?.certificate;
    if (err.code === 'CERT_UNTRUSTED' && cert?.fingerprintSha256) message += ` (SHA-256 fingerprint ${cert.fingerprintSha256})`;
    // A server newer than this GUI may send a code it does not know yet.
    return { title: TITLES[err.code] ?? 'The operation failed', message };
  }
  return { title: 'Something went wrong', message: err instanceof Error ? err.message : String(err) };
}

/** The error's code, when it came from the API. */
export function errorCode(err: unknown): Code | null {
  return err instanceof ApiCallError ? err.code : null;
}
