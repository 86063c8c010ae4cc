/**
 * `archive:import` (`berth import FILE.tar [--to REPO]`): every image of an OCI archive or a docker
 * archive into the local registry, one after another. Each image is written as the copy engine
 * writes: its blobs (each checked against its digest as it streams), its manifests, its tag last;
 * so a broken image (a blob missing from a partial archive, a wrong digest) stops before any
 * manifest of it is stored, fails alone with its name, and the next one goes on.
 */
import type { ArchiveImportArgs, ArchiveImportReport, ImportedImage, TransferProgress } from '../contract';
import { LOCAL_CONNECTION_ID } from '../contract';
import { copyImage } from '../copy/copy-image';
import { RegistryError } from '../core/errors';
import { isValidName } from '../core/names';
import { openFileSource } from '../transports/open-source';
import type { FileImage, FileSource } from '../transports/types';
import type { RegistryOpener } from './endpoints';
import { FILE_REPOSITORY } from './places';

/** How an import runs. */
export interface ImportRun {
  opener: RegistryOpener;
  onProgress?: (p: Omit<TransferProgress, 'operationId'>) => void;
  signal?: AbortSignal;
  /** Whether the caller may write a repository of the local registry (see TransferRunOptions). */
  allowRepository?: (repository: string, action: 'pull' | 'push') => boolean;
}

/**
 * Opens an archive as whichever kind it is: a docker archive (it has manifest.json; docker 25's
 * also hold an OCI layout, read with its names), else an OCI archive.
 */
export async function openArchive(path: string): Promise<FileSource> {
  let dockerError: unknown;
  try {
    return await openFileSource('docker-archive', path);
  } catch (err) {
    if (!(err instanceof RegistryError) || err.code !== 'ARCHIVE_INVALID') throw err;
    dockerError = err;
  }
  try {
    return await openFileSource('oci-archive', path);
  } catch (err) {
    if (!(err instanceof RegistryError) || err.code !== 'ARCHIVE_INVALID') throw err;
    // Not a tar at all: one sentence says it (both readers would say the same).
    if (/not a tar archive/.test(err.message) && /not a tar archive/.test((dockerError as Error).message)) throw err;
    throw new RegistryError('ARCHIVE_INVALID', {
      message: `${path} is neither an OCI archive (${err.message}) nor a docker archive (${(dockerError as Error).message})`,
      detail: { path },
    });
  }
}

/** Imports every image of the archive at `args.path`. */
export async function importArchive(args: ArchiveImportArgs, run: ImportRun): Promise<ArchiveImportReport> {
  const started = Date.now();
  if (args.to !== undefined && !isValidName(args.to)) {
    throw new RegistryError('NAME_INVALID', { message: `${JSON.stringify(args.to)} is not a repository name`, detail: { name: args.to } });
  }
  const archive = await openArchive(args.path);
  const local = await run.opener.open({ connection: LOCAL_CONNECTION_ID });
  const images: ImportedImage[] = [];
  let bytes = 0;
  try {
    const total = archive.images.length;
    if (total === 0) throw new RegistryError('ARCHIVE_INVALID', { message: `${args.path} names no image`, detail: { path: args.path } });
    for (const [i, image] of archive.images.entries()) {
      run.signal?.throwIfAborted();
      const item = await importOne(archive, image, args.to, local.source, run, (done, all, rate) =>
        run.onProgress?.({ image: image.name, imagesDone: i, imagesTotal: total, bytesDone: bytes + done, bytesTotal: bytes + all, bytesPerSecond: rate }),
      );
      bytes += item.bytes;
      images.push(item.result);
    }
    run.onProgress?.({ image: '', imagesDone: total, imagesTotal: total, bytesDone: bytes, bytesTotal: bytes, bytesPerSecond: null });
  } finally {
    await local.close();
    await archive.close?.();
  }
  const imported = images.filter((x) => x.ok).length;
  return { format: archive.transport === 'docker-archive' ? 'docker' : 'oci', images, imported, failed: images.length - imported, durationMs: Date.now() - started };
}

async function importOne(
  archive: FileSource,
  image: FileImage,
  to: string | undefined,
  local: Awaited<ReturnType<RegistryOpener['open']>>['source'],
  run: ImportRun,
  progress: (done: number, all: number, rate: number | null) => void,
): Promise<{ result: ImportedImage; bytes: number }> {
  const repository = to ?? image.repository;
  const fail = (code: string, message: string) => ({ result: { name: image.name, target: null, digest: null, ok: false, error: { code, message } }, bytes: 0 });
  if (repository === null) return fail('IMAGE_PLACE_INVALID', `${image.name}: the archive names no repository for it; import with --to REPO`);
  if (!isValidName(repository)) return fail('NAME_INVALID', `${image.name}: ${JSON.stringify(repository)} is not a repository name; import with --to REPO`);
  if (run.allowRepository && !run.allowRepository(repository, 'push')) return fail('DENIED', `${image.name}: you may not push to ${repository}`);
  const tag = image.tag ?? undefined;
  try {
    // An import replaces what a tag held, as docker load does.
    const before = tag === undefined ? undefined : ((await local.headManifest(repository, tag))?.digest ?? null);
    const report = await copyImage(
      archive,
      local,
      { fromRepository: image.repository ?? FILE_REPOSITORY, fromReference: image.digest, toRepository: repository, toReference: tag, referrers: true, expectDestination: before },
      { signal: run.signal, onProgress: (p) => progress(p.bytesDone, p.bytesTotal, p.bytesPerSecond) },
    );
    return { result: { name: image.name, target: report.target, digest: report.digest, ok: true }, bytes: report.bytesCopied };
  } catch (err) {
    if (run.signal?.aborted) throw err;
    const code = err instanceof RegistryError ? err.code : 'INTERNAL';
    const message = (err as Error).message;
    return fail(code, message.includes(image.name) ? message : `${image.name}: ${message}`);
  }
}
