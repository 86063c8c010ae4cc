/**
 * Any failure of a core handler as the contract's ApiError: the one mapper towards the app API, which
 * every bridge (the control server, IPC, `/_berth/api`) shares, so a client sees the same code
 * whichever way it came. Neutral storage and registry failures go through core/error-mapping.ts, the
 * mapper the `/v2` face uses too, so both faces give them the same code; this file adds only what
 * the app API knows alone (bad arguments, a busy collector, a remote registry's failures).
 */
import { isOciCode, type ApiError, type OciCode } from '../contract';
import { toRegistryError } from '../core/error-mapping';
import { NotFoundError } from '../core/errors';
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
import { LayerError, type LayerErrorKind } from '../contents/types';
import { ArgsError } from './args-kit';

/** What a missing thing (NotFoundError's `what`) is called in the OCI code table. */
const NOT_FOUND_CODES: Record<string, OciCode> = {
  repository: 'NAME_UNKNOWN',
  manifest: 'MANIFEST_UNKNOWN',
  blob: 'BLOB_UNKNOWN',
};

/** The code a layer's read failure answers with; the message names the layer. */
const LAYER_CODES: Record<LayerErrorKind, ApiError['code']> = {
  DIGEST_MISMATCH: 'LAYER_UNREADABLE',
  CORRUPT: 'LAYER_UNREADABLE',
  TOO_LARGE: 'LAYER_UNREADABLE',
  UNSUPPORTED: 'LAYER_UNREADABLE',
  MISSING: 'BLOB_UNKNOWN',
};

/** Maps `err` to an ApiError; an unexpected one is logged and answered as `INTERNAL` with no detail. */
export function toApiError(err: unknown, log: Logger, channel: string): ApiError {
  // An app-API caller named no route, so what is missing picks the code; the message says what it was.
  if (err instanceof NotFoundError) return { code: NOT_FOUND_CODES[err.what] ?? 'NOT_FOUND', message: err.message };
  const known = toRegistryError(err);
  if (known) return { code: known.code, message: known.message, detail: known.detail ?? undefined };
  if (err instanceof ArgsError) return { code: 'ARGS_INVALID', message: err.message };
  if (err instanceof GcBusyError) return { code: 'BUSY', message: err.message };
  if (err instanceof RemoteError) return remoteApiError(err);
  if (err instanceof LayerError) return { code: LAYER_CODES[err.kind], message: err.message, detail: { kind: err.kind } };
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
  if (err instanceof RemoteProtocolError) {
    // The remote's own code passes on when it is one of the spec's; another registry's private one
    // (a registry may send any string) is REMOTE_ERROR, with that code in the detail.
    const status = err.status ?? null;
    if (err.code === undefined || isOciCode(err.code)) return { code: err.code ?? 'REMOTE_ERROR', message: err.message, detail: { ...detail, status } };
    return { code: 'REMOTE_ERROR', message: err.message, detail: { ...detail, status, code: err.code } };
  }
  return { code: 'REMOTE_ERROR', message: err.message, detail };
}
