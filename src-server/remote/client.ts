import { createHash } from 'node:crypto';
import type { Dispatcher } from 'undici';
import type { ConnectionTrust } from '../contract/connections';
import { ALL_MANIFEST_TYPES } from '../core/mediatypes';
import { RemoteAuth, type RemoteCredentials } from './auth';
import { AuthorizedSender } from './authorized-sender';
import { RemoteProtocolError } from './errors';
import { lastOf, nextLink } from './paging';
import { parseReferrerIndex, referrersTag, type RemoteDescriptor } from './referrers';
import { registryFailure } from './registry-errors';
import { MAX_LIST_BODY, contentLength, contentType, exactly, isIndex, readJson, unexpectedStatus, uploadLocation } from './responses';
import { deleteScope, pullScope, pushScope } from './scopes';
import { DEFAULT_TIMEOUTS, type RemoteMethod, type RemoteResponse, type TransportTimeouts } from './transport';
import { createDispatcher } from './trust';

/** The token scopes of pull, push and delete, importable from here as before (see scopes.ts). */
export { deleteScope, pullScope, pushScope } from './scopes';

/** Where a remote registry is and how to log in to it. */
export interface RemoteRegistryOptions {
  /** Base URL, e.g. `https://registry-1.docker.io` (no `/v2`). */
  url: string;
  credentials?: RemoteCredentials;
  timeouts?: Partial<TransportTimeouts>;
  /** Tags asked per page (default 1000). */
  tagsPageSize?: number;
  /** How to trust the registry's certificate (default: the system's CAs). */
  trust?: ConnectionTrust;
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

/** A page of the catalog. */
export interface RemoteCatalogPage {
  names: string[];
  /** The `last` of the next page (from the `Link` header), or null at the end. */
  next: string | null;
}

/** What deleting a manifest did. */
export type RemoteDeleteOutcome = 'deleted' | 'unsupported' | 'not-found';

/** Tags asked per page. */
const TAGS_PAGE = 1000;
/** Pages followed at most: a registry whose Link never ends must not hold a caller forever. */
const MAX_PAGES = 10_000;

/**
 * A client for one Distribution v2 registry: ping, catalog and tags with `Link` paging, manifests
 * and blobs (read, push, mount, delete) and referrers, with its authentication challenges answered
 * (see RemoteAuth) and its TLS trust per connection. A 404 on a read resolves null; every other
 * failure is a RemoteError (unavailable, TLS/trust, auth, rate limit, protocol).
 */
export class RemoteRegistry {
  /** The base URL without a trailing slash. */
  readonly url: string;
  /** The registry's origin: the only one that gets its credentials and its connection pool. */
  private readonly origin: string;
  private readonly auth: RemoteAuth;
  private readonly timeouts: TransportTimeouts;
  private readonly dispatcher: Dispatcher | undefined;
  private readonly tagsPageSize: number;
  /** Sends each request with its credentials and turns refusals into RemoteErrors. */
  private readonly sender: AuthorizedSender;

  constructor(opts: RemoteRegistryOptions) {
    this.tagsPageSize = opts.tagsPageSize ?? TAGS_PAGE;
    this.url = opts.url.replace(/\/+$/, '');
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...opts.timeouts };
    this.dispatcher = createDispatcher(opts.trust);
    const origin = (this.origin = new URL(this.url).origin);
    this.auth = new RemoteAuth(opts.credentials, this.timeouts, opts.now, this.dispatcher ? { origin, dispatcher: this.dispatcher } : undefined, origin);
    this.sender = new AuthorizedSender(this.url, origin, this.auth, this.timeouts, this.dispatcher);
  }

  /** True when the connection has a user name and password (refusals then mean they are wrong, or lack a right). */
  get hasCredentials(): boolean {
    return this.auth.hasCredentials;
  }

  /** Closes this registry's own connections (trust `ca` or `pin`); the client is unusable after. */
  async close(): Promise<void> {
    await this.dispatcher?.close().catch(() => {});
  }

  /** GET /v2/: resolves when the registry answers and accepts the credentials (or needs none). */
  async ping(): Promise<void> {
    const res = await this.request('GET', '/v2/', '', {});
    await res.discard();
    if (res.status !== 200) throw this.unexpected(res, 'ping');
  }

  /**
   * One page of `_catalog` after `last`, at most `n` names. A refusal throws (RemoteAuthError, or
   * RemoteProtocolError with the status, e.g. 404 where there is no catalog) so callers can fall back.
   */
  async catalog(n: number, last?: string): Promise<RemoteCatalogPage> {
    const q = new URLSearchParams({ n: String(n) });
    if (last) q.set('last', last);
    const res = await this.request('GET', `/v2/_catalog?${q}`, 'registry:catalog:*', { accept: 'application/json' });
    if (res.status !== 200) throw await registryFailure(res, this.url, 'the catalog');
    const body = await this.json<{ repositories?: unknown }>(res, 'the catalog');
    const names = Array.isArray(body.repositories) ? body.repositories.filter((r): r is string => typeof r === 'string') : [];
    return { names, next: lastOf(nextLink(res.headers.get('link'), res.url)) };
  }

  /**
   * Every tag of a repository, following `Link` pages, in the registry's order without duplicates
   * (registry:2 pages in no particular order); null when the repository is unknown.
   */
  async tags(repo: string): Promise<string[] | null> {
    const out = new Set<string>();
    let path: string = `/v2/${repo}/tags/list?n=${this.tagsPageSize}`;
    const seen = new Set<string>();
    for (let page = 0; page < MAX_PAGES; page++) {
      const res = await this.request('GET', path, pullScope(repo), { accept: 'application/json' });
      if (res.status === 404 && page === 0) {
        await res.discard();
        return null;
      }
      if (res.status !== 200) throw await registryFailure(res, this.url, `the tags of ${repo}`);
      const body = await this.json<{ tags?: unknown }>(res, `the tags of ${repo}`);
      if (Array.isArray(body.tags)) for (const t of body.tags) if (typeof t === 'string') out.add(t);
      const next = nextLink(res.headers.get('link'), res.url);
      if (!next || seen.has(next)) return [...out];
      seen.add(next);
      path = next;
    }
    throw new RemoteProtocolError(`${this.url}: the tags of ${repo} did not end after ${MAX_PAGES} pages`, this.url);
  }

  /**
   * The referrers of `digest`: the referrers API, or where the registry has none (404) the
   * referrers tag `<alg>-<hex>`; null when neither exists.
   */
  async referrers(repo: string, digest: string): Promise<RemoteDescriptor[] | null> {
    const accept = { accept: 'application/vnd.oci.image.index.v1+json' };
    let path: string = `/v2/${repo}/referrers/${digest}`;
    const out: RemoteDescriptor[] = [];
    const seen = new Set<string>();
    for (let page = 0; page < MAX_PAGES; page++) {
      const res = await this.request('GET', path, pullScope(repo), accept);
      if (page === 0 && (res.status === 404 || res.status === 405 || res.status === 400)) {
        // A registry with the API answers 200 (an empty index when nothing refers); 404 with
        // anything but an index means it has no such route.
        const body = await res.bytes(MAX_LIST_BODY).catch(() => Buffer.alloc(0));
        if (res.status === 404 && isIndex(body)) return [];
        return this.referrersByTag(repo, digest);
      }
      if (res.status !== 200) throw await registryFailure(res, this.url, `the referrers of ${digest}`);
      out.push(...parseReferrerIndex(await res.bytes(MAX_LIST_BODY), res.url));
      const next = nextLink(res.headers.get('link'), res.url);
      if (!next || seen.has(next)) return out;
      seen.add(next);
      path = next;
    }
    throw new RemoteProtocolError(`${this.url}: the referrers of ${digest} did not end after ${MAX_PAGES} pages`, this.url);
  }

  private async referrersByTag(repo: string, digest: string): Promise<RemoteDescriptor[] | null> {
    const m = await this.getManifest(repo, referrersTag(digest));
    if (!m) return null;
    return parseReferrerIndex(m.body, `${this.url}/v2/${repo}/manifests/${referrersTag(digest)}`);
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

  /** GET a blob, streaming (redirects followed); null when the registry does not have it. `signal` aborts the download. */
  async getBlob(repo: string, digest: string, signal?: AbortSignal): Promise<RemoteBlob | null> {
    const res = await this.request('GET', `/v2/${repo}/blobs/${digest}`, pullScope(repo), {}, undefined, signal);
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
   * DELETE a manifest by digest or tag: `deleted` (202), `unsupported` when the registry refuses
   * deletes (405, or its UNSUPPORTED code, e.g. registry:2 with deletes disabled or a delete by
   * tag), `not-found` (404).
   */
  async deleteManifest(repo: string, ref: string): Promise<RemoteDeleteOutcome> {
    const res = await this.request('DELETE', `/v2/${repo}/manifests/${ref}`, deleteScope(repo), {});
    if (res.status === 202 || res.status === 200 || res.status === 204) {
      await res.discard();
      return 'deleted';
    }
    const err = await registryFailure(res, this.url, `deleting ${repo}:${ref}`);
    if (res.status === 405 || err.code === 'UNSUPPORTED') return 'unsupported';
    // registry:2 deletes by digest only and reads a tag as a malformed digest.
    if (res.status === 400 && err.code === 'DIGEST_INVALID' && !ref.includes(':')) return 'unsupported';
    if (res.status === 404) return 'not-found';
    throw err;
  }

  /**
   * Mounts a blob from repository `from` of this registry (POST `?mount=&from=`): true when mounted
   * (201); false when the registry opened an upload instead (202), which is cancelled.
   */
  async mountBlob(repo: string, digest: string, from: string): Promise<boolean> {
    const q = new URLSearchParams({ mount: digest, from });
    const res = await this.request('POST', `/v2/${repo}/blobs/uploads/?${q}`, `${pushScope(repo)} ${pullScope(from)}`, { 'content-length': '0' });
    if (res.status === 201) {
      await res.discard();
      return true;
    }
    if (res.status === 202) {
      await res.discard();
      const location = res.headers.get('location');
      if (location) await this.cancelUpload(repo, new URL(location, res.url).toString());
      return false;
    }
    throw await registryFailure(res, this.url, `mounting ${digest} into ${repo}`);
  }

  /**
   * Uploads a blob in two requests, the spec's monolithic push: POST opens an upload, and one PUT
   * `?digest=` streams the `size` bytes from `chunks` and closes it (the registry checks the digest).
   * One request fewer per blob than POST, PATCH, PUT. A failure cancels the upload and throws a
   * RemoteError with the registry's message. `signal` aborts the transfer (the upload is then
   * cancelled too).
   */
  async putBlob(repo: string, digest: string, size: number, chunks: AsyncIterable<Buffer>, signal?: AbortSignal): Promise<void> {
    const scope = pushScope(repo);
    const opened = await this.request('POST', `/v2/${repo}/blobs/uploads/`, scope, { 'content-length': '0' });
    if (opened.status !== 202) throw await registryFailure(opened, this.url, `starting an upload to ${repo}`);
    await opened.discard();
    const location = uploadLocation(opened, this.origin);
    try {
      const put = new URL(location);
      put.searchParams.set('digest', digest);
      let done;
      if (size > 0) {
        done = await this.request('PUT', put.toString(), scope, { 'content-type': 'application/octet-stream', 'content-length': String(size) }, exactly(chunks, size, digest, this.url), signal);
      } else {
        // An empty blob: nothing to send, but the source must really be empty.
        for await (const c of exactly(chunks, 0, digest, this.url)) void c;
        done = await this.request('PUT', put.toString(), scope, { 'content-length': '0' });
      }
      if (done.status !== 201) throw await registryFailure(done, this.url, `uploading ${digest} to ${repo}`);
      await done.discard();
    } catch (err) {
      await this.cancelUpload(repo, location).catch(() => {});
      throw err;
    }
  }

  /** PUT a manifest under a tag or digest; resolves its digest (the registry's, else computed). */
  async putManifest(repo: string, ref: string, body: Buffer, mediaType: string): Promise<string> {
    const res = await this.request('PUT', `/v2/${repo}/manifests/${ref}`, pushScope(repo), { 'content-type': mediaType }, body);
    if (res.status !== 201 && res.status !== 200 && res.status !== 202) throw await registryFailure(res, this.url, `storing the manifest ${repo}:${ref}`);
    await res.discard();
    return res.headers.get('docker-content-digest') ?? `sha256:${createHash('sha256').update(body).digest('hex')}`;
  }

  private async cancelUpload(repo: string, location: string): Promise<void> {
    // An upload elsewhere is not ours to cancel (and gets no credentials): leave it to expire.
    if (new URL(location).origin !== this.origin) return;
    const res = await this.request('DELETE', location, pushScope(repo), {});
    await res.discard();
  }

  /** See {@link readJson}. */
  private json<T>(res: RemoteResponse, what: string): Promise<T> {
    return readJson<T>(res, this.url, what);
  }

  /** See {@link AuthorizedSender.request}. */
  private request(
    method: RemoteMethod,
    path: string,
    scope: string,
    headers: Record<string, string>,
    body?: Buffer | AsyncIterable<Buffer>,
    signal?: AbortSignal,
  ): Promise<RemoteResponse> {
    return this.sender.request(method, path, scope, headers, body, signal);
  }

  private unexpected(res: RemoteResponse, what: string): RemoteProtocolError {
    return unexpectedStatus(res, this.url, what);
  }
}
