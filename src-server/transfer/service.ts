/**
 * Copies, exports and imports as the API, the CLI and the browser bridge use them (issue 20):
 * images between any two places (registries and files), several images into one archive, and an
 * archive's images into the local registry. Progress goes to the caller's listener; each call can be
 * cancelled through its operation id.
 */
import type {
  ArchiveExportArgs,
  ArchiveExportReport,
  ArchiveImportArgs,
  ArchiveImportReport,
  TransferCopyArgs,
  TransferCopyReport,
  TransferProgress,
} from '../contract';
import { RegistryError } from '../core/errors';
import type { RegistryOpener } from './endpoints';

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
  constructor(readonly deps: TransferDeps) {}

  /** Copies one image from anywhere to anywhere. */
  async copy(args: TransferCopyArgs, opts: TransferRunOptions = {}): Promise<TransferCopyReport> {
    void args;
    void opts;
    throw notYet();
  }

  /** Writes images, with their referrers, into one archive at `args.out`. */
  async exportArchive(args: ArchiveExportArgs, opts: TransferRunOptions = {}): Promise<ArchiveExportReport> {
    void args;
    void opts;
    throw notYet();
  }

  /** Loads every image of the archive at `args.path` into the local registry; images fail one by one. */
  async importArchive(args: ArchiveImportArgs, opts: TransferRunOptions = {}): Promise<ArchiveImportReport> {
    void args;
    void opts;
    throw notYet();
  }

  /**
   * A fresh path for an archive the browser bridge uploads or builds for a download, inside the data
   * directory (`<data>/berth/tmp/archives/`, created 0700); the caller removes it when done.
   */
  tempArchivePath(): string {
    throw notYet();
  }
}

function notYet(): RegistryError {
  return new RegistryError('UNSUPPORTED', { message: 'transfers are being built' });
}
