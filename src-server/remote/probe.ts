import type { ConnectionTestCode, ConnectionTestResult, ConnectionTrust, PeerCertificate } from '../contract/connections';
import { parseChallenges } from './challenge';
import { RemoteRegistry } from './client';
import { RemoteAuthError, RemoteError, RemoteRateLimitError, RemoteTlsError, RemoteTrustError } from './errors';
import type { RemoteCredentials } from './auth';
import { send, type TransportTimeouts } from './transport';
import { createDispatcher, fetchPeerCertificate } from './trust';

/** What `connections:test` tries. */
export interface TestConnectionOptions {
  url: string;
  credentials?: RemoteCredentials;
  trust?: ConnectionTrust;
  timeouts?: Partial<TransportTimeouts>;
}

/** Probe limits: a test the user waits for should not take half a minute to say "unreachable". */
const PROBE_TIMEOUTS: TransportTimeouts = { headersMs: 15_000, idleMs: 15_000 };

/**
 * Normalises what the user typed into a registry base URL: `https://` when no scheme is given, no
 * user info (a password there would end up in messages), no trailing `/` or `/v2`.
 */
export function normaliseRegistryUrl(input: string): string {
  const trimmed = input.trim();
  const u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`a registry URL starts with https:// or http://, not ${u.protocol}//`);
  u.username = '';
  u.password = '';
  u.search = '';
  u.hash = '';
  return `${u.origin}${u.pathname.replace(/\/+$/, '').replace(/\/v2$/, '')}`;
}

/**
 * Tries a registry as the user configured it: reachable, TLS trusted, a Distribution v2 API,
 * credentials accepted, catalog allowed. Never throws; a failure comes back as `error` with a code
 * the GUI can act on (UNREACHABLE, TLS_ERROR, CERT_UNTRUSTED, NOT_A_REGISTRY, AUTH_REQUIRED,
 * AUTH_FAILED, RATE_LIMITED) and a message that never holds the password.
 */
export async function testConnection(opts: TestConnectionOptions): Promise<ConnectionTestResult> {
  const result: ConnectionTestResult = { ok: false, url: opts.url, apiVersion: null, authScheme: 'none', catalog: false, certificate: null, latencyMs: 0 };
  const fail = (code: ConnectionTestCode, message: string): ConnectionTestResult => ({ ...result, ok: false, error: { code, message } });
  let url: string;
  try {
    url = normaliseRegistryUrl(opts.url);
  } catch (err) {
    return fail('UNREACHABLE', `"${opts.url.replace(/\/\/[^@/]*@/, '//')}" is not a URL Berth can use: ${(err as Error).message}`);
  }
  result.url = url;
  const host = new URL(url).host;
  const timeouts = { ...PROBE_TIMEOUTS, ...opts.timeouts };

  let dispatcher;
  try {
    dispatcher = createDispatcher(opts.trust);
  } catch (err) {
    return fail('TLS_ERROR', `The trust settings are incomplete: ${(err as Error).message}.`);
  }
  try {
    if (url.startsWith('https:')) result.certificate = await peerCertificate(url, timeouts.headersMs);
    // First without credentials: how the registry asks for them, and whether it is one.
    const started = Date.now();
    const res = await send({ method: 'GET', url: `${url}/v2/`, headers: {}, dispatcher }, timeouts);
    result.latencyMs = Date.now() - started;
    result.apiVersion = res.headers.get('docker-distribution-api-version');
    const challenges = parseChallenges(res.headers.get('www-authenticate'));
    await res.bytes(64 << 10).catch(() => Buffer.alloc(0));
    if (res.status === 429) return fail('RATE_LIMITED', `${host} asks to slow down; try again in a while.`);
    if (res.status === 401) {
      if (challenges.some((c) => c.scheme === 'bearer')) result.authScheme = 'bearer';
      else if (challenges.some((c) => c.scheme === 'basic')) result.authScheme = 'basic';
      else return fail('NOT_A_REGISTRY', `${host} asks for a login, but not the way a container registry does.`);
    } else if (res.status !== 200) {
      return fail('NOT_A_REGISTRY', `${host} answers, but not as a container registry (no registry API at ${url}/v2/; it answered ${res.status}).`);
    } else if (!result.apiVersion) {
      // Registries (registry:2, Docker Hub, GHCR, Harbor, Quay, Berth) all send the header; a web
      // server answering 200 to any path does not, whatever its body.
      return fail('NOT_A_REGISTRY', `${host} answers, but not as a container registry (${url}/v2/ answered 200 without the Docker-Distribution-API-Version header).`);
    }

    const client = new RemoteRegistry({ url, credentials: opts.credentials, trust: opts.trust, timeouts });
    try {
      await client.ping();
      try {
        await client.catalog(1);
        result.catalog = true;
      } catch (err) {
        if (!(err instanceof RemoteError) || err instanceof RemoteTlsError) throw err;
      }
    } finally {
      await client.close();
    }
    return { ...result, ok: true };
  } catch (err) {
    return fail(...explain(err, host, !!opts.credentials));
  } finally {
    await dispatcher?.close().catch(() => {});
  }
}

/** The certificate for display; a trust or reachability problem shows up in the request after. */
async function peerCertificate(url: string, timeoutMs: number): Promise<PeerCertificate | null> {
  return fetchPeerCertificate(url, timeoutMs).catch(() => null);
}

/** A failure as the code and words the user sees. */
function explain(err: unknown, host: string, hadCredentials: boolean): [ConnectionTestCode, string] {
  if (err instanceof RemoteTrustError) {
    const why = err.code === 'PIN_MISMATCH' ? 'is not the pinned certificate' : `is not trusted (${err.code})`;
    return ['CERT_UNTRUSTED', `The certificate of ${host} ${why}. Check its fingerprint ${err.certificate.fingerprintSha256} and trust it if it is the right one.`];
  }
  if (err instanceof RemoteTlsError) return ['TLS_ERROR', `A secure connection to ${host} failed (${err.code}). Check that the URL's scheme (https or http) and port are right.`];
  if (err instanceof RemoteAuthError) {
    if (err.status === 403) return ['AUTH_FAILED', `${host} accepted the login but denies access to this user.`];
    return hadCredentials
      ? ['AUTH_FAILED', `${host} refused the user name or password.`]
      : ['AUTH_REQUIRED', `${host} needs a user name and password.`];
  }
  if (err instanceof RemoteRateLimitError) return ['RATE_LIMITED', `${host} asks to slow down; try again in a while.`];
  if (err instanceof RemoteError && err.name === 'RemoteProtocolError') return ['NOT_A_REGISTRY', `${host} does not answer as a container registry: ${err.message}`];
  const detail = err instanceof Error ? err.message : String(err);
  return ['UNREACHABLE', `Cannot reach ${host}: ${detail.replace(/^cannot reach \S+: /, '')}.`];
}
