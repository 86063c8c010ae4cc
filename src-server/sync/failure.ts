/**
 * A failed image (or job entry) in words for the run's summary: a code the GUI can branch on and a
 * message that names the image and the host, never a credential.
 */
import type { SyncFailure } from '../contract';
import { toRegistryError } from '../core/error-mapping';
import { RemoteAuthError, RemoteError, RemoteProtocolError, RemoteRateLimitError, RemoteTlsError, RemoteTrustError, RemoteUnavailableError } from '../remote/errors';

function codeAndWords(err: unknown, host: string): { code: string; message: string } {
  if (err instanceof RemoteTrustError) return { code: 'CERT_UNTRUSTED', message: `the certificate of ${host} is not trusted (${err.code}): save a connection that trusts it, or mark the host insecure if it speaks plain http` };
  if (err instanceof RemoteTlsError) return { code: 'TLS_ERROR', message: `TLS with ${host} failed (${err.code}); if it speaks plain http, mark it insecure` };
  if (err instanceof RemoteAuthError) {
    if (err.status === 403) return { code: 'DENIED', message: `${host} denied access (403): ${err.message}` };
    return err.hadCredentials
      ? { code: 'AUTH_FAILED', message: `${host} refused the credentials (${err.status}): check the user name and password` }
      : { code: 'AUTH_REQUIRED', message: `${host} requires credentials (${err.status}): give them in the auth file or a saved connection` };
  }
  if (err instanceof RemoteRateLimitError) return { code: 'RATE_LIMITED', message: `${host} kept asking to slow down (429)${err.retryAfter ? `; Retry-After ${err.retryAfter}` : ''}` };
  if (err instanceof RemoteUnavailableError) {
    if (err.status) return { code: 'UNREACHABLE', message: `${host} failed (HTTP ${err.status}): ${err.message}` };
    const why = /ECONNREFUSED/.test(err.message) ? 'connection refused: nothing listens there' : /ENOTFOUND|EAI_AGAIN/.test(err.message) ? 'no such host' : err.message;
    return { code: 'UNREACHABLE', message: `cannot connect to ${host}: ${why}` };
  }
  if (err instanceof RemoteProtocolError) return { code: err.code ?? 'REMOTE_ERROR', message: err.message };
  if (err instanceof RemoteError) return { code: 'REMOTE_ERROR', message: err.message };
  const known = toRegistryError(err);
  if (known) return { code: known.code, message: known.message };
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}

/** `err` as a failure of `image` (or of the entry) of `job`; `host` is what it was talking to. */
export function syncFailure(job: string, image: string, host: string, err: unknown): SyncFailure {
  const { code, message } = codeAndWords(err, host);
  return { job, image, code, message: message.includes(image) ? message : `${image}: ${message}` };
}
