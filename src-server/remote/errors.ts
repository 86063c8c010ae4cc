/**
 * What can go wrong talking to a remote registry, as neutral errors: callers choose what a failure
 * means to their own clients. Messages name the remote's URL, never credentials.
 */
import type { PeerCertificate } from '../contract/connections';

/** Base of every remote failure. */
export class RemoteError extends Error {
  constructor(message: string, readonly url: string) {
    super(message);
    this.name = 'RemoteError';
  }
}

/** The remote could not be reached, timed out, or answered 5xx: it may work later. */
export class RemoteUnavailableError extends RemoteError {
  constructor(message: string, url: string, readonly status?: number) {
    super(message, url);
    this.name = 'RemoteUnavailableError';
  }
}

/** The remote (or its token service) refused the credentials, or has no right for them. */
export class RemoteAuthError extends RemoteError {
  constructor(message: string, url: string, readonly status: number, readonly hadCredentials: boolean) {
    super(message, url);
    this.name = 'RemoteAuthError';
  }
}

/** The remote asked clients to slow down (429). */
export class RemoteRateLimitError extends RemoteError {
  constructor(message: string, url: string, readonly retryAfter: string | null) {
    super(message, url);
    this.name = 'RemoteRateLimitError';
  }
}

/** An answer that breaks the protocol: an unexpected status, a digest mismatch, a body too large. */
export class RemoteProtocolError extends RemoteError {
  /** `code` is the registry's own error code (`DIGEST_INVALID`, `UNSUPPORTED`...) when it sent one. */
  constructor(message: string, url: string, readonly status?: number, readonly code?: string) {
    super(message, url);
    this.name = 'RemoteProtocolError';
  }
}

/** The TLS handshake with the remote failed for a reason other than trust (wrong protocol, no cipher in common). */
export class RemoteTlsError extends RemoteError {
  constructor(message: string, url: string, readonly code: string) {
    super(message, url);
    this.name = 'RemoteTlsError';
  }
}

/**
 * The remote's certificate is not trusted under the connection's trust settings (unknown issuer,
 * expired, wrong name, not the pinned one). Carries the certificate so the user can check and pin it.
 */
export class RemoteTrustError extends RemoteTlsError {
  constructor(message: string, url: string, readonly certificate: PeerCertificate, code: string) {
    super(message, url, code);
    this.name = 'RemoteTrustError';
  }
}
