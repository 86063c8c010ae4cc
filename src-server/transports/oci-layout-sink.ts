/**
 * Writing into an OCI image layout folder (`oci:DIR`): a missing folder is created with its
 * `oci-layout`; an existing one must be an OCI layout already (or empty), so that no one's files are
 * mixed with blobs. Blobs are written to a hidden temporary name in their blobs folder and renamed
 * into place once their digest is checked (they are content-addressed: a blob there is final).
 * index.json is replaced atomically at commit, keeping the entries it had; a tag written again
 * points at the new image. Blobs present from before count as present (headBlob).
 * https://github.com/opencontainers/image-spec/blob/main/image-layout.md
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, lstat, mkdir, open, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { SourceManifest } from '../browse/source';
import { digestOf } from '../core/digest';
import { RegistryError } from '../core/errors';
import { writeFileAtomic } from '../core/files';
import type { Descriptor } from '../core/manifest';
import { blobPath, destinationError, indexEntries, indexJson, mergeEntries, OCI_LAYOUT_JSON, RecordingSink, REF_NAME, refName } from './sink-index';
import type { SinkOptions } from './types';

/** Largest manifest read back from an existing layout. */
const MAX_MANIFEST_BYTES = 4 << 20;
/** Largest index.json read from an existing layout. */
const MAX_INDEX_BYTES = 16 << 20;

/** `oci:DIR`. */
export class OciLayoutSink extends RecordingSink {
  /** Bytes this sink wrote into blobs/. */
  private written = 0;

  private constructor(
    path: string,
    private readonly opts: SinkOptions,
    /** index.json's entries when the sink was opened. */
    private readonly earlier: Descriptor[],
  ) {
    super('oci', path);
  }

  /** Opens `dir` for writing: creates it (and oci-layout) when missing; refuses a folder that is not an OCI layout. */
  static async open(dir: string, opts: SinkOptions): Promise<OciLayoutSink> {
    const found = await stat(dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      throw destinationError(err, dir, 'write the OCI layout');
    });
    if (found && !found.isDirectory()) {
      throw new RegistryError('IMAGE_PLACE_INVALID', { message: `cannot write the OCI layout ${dir}: it is a file, not a folder`, detail: { path: dir } });
    }
    const entries = found ? await readdir(dir).catch((err: unknown) => { throw destinationError(err, dir, 'read the OCI layout'); }) : [];
    if (entries.length === 0) {
      try {
        await mkdir(dir, { recursive: true, mode: 0o755 });
        await writeFile(join(dir, 'oci-layout'), OCI_LAYOUT_JSON, { mode: 0o644 });
      } catch (err) {
        throw destinationError(err, dir, 'create the OCI layout');
      }
      return new OciLayoutSink(dir, opts, []);
    }
    await checkLayoutFile(dir);
    await refuseLinks(dir);
    return new OciLayoutSink(dir, opts, await readIndex(dir));
  }

  protected override holds(digest: string): boolean {
    return existsSync(join(this.path, blobPath(digest)));
  }

  protected async hadBlob(digest: string): Promise<number | null> {
    const s = await stat(join(this.path, blobPath(digest))).catch(() => null);
    return s?.isFile() ? s.size : null;
  }

  /** A manifest the layout's index.json named when opened (by its tag's ref.name, or its digest). */
  protected override async earlierManifest(repository: string, reference: string): Promise<SourceManifest | null> {
    const name = refName(this.opts.naming, repository, reference);
    const entry = this.earlier.find((d) => d.annotations?.[REF_NAME] === name) ?? this.earlier.find((d) => d.digest === reference);
    if (!entry || entry.size > MAX_MANIFEST_BYTES) return null;
    const body = await readFile(join(this.path, blobPath(entry.digest))).catch(() => null);
    // A blob that is not what the index says is not reported as the tag's image.
    if (!body || digestOf(body) !== entry.digest) return null;
    return { digest: entry.digest, mediaType: entry.mediaType, body };
  }

  protected async storeBlob(digest: string, size: number, chunks: AsyncIterable<Buffer> | Iterable<Buffer>, verify: () => void, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const final = join(this.path, blobPath(digest));
    const temp = join(dirname(final), `.${digest.split(':')[1]}.berth-${randomBytes(6).toString('hex')}.partial`);
    let fh;
    try {
      await mkdir(dirname(final), { recursive: true, mode: 0o755 });
      fh = await open(temp, 'wx', 0o600);
    } catch (err) {
      throw destinationError(err, this.path, 'write blobs into the OCI layout');
    }
    try {
      let got = 0;
      for await (const chunk of chunks) {
        got += chunk.length;
        if (got > size) throw sizeError(digest, size, `more than ${size}`);
        await fh.write(chunk);
      }
      if (got !== size) throw sizeError(digest, size, String(got));
      verify();
      await fh.sync();
      await fh.close();
      fh = null;
      await chmod(temp, 0o644);
      await rename(temp, final);
      this.written += size;
    } catch (err) {
      await fh?.close().catch(() => {});
      await unlink(temp).catch(() => {});
      throw destinationError(err, this.path, 'write blobs into the OCI layout');
    }
  }

  protected async finish(): Promise<{ path: string; bytes: number }> {
    // Read again: another writer may have changed index.json since the sink was opened.
    const now = await readIndex(this.path);
    const text = indexJson(mergeEntries(now, indexEntries(this.record, this.opts.naming)));
    writeFileAtomic(join(this.path, 'index.json'), text, 0o644);
    return { path: this.path, bytes: this.written + Buffer.byteLength(text) };
  }

  protected async drop(): Promise<void> {
    // The blobs stay (content-addressed, harmless); index.json was not touched.
  }
}

function sizeError(digest: string, size: number, got: string): RegistryError {
  return new RegistryError('SIZE_INVALID', { message: `blob ${digest}: expected ${size} bytes, got ${got}`, detail: { digest, size } });
}

/**
 * Refuses a layout whose index.json or blobs folders are symbolic links: writing through them
 * would put files outside the folder the user named.
 */
async function refuseLinks(dir: string): Promise<void> {
  for (const name of ['index.json', 'blobs', 'blobs/sha256', 'blobs/sha512']) {
    const s = await lstat(join(dir, name)).catch(() => null);
    if (s?.isSymbolicLink()) {
      throw new RegistryError('IMAGE_PLACE_INVALID', {
        message: `cannot write the OCI layout ${dir}: ${name} is a symbolic link; Berth writes only inside the layout's folder`,
        detail: { path: dir, link: name },
      });
    }
  }
}

/** Refuses a folder that has files but no oci-layout file of an image layout. */
async function checkLayoutFile(dir: string): Promise<void> {
  const refuse = (why: string) =>
    new RegistryError('IMAGE_PLACE_INVALID', {
      message: `${dir} is not an OCI image layout (${why}); name a new or empty folder, or an existing layout`,
      detail: { path: dir },
    });
  let text: string;
  try {
    text = await readFile(join(dir, 'oci-layout'), 'utf8');
  } catch {
    throw refuse('it has files but no oci-layout file');
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw refuse('its oci-layout file is not JSON');
  }
  if (!doc || typeof (doc as { imageLayoutVersion?: unknown }).imageLayoutVersion !== 'string') throw refuse('its oci-layout file has no imageLayoutVersion');
}

/** index.json's entries (none when it is missing); ARCHIVE_INVALID when it cannot be read as an index. */
async function readIndex(dir: string): Promise<Descriptor[]> {
  const path = join(dir, 'index.json');
  const s = await stat(path).catch(() => null);
  if (!s) return [];
  const invalid = (why: string) => new RegistryError('ARCHIVE_INVALID', { message: `${path}: ${why}; it is left as it is`, detail: { path } });
  if (!s.isFile() || s.size > MAX_INDEX_BYTES) throw invalid(s.isFile() ? `larger than ${MAX_INDEX_BYTES} bytes` : 'not a file');
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    throw invalid('not valid JSON');
  }
  const manifests = (doc as { manifests?: unknown } | null)?.manifests;
  if (!Array.isArray(manifests)) throw invalid('no manifests list');
  const bad = manifests.findIndex((d) => !d || typeof d !== 'object' || typeof d.digest !== 'string' || typeof d.mediaType !== 'string' || typeof d.size !== 'number');
  if (bad >= 0) throw invalid(`manifests[${bad}] is not a descriptor`);
  return manifests as Descriptor[];
}
