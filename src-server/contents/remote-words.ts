/**
 * Remote failures as `berth files|extract|diff` says them: who refused what, whether credentials
 * were sent and how to give them, how long to wait when rate limited, what to do about a
 * certificate, and whether anything listens at all.
 */
import { RemoteAuthError, RemoteError, RemoteRateLimitError, RemoteTlsError, RemoteTrustError, RemoteUnavailableError } from '../remote/errors';

/** Where a remote read's credentials came from: `--creds`, a saved connection (by name), or nowhere. */
export type CredentialsOrigin = 'flag' | 'none' | { saved: string };

/** What went wrong, for callers that branch on it (exit codes, tests). */
export type RemoteReadErrorKind = 'auth' | 'rate-limited' | 'tls' | 'unreachable' | 'protocol';

/** A remote read that failed, in words. */
export class RemoteReadError extends Error {
  constructor(
    readonly kind: RemoteReadErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'RemoteReadError';
  }
}

/** What the words name. */
export interface RemoteContext {
  host: string;
  /** What was being read (`127.0.0.1:5000/team/app:v1`). */
  what: string;
  credentialsFrom: CredentialsOrigin;
}

function sentCredentials(from: CredentialsOrigin): string {
  if (from === 'flag') return 'the credentials given with --creds';
  if (from === 'none') return 'no credentials';
  return `the credentials of the saved connection "${from.saved}"`;
}

/** `Retry-After` as seconds or an HTTP date, in words. */
function retryAfter(value: string | null, now = Date.now()): string {
  if (!value) return 'retry later';
  if (/^\d+$/.test(value.trim())) return `retry after ${Number(value)} s`;
  const at = Date.parse(value);
  return Number.isNaN(at) ? 'retry later' : `retry after ${Math.max(0, Math.ceil((at - now) / 1000))} s`;
}

/** Translates one remote failure; anything that is not a RemoteError is returned unchanged. */
export function remoteErrorInWords(err: unknown, ctx: RemoteContext): unknown {
  if (!(err instanceof RemoteError)) return err;
  const { host, what } = ctx;
  if (err instanceof RemoteAuthError) {
    const sent = sentCredentials(ctx.credentialsFrom);
    const how =
      ctx.credentialsFrom === 'none'
        ? `give them with --creds USER:PASS, or save a connection for ${host} in Berth`
        : 'check the user name and password, and that this user may pull it';
    const refused = err.status === 403 ? 'denied access to' : ctx.credentialsFrom === 'none' ? 'requires credentials to read' : 'refused';
    const object = err.status === 403 || ctx.credentialsFrom === 'none' ? ` ${what}` : ` ${sent} for ${what}`;
    return new RemoteReadError('auth', `${host} ${refused}${object} (${err.status}; ${sent} sent): ${how}`);
  }
  if (err instanceof RemoteRateLimitError) return new RemoteReadError('rate-limited', `${host} is rate limiting requests (429) while reading ${what}: ${retryAfter(err.retryAfter)}`);
  if (err instanceof RemoteTrustError) {
    return new RemoteReadError(
      'tls',
      `the certificate of ${host} is not trusted (${err.code}, issued by ${err.certificate.issuer}): give its CA with --ca FILE, or skip the check with --tls-verify=false`,
    );
  }
  if (err instanceof RemoteTlsError) return new RemoteReadError('tls', `TLS with ${host} failed (${err.code}): if it serves plain http, use --tls-verify=false`);
  if (err instanceof RemoteUnavailableError) {
    if (err.status) return new RemoteReadError('unreachable', `${host} failed while reading ${what} (HTTP ${err.status}); try again later`);
    const refused = /ECONNREFUSED/.test(err.message);
    const unknown = /ENOTFOUND|EAI_AGAIN/.test(err.message);
    const why = refused ? 'connection refused: nothing listens there' : unknown ? 'no such host' : err.message;
    return new RemoteReadError('unreachable', `cannot connect to ${host}: ${why}`);
  }
  return new RemoteReadError('protocol', `${host}: ${err.message} (reading ${what})`);
}

/** Runs a remote call, translating its failure with {@link remoteErrorInWords}. */
export async function remoteInWords<T>(call: () => Promise<T>, ctx: RemoteContext): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw remoteErrorInWords(err, ctx);
  }
}
