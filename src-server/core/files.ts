/**
 * Small files outside the registry's storage (config, htpasswd, access rules, certificates):
 * reading one the user named with a one-line explanation, replacing one atomically, and a lock
 * between Berth processes that edit them.
 */
import { randomBytes } from 'node:crypto';
import {
  chownSync,
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** An error class whose message is shown to the user as one line (ConfigError, CliError, ...). */
export type UserErrorClass = new (message: string, options?: { cause?: unknown }) => Error;

/**
 * Reads a text file the user named. A missing or unreadable one throws `as` with one line naming
 * `what`, the path and why: `cannot read TLS key /x/k.pem: no such file`.
 */
export function readTextFile(path: string, what: string, as: UserErrorClass = Error): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new as(`cannot read ${what} ${path}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`, { cause: err });
  }
}

/**
 * Replaces a file's content atomically: a temp file beside it, fsync, rename. `mode` applies to a
 * new file (0600 unless said: most of these files hold secrets). A symbolic link is followed, so the
 * link stays; an existing file's owner is kept when we may. A missing parent folder is created
 * (mode 0700). Readers see the old or the new file, never a half-written one.
 */
export function writeFileAtomic(path: string, text: string, mode = 0o600): void {
  let target = path;
  let owner: { uid: number; gid: number } | undefined;
  try {
    target = realpathSync(path);
    const s = statSync(target);
    owner = { uid: s.uid, gid: s.gid };
  } catch {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  }
  const temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temp, 'wx', mode);
  try {
    writeFileSync(fd, text);
    fsyncSync(fd);
    if (owner) {
      try {
        chownSync(temp, owner.uid, owner.gid);
      } catch {
        // Not root: the file is ours anyway.
      }
    }
  } catch (err) {
    closeSync(fd);
    unlinkSync(temp);
    throw err;
  }
  closeSync(fd);
  try {
    renameSync(temp, target);
  } catch (err) {
    unlinkSync(temp);
    throw err;
  }
}

/** Options of withLockFile. */
export interface LockOptions {
  /** How long to wait for another holder before giving up (default 10 s). */
  waitMs?: number;
  /**
   * A lock without a holder's pid that is older than this was left by a crashed process and is
   * taken over (default 30 s). A lock naming a pid is taken over exactly when that process is gone,
   * however long its holder works.
   */
  staleMs?: number;
  /** The error to throw after waiting in vain (default: names the lock file). */
  busy?: () => Error;
}

/** True while a process with this pid exists (one we may not signal counts too). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when the lock at `lockPath` was left by a process that is gone. */
function isStaleLock(lockPath: string, staleMs: number): boolean {
  const holder = Number(readFileSync(lockPath, 'utf8'));
  // Empty until its creator writes the pid: judged by age, like a lock of an older Berth.
  if (!Number.isInteger(holder) || holder <= 0) return Date.now() - statSync(lockPath).mtimeMs > staleMs;
  return holder !== process.pid && !isProcessAlive(holder);
}

/**
 * Runs `fn` holding `lockPath` (a file created exclusively, holding our pid, removed afterwards),
 * so that two Berth processes editing the same files never interleave their writes.
 */
export async function withLockFile<T>(lockPath: string, fn: () => T | Promise<T>, opts: LockOptions = {}): Promise<T> {
  const until = Date.now() + (opts.waitMs ?? 10_000);
  const staleMs = opts.staleMs ?? 30_000;
  for (;;) {
    try {
      mkdirSync(dirname(lockPath), { recursive: true, mode: 0o700 });
      const fd = openSync(lockPath, 'wx', 0o600);
      try {
        writeFileSync(fd, String(process.pid));
      } finally {
        closeSync(fd);
      }
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      try {
        if (isStaleLock(lockPath, staleMs)) unlinkSync(lockPath);
      } catch {
        // Released meanwhile: try again.
      }
      if (Date.now() > until) {
        throw opts.busy?.() ?? new Error(`${lockPath} is held by another berth command; try again (remove the file if none is running)`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  try {
    return await fn();
  } finally {
    try {
      unlinkSync(lockPath);
    } catch {
      // Already gone (taken over as stale): nothing to release.
    }
  }
}
