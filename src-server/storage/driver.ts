import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';

/** What `stat` reports about a stored object. */
export interface FileInfo {
  size: number;
  isDirectory: boolean;
  modified: Date;
}

/** A byte range, both ends inclusive. */
export interface ByteRange {
  start: number;
  end: number;
}

/** An append-only writer for upload data: bytes go in, durability on `sync`. */
export interface AppendWriter {
  /** Appends the buffers in order (one vectored write where the driver can). */
  write(chunks: Buffer[]): Promise<void>;
  /** Flushes to stable storage and closes. */
  close(): Promise<void>;
  /** Closes without caring about what was written (the upload failed). */
  abort(): Promise<void>;
}

/** A local file held open for reading; `close` closes it (calling it again does nothing). */
export interface HeldFile {
  handle: FileHandle;
  /** Its size when it was opened. */
  size: number;
  close(): Promise<void>;
}

/**
 * The storage driver: the small set of operations the registry needs, with paths relative to the
 * storage root. The filesystem driver implements it now; an S3 driver with registry:2's key layout
 * can follow. Every write that makes content visible is atomic.
 */
export interface StorageDriver {
  /** Metadata, or null when nothing is there. */
  stat(path: string): Promise<FileInfo | null>;
  /** The whole content of a small file, or null when it does not exist. */
  readFile(path: string): Promise<Buffer | null>;
  /** Streams a file, or part of it. */
  createReadStream(path: string, range?: ByteRange): Readable;
  /** Writes a small file atomically (temp file, fsync, rename). */
  writeFile(path: string, data: Buffer | string): Promise<void>;
  /** Opens a file for appending, creating it (and its folders) when missing. */
  openAppend(path: string): Promise<AppendWriter>;
  /** Names of the entries directly under a folder; [] when it does not exist. */
  list(path: string): Promise<string[]>;
  /** Moves a file into place atomically, replacing nothing: resolves false if the target existed. */
  moveIfAbsent(from: string, to: string): Promise<boolean>;
  /** Deletes a file or a whole folder; no error when it is already gone. */
  delete(path: string): Promise<void>;
  /**
   * Deletes a folder that holds one file (a blob's `data`, a `link`) in place, the file first: a
   * kill in between leaves an empty folder, which reads as absent as the file does. Cheaper than
   * {@link delete}'s move out of sight; a folder that holds more afterwards is left alone. Drivers
   * without it get `delete`.
   */
  deleteLeaf?(folder: string, file: string): Promise<void>;
  /** Clears leftovers of writes a killed process did not finish (called once at start). */
  prepare?(): Promise<void>;
  /** Absolute path on local disk, where the driver has one (lets the index live beside the data). */
  localPath?(path: string): string;
  /**
   * Opens a file on local disk for reading through its handle (a download sent with reused
   * buffers), where the driver has local files; null when it does not exist. It counts against the
   * driver's descriptor budget until closed.
   */
  openFile?(path: string): Promise<HeldFile | null>;
  /**
   * A time-limited URL a client can GET the file's bytes from (Range honoured), where the driver
   * sends readers elsewhere instead of streaming (S3 with `storage.redirect`).
   */
  redirectUrl?(path: string): Promise<string>;
}
