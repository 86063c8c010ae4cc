import type { DigestAlgorithm, ParsedDigest } from '../core/digest';
import type { ReferrerRow } from '../index/registry-index';
import type {
  BlobContent,
  BlobRequest,
  DeleteContext,
  PutManifestOptions,
  PutManifestResult,
  RegistryService,
  ServedManifest,
  UploadStatus,
} from './service';

/**
 * A {@link RegistryService} that passes every call to another one: the base of a decorator, which
 * overrides only what it changes (the pull-through cache overrides the reads of missing content).
 */
export class ForwardingRegistry implements RegistryService {
  constructor(protected readonly inner: RegistryService) {}

  get deleteEnabled(): boolean {
    return this.inner.deleteEnabled;
  }

  statBlob(repo: string, d: ParsedDigest): Promise<number> {
    return this.inner.statBlob(repo, d);
  }

  claimBlob(repo: string, d: ParsedDigest): Promise<number> {
    return this.inner.claimBlob(repo, d);
  }

  openBlob(repo: string, d: ParsedDigest, request: BlobRequest): Promise<BlobContent> {
    return this.inner.openBlob(repo, d, request);
  }

  deleteBlob(repo: string, d: ParsedDigest): Promise<void> {
    return this.inner.deleteBlob(repo, d);
  }

  mountBlob(repo: string, d: ParsedDigest, from?: string): Promise<boolean> {
    return this.inner.mountBlob(repo, d, from);
  }

  putBlob(repo: string, d: ParsedDigest, source: AsyncIterable<Buffer>, opts?: PutManifestOptions): Promise<number> {
    return this.inner.putBlob(repo, d, source, opts);
  }

  startUpload(repo: string, algorithm?: DigestAlgorithm): Promise<UploadStatus> {
    return this.inner.startUpload(repo, algorithm);
  }

  appendUpload(repo: string, uuid: string, chunk: AsyncIterable<Buffer>, offset?: number): Promise<UploadStatus> {
    return this.inner.appendUpload(repo, uuid, chunk, offset);
  }

  uploadStatus(repo: string, uuid: string): Promise<UploadStatus> {
    return this.inner.uploadStatus(repo, uuid);
  }

  commitUpload(repo: string, uuid: string, d: ParsedDigest, source?: AsyncIterable<Buffer>, opts?: PutManifestOptions): Promise<number> {
    return this.inner.commitUpload(repo, uuid, d, source, opts);
  }

  cancelUpload(repo: string, uuid: string): Promise<void> {
    return this.inner.cancelUpload(repo, uuid);
  }

  catalog(n: number, last?: string): string[] {
    return this.inner.catalog(n, last);
  }

  tags(repo: string, n: number, last?: string): string[] {
    return this.inner.tags(repo, n, last);
  }

  allTags(repo: string): string[] | null {
    return this.inner.allTags(repo);
  }

  freshen(repo: string): Promise<void> {
    return this.inner.freshen(repo);
  }

  currentTag(repo: string, tag: string): Promise<string | null> {
    return this.inner.currentTag(repo, tag);
  }

  holdsManifest(repo: string, d: ParsedDigest): Promise<boolean> {
    return this.inner.holdsManifest(repo, d);
  }

  tagsOf(repo: string, digest: string): string[] {
    return this.inner.tagsOf(repo, digest);
  }

  getManifest(repo: string, ref: string): Promise<ServedManifest> {
    return this.inner.getManifest(repo, ref);
  }

  putManifest(repo: string, ref: string, body: Buffer, contentType: string | undefined, opts?: PutManifestOptions): Promise<PutManifestResult> {
    return this.inner.putManifest(repo, ref, body, contentType, opts);
  }

  deleteManifest(repo: string, ref: string, context?: DeleteContext): Promise<void> {
    return this.inner.deleteManifest(repo, ref, context);
  }

  deleteRepository(repo: string, context?: DeleteContext): Promise<{ tags: number; manifests: number }> {
    return this.inner.deleteRepository(repo, context);
  }

  referrers(repo: string, digest: string, artifactType?: string): ReferrerRow[] {
    return this.inner.referrers(repo, digest, artifactType);
  }
}
