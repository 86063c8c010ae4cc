import v8 from 'node:v8';
import vm from 'node:vm';

/** Bytes streamed through the process between two young-generation collections. */
export const RELEASE_EVERY = 8 * 1024 * 1024;

/** Runs one young-generation collection (a scavenge) of the V8 heap. */
export type MinorGc = () => void;

/**
 * V8's collector as a function, exposed at run time (the flag only reaches contexts created after
 * it, hence the fresh vm context); null where the runtime refuses.
 */
export function exposeMinorGc(): MinorGc | null {
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc: unknown = vm.runInNewContext('gc');
    if (typeof gc !== 'function') return null;
    return () => (gc as (options: { type: 'minor' }) => void)({ type: 'minor' });
  } catch {
    return null;
  }
}

/**
 * Frees the buffers of big byte streams while they are still young.
 *
 * Node reads a socket into a fresh 64 KiB buffer from malloc, and frees it only when V8 collects the
 * Buffer object around it. Streaming bytes allocates almost nothing on the JS heap, so V8 collects
 * only once 64 MB of such buffers are outstanding: a 256 MiB upload left about 30 MB of freed but
 * resident malloc heap behind it, which the process never gave back. A scavenge every few MiB
 * streamed (a fraction of a millisecond: what it visits is the few live objects) frees them in
 * time for the next reads to reuse the same memory.
 */
export class BufferReleaser {
  private since = 0;
  private collect: MinorGc | null | undefined;

  /** `collect` defaults to V8's own collector, exposed on first need. */
  constructor(
    private readonly every = RELEASE_EVERY,
    collect?: MinorGc | null,
  ) {
    this.collect = collect;
  }

  /** Counts bytes that went through; collects once `every` bytes have since the last collection. */
  streamed(bytes: number): void {
    this.since += bytes;
    if (this.since < this.every) return;
    this.since = 0;
    if (this.collect === undefined) this.collect = exposeMinorGc();
    this.collect?.();
  }
}

/** One counter for the whole process: concurrent streams add up to one cadence. */
export const streamedBuffers = new BufferReleaser();
