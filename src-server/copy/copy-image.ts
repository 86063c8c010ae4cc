/**
 * Copying an image from one registry to another (the GUI's `skopeo copy`), written once against
 * RegistrySource so that any pair works: local → remote, remote → local, remote → remote, and
 * between two repositories of the same registry (by cross-repository mount).
 *
 * Order is what keeps the target consistent: every blob first, then child manifests by digest,
 * then (with referrers) the top manifest by digest and the referrers, and the target tag last. A
 * registry refuses a manifest whose blobs it lacks, a failure stops the copy before the next step,
 * and a cancel stops it between blobs or manifests, so the target never holds a manifest with
 * missing blobs and its tag changes only as the last step, to what the user confirmed.
 */
import type { RegistrySource } from '../browse/source';
import type { CopyReport } from '../contract';
import { parseDigest } from '../core/digest';
import { RegistryError } from '../core/errors';
import { isValidName, isValidTag } from '../core/names';
import { checkDestination, currentDigest } from './destination';
import { cancelledError, copyFailure, type StoppedCounts } from './failure';
import { planCopy, type PlannedBlob, type PlannedManifest } from './plan';
import { ProgressTracker, type CopyProgressEvent } from './progress';
import { planReferrers, writeReferrers, type ReferrerPlan } from './referrers';
import { abortable, classify, mount, pool, streamBlob, type BlobRoute } from './transfer';
import type { BlobLedger } from './blob-ledger';

/** What to copy and where. */
export interface CopyImageArgs {
  fromRepository: string;
  /** A tag or a digest. */
  fromReference: string;
  toRepository: string;
  /** A tag; omitted pushes the top manifest by digest only. A digest must equal the copied one. */
  toReference?: string;
  /** For an index: omitted copies all of it; one `os/arch[/variant]` that image; several a new index. */
  platforms?: string[];
  /** What the target tag must hold (see CopyArgs.expectDestination); omitted: nothing, or the copied digest. */
  expectDestination?: string | null;
  /** Also copy the referrers of every copied manifest. */
  referrers?: boolean;
}

/** How to run a copy. */
export interface CopyImageOptions {
  onProgress?: (p: CopyProgressEvent) => void;
  /**
   * Cancels the copy: transfers in flight are aborted, no further manifest is written, and the
   * promise rejects with CANCELLED once everything in flight has ended. Once the target tag is
   * being written the copy completes.
   */
  signal?: AbortSignal;
  /** Blobs transferred at once (default 3). */
  concurrency?: number;
  /**
   * Shared by the copies of one run (a sync): a blob another of them is moving into the same
   * destination is waited for instead of moved twice, and one it moved into another repository of
   * the destination is mounted from there.
   */
  ledger?: BlobLedger;
}

/** Blobs transferred at once unless told otherwise. */
export const DEFAULT_COPY_CONCURRENCY = 3;
/** How often the rate is reported while no byte moves. */
const TICK_MS = 1000;

/**
 * Copies `from:fromRepository:fromReference` to `to:toRepository[:toReference]`.
 *
 * Progress: `resolve` while the source is read and the target asked which blobs it has, `blobs`
 * while they move (with the rate and time left), `manifests`, then `done`. Totals count only the
 * blobs the target lacks; a mounted blob counts as done at once, so the last event has bytesDone
 * == bytesTotal. The report's bytesCopied counts only the bytes streamed across.
 */
export async function copyImage(from: RegistrySource, to: RegistrySource, args: CopyImageArgs, opts: CopyImageOptions = {}): Promise<CopyReport> {
  const started = Date.now();
  const { fromRepository, fromReference, toRepository, toReference } = args;
  checkArgs(args);
  const tag = toReference !== undefined && !parseDigest(toReference) ? toReference : null;
  const where = `${toRepository}:${tag} on "${to.name}"`;
  const concurrency = Math.max(1, Math.floor(opts.concurrency ?? DEFAULT_COPY_CONCURRENCY));
  // One controller for the whole copy: the caller's cancel, or the first failure, stops every worker.
  const stop = new AbortController();
  const onAbort = () => stop.abort(opts.signal!.reason);
  if (opts.signal?.aborted) onAbort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const progress = new ProgressTracker(opts.onProgress);
  const done: StoppedCounts = { blobsCopied: 0, blobsMounted: 0, bytesCopied: 0, manifestsWritten: 0 };
  let ticker: NodeJS.Timeout | undefined;
  try {
    progress.phase('resolve');
    const plan = await abortable(stop.signal, planCopy(from, fromRepository, fromReference, args.platforms, concurrency));
    const top = plan.manifests[plan.manifests.length - 1]!;
    if (toReference && parseDigest(toReference) && toReference !== top.digest) {
      throw new RegistryError('DIGEST_INVALID', {
        message: `the copied manifest is ${top.digest}, not ${toReference}; give a tag or no reference`,
        detail: { expected: toReference, actual: top.digest },
      });
    }
    // Before anything moves: the tag must hold what the user saw (or nothing).
    const before = tag === null ? null : await abortable(stop.signal, readTag(to, toRepository, tag, where));
    if (tag !== null) checkDestination(where, before, args.expectDestination, top.digest);

    const subjects = plan.manifests.filter((m) => !m.synthesized).map((m) => m.digest);
    const refs = args.referrers ? await abortable(stop.signal, planReferrers(from, fromRepository, subjects, concurrency)) : null;
    const blobs = mergeBlobs(plan.blobs, refs?.blobs ?? []);
    const route: BlobRoute = { from, to, fromRepository, toRepository };
    const needed = await pool(blobs, concurrency, stop, (b) => abortable(stop.signal, classify(route, b)));
    const moving = blobs.filter((_, i) => needed[i] === 'move');
    progress.totals(
      moving.reduce((n, b) => n + b.size, 0),
      moving.length,
    );

    progress.phase('blobs');
    ticker = setInterval(() => progress.tick(), TICK_MS);
    ticker.unref();
    const sameRegistry = from.id === to.id && fromRepository !== toRepository;
    let shared = 0;
    const ledger = opts.ledger;
    await pool(moving, concurrency, stop, async (b) => {
      if (sameRegistry && (await mount(route, b, stop.signal))) {
        done.blobsMounted++;
        progress.blobDone(b.digest, b.size);
        return;
      }
      const advice = ledger ? await abortable(stop.signal, ledger.advise(to.id, toRepository, b.digest)) : null;
      if (advice?.kind === 'written') {
        shared++;
        progress.blobDone(b.digest, b.size);
        return;
      }
      if (advice?.kind === 'mount' && (await mount({ ...route, from: to, fromRepository: advice.from }, b, stop.signal))) {
        ledger!.record(to.id, toRepository, b.digest);
        done.blobsMounted++;
        progress.blobDone(b.digest, b.size);
        return;
      }
      let ok = false;
      try {
        const streamed = await streamBlob(route, b, stop.signal, (n) => progress.bytes(b.digest, n));
        ok = true;
        done.bytesCopied += streamed;
        done.blobsCopied++;
        progress.blobDone(b.digest, b.size - streamed);
      } finally {
        if (advice?.kind === 'move') advice.done(ok);
        else if (ok) ledger?.record(to.id, toRepository, b.digest);
      }
    });
    clearInterval(ticker);

    progress.phase('manifests');
    const put = async (m: PlannedManifest, ref: string): Promise<string> => {
      stop.signal.throwIfAborted();
      try {
        return await to.putManifest(toRepository, ref, m.body, m.mediaType);
      } catch (err) {
        throw copyFailure(err, `writing manifest ${m.digest} to ${toRepository} on "${to.name}"`, { manifest: m.digest, repository: toRepository });
      }
    };
    for (const m of plan.manifests.slice(0, -1)) {
      await put(m, m.digest);
      done.manifestsWritten++;
    }
    let fallbackTags = 0;
    const withReferrers = refs !== null && refs.referrers.length > 0;
    if (withReferrers) {
      // The subject first, by digest; its referrers; the tag still last.
      await put(top, top.digest);
      done.manifestsWritten++;
      fallbackTags = await writeReferrers(to, toRepository, refs, stop.signal, () => done.manifestsWritten++);
    }
    let digest = top.digest;
    if (tag !== null) {
      stop.signal.throwIfAborted();
      // Again just before writing: a push or another copy may have moved the tag meanwhile.
      const now = await readTag(to, toRepository, tag, where);
      const confirmed = args.expectDestination !== undefined;
      checkDestination(where, now, confirmed ? args.expectDestination : before, top.digest, confirmed ? 'when the copy was confirmed' : 'when the copy started');
      // From here the copy completes: one request, and a cancel can no longer undo it.
      digest = await put(top, tag);
    } else if (!withReferrers) {
      digest = await put(top, top.digest);
    }

    progress.phase('done');
    const report: CopyReport = {
      digest,
      target: tag !== null ? `${toRepository}:${tag}` : `${toRepository}@${digest}`,
      manifests: plan.manifests.length,
      blobsCopied: done.blobsCopied,
      blobsMounted: done.blobsMounted,
      blobsSkipped: blobs.length - moving.length + shared,
      bytesCopied: done.bytesCopied,
      durationMs: Date.now() - started,
    };
    if (before !== null && before !== digest) report.replaced = before;
    if (refs) report.referrers = referrersReport(refs, fallbackTags);
    return report;
  } catch (err) {
    if (opts.signal?.aborted) throw cancelledError(toRepository, tag, done);
    throw err;
  } finally {
    clearInterval(ticker);
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

function checkArgs(args: CopyImageArgs): void {
  for (const name of [args.fromRepository, args.toRepository]) {
    if (!isValidName(name)) throw new RegistryError('NAME_INVALID', { message: `invalid repository name ${JSON.stringify(name)}`, detail: { name } });
  }
  const ref = (r: string) => isValidTag(r) || parseDigest(r) !== null;
  for (const r of [args.fromReference, args.toReference]) {
    if (r !== undefined && !ref(r)) throw new RegistryError('TAG_INVALID', { message: `${JSON.stringify(r)} is neither a tag nor a digest`, detail: { reference: r } });
  }
  if (typeof args.expectDestination === 'string' && (args.toReference === undefined || !isValidTag(args.toReference))) {
    throw new RegistryError('TAG_INVALID', { message: 'an expected destination digest needs a target tag', detail: { expectDestination: args.expectDestination } });
  }
}

async function readTag(to: RegistrySource, repository: string, tag: string, where: string): Promise<string | null> {
  try {
    return await currentDigest(to, repository, tag);
  } catch (err) {
    throw copyFailure(err, `reading what ${where} holds`, { repository, tag });
  }
}

/** The image's blobs, then the referrers' ones it does not share. */
function mergeBlobs(image: PlannedBlob[], more: PlannedBlob[]): PlannedBlob[] {
  const seen = new Set(image.map((b) => b.digest));
  return [...image, ...more.filter((b) => !seen.has(b.digest) && seen.add(b.digest))];
}

function referrersReport(refs: ReferrerPlan, fallbackTags: number): NonNullable<CopyReport['referrers']> {
  return { found: refs.found, copied: refs.referrers.length, leftOut: refs.leftOut, fallbackTags };
}
