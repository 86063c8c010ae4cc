import { statSync } from 'node:fs';

/** What a look at a watched file found. */
export type FileChange = 'unchanged' | 'changed' | 'gone';

function stampOf(path: string): string | undefined {
  try {
    const s = statSync(path);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch {
    return undefined;
  }
}

/**
 * Tells when a file changed on disk (inode, size or mtime), looking at most once per interval so
 * that a check on every request costs a stat a second. Each change is reported once: a file that
 * disappears is `gone` once, and `changed` again when it comes back.
 */
export class FileChangeCheck {
  private stamp: string | undefined;
  private checkedAt: number;

  constructor(
    readonly path: string,
    private readonly now: () => number = Date.now,
    private readonly intervalMs = 1000,
  ) {
    this.stamp = stampOf(path);
    this.checkedAt = now();
  }

  /** Makes the next poll look at once (after a change made by this process). */
  lookNow(): void {
    this.checkedAt = Number.NEGATIVE_INFINITY;
  }

  /** Looks (when the interval has passed) and says what changed since the last look. */
  poll(): FileChange {
    const now = this.now();
    if (now - this.checkedAt < this.intervalMs) return 'unchanged';
    this.checkedAt = now;
    const stamp = stampOf(this.path);
    if (stamp === this.stamp) return 'unchanged';
    this.stamp = stamp;
    return stamp === undefined ? 'gone' : 'changed';
  }
}
