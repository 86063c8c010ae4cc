import { LOCAL_CONNECTION_ID } from '../contract';
import { LOCAL_CONNECTION_NAME } from '../connections/manager';
import { parseDigest, type ParsedDigest } from '../core/digest';
import { NotFoundError, RegistryError } from '../core/errors';
import type { Registry } from '../registry/registry';
import type { RegistrySource, SourceBlob, SourceManifest, SourceManifestHead, SourceReferrer, SourceRepositoryPage, TagDeleteOutcome } from './source';

/**
 * The embedded registry as a RegistrySource: read and written in-process through the Registry
 * service and its index, so browsing it costs no HTTP round trips and leaves no access-log lines,
 * and writes go through the same checks and GC write gate as a client's push.
 */
export class LocalSource implements RegistrySource {
  readonly id = LOCAL_CONNECTION_ID;
  readonly name = LOCAL_CONNECTION_NAME;
  readonly local = true;

  /** `pullHost` is how clients reach the registry (`127.0.0.1:5000`), for pull commands. */
  constructor(
    private readonly registry: Registry,
    private readonly host: () => string,
  ) {}

  get pullHost(): string {
    return this.host();
  }

  async repositories(n: number, last?: string): Promise<SourceRepositoryPage> {
    const names = this.registry.catalog(n + 1, last);
    const more = names.length > n;
    if (more) names.length = n;
    return { names, next: more ? names[names.length - 1]! : null, source: 'index' };
  }

  async tags(repository: string): Promise<string[] | null> {
    return this.registry.index.tags(repository, Number.MAX_SAFE_INTEGER);
  }

  async headManifest(repository: string, reference: string): Promise<SourceManifestHead | null> {
    const m = await this.getManifest(repository, reference);
    return m && { digest: m.digest, mediaType: m.mediaType, size: m.body.length };
  }

  async getManifest(repository: string, reference: string): Promise<SourceManifest | null> {
    try {
      return await this.registry.getManifest(repository, reference);
    } catch (err) {
      if (err instanceof NotFoundError) return null;
      throw err;
    }
  }

  async headBlob(repository: string, digest: string): Promise<number | null> {
    const d = digestArg(digest);
    try {
      return await this.registry.statBlob(repository, d);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
    return (await this.registry.fallback?.statBlob(repository, d)) ?? null;
  }

  async getBlob(repository: string, digest: string): Promise<SourceBlob | null> {
    const d = digestArg(digest);
    let size: number;
    try {
      size = await this.registry.statBlob(repository, d);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      const fetched = await this.registry.fallback?.openBlob(repository, d);
      if (!fetched) return null;
      fetched.stream.on('error', () => {});
      return { size: fetched.size, chunks: fetched.stream, cancel: async () => void fetched.stream.destroy() };
    }
    const stream = this.registry.openBlob(d);
    // A reader that iterates still gets the error; one that never starts (a copy that failed
    // elsewhere first) must not leave it unhandled, which would take the process down.
    stream.on('error', () => {});
    return { size, chunks: stream, cancel: async () => void stream.destroy() };
  }

  async referrers(repository: string, digest: string): Promise<SourceReferrer[]> {
    return this.registry.referrers(repository, digestArg(digest).digest).map((r) => ({
      digest: r.digest,
      mediaType: r.mediaType,
      artifactType: r.artifactType,
      size: r.size,
      annotations: r.annotations ?? {},
    }));
  }

  async mountBlob(repository: string, digest: string, from: string): Promise<boolean> {
    return this.registry.mountBlob(repository, digestArg(digest), from);
  }

  async putBlob(repository: string, digest: string, _size: number, chunks: AsyncIterable<Buffer>): Promise<void> {
    const d = digestArg(digest);
    const { uuid } = await this.registry.uploads.start(repository, d.algorithm);
    try {
      await this.registry.commitUpload(repository, uuid, d, chunks);
    } catch (err) {
      await this.registry.uploads.cancel(repository, uuid).catch(() => {});
      throw err;
    }
  }

  async putManifest(repository: string, reference: string, body: Buffer, mediaType: string): Promise<string> {
    return (await this.registry.putManifest(repository, reference, body, mediaType)).digest;
  }

  async deleteTag(repository: string, tag: string): Promise<TagDeleteOutcome> {
    await this.registry.deleteManifest(repository, tag);
    return 'deleted';
  }

  async deleteManifest(repository: string, digest: string): Promise<void> {
    await this.registry.deleteManifest(repository, digestArg(digest).digest);
  }
}

function digestArg(digest: string): ParsedDigest {
  const d = parseDigest(digest);
  if (!d) throw new RegistryError('DIGEST_INVALID', { detail: { digest } });
  return d;
}
