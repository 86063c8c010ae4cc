/**
 * Writing an OCI archive (`oci-archive:FILE`): an uncompressed tar of an OCI image layout, written
 * front to back into a hidden file beside the destination (`.<name>.berth-<random>.partial`, mode
 * 0600) and renamed over it at commit (mode 0644). Blobs go into the tar as they arrive, one at a
 * time (concurrent puts wait their turn), hashed on the way; index.json and oci-layout come last.
 * https://github.com/opencontainers/image-spec/blob/main/image-layout.md
 */
import { randomBytes } from 'node:crypto';
import { chmod, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { RegistryError } from '../core/errors';
import { blobPath, destinationError, indexEntries, indexJson, OCI_LAYOUT_JSON, RecordingSink } from './sink-index';
import { TarWriter } from './tar-writer';
import type { FileTransport, SinkOptions } from './types';

/** A tar being written beside its destination. */
export interface PartialTar {
  /** The destination (absolute). */
  path: string;
  /** The hidden file being written. */
  partial: string;
  tar: TarWriter;
}

/**
 * Starts the hidden file beside `path`: refuses a destination that is a folder or whose folder is
 * missing or cannot be written, in words naming the path.
 */
export async function startPartialTar(path: string): Promise<PartialTar> {
  const dir = dirname(path);
  const existing = await stat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw destinationError(err, path, 'write');
  });
  if (existing?.isDirectory()) {
    throw new RegistryError('IMAGE_PLACE_INVALID', { message: `cannot write the archive ${path}: it is a folder; name a file`, detail: { path } });
  }
  const folder = await stat(dir).catch((err: unknown) => {
    throw destinationError(err, dir, 'write the archive into the folder');
  });
  if (!folder.isDirectory()) throw new RegistryError('IMAGE_PLACE_INVALID', { message: `cannot write the archive ${path}: ${dir} is not a folder`, detail: { path } });
  const partial = join(dir, `.${basename(path)}.berth-${randomBytes(6).toString('hex')}.partial`);
  let tar: TarWriter;
  try {
    tar = await TarWriter.create(partial, 0o600);
  } catch (err) {
    throw destinationError(err, dir, 'write the archive into the folder');
  }
  try {
    await tar.addDirectory('blobs/');
    await tar.addDirectory('blobs/sha256/');
  } catch (err) {
    await tar.close().catch(() => {});
    await unlink(partial).catch(() => {});
    throw destinationError(err, path, 'write');
  }
  return { path, partial, tar };
}

/** An archive sink: blobs streamed into a tar one at a time, the index files written at commit. */
export abstract class ArchiveSink extends RecordingSink {
  /** Puts in the tar's order: each waits for the one before. */
  private queue: Promise<unknown> = Promise.resolve();
  protected readonly tar: TarWriter;
  private readonly partial: string;

  constructor(
    transport: FileTransport,
    file: PartialTar,
    protected readonly opts: SinkOptions,
  ) {
    super(transport, file.path);
    this.tar = file.tar;
    this.partial = file.partial;
  }

  /** The files written after the blobs, in order: name and text. */
  protected abstract indexFiles(): Promise<Array<[name: string, text: string]>>;

  protected async hadBlob(): Promise<number | null> {
    return null;
  }

  protected storeBlob(digest: string, size: number, chunks: AsyncIterable<Buffer> | Iterable<Buffer>, verify: () => void, signal?: AbortSignal): Promise<void> {
    const name = blobPath(digest);
    return this.serial(async () => {
      signal?.throwIfAborted();
      if (this.tar.has(name)) return;
      try {
        await this.tar.add(name, size, chunks, verify);
      } catch (err) {
        throw destinationError(err, this.path, 'write');
      }
    });
  }

  protected async finish(): Promise<{ path: string; bytes: number }> {
    await this.serial(async () => {
      for (const [name, text] of await this.indexFiles()) await this.tar.addBuffer(name, Buffer.from(text));
    });
    const bytes = await this.tar.finish();
    await chmod(this.partial, 0o644);
    await rename(this.partial, this.path);
    return { path: this.path, bytes };
  }

  protected async drop(): Promise<void> {
    await this.tar.close().catch(() => {});
    await unlink(this.partial).catch(() => {});
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run;
  }
}

/** `oci-archive:FILE`: every manifest and blob given, index.json naming the tags and listing the referrers. */
export class OciArchiveSink extends ArchiveSink {
  constructor(file: PartialTar, opts: SinkOptions) {
    super('oci-archive', file, opts);
  }

  protected async indexFiles(): Promise<Array<[string, string]>> {
    return [
      ['index.json', indexJson(indexEntries(this.record, this.opts.naming))],
      ['oci-layout', OCI_LAYOUT_JSON],
    ];
  }
}
