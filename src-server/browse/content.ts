/**
 * Content of one connection read through the browse cache: manifests and configs by digest (fetched
 * once, then kept for ever), and the facts of whole images derived from them. Every fetch from the
 * source goes through the Browser's limiter, and concurrent reads of one digest share one fetch
 * (tags of one repository share configs and child manifests all the time).
 */
import { digestOf, parseDigest } from '../core/digest';
import { RegistryError } from '../core/errors';
import { ManifestParseError, parseManifest, type Descriptor, type ManifestInfo } from '../core/manifest';
import { INDEX_TYPES } from '../core/mediatypes';
import { MAX_CACHED_CONFIG_BYTES, type BrowseCache, type CachedConfig, type ImageFacts } from './cache';
import { IMAGE_CONFIG_TYPES, parseImageConfig, platformName } from './config';
import type { Limiter } from './limiter';
import type { RegistrySource, SourceManifest } from './source';
import { SingleFlight } from './single-flight';

/** A manifest with its parsed form. */
export interface ReadManifest extends SourceManifest {
  info: ManifestInfo;
}

/**
 * Thrown when a manifest (or blob) an image needs is not in the registry: MANIFEST_UNKNOWN (or
 * BLOB_UNKNOWN), so the API answers with what is missing rather than INTERNAL.
 */
export class MissingContentError extends RegistryError {
  constructor(
    readonly digest: string,
    what: 'manifest' | 'blob' = 'manifest',
  ) {
    super(what === 'manifest' ? 'MANIFEST_UNKNOWN' : 'BLOB_UNKNOWN', { message: `${what} ${digest} not found`, detail: { digest } });
    this.name = 'MissingContentError';
  }
}

/**
 * A manifest Berth cannot read (Docker schema 1, an HTML page answered with 200, broken JSON) as
 * MANIFEST_INVALID naming where it came from; other parse failures are not this function's business.
 */
function parseOrRestate(body: Buffer, mediaType: string, repository: string, reference: string): ManifestInfo {
  try {
    return parseManifest(body, mediaType);
  } catch (err) {
    if (!(err instanceof ManifestParseError)) throw err;
    throw new RegistryError('MANIFEST_INVALID', {
      message: `the manifest ${repository}:${reference} (${mediaType || 'no media type'}) cannot be read: ${err.message}`,
      detail: { repository, reference, mediaType },
    });
  }
}

/** A small blob as read: its bytes, or why there are none (absent, over the limit, not matching its digest). */
export type SmallBlob = { body: Buffer } | { problem: 'missing' | 'too-large' | 'invalid' };

/** Reads and caches the content of one connection. */
export class ContentReader {
  private readonly flights = new SingleFlight();

  constructor(
    readonly cache: BrowseCache,
    readonly source: RegistrySource,
    private readonly limiter: Limiter,
  ) {}

  /** The connection id. */
  get connection(): string {
    return this.source.id;
  }

  /** A manifest by digest, parsed; null when the registry does not have it. */
  async manifest(repository: string, digest: string): Promise<ReadManifest | null> {
    const cached = this.cache.manifest(this.connection, digest);
    if (cached) return { digest, ...cached, info: parseOrRestate(cached.body, cached.mediaType, repository, digest) };
    return this.flights.run(`m:${digest}`, async () => {
      const m = await this.limiter.run(() => this.source.getManifest(repository, digest));
      if (!m) return null;
      const info = parseOrRestate(m.body, m.mediaType, repository, digest);
      // The embedded registry's manifests are on local disk already: no second copy.
      if (!this.source.local) this.cache.putManifest(this.connection, m.digest, m.mediaType, m.body);
      return { ...m, info };
    });
  }

  /**
   * A manifest by tag (GET: one request gives the digest and the body, where HEAD then GET takes
   * two); cached by its digest. Null when the registry does not have it.
   */
  async manifestByTag(repository: string, tag: string): Promise<ReadManifest | null> {
    return this.flights.run(`t:${repository}:${tag}`, async () => {
      const m = await this.limiter.run(() => this.source.getManifest(repository, tag));
      if (!m) return null;
      const info = parseOrRestate(m.body, m.mediaType, repository, tag);
      if (!this.source.local) this.cache.putManifest(this.connection, m.digest, m.mediaType, m.body);
      return { ...m, info };
    });
  }

  /** A manifest by digest, or MissingContentError (MANIFEST_UNKNOWN). */
  async requireManifest(repository: string, digest: string): Promise<ReadManifest> {
    const m = await this.manifest(repository, digest);
    if (!m) throw new MissingContentError(digest);
    return m;
  }

  /** An image config, parsed; null when it is not an image config, too large, missing or unreadable. */
  async config(repository: string, desc: Descriptor): Promise<CachedConfig | null> {
    if (!IMAGE_CONFIG_TYPES.has(desc.mediaType) || desc.size > MAX_CACHED_CONFIG_BYTES) return null;
    const cached = this.cache.config(this.connection, desc.digest);
    if (cached) return cached;
    return this.flights.run(`c:${desc.digest}`, async () => {
      const body = await this.limiter.run(() => this.readSmallBlob(repository, desc.digest, MAX_CACHED_CONFIG_BYTES));
      if (!body) return null;
      const parsed = parseImageConfig(body);
      if (parsed) this.cache.putConfig(this.connection, desc.digest, parsed);
      return parsed;
    });
  }

  /**
   * The facts of an image (sizes, platforms, created) by its manifest digest. Throws
   * MissingContentError when its top manifest is missing; facts with a missing child are returned
   * but not cached, so a later read can complete them.
   */
  async facts(repository: string, digest: string): Promise<ImageFacts> {
    const cached = this.cache.image(this.connection, digest);
    if (cached) return cached;
    return this.flights.run(`f:${digest}`, async () => {
      const top = await this.requireManifest(repository, digest);
      const blobs = new Map<string, number>([[top.digest, top.body.length]]);
      let complete = true;
      let platforms: string[];
      let created: string | null = null;
      const newest = (c: string | null | undefined) => {
        if (c && (!created || Date.parse(c) > Date.parse(created))) created = c;
      };
      if (top.info.kind === 'index') {
        const children = await Promise.all(
          top.info.manifests.map(async (d) => {
            blobs.set(d.digest, d.size);
            const child = INDEX_TYPES.has(d.mediaType) ? null : await this.manifest(repository, d.digest);
            if (!child) {
              if (!INDEX_TYPES.has(d.mediaType)) complete = false;
              return platformName(d.platform);
            }
            const config = child.info.config ? await this.config(repository, child.info.config) : null;
            addImageBlobs(blobs, child.info);
            newest(config?.summary.created);
            return d.platform ? platformName(d.platform) : platformName(config?.summary);
          }),
        );
        platforms = children;
      } else {
        const config = top.info.config ? await this.config(repository, top.info.config) : null;
        addImageBlobs(blobs, top.info);
        newest(config?.summary.created);
        platforms = [platformName(config?.summary)];
      }
      const list = [...blobs];
      const facts: ImageFacts = { mediaType: top.mediaType, platforms, created, blobs: list, size: list.reduce((a, [, s]) => a + s, 0) };
      if (complete) this.cache.putImage(this.connection, digest, facts);
      return facts;
    });
  }

  /**
   * A blob's bytes when it is at most `limit` bytes and hashes to its digest, read through the
   * limiter and never past the limit (a referrer's content for the viewer); else why not.
   */
  async smallBlob(repository: string, digest: string, limit: number): Promise<SmallBlob> {
    return this.limiter.run(() => this.readUpTo(repository, digest, limit));
  }

  /** A blob's bytes when it is at most `limit` bytes and hashes to its digest; else null. */
  private async readSmallBlob(repository: string, digest: string, limit: number): Promise<Buffer | null> {
    const read = await this.readUpTo(repository, digest, limit);
    return 'body' in read ? read.body : null;
  }

  private async readUpTo(repository: string, digest: string, limit: number): Promise<SmallBlob> {
    const blob = await this.source.getBlob(repository, digest);
    if (!blob) return { problem: 'missing' };
    if (blob.size > limit) {
      await blob.cancel();
      return { problem: 'too-large' };
    }
    const parts: Buffer[] = [];
    let total = 0;
    for await (const chunk of blob.chunks) {
      total += chunk.length;
      if (total > limit) {
        await blob.cancel();
        return { problem: 'too-large' };
      }
      parts.push(chunk);
    }
    const body = Buffer.concat(parts);
    const d = parseDigest(digest);
    return d && digestOf(body, d.algorithm) === d.digest ? { body } : { problem: 'invalid' };
  }

}

function addImageBlobs(blobs: Map<string, number>, info: ManifestInfo): void {
  if (info.config) blobs.set(info.config.digest, info.config.size);
  for (const l of info.layers) blobs.set(l.digest, l.size);
}
