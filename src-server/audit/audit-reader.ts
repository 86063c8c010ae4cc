import { AUDIT_ACTIONS, type AuditAction, type AuditEntry, type AuditPage, type AuditVia } from '../contract/audit';
import { auditFiles, AUDIT_KEEP } from './audit-log';
import { linesFromEnd, linesFromStart } from './lines';

/** Which entries a reader keeps. */
export interface AuditFilter {
  /** Entries at or after this time. */
  since?: Date;
  /** Exactly this user. */
  user?: string;
  /** Actions, or prefixes ending in `.` (`user.`); any of them matches. */
  actions?: readonly string[];
}

const VIAS: readonly AuditVia[] = ['registry', 'gui', 'desktop', 'cli'];
const isString = (v: unknown): v is string => typeof v === 'string';

/** Parses one line of the log; null for a line that is not an entry (damaged, or hand-edited). */
export function parseAuditLine(line: string): AuditEntry | null {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const o = v as Record<string, unknown>;
  if (!isString(o.time) || Number.isNaN(Date.parse(o.time))) return null;
  if (!isString(o.user) || !isString(o.address) || !isString(o.target) || !isString(o.result)) return null;
  if (!VIAS.includes(o.via as AuditVia) || !AUDIT_ACTIONS.includes(o.action as AuditAction)) return null;
  const entry: AuditEntry = {
    // One format, so that times compare as strings (cursors) whatever a hand edit wrote.
    time: new Date(o.time).toISOString(),
    user: o.user,
    address: o.address,
    via: o.via as AuditVia,
    action: o.action as AuditAction,
    target: o.target,
    result: o.result,
  };
  if (typeof o.detail === 'object' && o.detail !== null && !Array.isArray(o.detail)) {
    const detail = Object.entries(o.detail).filter(([, x]) => ['string', 'number', 'boolean'].includes(typeof x));
    if (detail.length) entry.detail = Object.fromEntries(detail) as AuditEntry['detail'];
  }
  return entry;
}

/** True when the entry passes the filter's user and action tests (time is the reader's job). */
function matches(e: AuditEntry, f: AuditFilter): boolean {
  if (f.user !== undefined && e.user !== f.user) return false;
  if (f.actions?.length && !f.actions.some((a) => (a.endsWith('.') ? e.action.startsWith(a) : e.action === a))) return false;
  return true;
}

/** Where a page ended: the time of its last entry and how many entries of that time it held. */
interface Cursor {
  t: string;
  n: number;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

/** Decodes a cursor a page handed out; null for anything else. */
export function decodeAuditCursor(s: string): Cursor | null {
  try {
    const c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Partial<Cursor>;
    if (isString(c.t) && !Number.isNaN(Date.parse(c.t)) && Number.isInteger(c.n) && c.n! >= 0) return { t: c.t, n: c.n! };
  } catch {
    // Not one of ours.
  }
  return null;
}

/** Options of {@link readAuditPage}. */
export interface AuditPageOptions extends AuditFilter {
  limit: number;
  /** From a previous page: continue with older entries. */
  cursor?: Cursor | null;
  keep?: number;
}

/**
 * One page of entries, newest first, read backwards from the end of the log and its rotated files,
 * so recent pages cost a chunk or two however long the log is. The reading stops at the first
 * entry older than `since`.
 */
export async function readAuditPage(path: string, opts: AuditPageOptions): Promise<AuditPage> {
  const since = opts.since?.getTime();
  const cursor = opts.cursor ?? null;
  const out: AuditEntry[] = [];
  let skip = cursor?.n ?? 0;
  for (const file of auditFiles(path, opts.keep ?? AUDIT_KEEP)) {
    for await (const line of linesFromEnd(file)) {
      const e = parseAuditLine(line);
      if (!e) continue;
      if (since !== undefined && Date.parse(e.time) < since) return finish(out, opts.limit, false);
      if (cursor) {
        if (e.time > cursor.t) continue;
        // Entries of the cursor's own millisecond: the previous page showed the first `n` of them.
        if (e.time === cursor.t && matches(e, opts) && skip > 0) {
          skip--;
          continue;
        }
      }
      if (!matches(e, opts)) continue;
      out.push(e);
      if (out.length > opts.limit) return finish(out, opts.limit, true);
    }
  }
  return finish(out, opts.limit, false);

  function finish(entries: AuditEntry[], limit: number, more: boolean): AuditPage {
    const page = entries.slice(0, limit);
    if (!more || page.length === 0) return { entries: page, next: null };
    const last = page[page.length - 1]!.time;
    let n = page.filter((e) => e.time === last).length;
    // Continuing in the same millisecond as the cursor: count what the earlier pages showed too.
    if (cursor && cursor.t === last) n += cursor.n;
    return { entries: page, next: encodeCursor({ t: last, n }) };
  }
}

/**
 * Every matching entry, oldest first, streamed from the oldest rotated file to the current one
 * (what `berth audit` prints).
 */
export async function* readAuditForward(path: string, filter: AuditFilter, keep = AUDIT_KEEP): AsyncGenerator<AuditEntry> {
  const since = filter.since?.getTime();
  for (const file of auditFiles(path, keep).reverse()) {
    for await (const line of linesFromStart(file)) {
      const e = parseAuditLine(line);
      if (!e || !matches(e, filter)) continue;
      if (since !== undefined && Date.parse(e.time) < since) continue;
      yield e;
    }
  }
}
