import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AuditAction, AuditEntry, AuditVia } from '../contract/audit';
import { BERTH_DIR } from '../storage/layout';
import { RefusalBudget, type SuppressedRefusals } from './refusal-budget';

/**
 * The audit log file, `<data>/berth/audit.log` (mode 0600): one JSON object per line, appended by
 * every Berth process that changes something in the data directory (`berth serve`, the desktop's
 * registry process, `berth user …`). Rotated by size: `audit.log` → `audit.log.1` → … →
 * `audit.log.<keep>`, the oldest dropped.
 *
 *   {"time":"2026-12-07T10:32:12.345Z","user":"alice","address":"192.0.2.7","via":"registry",
 *    "action":"tag.push","target":"team/app:1.0","result":"ok","detail":{"digest":"sha256:…"}}
 */

/** Who did it, as every entry names it. */
export interface AuditActor {
  user: string;
  address: string;
  via: AuditVia;
}

/** What was done, without who and when. */
export interface AuditEvent {
  action: AuditAction;
  target: string;
  /** `ok` (the default) or the error code the change failed with. */
  result?: string;
  detail?: AuditEntry['detail'];
}

/** Where entries go: the log itself, or nothing (a process without a data directory). */
export interface AuditSink {
  /** Appends one entry. Never throws: a full disk must not fail the change it records. */
  record(actor: AuditActor, event: AuditEvent): void;
}

/** An audit sink that keeps nothing. */
export const noAudit: AuditSink = { record() {} };

/** Path of the audit log inside a data directory. */
export function auditLogPath(dataDir: string): string {
  return join(dataDir, BERTH_DIR, 'audit.log');
}

/** Size after which the log is rotated. */
export const AUDIT_MAX_BYTES = 10 * 1024 * 1024;
/** Rotated files kept beside the current one. */
export const AUDIT_KEEP = 5;

/** Longest value of a field (user names and targets can come from a client; keep lines small). */
const MAX_FIELD = 256;

function clip(value: string): string {
  return value.length > MAX_FIELD ? `${value.slice(0, MAX_FIELD)}…` : value;
}

/** Options of {@link AuditLog}. */
export interface AuditLogOptions {
  maxBytes?: number;
  keep?: number;
  now?: () => Date;
  /** Told when an entry could not be written (at most once a minute). */
  onError?: (message: string) => void;
  /** Refusals written a minute before they are only counted (default 600). */
  refusalsPerMinute?: number;
}

/** The paths of the log's files, newest first: the current one, then `.1` … `.keep`. */
export function auditFiles(path: string, keep = AUDIT_KEEP): string[] {
  return [path, ...Array.from({ length: keep }, (_, i) => `${path}.${i + 1}`)];
}

/**
 * Appends entries to the audit log. Each entry is one `appendFileSync` of one line, so lines of
 * several processes never interleave, and an entry is on disk (in the page cache) before the
 * change's answer leaves; changes are rare next to reads, so the synchronous write costs little.
 * Refusals beyond a budget a minute are counted instead (see RefusalBudget), so that a client
 * flooding failed logins or denied pushes cannot rotate the record of real changes away.
 */
export class AuditLog implements AuditSink {
  private readonly maxBytes: number;
  private readonly keep: number;
  private readonly now: () => Date;
  /** Bytes appended since the size was last looked at: stat only every so often. */
  private sinceStat = Number.POSITIVE_INFINITY;
  private lastErrorAt = 0;
  private readonly refusals: RefusalBudget;
  private flushTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly path: string,
    private readonly opts: AuditLogOptions = {},
  ) {
    this.maxBytes = opts.maxBytes ?? AUDIT_MAX_BYTES;
    this.keep = opts.keep ?? AUDIT_KEEP;
    this.now = opts.now ?? (() => new Date());
    this.refusals = new RefusalBudget(opts.refusalsPerMinute ?? 600);
  }

  record(actor: AuditActor, event: AuditEvent): void {
    const at = this.now();
    if ((event.result ?? 'ok') !== 'ok') {
      const { write, ended } = this.refusals.admit(at.getTime(), actor.via, event.action);
      this.writeSuppressed(ended, at);
      if (!write) {
        this.flushLater();
        return;
      }
    }
    this.write(actor, event, at);
  }

  /**
   * Writes the counts of refusals not written in the budget's window that is running now (tests;
   * otherwise a timer does it when the window ends).
   */
  flushSuppressed(): void {
    this.writeSuppressed(this.refusals.drain(), this.now());
  }

  private flushLater(): void {
    if (this.flushTimer) return;
    const wait = Math.max(0, this.refusals.windowEnd - this.now().getTime());
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      this.flushSuppressed();
    }, wait);
    this.flushTimer.unref();
  }

  /** One line per kind of refusal counted instead of written: `result` SUPPRESSED, the count in detail. */
  private writeSuppressed(counts: readonly SuppressedRefusals[], at: Date): void {
    for (const c of counts) {
      this.write(
        { user: '*', address: '*', via: c.via },
        { action: c.action, target: '*', result: 'SUPPRESSED', detail: { count: c.count, perMinute: this.refusals.perWindow } },
        at,
      );
    }
  }

  private write(actor: AuditActor, event: AuditEvent, at: Date): void {
    const entry: AuditEntry = {
      time: at.toISOString(),
      user: clip(actor.user),
      address: clip(actor.address),
      via: actor.via,
      action: event.action,
      target: clip(event.target),
      result: clip(event.result ?? 'ok'),
    };
    if (event.detail && Object.keys(event.detail).length) {
      entry.detail = Object.fromEntries(
        Object.entries(event.detail).map(([k, v]) => [clip(k), typeof v === 'string' ? clip(v) : v]),
      );
    }
    const line = `${JSON.stringify(entry)}\n`;
    try {
      this.append(line);
    } catch (err) {
      const t = Date.now();
      if (t - this.lastErrorAt > 60_000) {
        this.lastErrorAt = t;
        this.opts.onError?.(`audit log ${this.path}: ${(err as Error).message}`);
      }
    }
  }

  private append(line: string): void {
    try {
      appendFileSync(this.path, line, { mode: 0o600 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      appendFileSync(this.path, line, { mode: 0o600 });
    }
    this.sinceStat += line.length;
    // Look at the size now and then (and at the first write), not on every entry.
    if (this.sinceStat < Math.min(64 * 1024, this.maxBytes / 8)) return;
    this.sinceStat = 0;
    if (statSync(this.path).size > this.maxBytes) this.rotate();
  }

  /** Shifts `audit.log.N` to `.N+1` (the last one is replaced, so dropped), then the log to `.1`. */
  private rotate(): void {
    const files = auditFiles(this.path, this.keep);
    for (let i = files.length - 2; i >= 0; i--) {
      try {
        renameSync(files[i]!, files[i + 1]!);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
  }
}
