/**
 * What every file sink shares: the record of what it was given (blobs, manifests, the names of
 * tagged images, referrers), the manifest checks a registry would make, the entries of index.json
 * made from the record, errors that name the destination path, and RecordingSink, the base class
 * that answers RegistrySource's methods from the record for every transport.
 */
import { RegistryError } from '../core/errors';
import { createDigester, digestOf, parseDigest } from '../core/digest';
import { ManifestParseError, MAX_MANIFEST_DESCRIPTORS, parseManifest, referrerArtifactType, type Descriptor, type ManifestInfo } from '../core/manifest';
import { FOREIGN_LAYER_TYPES } from '../core/mediatypes';
import { isValidName, isValidTag } from '../core/names';
import type { SourceBlob, SourceManifest, SourceManifestHead, SourceReferrer, SourceRepositoryPage, TagDeleteOutcome } from '../browse/source';
import type { FileSink, FileTransport, SinkNaming } from './types';

/** The annotation OCI layouts name an image by. */
export const REF_NAME = 'org.opencontainers.image.ref.name';
/** The annotation containerd (and docker 25's archives) name an image by. */
export const CONTAINERD_NAME = 'io.containerd.image.name';

/** A manifest given to a sink. */
export interface RecordedManifest {
  digest: string;
  mediaType: string;
  body: Buffer;
  info: ManifestInfo;
}

/** A tag given to a sink: `repository:tag` names `digest`. */
export interface RecordedName {
  repository: string;
  tag: string;
  digest: string;
}

/** Where a blob of this digest lives inside a layout: `blobs/<algorithm>/<hex>`. */
export function blobPath(digest: string): string {
  const d = parseDigest(digest);
  if (!d) throw new RegistryError('DIGEST_INVALID', { message: `${JSON.stringify(digest)} is not a digest`, detail: { digest } });
  return `blobs/${d.algorithm}/${d.hex}`;
}

/** What a sink was given, in the order it came. */
export class SinkRecord {
  /** Blobs written (configs, layers and manifests alike), with their sizes. */
  readonly blobs = new Map<string, number>();
  readonly manifests = new Map<string, RecordedManifest>();
  /** One per `repository:tag`, in the order first named; naming a tag again points it elsewhere. */
  readonly names: RecordedName[] = [];

  /** Names `repository:tag` → `digest`, replacing what the tag named before. */
  name(repository: string, tag: string, digest: string): void {
    const at = this.names.findIndex((n) => n.repository === repository && n.tag === tag);
    if (at >= 0) this.names[at] = { repository, tag, digest };
    else this.names.push({ repository, tag, digest });
  }

  /** The manifest a digest or `repository:tag` names, when it was given. */
  lookup(repository: string, reference: string): RecordedManifest | null {
    if (parseDigest(reference)) return this.manifests.get(reference) ?? null;
    const named = this.names.find((n) => n.repository === repository && n.tag === reference);
    return named ? (this.manifests.get(named.digest) ?? null) : null;
  }

  /** Manifests given whose subject is `digest`, as the referrers API lists them. */
  referrersOf(digest: string): SourceReferrer[] {
    return [...this.manifests.values()].filter((m) => m.info.subject?.digest === digest).map(referrerOf);
  }
}

/** A referrer's descriptor as the referrers API lists it. */
export function referrerOf(m: RecordedManifest): SourceReferrer {
  return {
    digest: m.digest,
    mediaType: m.mediaType,
    artifactType: referrerArtifactType(m.info),
    size: m.body.length,
    annotations: m.info.annotations ?? {},
  };
}

/**
 * Checks a manifest as a registry would before storing it: the repository and reference are
 * valid, the body parses, a digest reference matches the body, and every blob (not foreign
 * layers) or child manifest it lists was given before (`has`). Returns it parsed.
 */
export function checkManifest(repository: string, reference: string, body: Buffer, mediaType: string, has: (digest: string) => boolean): RecordedManifest {
  if (!isValidName(repository)) throw new RegistryError('NAME_INVALID', { message: `invalid repository name ${JSON.stringify(repository)}`, detail: { name: repository } });
  const digest = digestOf(body);
  if (parseDigest(reference)) {
    if (reference !== digest) {
      throw new RegistryError('DIGEST_INVALID', { message: `the manifest's digest is ${digest}, not ${reference}`, detail: { expected: reference, actual: digest } });
    }
  } else if (!isValidTag(reference)) {
    throw new RegistryError('TAG_INVALID', { message: `${JSON.stringify(reference)} is neither a tag nor a digest`, detail: { reference } });
  }
  let info: ManifestInfo;
  try {
    info = parseManifest(body, mediaType, { maxDescriptors: MAX_MANIFEST_DESCRIPTORS });
  } catch (err) {
    if (err instanceof ManifestParseError) throw new RegistryError('MANIFEST_INVALID', { message: `manifest ${digest}: ${err.message}`, detail: { digest } });
    throw err;
  }
  const needed: Descriptor[] = [...(info.config ? [info.config] : []), ...info.layers.filter((l) => !l.urls?.length), ...info.manifests];
  const missing = needed.find((d) => !FOREIGN_LAYER_TYPES.has(d.mediaType) && !has(d.digest));
  if (missing) {
    throw new RegistryError('MANIFEST_BLOB_UNKNOWN', {
      message: `manifest ${digest} lists ${missing.digest}, which was not written first`,
      detail: { digest, missing: missing.digest },
    });
  }
  return { digest, mediaType: info.mediaType, body, info };
}

/** The ref.name an image tagged `repository:tag` gets under `naming`. */
export function refName(naming: SinkNaming, repository: string, tag: string): string {
  return naming === 'tag' ? tag : `${repository}:${tag}`;
}

/**
 * index.json's entries for what was given: one per tag (ref.name per `naming`, containerd's name
 * `repository:tag`), then every referrer (a manifest with a subject) once, unnamed.
 */
export function indexEntries(record: SinkRecord, naming: SinkNaming, withReferrers = true): Descriptor[] {
  const out: Descriptor[] = [];
  for (const n of record.names) {
    const m = record.manifests.get(n.digest)!;
    out.push({
      ...descriptorOf(m),
      annotations: { [CONTAINERD_NAME]: `${n.repository}:${n.tag}`, [REF_NAME]: refName(naming, n.repository, n.tag) },
    });
  }
  if (!withReferrers) return out;
  const named = new Set(record.names.map((n) => n.digest));
  for (const m of record.manifests.values()) {
    if (m.info.subject && !named.has(m.digest)) out.push(descriptorOf(m));
  }
  return out;
}

/** An index entry for a manifest: media type, digest, size, and its artifactType when it has one. */
function descriptorOf(m: RecordedManifest): Descriptor {
  const d: Descriptor = { mediaType: m.mediaType, digest: m.digest, size: m.body.length };
  if (m.info.artifactType) d.artifactType = m.info.artifactType;
  return d;
}

/**
 * An existing index.json's entries with `added` merged in: an earlier entry with the same ref.name
 * as an added one is dropped (the tag now names the new image); an unnamed earlier entry of the
 * same digest is dropped too (listed once).
 */
export function mergeEntries(earlier: Descriptor[], added: Descriptor[]): Descriptor[] {
  const names = new Set(added.map((d) => d.annotations?.[REF_NAME]).filter((n): n is string => n !== undefined));
  const unnamed = new Set(added.filter((d) => d.annotations?.[REF_NAME] === undefined).map((d) => d.digest));
  const kept = earlier.filter((d) => {
    const name = d.annotations?.[REF_NAME];
    return name !== undefined ? !names.has(name) : !unnamed.has(d.digest);
  });
  return [...kept, ...added];
}

/** index.json's text for these entries. */
export function indexJson(manifests: Descriptor[]): string {
  return JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests });
}

/** oci-layout's text. */
export const OCI_LAYOUT_JSON = JSON.stringify({ imageLayoutVersion: '1.0.0' });

/**
 * A file-system failure while writing `path`, in words: a folder that cannot be written, a
 * destination that is a folder, a full disk. Errors that are already RegistryErrors pass on.
 */
export function destinationError(err: unknown, path: string, doing: string): Error {
  if (err instanceof RegistryError) return err;
  const e = err as NodeJS.ErrnoException;
  const why: Record<string, string> = {
    ENOSPC: 'no space left on the device',
    EDQUOT: 'the disk quota is exhausted',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'the file system is read-only',
    EISDIR: 'it is a folder',
    ENOTDIR: 'a part of the path is not a folder',
    ENOENT: 'the folder does not exist',
  };
  const reason = (e?.code && why[e.code]) ?? e?.message ?? String(err);
  return new RegistryError('IMAGE_PLACE_INVALID', { message: `cannot ${doing} ${path}: ${reason}`, detail: { path, code: e?.code ?? null } });
}

/** Bytes passing through, hashed; `check()` once they have all passed throws DIGEST_INVALID unless they match `digest`. */
export function verifiedStream(chunks: AsyncIterable<Buffer> | Iterable<Buffer>, digest: string, what: string): { chunks: AsyncIterable<Buffer>; check(): void } {
  const d = parseDigest(digest)!;
  const hash = createDigester(d.algorithm);
  async function* pass(): AsyncGenerator<Buffer> {
    for await (const chunk of chunks) {
      hash.update(chunk);
      yield chunk;
    }
  }
  return {
    chunks: pass(),
    check() {
      const actual = `${d.algorithm}:${hash.digest('hex')}`;
      if (actual !== digest) throw new RegistryError('DIGEST_INVALID', { message: `${what}: the bytes hash to ${actual}, not ${digest}`, detail: { expected: digest, actual } });
    },
  };
}

/**
 * The part of a sink that every transport shares: RegistrySource's read half answered from the
 * record, putBlob and putManifest with their checks, and the open → committed | aborted life.
 * A transport says where bytes go (`storeBlob`), what it refuses (`accept`) and how it ends.
 */
export abstract class RecordingSink implements FileSink {
  readonly id: string;
  readonly name: string;
  readonly pullHost = '';
  readonly local = false;
  leftOut = 0;
  protected readonly record = new SinkRecord();
  /** The mismatch that keeps the sink from committing. */
  protected failure: RegistryError | null = null;
  protected state: 'open' | 'committed' | 'aborted' = 'open';

  constructor(
    readonly transport: FileTransport,
    /** The destination's absolute path. */
    readonly path: string,
  ) {
    this.id = `${transport}:${path}`;
    this.name = `${transport}:${path}`;
  }

  /** Writes a blob's bytes, checking them as they pass (`verify` after the last one); throws to refuse. */
  protected abstract storeBlob(digest: string, size: number, chunks: AsyncIterable<Buffer> | Iterable<Buffer>, verify: () => void, signal?: AbortSignal): Promise<void>;
  /** The size of a blob the destination had before this sink (an OCI layout's folder); null for archives. */
  protected abstract hadBlob(digest: string): Promise<number | null>;
  /** Whether the destination held a blob before this sink (sync: for the manifest checks). */
  protected holds(_digest: string): boolean {
    return false;
  }
  /** A manifest the destination had before this sink (an OCI layout's index.json); null for archives. */
  protected earlierManifest(_repository: string, _reference: string): Promise<SourceManifest | null> {
    return Promise.resolve(null);
  }
  /** Whether to store a checked manifest (`store`) or keep it out (`leave-out`); may throw to refuse it. */
  protected accept(_m: RecordedManifest, _reference: string): 'store' | 'leave-out' {
    return 'store';
  }
  /** Puts the written content in place. */
  protected abstract finish(): Promise<{ path: string; bytes: number }>;
  /** Drops what `finish` would have put in place. */
  protected abstract drop(): Promise<void>;

  async repositories(): Promise<SourceRepositoryPage> {
    return { names: [], next: null, source: 'index' };
  }

  async tags(repository: string): Promise<string[] | null> {
    const tags = this.record.names.filter((n) => n.repository === repository).map((n) => n.tag);
    return tags.length ? tags : null;
  }

  async headManifest(repository: string, reference: string): Promise<SourceManifestHead | null> {
    const m = await this.getManifest(repository, reference);
    return m ? { digest: m.digest, mediaType: m.mediaType, size: m.body.length } : null;
  }

  async getManifest(repository: string, reference: string): Promise<SourceManifest | null> {
    const m = this.record.lookup(repository, reference) ?? (await this.earlierManifest(repository, reference));
    return m ? { digest: m.digest, mediaType: m.mediaType, body: m.body } : null;
  }

  async headBlob(_repository: string, digest: string): Promise<number | null> {
    return this.record.blobs.get(digest) ?? (parseDigest(digest) ? await this.hadBlob(digest) : null);
  }

  async getBlob(): Promise<SourceBlob | null> {
    return null;
  }

  async referrers(_repository: string, digest: string): Promise<SourceReferrer[] | null> {
    return this.record.referrersOf(digest);
  }

  async mountBlob(): Promise<boolean> {
    return false;
  }

  async putBlob(_repository: string, digest: string, size: number, chunks: AsyncIterable<Buffer>, signal?: AbortSignal): Promise<void> {
    this.checkOpen();
    const path = blobPath(digest);
    if (!Number.isSafeInteger(size) || size < 0) throw new RegistryError('SIZE_INVALID', { message: `${path}: invalid size ${size}`, detail: { digest, size } });
    if ((await this.headBlob('', digest)) !== null) return;
    const stream = verifiedStream(chunks, digest, `${this.name} ${path}`);
    try {
      await this.storeBlob(digest, size, stream.chunks, () => stream.check(), signal);
    } catch (err) {
      if (err instanceof RegistryError && (err.code === 'DIGEST_INVALID' || err.code === 'SIZE_INVALID')) this.failure ??= err;
      throw err;
    }
    this.record.blobs.set(digest, size);
  }

  async putManifest(repository: string, reference: string, body: Buffer, mediaType: string): Promise<string> {
    this.checkOpen();
    const m = checkManifest(repository, reference, body, mediaType, (d) => this.record.blobs.has(d) || this.holds(d));
    if (this.accept(m, reference) === 'leave-out') return m.digest;
    if (!this.record.manifests.has(m.digest)) {
      if ((await this.headBlob(repository, m.digest)) === null) {
        await this.storeBlob(m.digest, body.length, [body], () => {});
        this.record.blobs.set(m.digest, body.length);
      }
      this.record.manifests.set(m.digest, m);
    }
    if (!parseDigest(reference)) this.record.name(repository, reference, m.digest);
    return m.digest;
  }

  async deleteTag(): Promise<TagDeleteOutcome> {
    throw new RegistryError('UNSUPPORTED', { message: `${this.name} is being written: nothing can be deleted from it` });
  }

  async deleteManifest(): Promise<void> {
    throw new RegistryError('UNSUPPORTED', { message: `${this.name} is being written: nothing can be deleted from it` });
  }

  async commit(): Promise<{ path: string; bytes: number }> {
    this.checkOpen();
    if (this.failure) {
      await this.abort();
      throw new RegistryError(this.failure.code, {
        message: `${this.name} was not written: ${this.failure.message}`,
        detail: this.failure.detail,
      });
    }
    try {
      const done = await this.finish();
      this.state = 'committed';
      return done;
    } catch (err) {
      await this.abort();
      throw destinationError(err, this.path, 'write');
    }
  }

  async abort(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'aborted';
    await this.drop();
  }

  private checkOpen(): void {
    if (this.state !== 'open') throw new RegistryError('UNSUPPORTED', { message: `${this.name} was ${this.state === 'committed' ? 'committed' : 'aborted'}: nothing more can be written to it` });
  }
}
