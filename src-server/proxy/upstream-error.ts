import { RegistryError } from '../core/errors';
import { RemoteAuthError, RemoteError, RemoteRateLimitError, RemoteUnavailableError } from '../remote/errors';

/**
 * What an upstream failure means to Berth's own client: the upstream refusing Berth's credentials
 * is DENIED (a 401 would make the client log in to Berth again, which cannot help), a rate limit is
 * TOOMANYREQUESTS, anything else is a 502 naming the upstream. Non-remote errors pass through.
 */
export function upstreamError(err: unknown): unknown {
  if (!(err instanceof RemoteError)) return err;
  if (err instanceof RemoteAuthError) {
    const message = err.hadCredentials
      ? "the upstream registry refused Berth's credentials (proxy.username, proxy.password)"
      : 'the upstream registry requires credentials: set proxy.username and proxy.password';
    return new RegistryError('DENIED', { message, detail: { upstream: err.url, reason: err.message } });
  }
  if (err instanceof RemoteRateLimitError) {
    return new RegistryError('TOOMANYREQUESTS', {
      message: 'the upstream registry asks to slow down',
      detail: { upstream: err.url },
      headers: err.retryAfter ? { 'Retry-After': err.retryAfter } : {},
    });
  }
  const message = err instanceof RemoteUnavailableError ? 'the upstream registry is unavailable' : 'the upstream registry answered wrongly';
  return new RegistryError('UNKNOWN', { status: 502, message, detail: { upstream: err.url, reason: err.message } });
}
