import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CertificateError } from './errors';

/** A lock older than this belongs to a process that died while holding it. */
const STALE_MS = 120_000;

/**
 * Runs `fn` while holding `<dir>/.lock` (a directory: mkdir is atomic), so that two processes on
 * one data directory (`berth serve` renewing, `berth cert` run by hand) never interleave the writes
 * of a key and its certificate. Waits up to `timeoutMs` for another holder.
 */
export async function withDirLock<T>(dir: string, fn: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const lock = join(dir, '.lock');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let age = 0;
      try {
        age = Date.now() - statSync(lock).mtimeMs;
      } catch {
        continue; // released between our mkdir and stat: try again at once
      }
      if (age > STALE_MS) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new CertificateError(`another berth process is writing certificates in ${dir} (lock ${lock}); try again`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
