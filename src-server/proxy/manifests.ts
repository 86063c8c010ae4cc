import { digestOf, looksLikeDigest, parseDigest } from '../core/digest';
import { isValidTag } from '../core/names';
import type { Logger } from '../logger';
import type { CacheTarget } from '../registry/service';
import type { RemoteManifest, RemoteRegistry } from '../remote/client';
import { RemoteError, RemoteProtocolError } from '../remote/errors';
import { upstreamError } from './upstream-error';

/**
 * Brings manifests from the upstream before the registry serves them. By tag: a tag pushed here
 * (or present with no origin record, i.e. from before) always wins and the upstream is never asked;
 * a cached tag younger than the tag TTL is served as is; otherwise the upstream is asked (HEAD, then
 * GET when the digest changed). When the upstream cannot answer, a cached copy is served. By digest:
 * fetched once, verified, kept. Concurrent requests for the same reference share one fetch.
 */
export class ManifestPuller {
  private readonly inflight = new Map<string, Promise<void>>();

  constructor(
    private readonly registry: CacheTarget,
    private readonly remote: RemoteRegistry,
    private readonly tagTtlMs: number,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Makes `repo:ref` current in the registry when the upstream has it (see the class comment). */
  prepare(repo: string, ref: string): Promise<void> {
    const key = `${repo}@${ref}`;
    const running = this.inflight.get(key);
    if (running) return running;
    const p = (looksLikeDigest(ref) ? this.byDigest(repo, ref) : this.byTag(repo, ref)).finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  private isLocal(repo: string, tag: string, local: string): boolean {
    const origin = this.registry.tagOrigin(repo, tag);
    // A cached record for another digest means something else moved the tag since (registry:2 on
    // the same folder): that is local content too.
    return origin === null || origin.source === 'pushed' || origin.digest !== local;
  }

  private async byTag(repo: string, tag: string): Promise<void> {
    // Invalid tags are the registry's to refuse.
    if (!isValidTag(tag)) return;
    // On a shared bucket, read from it: a tag another instance pushed is neither fetched upstream nor overwritten.
    const local = await this.registry.currentTag(repo, tag);
    if (local !== null) {
      if (this.isLocal(repo, tag, local)) return;
      const origin = this.registry.tagOrigin(repo, tag)!;
      if (this.now() - origin.checkedAt < this.tagTtlMs) return;
    }
    try {
      const head = await this.remote.headManifest(repo, tag);
      if (head === null) {
        if (local !== null) this.log.warn(`pull-through: ${this.remote.url} no longer has ${repo}:${tag}; serving the cached copy`);
        return;
      }
      if (head.digest !== null && head.digest === local) {
        this.registry.markTagChecked(repo, tag, this.now());
        return;
      }
      const m = await this.remote.getManifest(repo, tag);
      if (m === null) return;
      const digest = this.verify(m, `${repo}:${tag}`);
      if (digest === local) {
        this.registry.markTagChecked(repo, tag, this.now());
        return;
      }
      // A push may have set the tag while the upstream was asked: the push wins.
      const now = await this.registry.currentTag(repo, tag);
      if (now !== null && now !== local && this.isLocal(repo, tag, now)) return;
      await this.registry.putManifest(repo, tag, m.body, m.mediaType ?? undefined, { cachedFrom: this.remote.url });
      this.log.debug(`pull-through: cached ${repo}:${tag} (${digest}) from ${this.remote.url}`);
    } catch (err) {
      if (local !== null && err instanceof RemoteError) {
        this.log.warn(`pull-through: ${err.message}; serving the cached ${repo}:${tag}`);
        return;
      }
      throw upstreamError(err);
    }
  }

  private async byDigest(repo: string, ref: string): Promise<void> {
    const d = parseDigest(ref);
    // On a shared bucket another instance may have stored it: this index does not know yet.
    if (!d || (await this.registry.holdsManifest(repo, d))) return;
    try {
      const m = await this.remote.getManifest(repo, d.digest);
      if (m === null) return;
      const actual = digestOf(m.body, d.algorithm);
      if (actual !== d.digest) {
        throw new RemoteProtocolError(`${this.remote.url} sent manifest ${actual} when asked for ${d.digest}`, this.remote.url);
      }
      await this.registry.putManifest(repo, d.digest, m.body, m.mediaType ?? undefined, { cachedFrom: this.remote.url });
      this.log.debug(`pull-through: cached ${repo}@${d.digest} from ${this.remote.url}`);
    } catch (err) {
      throw upstreamError(err);
    }
  }

  /** The manifest's sha256 digest (how the registry stores a tag), checked against the one the upstream named. */
  private verify(m: RemoteManifest, what: string): string {
    const claimed = m.digest ? parseDigest(m.digest) : null;
    if (claimed && digestOf(m.body, claimed.algorithm) !== claimed.digest) {
      throw new RemoteProtocolError(`${this.remote.url} sent ${what} with content that does not match its digest ${claimed.digest}`, this.remote.url);
    }
    return digestOf(m.body);
  }
}
