/**
 * Copies, exports and imports as the API, the CLI and the browser bridge use them (issue 20):
 * images between any two places (registries and files), several images into one archive, and an
 * archive's images into the local registry. Progress goes to the caller's listener; each call can be
 * cancelled through its operation id.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type {
  ArchiveExportArgs,
  ArchiveExportReport,
  ArchiveImportArgs,
  ArchiveImportReport,
  TransferCopyArgs,
  TransferCopyReport,
  TransferProgress,
} from '../contract';
import { RunningCopies } from '../copy/operations';
import { RegistryError } from '../core/errors';
import { BERTH_DIR } from '../storage/layout';
import { transferCopy } from './copy';
import type { RegistryOpener } from './endpoints';
import { exportArchive } from './export';
import { importArchive } from './import';

/** What transfers work on. */
export interface TransferDeps {
  dataDir: string;
  /** Opens registries (local, saved connections, hosts). */
  opener: RegistryOpener;
}

/** How one call runs. */
export interface TransferRunOptions {
  onProgress?: (p: TransferProgress) => void;
  signal?: AbortSignal;
  /**
   * Whether the caller may read (`pull`) or write (`push`) a repository of the local registry; the
   * browser bridge passes the GUI user's rights. An image it refuses fails alone, with DENIED.
   * Omitted: every repository (the CLI, the desktop).
   */
  allowRepository?: (repository: string, action: 'pull' | 'push') => boolean;
}

/** Copies, exports and imports. */
export class TransferService {
  private readonly running = new RunningCopies();

  constructor(readonly deps: TransferDeps) {}

  /** Copies one image from anywhere to anywhere. */
  copy(args: TransferCopyArgs, opts: TransferRunOptions = {}): Promise<TransferCopyReport> {
    return this.run(args.operationId, opts, (signal, onProgress) => transferCopy(args, { opener: this.deps.opener, signal, onProgress }));
  }

  /** Writes images, with their referrers, into one archive at `args.out`. */
  exportArchive(args: ArchiveExportArgs, opts: TransferRunOptions = {}): Promise<ArchiveExportReport> {
    return this.run(args.operationId, opts, (signal, onProgress) =>
      exportArchive(args, { opener: this.deps.opener, signal, onProgress, allowRepository: opts.allowRepository }),
    );
  }

  /** Loads every image of the archive at `args.path` into the local registry; images fail one by one. */
  importArchive(args: ArchiveImportArgs, opts: TransferRunOptions = {}): Promise<ArchiveImportReport> {
    return this.run(args.operationId, opts, (signal, onProgress) =>
      importArchive(args, { opener: this.deps.opener, signal, onProgress, allowRepository: opts.allowRepository }),
    );
  }

  /** Stops the call running under `operationId`; false when none runs (or it had finished). */
  cancel(operationId: string): boolean {
    return this.running.cancel(operationId) === 'stopping';
  }

  /**
   * A fresh path for an archive the browser bridge uploads or builds for a download, inside the data
   * directory (`<data>/berth/tmp/archives/`, created 0700); the caller removes it when done.
   */
  tempArchivePath(): string {
    const dir = join(this.deps.dataDir, BERTH_DIR, 'tmp', 'archives');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return join(dir, `${Date.now()}-${randomBytes(8).toString('hex')}.tar`);
  }

  private async run<T>(
    operationId: string | undefined,
    opts: TransferRunOptions,
    fn: (signal: AbortSignal | undefined, onProgress: (p: Omit<TransferProgress, 'operationId'>) => void) => Promise<T>,
  ): Promise<T> {
    const id = operationId ?? null;
    if (id !== null && this.running.isRunning(id)) throw new RegistryError('BUSY', { message: `operation ${id} is running already` });
    const own = id === null ? undefined : this.running.start(id);
    const signal = own && opts.signal ? AbortSignal.any([own, opts.signal]) : (own ?? opts.signal);
    try {
      return await fn(signal, (p) => opts.onProgress?.({ operationId: id, ...p }));
    } catch (err) {
      if (signal?.aborted && !(err instanceof RegistryError && err.code === 'CANCELLED')) {
        throw new RegistryError('CANCELLED', { message: 'cancelled: nothing more was written (a file being written was removed)', detail: { operationId: id } });
      }
      throw err;
    } finally {
      if (id !== null) this.running.end(id);
    }
  }
}
