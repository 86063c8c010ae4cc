/**
 * The data directory's in-process lock: commands working on a data directory without a server, and
 * a serving process starting, take turns through it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { withLockFile } from '../core/files';
import { BERTH_DIR } from '../storage/layout';
import { CliError } from './errors';

/** Path of the lock a command holds while it works on a data directory without a server. */
export function dataDirLockPath(dataDir: string): string {
  return join(dataDir, BERTH_DIR, 'in-process.lock');
}

/**
 * Runs `fn` holding the data directory's lock, so that commands working in-process, and a
 * `berth serve` starting, take turns (a lock whose process is gone is taken over). Waits up to
 * `waitMs` for a live holder, then fails with one line naming `who`.
 */
export async function withDataDirLock<T>(dataDir: string, who: string, waitMs: number, fn: () => Promise<T>): Promise<T> {
  const path = dataDirLockPath(dataDir);
  const busy = () => {
    let holder = '';
    try {
      holder = readFileSync(path, 'utf8').trim();
    } catch {
      // Released just now: the message still holds.
    }
    return new CliError(
      `another berth command (pid ${holder || 'unknown'}) is working on ${dataDir}; ${who} waited ${Math.round(waitMs / 1000)} s, try again when it ends`,
    );
  };
  try {
    return await withLockFile(path, fn, { waitMs, busy });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code && !(err instanceof CliError)) throw new CliError(`cannot lock ${path}: ${(err as Error).message}`);
    throw err;
  }
}
