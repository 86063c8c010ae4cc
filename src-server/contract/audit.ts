/**
 * The audit log: one entry per change of content or access (a tag pushed, a deletion, a collection,
 * users, groups and rights, failed logins, settings), as stored in `<data>/berth/audit.log` and as
 * `audit:list`, `berth audit` and the GUI's Activity screen show them. No entry ever holds a secret.
 */

/** What was done. Names are `area.verb`, so a prefix (`user.`) selects an area. */
export type AuditAction =
  | 'tag.push'
  | 'manifest.push'
  | 'tag.delete'
  | 'manifest.delete'
  | 'blob.delete'
  | 'blob.upload'
  | 'repository.delete'
  | 'image.copy'
  | 'image.import'
  | 'sync.run'
  | 'gc.run'
  | 'retention.run'
  | 'trash.restore'
  | 'trash.empty'
  | 'user.add'
  | 'user.remove'
  | 'user.password'
  | 'user.access'
  | 'user.groups'
  | 'anonymous.access'
  | 'group.add'
  | 'group.remove'
  | 'group.access'
  | 'login.fail'
  | 'settings.change'
  | 'registry.start'
  | 'registry.stop'
  | 'cert.regenerate'
  | 'cert.names'
  | 'connection.add'
  | 'connection.update'
  | 'connection.remove';

/** Every action, at run time (filters in the GUI and the CLI are checked against it). */
export const AUDIT_ACTIONS: readonly AuditAction[] = [
  'tag.push',
  'manifest.push',
  'tag.delete',
  'manifest.delete',
  'blob.delete',
  'blob.upload',
  'repository.delete',
  'image.copy',
  'image.import',
  'sync.run',
  'gc.run',
  'retention.run',
  'trash.restore',
  'trash.empty',
  'user.add',
  'user.remove',
  'user.password',
  'user.access',
  'user.groups',
  'anonymous.access',
  'group.add',
  'group.remove',
  'group.access',
  'login.fail',
  'settings.change',
  'registry.start',
  'registry.stop',
  'cert.regenerate',
  'cert.names',
  'connection.add',
  'connection.update',
  'connection.remove',
];

/**
 * How the change reached Berth: a registry client on `/v2` or `/token`, the GUI in a browser
 * (`berth serve --ui`), the desktop app's window, or a `berth` command on this machine.
 */
export type AuditVia = 'registry' | 'gui' | 'desktop' | 'cli';

/** One line of the audit log. */
export interface AuditEntry {
  /** ISO 8601, UTC, with milliseconds. */
  time: string;
  /** The registry user; `anonymous` without a login; the OS user for `cli` and `desktop`. */
  user: string;
  /** The client's address (`local` for `cli` and `desktop`). */
  address: string;
  via: AuditVia;
  action: AuditAction;
  /** What it acted on: `team/app:1.0`, `team/app@sha256:…`, a user or group name, a setting. */
  target: string;
  /** `ok`, or the error code it failed with (`DENIED`, `LAST_ADMIN`, …). */
  result: string;
  /** Small facts about it (a digest, bytes freed, the keys changed); never a secret. */
  detail?: Record<string, string | number | boolean>;
}

/** `audit:list`: newest first, filtered. */
export interface AuditQuery {
  /** Only entries at or after this time (ISO 8601). */
  since?: string;
  /** Only this user's entries (exact name). */
  user?: string;
  /** Only these actions, or action prefixes ending in `.` (`user.`). */
  actions?: string[];
  /** Page size, 1 to 500 (default 100). */
  limit?: number;
  /** `next` of the previous page. */
  cursor?: string;
}

/** A page of the audit log, newest first. */
export interface AuditPage {
  entries: AuditEntry[];
  /** The cursor for older entries, null when there are none. */
  next: string | null;
}
