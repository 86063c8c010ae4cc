import { ALL_MANIFEST_TYPES } from '../core/mediatypes';
import { RemoteAuth, type RemoteCredentials } from './auth';
import { RemoteAuthError, RemoteProtocolError, RemoteRateLimitError, RemoteUnavailableError } from './errors';
import { DEFAULT_TIMEOUTS, send, type RemoteResponse, type TransportTimeouts } from './transport';

/** Where a remote registry is and how to log in to it. */
export interface RemoteRegistryOptions {
  /** Base URL, e.g. `https://registry-1.docker.io` (no `/v2`). */
  url: string;
  credentials?: RemoteCredentials;
  timeouts?: Partial<TransportTimeouts>;
  /** Clock for token lifetimes (tests). */
  now?: () => number;
}

/** A manifest's identity as a HEAD reports it. */
export interface RemoteManifestHead {
  /** `Docker-Content-Digest`, when the registry sends it. */
  digest: string | null;
  mediaType: string | null;
  size: number | null;
}

/** A manifest as fetched. */
export interface RemoteManifest {
  body: Buffer;
  mediaType: string | null;
  /** `Docker-Content-Digest`, when the registry sends it (unverified). */
  digest: string | null;
}

/** A blob being downloaded. */
export interface RemoteBlob {
  /** Content-Length, when sent. */
  size: number | null;
  /** The bytes; read once. */
  chunks: AsyncIterable<Buffer>;
  /** Stops the download without reading it. */
  cancel(): Promise<void>;
}

/** Largest manifest read from a remote (the spec's registries accept at least 4 MiB). */
export const MAX_REMOTE_MANIFEST = 4 << 20;

/** The `Accept` header for manifests: every image and index type. */
export const MANIFEST_ACCEPT = ALL_MANIFEST_TYPES.join(', ');

/**
 * A client for one Distribution v2 registry: ping, manifests and blobs by HEAD and GET, with its
 * authentication challenges answered (see RemoteAuth). A 404 resolves null; every other failure is
 * a RemoteError (unavailable, auth, rate limit, protocol).
 */
export class RemoteRegistry {
  /** The base URL without a trailing slash. */
  readonly url: string;
  private readonly auth: RemoteAuth;
  private readonly timeouts: TransportTimeouts;

  constructor(opts: RemoteRegistryOptions) {
    this.url = opts.url.replace(/\/+$/, '');
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...opts.timeouts };
    this.auth = new RemoteAuth(opts.credentials, this.timeouts, opts.now);
  }

  /** GET /v2/: resolves when the registry answers and accepts the credentials (or needs none). */
  async ping(): Promise<void> {
    const res = await this.request('GET', '/v2/', '', {});
    await res.discard();
    if (res.status !== 200) throw this.unexpected(res, 'ping');
  }

  /** HEAD a manifest by tag or digest; null when the registry does not have it. */
  async headManifest(repo: string, ref: string): Promise<RemoteManifestHead | null> {
    const res = await this.request('HEAD', `/v2/${repo}/manifests/${ref}`, pullScope(repo), { accept: MANIFEST_ACCEPT });
    await res.discard();
    if (res.status === 404) return null;
    if (res.status !== 200) throw this.unexpected(res, `manifest ${repo}:${ref}`);
    return { digest: res.headers.get('docker-content-digest'), mediaType: contentType(res), size: contentLength(res) };
  }

  /** GET a manifest by tag or digest; null when the registry does not have it. */
  async getManifest(repo: string, ref: string): Promise<RemoteManifest | null> {
    const res = await this.request('GET', `/v2/${repo}/manifests/${ref}`, pullScope(repo), { accept: MANIFEST_ACCEPT });
    if (res.status === 404) {
      await res.discard();
      return null;
    }
    if (res.status !== 200) {
      await res.discard();
      throw this.unexpected(res, `manifest ${repo}:${ref}`);
    }
    const body = await res.bytes(MAX_REMOTE_MANIFEST);
    return { body, mediaType: contentType(res), digest: res.headers.get('docker-content-digest') };
  }

  /** HEAD a blob: its size, or null when the registry does not have it. */
  async headBlob(repo: string, digest: string): Promise<number | null> {
    const res = await this.request('HEAD', `/v2/${repo}/blobs/${digest}`, pullScope(repo), {});
    await res.discard();
    if (res.status === 404) return null;
    if (res.status !== 200) throw this.unexpected(res, `blob ${digest}`);
    const size = contentLength(res);
    if (size === null) throw new RemoteProtocolError(`${this.url}: HEAD of blob ${digest} sent no Content-Length`, this.url, res.status);
    return size;
  }

  /** GET a blob, streaming (redirects followed); null when the registry does not have it. */
  async getBlob(repo: string, digest: string): Promise<RemoteBlob | null> {
    const res = await this.request('GET', `/v2/${repo}/blobs/${digest}`, pullScope(repo), {});
    if (res.status === 404) {
      await res.discard();
      return null;
    }
    if (res.status !== 200) {
      await res.discard();
      throw this.unexpected(res, `blob ${digest}`);
    }
    return { size: contentLength(res), chunks: res.chunks(), cancel: () => res.discard() };
  }

  /**
   * Sends a request with the Authorization known for `scope`; on a 401 answers the challenge and
   * sends once more. A second refusal is a RemoteAuthError.
   */
  private async request(method: 'GET' | 'HEAD', path: string, scope: string, headers: Record<string, string>): Promise<RemoteResponse> {
    const url = this.url + path;
    const first = await this.auth.headerFor(scope);
    let res = await send({ method, url, headers: first ? { ...headers, authorization: first } : headers }, this.timeouts);
    if (res.status !== 401) return this.checkRefusal(res);
    const challenge = res.headers.get('www-authenticate');
    await res.discard();
    const answer = await this.auth.answer(challenge, scope, this.url);
    res = await send({ method, url, headers: { ...headers, authorization: answer } }, this.timeouts);
    return this.checkRefusal(res);
  }

  private async checkRefusal(res: RemoteResponse): Promise<RemoteResponse> {
    if (res.status === 401 || res.status === 403) {
      await res.discard();
      const creds = this.auth.hasCredentials;
      const msg =
        res.status === 403
          ? `${this.url} denied access${creds ? ' to the configured user' : ''}`
          : creds
            ? `${this.url} refused the credentials`
            : `${this.url} requires a user name and password`;
      throw new RemoteAuthError(msg, this.url, res.status, creds);
    }
    if (res.status === 429) {
      await res.discard();
      throw new RemoteRateLimitError(`${this.url} asks to slow down (429)`, this.url, res.headers.get('retry-after'));
    }
    if (res.status >= 500) {
      await res.discard();
      throw new RemoteUnavailableError(`${this.url} answered ${res.status}`, this.url, res.status);
    }
    return res;
  }

  private unexpected(res: RemoteResponse, what: string): RemoteProtocolError {
    return new RemoteProtocolError(`${this.url}: unexpected status ${res.status} for ${what}`, this.url, res.status);
  }
}

/** The token scope to pull from a repository. */
export function pullScope(repo: string): string {
  return `repository:${repo}:pull`;
}

function contentType(res: RemoteResponse): string | null {
  return res.headers.get('content-type')?.split(';')[0]?.trim() || null;
}

function contentLength(res: RemoteResponse): number | null {
  const v = res.headers.get('content-length');
  return v !== null && /^\d+$/.test(v) ? Number(v) : null;
}
