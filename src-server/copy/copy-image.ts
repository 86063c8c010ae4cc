/**
 * Copying an image from one registry to another (the GUI's `skopeo copy`), written once against
 * RegistrySource so that any pair works: local → remote, remote → local, remote → remote, and
 * between two repositories of the same registry (by cross-repository mount).
 *
 * Order is what keeps the target consistent: every blob first, then child manifests by digest,
 * then the top manifest; a registry refuses a manifest whose blobs it lacks, and a failure stops
 * the copy before the next step, so the target never holds a manifest with missing blobs.
 */
import type { RegistrySource } from '../browse/source';
import type { CopyReport } from '../contract';
import { parseDigest } from '../core/digest';
import { RegistryError } from '../core/errors';
import { isValidName, isValidTag } from '../core/names';
import { copyFailure } from './failure';
import { planCopy, type PlannedBlob } from './plan';
import { ProgressTracker, type CopyProgressEvent } from './progress';

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
}

/** How to run a copy. */
export interface CopyImageOptions {
  onProgress?: (p: CopyProgressEvent) => void;
  /** Stops the copy: transfers are abandoned and the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Blobs transferred at once (default 3). */
  concurrency?: number;
}

/** Blobs transferred at once unless told otherwise. */
export const DEFAULT_COPY_CONCURRENCY = 3;

/**
 * Copies `from:fromRepository:fromReference` to `to:toRepository[:toReference]`.
 *
 * Progress: `resolve` while the source is read and the target asked which blobs it has, `blobs`
 * while they move, `manifests`, then `done`. Totals count only the blobs the target lacks; a
 * mounted blob counts as done at once, so the last event has bytesDone == bytesTotal. The report's
 * bytesCopied counts only the bytes streamed across.
 */
export async function copyImage(
  from: RegistrySource,
  to: RegistrySource,
  args: CopyImageArgs,
  opts: CopyImageOptions = {},
): Promise<CopyReport> {
  const started = Date.now();
  const { fromRepository, fromReference, toRepository, toReference } = args;
  checkArgs(args);
  const concurrency = Math.max(1, Math.floor(opts.concurrency ?? DEFAULT_COPY_CONCURRENCY));
  // One controller for the whole copy: the caller's abort, or the first failure, stops every worker.
  const stop = new AbortController();
  const onAbort = () => stop.abort(opts.signal!.reason);
  if (opts.signal?.aborted) onAbort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const progress = new ProgressTracker(opts.onProgress);
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

    const needed = await pool(plan.blobs, concurrency, stop, (b) => abortable(stop.signal, classify(from, to, args, b)));
    const moving = plan.blobs.filter((_, i) => needed[i] === 'move');
    progress.totals(
      moving.reduce((n, b) => n + b.size, 0),
      moving.length,
    );

    progress.phase('blobs');
    const sameRegistry = from.id === to.id && fromRepository !== toRepository;
    let bytesCopied = 0;
    let blobsCopied = 0;
    let blobsMounted = 0;
    await pool(moving, concurrency, stop, async (b) => {
      if (sameRegistry && (await mount(to, args, b, stop.signal))) {
        blobsMounted++;
        progress.blobDone(b.digest, b.size);
        return;
      }
      const streamed = await streamBlob(from, to, args, b, stop.signal, (n) => progress.bytes(b.digest, n));
      bytesCopied += streamed;
      blobsCopied++;
      progress.blobDone(b.digest, b.size - streamed);
    }).catch((err) => {
      throw stop.signal.aborted && opts.signal?.aborted ? opts.signal.reason : err;
    });

    progress.phase('manifests');
    let digest = top.digest;
    for (const m of plan.manifests) {
      stop.signal.throwIfAborted();
      const ref = m === top ? (toReference ?? m.digest) : m.digest;
      try {
        const written = await abortable(stop.signal, to.putManifest(toRepository, ref, m.body, m.mediaType));
        if (m === top) digest = written;
      } catch (err) {
        if (stop.signal.aborted) throw stop.signal.reason;
        throw copyFailure(err, `writing manifest ${m.digest} to ${toRepository} on "${to.name}"`, { manifest: m.digest, repository: toRepository });
      }
    }

    progress.phase('done');
    return {
      digest,
      target: toReference && !parseDigest(toReference) ? `${toRepository}:${toReference}` : `${toRepository}@${digest}`,
      manifests: plan.manifests.length,
      blobsCopied,
      blobsMounted,
      blobsSkipped: plan.blobs.length - moving.length,
      bytesCopied,
      durationMs: Date.now() - started,
    };
  } finally {
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
}

/**
 * Whether a blob must move: not when the target has it already, nor when it is a foreign layer the
 * source does not have either (its content lives at its `urls`; registries skip those too).
 */
async function classify(from: RegistrySource, to: RegistrySource, args: CopyImageArgs, b: PlannedBlob): Promise<'move' | 'skip'> {
  try {
    if ((await to.headBlob(args.toRepository, b.digest)) !== null) return 'skip';
    if (b.foreign && (await from.headBlob(args.fromRepository, b.digest)) === null) return 'skip';
    return 'move';
  } catch (err) {
    throw copyFailure(err, `checking blob ${b.digest}`, { blob: b.digest });
  }
}

/** Mounts a blob from the source repository of the same registry; false when the registry would not. */
async function mount(to: RegistrySource, args: CopyImageArgs, b: PlannedBlob, signal: AbortSignal): Promise<boolean> {
  try {
    return await abortable(signal, to.mountBlob(args.toRepository, b.digest, args.fromRepository));
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    throw copyFailure(err, `mounting blob ${b.digest} from ${args.fromRepository} into ${args.toRepository} on "${to.name}"`, { blob: b.digest });
  }
}

/** Streams one blob from the source into the target, counting bytes as they pass; resolves their number. */
async function streamBlob(
  from: RegistrySource,
  to: RegistrySource,
  args: CopyImageArgs,
  b: PlannedBlob,
  signal: AbortSignal,
  onBytes: (n: number) => void,
): Promise<number> {
  const what = `copying blob ${b.digest} (of manifest ${b.manifest}) from ${args.fromRepository} on "${from.name}" to ${args.toRepository} on "${to.name}"`;
  const detail = { blob: b.digest, manifest: b.manifest };
  let blob;
  try {
    blob = await abortable(signal, from.getBlob(args.fromRepository, b.digest));
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    throw copyFailure(err, what, detail);
  }
  if (!blob) {
    throw new RegistryError('BLOB_UNKNOWN', { message: `${what}: the source does not have the blob`, detail });
  }
  if (blob.size !== b.size) {
    await blob.cancel().catch(() => {});
    throw new RegistryError('SIZE_INVALID', { message: `${what}: the source's blob has ${blob.size} bytes, the manifest says ${b.size}`, detail });
  }
  const source = blob;
  const cancel = () => void source.cancel().catch(() => {});
  signal.addEventListener('abort', cancel, { once: true });
  let passed = 0;
  async function* counted(): AsyncGenerator<Buffer> {
    for await (const chunk of source.chunks) {
      signal.throwIfAborted();
      passed += chunk.length;
      if (passed > b.size) throw new RegistryError('SIZE_INVALID', { message: `${what}: the source sent more than ${b.size} bytes`, detail });
      onBytes(chunk.length);
      yield chunk;
    }
    signal.throwIfAborted();
  }
  try {
    await abortable(signal, to.putBlob(args.toRepository, b.digest, b.size, counted()));
  } catch (err) {
    cancel();
    if (signal.aborted) throw signal.reason;
    throw copyFailure(err, what, detail);
  } finally {
    signal.removeEventListener('abort', cancel);
  }
  return passed;
}

/**
 * Runs `fn` over `items`, at most `limit` at once, results in order. The first failure aborts
 * `stop`, so that the other workers take nothing more and their transfers end.
 */
async function pool<T, R>(items: readonly T[], limit: number, stop: AbortController, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failure: { err: unknown } | null = null;
  const worker = async () => {
    while (next < items.length && !stop.signal.aborted) {
      const i = next++;
      try {
        out[i] = await fn(items[i]!);
      } catch (err) {
        if (!failure) failure = { err };
        if (!stop.signal.aborted) stop.abort(err);
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw (failure as { err: unknown }).err;
  stop.signal.throwIfAborted();
  return out;
}

/** `promise`, or the signal's reason as soon as it aborts (the promise's own failure is then ignored). */
function abortable<T>(signal: AbortSignal, promise: Promise<T>): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (err) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
