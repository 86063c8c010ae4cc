/**
 * The process's file descriptors, shared out so that no request can starve the others: without a
 * bound, one request that opens a thousand files at once (a manifest listing many layers, a walk
 * of a large folder) makes every open in the process fail with EMFILE, other users' downloads
 * included.
 *
 * The soft RLIMIT_NOFILE is split into
 * - a reserve for what the process holds anyway (stdio, the event loop, SQLite, listeners, log
 *   files, connections to other registries);
 * - `brief`: descriptors open for one short operation (read a small file, list a folder, write a
 *   file atomically), then closed;
 * - `reads` and `writes`: descriptors held for as long as a transfer lasts (a download's file, an
 *   upload's file);
 * - `connections`: sockets of clients, across every listener.
 *
 * Deadlock freedom: a brief holder never waits for any slot; a reads holder may wait for a writes
 * slot (a copy reads one blob while it writes another); a writes holder never waits for a reads
 * or writes slot. Every wait is therefore for a holder that can finish.
 */
import { readFileSync } from 'node:fs';
import { Slots } from './fd-slots';

/** The limit assumed where the process's own cannot be read (not Linux). */
export const DEFAULT_NOFILE = 1024;

/** How a descriptor limit is shared out. */
export interface FdBudgetSizes {
  /** The soft RLIMIT_NOFILE the sizes come from. */
  limit: number;
  /** Left for descriptors the budget does not count. */
  reserve: number;
  brief: number;
  reads: number;
  writes: number;
  connections: number;
}

/**
 * Shares out a descriptor limit. A quarter of a small limit, an eighth of a larger one, at most
 * 1024, stays in reserve; brief operations get an eighth of the rest (at most 128: the thread pool
 * that serves them has 4 threads, more in flight only queue there); reads, writes and connections
 * share the remainder equally, so that every client can download or upload at once.
 */
export function fdBudgetSizes(limit: number): FdBudgetSizes {
  const l = Math.max(16, Math.floor(limit));
  const reserve = Math.min(1024, Math.max(Math.floor(l / 8), Math.min(64, Math.floor(l / 4))));
  const usable = l - reserve;
  const brief = Math.min(128, Math.max(2, Math.floor(usable / 8)));
  const share = Math.max(1, Math.floor((usable - brief) / 3));
  return { limit: l, reserve, brief, reads: share, writes: share, connections: share };
}

/**
 * The soft "Max open files" limit from the text of Linux's `/proc/self/limits`; null when the text
 * has no such line or the limit is unlimited.
 */
export function softNofileLimit(limitsText: string): number | null {
  const m = /^Max open files\s+(\S+)\s+(\S+)/m.exec(limitsText);
  if (!m || !/^\d+$/.test(m[1]!)) return null;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

/** Descriptor slots by kind, sized from one limit (see the module comment). */
export class FdBudget {
  readonly brief: Slots;
  readonly reads: Slots;
  readonly writes: Slots;
  /** Client sockets across every listener of the process (taken without waiting). */
  readonly connections: Slots;

  constructor(readonly sizes: FdBudgetSizes) {
    this.brief = new Slots(sizes.brief, 'brief file descriptors');
    this.reads = new Slots(sizes.reads, 'descriptors of reads');
    this.writes = new Slots(sizes.writes, 'descriptors of writes');
    this.connections = new Slots(sizes.connections, 'connections');
  }

  /** A budget for a limit of `limit` descriptors. */
  static forLimit(limit: number): FdBudget {
    return new FdBudget(fdBudgetSizes(limit));
  }
}

/** The process's soft descriptor limit: from /proc/self/limits, else {@link DEFAULT_NOFILE}. */
export function processNofileLimit(read: () => string = () => readFileSync('/proc/self/limits', 'utf8')): number {
  try {
    return softNofileLimit(read()) ?? DEFAULT_NOFILE;
  } catch {
    return DEFAULT_NOFILE;
  }
}

let shared: FdBudget | null = null;

/**
 * The one budget of this process, sized on first use. Node raises the soft limit to the hard one
 * as it starts, so the limit read here is the one that applies.
 */
export function processFdBudget(): FdBudget {
  shared ??= FdBudget.forLimit(processNofileLimit());
  return shared;
}
