/**
 * Any failure of a core handler as the contract's ApiError: the one mapping every bridge (the
 * control server, IPC, `/_berth/api`) shares, so a client sees the same code whichever way it came.
 */
import type { ApiError } from '../contract';
import { NotFoundError, RegistryError } from '../core/errors';
import { GcBusyError } from '../gc/collect';
import type { Logger } from '../logger';
import {
  RemoteAuthError,
  RemoteError,
  RemoteProtocolError,
  RemoteRateLimitError,
  RemoteTlsError,
  RemoteTrustError,
  RemoteUnavailableError,
} from '../remote/errors';
import { ArgsError } from './args-kit';

/** What a missing thing is called in the OCI code table. */
const NOT_FOUND_CODES: Record<string, string> = {
  repository: 'NAME_UNKNOWN',
  manifest: 'MANIFEST_UNKNOWN',
  blob: 'BLOB_UNKNOWN',
};


/** Maps `err` to an ApiError; an unexpected one is logged and answered as `INTERNAL` with no detail. */
export function toApiError(err: unknown, log: Logger, channel: string): ApiError {
  if (err instanceof RegistryError) return { code: err.code, message: err.message, detail: err.detail ?? undefined };
  if (err instanceof NotFoundError) {
    return { code: NOT_FOUND_CODES[err.what] ?? 'NOT_FOUND', message: err.message };
  }
  if (err instanceof ArgsError) return { code: 'ARGS_INVALID', message: err.message };
  if (err instanceof GcBusyError) return { code: 'BUSY', message: err.message };
  if (err instanceof RemoteError) return remoteApiError(err);
  log.error(`${channel}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return { code: 'INTERNAL', message: 'internal error (see the server log)' };
}

/**
 * A remote registry's failure, with the codes `connections:test` uses, so the GUI explains a
 * failed browse the same way as a failed test (messages name the URL, never credentials).
 */
function remoteApiError(err: RemoteError): ApiError {
  const detail: Record<string, unknown> = { url: err.url };
  if (err instanceof RemoteTrustError) return { code: 'CERT_UNTRUSTED', message: err.message, detail: { ...detail, certificate: err.certificate } };
  if (err instanceof RemoteTlsError) return { code: 'TLS_ERROR', message: err.message, detail: { ...detail, reason: err.code } };
  if (err instanceof RemoteAuthError) {
    const code = err.status === 403 ? 'DENIED' : err.hadCredentials ? 'AUTH_FAILED' : 'AUTH_REQUIRED';
    return { code, message: err.message, detail: { ...detail, status: err.status } };
  }
  if (err instanceof RemoteRateLimitError) return { code: 'RATE_LIMITED', message: err.message, detail: { ...detail, retryAfter: err.retryAfter } };
  if (err instanceof RemoteUnavailableError) return { code: 'UNREACHABLE', message: err.message, detail: { ...detail, status: err.status ?? null } };
  if (err instanceof RemoteProtocolError) return { code: err.code ?? 'REMOTE_ERROR', message: err.message, detail: { ...detail, status: err.status ?? null } };
  return { code: 'REMOTE_ERROR', message: err.message, detail };
}
