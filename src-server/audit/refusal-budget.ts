import type { AuditAction, AuditVia } from '../contract/audit';

/** Refusals of one kind that were counted instead of written. */
export interface SuppressedRefusals {
  via: AuditVia;
  action: AuditAction;
  count: number;
}

/**
 * How many refusals (failed logins, denied pushes) the audit log writes a minute. A client that
 * floods refusals would otherwise rotate the changes that matter out of the log; past the budget
 * refusals are counted per kind, and the counts are written as one line each when the minute ends.
 * Changes that went through are never limited.
 */
export class RefusalBudget {
  private windowStart = Number.NEGATIVE_INFINITY;
  private written = 0;
  private readonly counted = new Map<string, SuppressedRefusals>();

  constructor(
    readonly perWindow = 600,
    readonly windowMs = 60_000,
  ) {}

  /**
   * Whether a refusal at `now` is written (else it is counted), and the counts of the window that
   * ended before it, to be written first.
   */
  admit(now: number, via: AuditVia, action: AuditAction): { write: boolean; ended: SuppressedRefusals[] } {
    let ended: SuppressedRefusals[] = [];
    if (now - this.windowStart >= this.windowMs) {
      ended = this.drain();
      this.windowStart = now;
      this.written = 0;
    }
    if (this.written < this.perWindow) {
      this.written++;
      return { write: true, ended };
    }
    const key = `${via} ${action}`;
    const c = this.counted.get(key) ?? { via, action, count: 0 };
    c.count++;
    this.counted.set(key, c);
    return { write: false, ended };
  }

  /** When the current window ends (for a timer that writes its counts). */
  get windowEnd(): number {
    return this.windowStart + this.windowMs;
  }

  /** The counts so far, forgotten once returned. */
  drain(): SuppressedRefusals[] {
    const out = [...this.counted.values()];
    this.counted.clear();
    return out;
  }
}
