import type { ParsedDigest } from '../core/digest';
import { NotFoundError } from '../core/errors';
import type { Logger } from '../logger';
import { ForwardingRegistry } from '../registry/forwarding';
import { assertNameable } from '../registry/manifest-checks';
import type { BlobContent, BlobRequest, CacheTarget, RegistryService, ServedManifest } from '../registry/service';
import { RemoteRegistry } from '../remote/client';
import type { TransportTimeouts } from '../remote/transport';
import { BlobPuller } from './blobs';
import { ManifestPuller } from './manifests';
import type { ProxySettings } from './settings';

/** Test hooks of the pull-through cache. */
export interface PullThroughOptions {
  timeouts?: Partial<TransportTimeouts>;
  now?: () => number;
}

/** One upstream registry the cache fetches from: what it is called, and how manifests and blobs come from it. */
export interface Upstream {
  /** The upstream's base URL, recorded as the origin of what is cached from it. */
  readonly url: string;
  readonly manifests: Pick<ManifestPuller, 'prepare'>;
  readonly blobs: Pick<BlobPuller, 'stat' | 'open'>;
}

/**
 * Picks the upstream that serves a repository, or null when the repository is local only. One
 * upstream serves every name today; a mirror of several upstreams chooses here, per request.
 */
export type UpstreamChooser = (repo: string) => Upstream | null;

/**
 * The pull-through cache, wrapped around the local registry and implementing the same service, as
 * distribution's proxy wraps its local store: a manifest is brought from the upstream before it is
 * served, and a blob the registry lacks is fetched (and kept, origin 'cached') when asked for. The
 * registry never calls back into it. Pushes, deletes, the catalog and tag lists stay local, and a
 * tag pushed here wins over the upstream's.
 */
export class PullThroughRegistry extends ForwardingRegistry {
  constructor(
    local: CacheTarget,
    private readonly upstreamFor: UpstreamChooser,
  ) {
    super(local);
  }

  /** A reference that is neither a tag nor a digest is refused here, before any upstream is asked. */
  override async getManifest(repo: string, ref: string): Promise<ServedManifest> {
    assertNameable(ref);
    await this.upstreamFor(repo)?.manifests.prepare(repo, ref);
    return this.inner.getManifest(repo, ref);
  }

  override statBlob(repo: string, d: ParsedDigest): Promise<number> {
    return this.orUpstreamSize(repo, d, () => this.inner.statBlob(repo, d));
  }

  /**
   * A pushing client's check: claimed when here; else the upstream's size, nothing cached (a client
   * pushing to the cache must not wait for a download, nor fail when the upstream is down).
   */
  override claimBlob(repo: string, d: ParsedDigest): Promise<number> {
    return this.orUpstreamSize(repo, d, () => this.inner.claimBlob(repo, d));
  }

  override async openBlob(repo: string, d: ParsedDigest, request: BlobRequest): Promise<BlobContent> {
    try {
      return await this.inner.openBlob(repo, d, request);
    } catch (err) {
      const upstream = err instanceof NotFoundError ? this.upstreamFor(repo) : null;
      if (!upstream) throw err;
      const opened = await upstream.blobs.open(repo, d, request);
      if (!opened) throw err;
      return opened;
    }
  }

  private async orUpstreamSize(repo: string, d: ParsedDigest, local: () => Promise<number>): Promise<number> {
    try {
      return await local();
    } catch (err) {
      const upstream = err instanceof NotFoundError ? this.upstreamFor(repo) : null;
      if (!upstream) throw err;
      const size = await upstream.blobs.stat(repo, d);
      if (size === null) throw err;
      return size;
    }
  }
}

/** An upstream from the `proxy` settings (registry:2's `proxy` section), filling `local` as it is read. */
export function createUpstream(local: CacheTarget, settings: ProxySettings, log: Logger, opts: PullThroughOptions = {}): Upstream {
  const credentials = settings.username !== undefined ? { username: settings.username, password: settings.password ?? '' } : undefined;
  const remote = new RemoteRegistry({ url: settings.remoteUrl, credentials, timeouts: opts.timeouts, now: opts.now });
  return {
    url: settings.remoteUrl,
    manifests: new ManifestPuller(local, remote, settings.tagTtlMs, log, opts.now),
    blobs: new BlobPuller(local, remote, log),
  };
}

/** The registry as served with a pull-through cache of one upstream for every repository (registry:2's `proxy`). */
export function createPullThrough(local: CacheTarget, settings: ProxySettings, log: Logger, opts: PullThroughOptions = {}): RegistryService {
  const upstream = createUpstream(local, settings, log, opts);
  return new PullThroughRegistry(local, () => upstream);
}
