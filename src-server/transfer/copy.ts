/**
 * `transfer:copy`: one image from any place to any place (`berth copy SRC DST`), through the one
 * copy engine. A file destination is written beside itself and put in place only when the copy
 * succeeded; a registry tag is replaced only when asked (`overwrite`, as skopeo always does).
 */
import type { ImagePlace, TransferCopyArgs, TransferCopyReport, TransferProgress } from '../contract';
import { copyImage } from '../copy/copy-image';
import type { CopyProgressEvent } from '../copy/progress';
import type { RegistryOpener } from './endpoints';
import { openDestination, openSource, placeLabel } from './places';
import { platformsFor } from './platform-choice';

/** How a copy runs. */
export interface CopyRun {
  opener: RegistryOpener;
  onProgress?: (p: Omit<TransferProgress, 'operationId'>) => void;
  signal?: AbortSignal;
}

/** Copies `args.from` to `args.to`. */
export async function transferCopy(args: TransferCopyArgs, run: CopyRun): Promise<TransferCopyReport> {
  const started = Date.now();
  const from = await openSource(args.from, run.opener);
  try {
    const to = await openDestination(args.to, run.opener, from.repository, from.tag);
    try {
      const platforms = await platformsFor(args.platforms, from.source, from.repository, from.reference);
      let expect: string | null | undefined;
      if (to.tag !== undefined && args.overwrite) expect = (await to.source.headManifest(to.repository, to.tag))?.digest ?? null;
      const progress = (p: CopyProgressEvent) =>
        run.onProgress?.({ image: from.label, imagesDone: p.phase === 'done' ? 1 : 0, imagesTotal: 1, bytesDone: p.bytesDone, bytesTotal: p.bytesTotal, bytesPerSecond: p.bytesPerSecond });
      const report = await copyImage(
        from.source,
        to.source,
        {
          fromRepository: from.repository,
          fromReference: from.reference,
          toRepository: to.repository,
          toReference: to.tag,
          platforms,
          referrers: args.referrers ?? false,
          expectDestination: expect,
        },
        { onProgress: progress, signal: run.signal },
      );
      if (to.sink) await to.sink.commit();
      const out: TransferCopyReport = {
        digest: report.digest,
        target: to.sink ? placeLabel({ ...args.to, reference: args.to.reference ?? to.tag } as ImagePlace) : placeLabel({ ...args.to, reference: to.tag ?? report.digest } as ImagePlace),
        manifests: report.manifests,
        blobsCopied: report.blobsCopied + report.blobsMounted,
        blobsSkipped: report.blobsSkipped,
        bytesCopied: report.bytesCopied,
        referrers: report.referrers?.copied ?? 0,
        durationMs: Date.now() - started,
      };
      if (report.replaced) out.replaced = report.replaced;
      return out;
    } finally {
      await to.close();
    }
  } finally {
    await from.close();
  }
}
