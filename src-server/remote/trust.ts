/**
 * Per-connection TLS trust: the system's CAs, one CA the user chose, or exactly one pinned
 * certificate. Each becomes an undici dispatcher (its own connection pool), so trust never leaks
 * from one connection to another.
 */
import { isIP } from 'node:net';
import { connect, type PeerCertificate as NodePeerCertificate, type TLSSocket } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { Agent, buildConnector, type Dispatcher } from 'undici';
import type { ConnectionTrust, PeerCertificate } from '../contract/connections';
import { RemoteTrustError, RemoteUnavailableError } from './errors';

/** OpenSSL / Node verification codes that mean "the certificate is not trusted", not "TLS broke". */
const TRUST_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_REVOKED',
  'CERT_SIGNATURE_FAILURE',
  'INVALID_CA',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'HOSTNAME_MISMATCH',
]);

/** True when a Node error code says the peer's certificate was not trusted. */
export function isTrustFailure(code: string): boolean {
  return TRUST_CODES.has(code);
}

/** Fingerprints compare without regard to case or colons. */
export function sameFingerprint(a: string, b: string): boolean {
  const norm = (s: string) => s.replace(/[^0-9a-f]/gi, '').toUpperCase();
  return norm(a) !== '' && norm(a) === norm(b);
}

/** A certificate as the GUI shows it, from the DER Node hands over. */
export function describeCertificate(raw: Buffer): PeerCertificate {
  const x = new X509Certificate(raw);
  const names = (x.subjectAltName ?? '')
    .split(/,\s*/)
    .map((n) => n.replace(/^(DNS|IP Address|email|URI):/, ''))
    .filter(Boolean);
  return {
    subject: x.subject.split('\n').join(', '),
    issuer: x.issuer.split('\n').join(', '),
    names,
    validFrom: new Date(x.validFrom).toISOString(),
    validTo: new Date(x.validTo).toISOString(),
    fingerprintSha256: x.fingerprint256,
    selfSigned: x.checkIssued(x) && x.verify(x.publicKey),
  };
}

/**
 * The certificate an https server presents, whether or not it is trusted (nothing is sent after
 * the handshake); null for an http URL. Rejects with RemoteUnavailableError when it cannot connect.
 */
export function fetchPeerCertificate(url: string, timeoutMs = 10_000): Promise<PeerCertificate | null> {
  const u = new URL(url);
  if (u.protocol !== 'https:') return Promise.resolve(null);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve, reject) => {
    const socket = connect({
      host,
      port: Number(u.port || 443),
      ...(isIP(host) ? {} : { servername: host }),
      // Only looking: the certificate is shown to the user, never trusted by this connection.
      rejectUnauthorized: false,
      timeout: timeoutMs,
    });
    const fail = (why: string) => {
      socket.destroy();
      reject(new RemoteUnavailableError(`cannot read the certificate of ${u.host}: ${why}`, url));
    };
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      socket.end();
      if (!cert?.raw) return void reject(new RemoteUnavailableError(`${u.host} presented no certificate`, url));
      resolve(describeCertificate(cert.raw));
    });
    socket.once('timeout', () => fail(`no TLS answer within ${timeoutMs} ms`));
    socket.once('error', (err: Error & { code?: string }) => fail(err.code ?? err.message));
  });
}

/**
 * The dispatcher for a connection's trust: undefined for `system` (undici's shared pool and Node's
 * CAs), a pool trusting only `caPem` for `ca`, a pool accepting only the pinned certificate for
 * `pin`. Throws when the settings lack their CA or fingerprint.
 */
export function createDispatcher(trust: ConnectionTrust | undefined): Dispatcher | undefined {
  if (!trust || trust.mode === 'system') return undefined;
  if (trust.mode === 'ca') {
    if (!trust.caPem?.includes('BEGIN CERTIFICATE')) throw new Error('trust mode "ca" needs the CA certificate (PEM)');
    return new Agent({ connect: { ca: trust.caPem } });
  }
  if (trust.mode === 'pin') {
    if (!trust.pinSha256 || !/^[0-9A-Fa-f:]{64,95}$/.test(trust.pinSha256)) throw new Error('trust mode "pin" needs the SHA-256 fingerprint of the certificate');
    return new Agent({ connect: pinnedConnector(trust.pinSha256) });
  }
  throw new Error(`unknown trust mode ${JSON.stringify((trust as { mode: unknown }).mode)}`);
}

/**
 * A connector that accepts exactly the certificate with fingerprint `pin` (self-signed, expired or
 * for another name: the user saw it and chose it), checked as soon as the handshake is done,
 * before undici writes a byte of the request.
 */
function pinnedConnector(pin: string): buildConnector.connector {
  // No session resumption: a resumed session may present no certificate to check.
  const base = buildConnector({ rejectUnauthorized: false, maxCachedSessions: 0 });
  return (opts, callback) =>
    base(opts, (err, socket) => {
      if (err || !socket) return callback(err ?? new Error('no socket'), null);
      if (opts.protocol !== 'https:') return callback(null, socket);
      const cert: NodePeerCertificate | undefined = (socket as TLSSocket).getPeerCertificate?.();
      if (cert?.raw && sameFingerprint(cert.fingerprint256, pin)) return callback(null, socket);
      socket.destroy();
      const url = `https://${opts.hostname}${opts.port ? `:${opts.port}` : ''}`;
      if (!cert?.raw) return callback(new RemoteUnavailableError(`${url} presented no certificate`, url), null);
      const certificate = describeCertificate(cert.raw);
      callback(new RemoteTrustError(`${new URL(url).host} presented a certificate other than the pinned one (${certificate.fingerprintSha256})`, url, certificate, 'PIN_MISMATCH'), null);
    });
}
