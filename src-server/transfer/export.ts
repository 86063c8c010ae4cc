/**
 * `archive:export` (`berth export REF... --out FILE.tar`): several images, each with its referrers,
 * into one OCI or docker archive. The archive is whole or absent: it is written beside `out` and
 * renamed into place once every image is in it; an image that cannot be read stops the export and
 * is named.
 */
import type { ArchiveExportArgs, ArchiveExportReport, ArchivedImage, TransferProgress } from '../contract';
import { copyImage } from '../copy/copy-image';
import { RegistryError } from '../core/errors';
import { createFileSink } from '../transports/open-sink';
import type { RegistryOpener } from './endpoints';
import { openSource, placeLabel } from './places';
import { platformsFor } from './platform-choice';

/** How an export runs. */
export interface ExportRun {
  opener: RegistryOpener;
  onProgress?: (p: Omit<TransferProgress, 'operationId'>) => void;
  signal?: AbortSignal;
  /** Whether the caller may read a repository of the local registry (see TransferRunOptions). */
  allowRepository?: (repository: string, action: 'pull' | 'push') => boolean;
}

/** Writes `args.images` into `args.out`. */
export async function exportArchive(args: ArchiveExportArgs, run: ExportRun): Promise<ArchiveExportReport> {
  const started = Date.now();
  const format = args.format ?? 'oci';
  const choice = args.platforms ?? (format === 'oci' ? 'all' : undefined);
  const referrers = args.referrers ?? format === 'oci';
  for (const place of args.images) {
    if (place.transport === 'registry' && place.connection === 'local' && run.allowRepository && !run.allowRepository(place.repository, 'pull')) {
      throw new RegistryError('DENIED', { message: `you may not pull ${place.repository}`, detail: { repository: place.repository } });
    }
  }
  const sink = await createFileSink(format === 'docker' ? 'docker-archive' : 'oci-archive', args.out, { naming: 'repository-tag' });
  const images: ArchivedImage[] = [];
  let bytesBefore = 0;
  try {
    for (const [i, place] of args.images.entries()) {
      run.signal?.throwIfAborted();
      const from = await openSource(place, run.opener);
      try {
        const label = placeLabel(place);
        const tag = from.tag;
        if (tag === undefined) {
          throw new RegistryError('IMAGE_PLACE_INVALID', { message: `${label}: an archive names its images by tag; export it by a tag, not a digest`, detail: { image: label } });
        }
        const platforms = await platformsFor(choice, from.source, from.repository, from.reference);
        const report = await copyImage(
          from.source,
          sink,
          { fromRepository: from.repository, fromReference: from.reference, toRepository: from.repository, toReference: tag, platforms, referrers },
          {
            signal: run.signal,
            onProgress: (p) =>
              run.onProgress?.({ image: label, imagesDone: i, imagesTotal: args.images.length, bytesDone: bytesBefore + p.bytesDone, bytesTotal: bytesBefore + p.bytesTotal, bytesPerSecond: p.bytesPerSecond }),
          },
        ).catch((err: unknown) => {
          throw named(err, label);
        });
        bytesBefore += report.bytesCopied;
        images.push({ name: `${from.repository}:${tag}`, digest: report.digest, referrers: report.referrers?.copied ?? 0 });
      } finally {
        await from.close();
      }
    }
    const done = await sink.commit();
    run.onProgress?.({ image: '', imagesDone: args.images.length, imagesTotal: args.images.length, bytesDone: bytesBefore, bytesTotal: bytesBefore, bytesPerSecond: null });
    return { path: done.path, format, images, bytes: done.bytes, leftOut: sink.leftOut, durationMs: Date.now() - started };
  } finally {
    await sink.abort().catch(() => {});
  }
}

/** `err` with the image it stopped at in front of its message (its code kept). */
export function named(err: unknown, image: string): unknown {
  if (err instanceof RegistryError && !err.message.includes(image)) {
    return new RegistryError(err.code, { message: `${image}: ${err.message}`, detail: err.detail, status: err.status });
  }
  return err;
}
