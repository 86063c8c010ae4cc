import { createHash } from 'node:crypto';
import type { ConnectionKind } from '../contract/connections';
import { NotFoundError, RegistryError } from '../core/errors';
import type { RemoteRegistry } from '../remote/client';
import { RemoteAuthError, RemoteProtocolError } from '../remote/errors';
import { send } from '../remote/transport';
import type { CatalogRefusal } from '../contract/browse';
import type {
  RegistrySource,
  SourceBlob,
  SourceManifest,
  SourceManifestHead,
  SourceReferrer,
  SourceRepositoryPage,
  TagDeleteOutcome,
} from './source';

/** What a RemoteSource is built from. */
export interface RemoteSourceOptions {
  /** The connection id. */
  id: string;
  /** The connection's name, for messages (default: the registry's host). */
  name?: string;
  client: RemoteRegistry;
  kind: ConnectionKind;
  /** Repositories the user added by name. */
  repositories?: string[];
  /** Docker Hub namespaces to list (kind `dockerhub`). */
  namespaces?: string[];
  /** Docker Hub's web API (default `https://hub.docker.com`; tests point it at loopback). */
  hubApiUrl?: string;
}

/** Statuses of a registry without a catalog: fall back to the saved names. */
const NO_CATALOG = new Set([404, 405]);
/** Largest Hub API page read. */
const MAX_HUB_PAGE = 4 << 20;
/** Hub pages followed at most per namespace. */
const MAX_HUB_PAGES = 200;

/**
 * A remote registry as a RegistrySource, over RemoteRegistry. Repositories come from `_catalog`,
 * or for Docker Hub (which has none) from its web API per namespace, merged with the names the
 * user saved; manifests fetched by digest are verified.
 */
export class RemoteSource implements RegistrySource {
  readonly id: string;
  readonly name: string;
  readonly pullHost: string;
  readonly local = false;
  private readonly client: RemoteRegistry;
  private readonly kind: ConnectionKind;
  private readonly saved: string[];
  private readonly namespaces: string[];
  private readonly hubApiUrl: string;
  /** Docker Hub namespace listings, fetched once per source (a page request must not re-list them). */
  private hubNames: Promise<string[]> | null = null;
  /** Docker Hub: whether the registry took the credentials, asked once per source (until a refresh). */
  private credentialsChecked: Promise<void> | null = null;

  constructor(opts: RemoteSourceOptions) {
    this.id = opts.id;
    this.client = opts.client;
    this.kind = opts.kind;
    this.saved = opts.repositories ?? [];
    this.namespaces = opts.namespaces ?? [];
    this.hubApiUrl = (opts.hubApiUrl ?? 'https://hub.docker.com').replace(/\/+$/, '');
    const host = new URL(opts.client.url).host;
    this.pullHost = host === 'registry-1.docker.io' || host === 'index.docker.io' ? 'docker.io' : host;
    this.name = opts.name ?? this.pullHost;
  }

  async repositories(n: number, last?: string): Promise<SourceRepositoryPage> {
    if (this.kind === 'dockerhub') {
      // Hub lists namespaces to anyone and the saved names need no request: without this check a
      // wrong password would look like a working connection until a repository is opened.
      await this.checkCredentials();
      if (this.namespaces.length === 0) return { ...pageOf(this.saved, n, last), source: 'saved' };
      if (!this.hubNames) {
        const listing: Promise<string[]> = this.listHub().catch((err) => {
          // A failed listing is not kept (unless a refresh already replaced it).
          if (this.hubNames === listing) this.hubNames = null;
          throw err;
        });
        this.hubNames = listing;
      }
      return { ...pageOf([...(await this.hubNames), ...this.saved], n, last), source: 'namespace' };
    }
    try {
      const page = await this.client.catalog(n, last);
      return { names: page.names, next: page.next, source: 'catalog' };
    } catch (err) {
      return { ...pageOf(this.saved, n, last), source: 'saved', catalogRefusal: await this.catalogRefusal(err) };
    }
  }

  /**
   * Why the catalog cannot be listed (then the saved names are), or the failure rethrown when it is
   * something else: wrong credentials, a registry that is down. A 401 despite credentials is either
   * a wrong password or a user the catalog is not for (Harbor's non-admins): the base endpoint,
   * which any user may reach, tells which.
   */
  private async catalogRefusal(err: unknown): Promise<CatalogRefusal> {
    const url = this.client.url;
    if (err instanceof RemoteProtocolError && err.status !== undefined && NO_CATALOG.has(err.status))
      return { code: 'UNSUPPORTED', message: `${url} has no catalog (it answered ${err.status} to /v2/_catalog)` };
    if (!(err instanceof RemoteAuthError)) throw err;
    if (!err.hadCredentials) return { code: 'AUTH_REQUIRED', message: `${url} lists its repositories only to users who log in` };
    if (err.status === 401) {
      try {
        await this.client.ping();
      } catch (pingErr) {
        if (pingErr instanceof RemoteAuthError || !(pingErr instanceof RemoteProtocolError)) throw pingErr;
      }
    }
    return { code: 'DENIED', message: `${url} does not let this user list its repositories` };
  }

  /** Throws the registry's refusal when it does not take the credentials (checked once, until forgetListings). */
  private async checkCredentials(): Promise<void> {
    if (!this.client.hasCredentials) return;
    if (!this.credentialsChecked) {
      const check: Promise<void> = this.client.ping().catch((err) => {
        if (this.credentialsChecked === check) this.credentialsChecked = null;
        // Only a refusal says the credentials are wrong; an outage or a slow-down leaves the listing to Hub.
        if (err instanceof RemoteAuthError) throw err;
      });
      this.credentialsChecked = check;
    }
    await this.credentialsChecked;
  }

  /** Drops the cached Docker Hub namespace listing (and the credentials check): the next `repositories` asks again. */
  forgetListings(): void {
    this.hubNames = null;
    this.credentialsChecked = null;
  }

  /** Closes the remote client's own connections; the source is not used afterwards. */
  close(): Promise<void> {
    return this.client.close();
  }

  tags(repository: string): Promise<string[] | null> {
    return this.client.tags(this.repo(repository));
  }

  async headManifest(repository: string, reference: string): Promise<SourceManifestHead | null> {
    const h = await this.client.headManifest(this.repo(repository), reference);
    if (!h) return null;
    const digest = h.digest ?? (isDigest(reference) ? reference : null);
    if (digest && h.mediaType && h.size !== null) return { digest, mediaType: h.mediaType, size: h.size };
    // Some registries leave headers out of a HEAD: the body tells everything.
    const m = await this.getManifest(repository, reference);
    return m ? { digest: m.digest, mediaType: m.mediaType, size: m.body.length } : null;
  }

  async getManifest(repository: string, reference: string): Promise<SourceManifest | null> {
    const m = await this.client.getManifest(this.repo(repository), reference);
    if (!m) return null;
    const computed = `sha256:${createHash('sha256').update(m.body).digest('hex')}`;
    let digest = computed;
    if (isDigest(reference)) {
      const alg = reference.slice(0, reference.indexOf(':'));
      const actual = alg === 'sha512' ? `sha512:${createHash('sha512').update(m.body).digest('hex')}` : computed;
      if ((alg === 'sha256' || alg === 'sha512') && reference !== actual) {
        const where = `${this.client.url}/v2/${this.repo(repository)}/manifests/${reference}`;
        throw new RemoteProtocolError(`${this.client.url} sent a manifest whose digest is ${actual}, not the ${reference} asked for`, where, 200);
      }
      digest = reference;
    } else if (m.digest && !m.digest.startsWith('sha256:')) {
      digest = m.digest;
    }
    return { digest, mediaType: m.mediaType ?? mediaTypeOf(m.body) ?? 'application/octet-stream', body: m.body };
  }

  headBlob(repository: string, digest: string): Promise<number | null> {
    return this.client.headBlob(this.repo(repository), digest);
  }

  async getBlob(repository: string, digest: string, signal?: AbortSignal): Promise<SourceBlob | null> {
    const repo = this.repo(repository);
    const b = await this.client.getBlob(repo, digest, signal);
    if (!b) return null;
    let size: number | null;
    try {
      size = b.size ?? (await this.client.headBlob(repo, digest));
    } catch (err) {
      // The GET's body is still open: free its connection before giving up.
      await b.cancel();
      throw err;
    }
    if (size === null) {
      await b.cancel();
      return null;
    }
    return { size, chunks: b.chunks, cancel: b.cancel };
  }

  referrers(repository: string, digest: string): Promise<SourceReferrer[] | null> {
    return this.client.referrers(this.repo(repository), digest);
  }

  mountBlob(repository: string, digest: string, from: string): Promise<boolean> {
    return this.client.mountBlob(this.repo(repository), digest, this.repo(from));
  }

  putBlob(repository: string, digest: string, size: number, chunks: AsyncIterable<Buffer>, signal?: AbortSignal): Promise<void> {
    return this.client.putBlob(this.repo(repository), digest, size, chunks, signal);
  }

  putManifest(repository: string, reference: string, body: Buffer, mediaType: string): Promise<string> {
    return this.client.putManifest(this.repo(repository), reference, body, mediaType);
  }

  async deleteTag(repository: string, tag: string): Promise<TagDeleteOutcome> {
    const outcome = await this.client.deleteManifest(this.repo(repository), tag);
    if (outcome === 'not-found') throw new NotFoundError('manifest');
    return outcome;
  }

  async deleteManifest(repository: string, digest: string): Promise<void> {
    const outcome = await this.client.deleteManifest(this.repo(repository), digest);
    if (outcome === 'not-found') throw new NotFoundError('manifest');
    if (outcome === 'unsupported')
      throw new RegistryError('UNSUPPORTED', {
        message: `${this.pullHost} does not allow deleting manifests`,
        detail: { connection: this.id, repository, digest },
      });
  }

  /**
   * The name on the registry API: Docker Hub keeps its official images under `library/`, so a
   * one-part name (`nginx`) is `library/nginx` there, as Docker addresses it.
   */
  private repo(name: string): string {
    return this.kind === 'dockerhub' && !name.includes('/') ? `library/${name}` : name;
  }

  /** Every repository of the namespaces through Docker Hub's web API, `<namespace>/<name>`. */
  private async listHub(): Promise<string[]> {
    const out: string[] = [];
    for (const ns of this.namespaces) {
      let url: string | null = `${this.hubApiUrl}/v2/repositories/${encodeURIComponent(ns)}/?page_size=100&page=1`;
      for (let page = 0; url && page < MAX_HUB_PAGES; page++) {
        const body = await hubJson(url);
        if (!body) break; // an unknown namespace lists nothing
        for (const r of Array.isArray(body.results) ? body.results : []) if (r && typeof r.name === 'string') out.push(`${ns}/${r.name}`);
        url = typeof body.next === 'string' && body.next ? new URL(body.next, url).toString() : null;
      }
    }
    return out;
  }
}

/** A Hub API page, or null for 404: through the registry transport (its timeouts, redirect rules and errors). */
async function hubJson(url: string): Promise<{ results?: Array<{ name?: unknown }>; next?: unknown } | null> {
  const res = await send({ method: 'GET', url, headers: { accept: 'application/json' } });
  if (res.status === 404) {
    await res.discard();
    return null;
  }
  if (res.status !== 200) {
    await res.discard();
    throw new RemoteProtocolError(`${new URL(url).origin} answered ${res.status} listing ${new URL(url).pathname}`, url, res.status);
  }
  // bytes() stops reading (and drops the connection) once a page passes the limit.
  const text = (await res.bytes(MAX_HUB_PAGE)).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw new RemoteProtocolError(`${url}: not JSON`, url, 200);
  }
}

/** Sorted, deduplicated names after `last`, at most `n`, with the next page's `last`. */
function pageOf(all: string[], n: number, last?: string): { names: string[]; next: string | null } {
  const sorted = [...new Set(all)].sort();
  const after = last ? sorted.filter((x) => x > last) : sorted;
  const names = after.slice(0, Math.max(0, n));
  return { names, next: after.length > names.length && names.length > 0 ? names[names.length - 1]! : null };
}

function isDigest(ref: string): boolean {
  return /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(ref);
}

function mediaTypeOf(body: Buffer): string | null {
  try {
    const t = (JSON.parse(body.toString('utf8')) as { mediaType?: unknown }).mediaType;
    return typeof t === 'string' ? t : null;
  } catch {
    return null;
  }
}
