/**
 * Connections: the registries the user works with. The local registry is one of them (id
 * {@link LOCAL_CONNECTION_ID}), browsed in-process; the others are remote Distribution v2 registries.
 * Passwords and tokens never travel back to the GUI: a connection only says whether it has a secret.
 */
import type { AppCode } from './codes';

/** The id of the embedded registry's connection; it always exists and cannot be removed. */
export const LOCAL_CONNECTION_ID = 'local';

/**
 * What kind of registry a connection is. It changes only how repositories are listed: `dockerhub`
 * has no `_catalog` (Berth lists a namespace through Docker Hub's web API, or the repositories the
 * user added by name); the others use `_catalog` and fall back to the added names when it is refused.
 */
export type ConnectionKind = 'local' | 'registry' | 'dockerhub' | 'ghcr' | 'harbor' | 'quay';

/** How a connection decides to trust the remote's TLS certificate. */
export type TrustMode =
  /** The system's trust store (Node's bundled CAs plus NODE_EXTRA_CA_CERTS). */
  | 'system'
  /** Only certificates issued by the CA in `caPem` (e.g. a Berth or company CA). */
  | 'ca'
  /** Exactly the certificate whose SHA-256 fingerprint is `pinSha256` (the one the user was shown). */
  | 'pin';

/** A connection's trust settings as stored. */
export interface ConnectionTrust {
  mode: TrustMode;
  /** PEM of the CA (mode `ca`). */
  caPem?: string;
  /** SHA-256 fingerprint of the pinned certificate, upper-case hex with colons as Node prints it (mode `pin`). */
  pinSha256?: string;
}

/** A connection as the GUI sees it (never its secret). */
export interface ConnectionInfo {
  id: string;
  name: string;
  kind: ConnectionKind;
  /** Base URL without `/v2` (e.g. `https://ghcr.io`); the local registry's own URL, or null when it is stopped. */
  url: string | null;
  username: string | null;
  /**
   * True when a password or token is stored for it in the secret store for the origin (scheme,
   * host, port) of its current URL: the only origin it is ever sent to.
   */
  hasSecret: boolean;
  trust: ConnectionTrust;
  /** Repositories the user added by name (listed even where the registry has no catalog). */
  repositories: string[];
  /** Docker Hub namespaces (users or organisations) whose repositories are listed (kind `dockerhub`). */
  namespaces: string[];
  /** ISO 8601. */
  createdAt: string;
}

/**
 * What the user enters to add or edit a connection. On edit every field is optional: a missing
 * one keeps its value. `password`: a string sets it, null removes it, undefined keeps it, except
 * when the edit moves `url` to another origin (scheme, host or port): the stored password is then
 * dropped unless the same edit gives one.
 */
export interface ConnectionDraft {
  name: string;
  kind: Exclude<ConnectionKind, 'local'>;
  url: string;
  username?: string | null;
  password?: string | null;
  trust?: ConnectionTrust;
  repositories?: string[];
  namespaces?: string[];
}

/** A certificate as shown to the user before trusting it. */
export interface PeerCertificate {
  subject: string;
  issuer: string;
  /** Subject alternative names. */
  names: string[];
  /** ISO 8601. */
  validFrom: string;
  validTo: string;
  /** What {@link ConnectionTrust.pinSha256} takes. */
  fingerprintSha256: string;
  /** True when it is its own issuer. */
  selfSigned: boolean;
}

/** The codes a failed `connections:test` answers with (see {@link ConnectionTestResult}). */
export type ConnectionTestCode = Extract<AppCode, 'UNREACHABLE' | 'AUTH_FAILED' | 'AUTH_REQUIRED' | 'CERT_UNTRUSTED' | 'TLS_ERROR' | 'NOT_A_REGISTRY' | 'RATE_LIMITED'>;

/**
 * The answer of `connections:test`. `ok` false comes with an error whose code says what to fix:
 * `UNREACHABLE`, `AUTH_FAILED` (bad credentials), `AUTH_REQUIRED`, `CERT_UNTRUSTED` (with
 * `certificate` to show and pin), `TLS_ERROR`, `NOT_A_REGISTRY`, `RATE_LIMITED`.
 */
export interface ConnectionTestResult {
  ok: boolean;
  /** The URL tried, normalised. */
  url: string;
  /** `Docker-Distribution-API-Version` when sent. */
  apiVersion: string | null;
  /** How the registry asks for credentials: none, `basic` or `bearer`. */
  authScheme: 'none' | 'basic' | 'bearer';
  /** Whether `_catalog` answered (false on Docker Hub, and where the user may not list). */
  catalog: boolean;
  /** The server's certificate for https URLs (also when trusted). */
  certificate: PeerCertificate | null;
  error?: { code: ConnectionTestCode; message: string };
  latencyMs: number;
}

/**
 * `secrets:info`: where this Berth keeps connection passwords and tokens, as the process that stores
 * them reports it (never guessed by the GUI).
 */
export interface SecretStoreInfo {
  /**
   * `keychain`: the OS keychain (the desktop app); `file`: a JSON file only its owner may read, in
   * plain text (`berth serve --ui`, or the desktop app when no keychain answers); `memory`: nowhere
   * lasting, forgotten when Berth stops.
   */
  kind: 'keychain' | 'file' | 'memory';
  /** The file, for `file`; null otherwise. */
  location: string | null;
}
