/**
 * Moving one copy's blobs: which ones the target lacks, mounts within one registry, streams between
 * two, and the bounded pool they run in. A stop (the user's cancel, or another blob's failure)
 * aborts the transfers in flight through their requests' signals, and the pool waits until each has
 * ended, so that nothing is still being written when the copy reports how it ended.
 */
import type { RegistrySource } from '../browse/source';
import { RegistryError } from '../core/errors';
import { copyFailure } from './failure';
import type { PlannedBlob } from './plan';

/** Where blobs go from and to. */
export interface BlobRoute {
  from: RegistrySource;
  to: RegistrySource;
  fromRepository: string;
  toRepository: string;
}

/**
 * Whether a blob must move: not when the target has it already, nor when it is a foreign layer the
 * source does not have either (its content lives at its `urls`; registries skip those too).
 */
export async function classify(route: BlobRoute, b: PlannedBlob): Promise<'move' | 'skip'> {
  try {
    if ((await route.to.headBlob(route.toRepository, b.digest)) !== null) return 'skip';
    if (b.foreign && (await route.from.headBlob(route.fromRepository, b.digest)) === null) return 'skip';
    return 'move';
  } catch (err) {
    throw copyFailure(err, `checking blob ${b.digest}`, { blob: b.digest });
  }
}

/**
 * Mounts a blob from the source repository of the same registry; false when the registry would not.
 * One short request, left to finish even after a stop: a stopped copy must not be writing behind
 * the caller's back once it has said how it ended.
 */
export async function mount(route: BlobRoute, b: PlannedBlob, signal: AbortSignal): Promise<boolean> {
  try {
    return await route.to.mountBlob(route.toRepository, b.digest, route.fromRepository);
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    throw copyFailure(err, `mounting blob ${b.digest} from ${route.fromRepository} into ${route.toRepository} on "${route.to.name}"`, { blob: b.digest });
  }
}

/**
 * Streams one blob from the source into the target, counting bytes as they pass; resolves their
 * number. On a stop the download and the upload are aborted (the target cancels its upload), and
 * the promise settles only once both have.
 */
export async function streamBlob(route: BlobRoute, b: PlannedBlob, signal: AbortSignal, onBytes: (n: number) => void): Promise<number> {
  const { from, to } = route;
  const what = `copying blob ${b.digest} (of manifest ${b.manifest}) from ${route.fromRepository} on "${from.name}" to ${route.toRepository} on "${to.name}"`;
  const detail = { blob: b.digest, manifest: b.manifest };
  signal.throwIfAborted();
  let blob;
  try {
    blob = await from.getBlob(route.fromRepository, b.digest, signal);
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
    await to.putBlob(route.toRepository, b.digest, b.size, counted(), signal);
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
 * `stop`, so that the other workers take nothing more and their transfers end; the pool settles
 * only when every worker has, and then throws that first failure (or the stop's reason).
 */
export async function pool<T, R>(items: readonly T[], limit: number, stop: AbortController, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failure: { err: unknown } | null = null;
  const worker = async () => {
    while (next < items.length && !stop.signal.aborted) {
      const i = next++;
      try {
        out[i] = await fn(items[i]!);
      } catch (err) {
        if (!failure && !stop.signal.aborted) failure = { err };
        if (!stop.signal.aborted) stop.abort(err);
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  if (failure) throw (failure as { err: unknown }).err;
  stop.signal.throwIfAborted();
  return out;
}

/**
 * `promise`, or the signal's reason as soon as it aborts (the promise's own failure is then
 * ignored). Only for reads: what it abandons may still finish, so nothing that writes goes through it.
 */
export function abortable<T>(signal: AbortSignal, promise: Promise<T>): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      promise.catch(() => {});
      reject(signal.reason);
    };
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
