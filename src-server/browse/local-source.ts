import { LOCAL_CONNECTION_ID } from '../contract';
import { LOCAL_CONNECTION_NAME } from '../connections/manager';
import { parseDigest, type ParsedDigest } from '../core/digest';
import { toRegistryError } from '../core/error-mapping';
import { NotFoundError, RegistryError } from '../core/errors';
import type { BlobContent, RegistryService } from '../registry/service';
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
    private readonly registry: RegistryService,
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
    return this.registry.allTags(repository);
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
    try {
      return await this.registry.statBlob(repository, digestArg(digest));
    } catch (err) {
      if (err instanceof NotFoundError) return null;
      throw err;
    }
  }

  async getBlob(repository: string, digest: string): Promise<SourceBlob | null> {
    let content: BlobContent;
    try {
      content = await this.registry.openBlob(repository, digestArg(digest), { range: () => undefined });
    } catch (err) {
      if (err instanceof NotFoundError) return null;
      throw err;
    }
    if (!('stream' in content)) throw new Error('the registry answered a stream request with another form');
    const { stream } = content;
    // A reader that iterates still gets the error; one that never starts (a copy that failed
    // elsewhere first) must not leave it unhandled, which would take the process down.
    stream.on('error', () => {});
    return { size: content.size, chunks: stream, cancel: async () => void stream.destroy() };
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
    return asSourceError(() => this.registry.mountBlob(repository, digestArg(digest), from));
  }

  async putBlob(repository: string, digest: string, _size: number, chunks: AsyncIterable<Buffer>): Promise<void> {
    await asSourceError(() => this.registry.putBlob(repository, digestArg(digest), chunks));
  }

  async putManifest(repository: string, reference: string, body: Buffer, mediaType: string): Promise<string> {
    return (await asSourceError(() => this.registry.putManifest(repository, reference, body, mediaType))).digest;
  }

  async deleteTag(repository: string, tag: string): Promise<TagDeleteOutcome> {
    await asSourceError(() => this.registry.deleteManifest(repository, tag, { source: 'app' }));
    return 'deleted';
  }

  async deleteManifest(repository: string, digest: string): Promise<void> {
    await asSourceError(() => this.registry.deleteManifest(repository, digestArg(digest).digest, { source: 'app' }));
  }
}

/**
 * Runs a write, answering the registry's neutral refusals as the OCI errors a remote registry would
 * send (UNSUPPORTED, MANIFEST_BLOB_UNKNOWN...), so that callers read every source alike; a
 * NotFoundError stays neutral, as every source reports "not found".
 */
async function asSourceError<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (err instanceof NotFoundError) throw err;
    throw toRegistryError(err) ?? err;
  }
}

function digestArg(digest: string): ParsedDigest {
  const d = parseDigest(digest);
  if (!d) throw new RegistryError('DIGEST_INVALID', { detail: { digest } });
  return d;
}
