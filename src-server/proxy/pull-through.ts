import type { Logger } from '../logger';
import type { ContentFallback, Registry } from '../registry/registry';
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

/**
 * The pull-through cache: the registry's ContentFallback for content it lacks, fetched from the
 * upstream and kept (origin 'cached'). Pushes, the catalog and tag lists stay local; a tag pushed
 * here wins over the upstream's.
 */
export function createPullThrough(registry: Registry, settings: ProxySettings, log: Logger, opts: PullThroughOptions = {}): ContentFallback {
  const credentials = settings.username !== undefined ? { username: settings.username, password: settings.password ?? '' } : undefined;
  const remote = new RemoteRegistry({ url: settings.remoteUrl, credentials, timeouts: opts.timeouts, now: opts.now });
  const manifests = new ManifestPuller(registry, remote, settings.tagTtlMs, log, opts.now);
  const blobs = new BlobPuller(registry, remote, log);
  return {
    prepareManifest: (repo, ref) => manifests.prepare(repo, ref),
    statBlob: (repo, d) => blobs.stat(repo, d),
    openBlob: (repo, d, range) => blobs.open(repo, d, range),
  };
}
