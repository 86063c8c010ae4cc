/**
 * The audit log's channel (`audit:list`, what the GUI's Activity screen shows) and its payload check.
 */
import { AUDIT_ACTIONS, type AuditQuery } from '../contract/audit';
import { decodeAuditCursor, readAuditPage } from '../audit/audit-reader';
import { ArgsError, object, optionalInteger, optionalString, optionalStringArray, type Checks } from './args-kit';
import type { CoreHandler } from './handler-types';

/** The channels of this area. */
export type AuditChannel = 'audit:list';

/** The channels of this area, at run time. */
export const AUDIT_CHANNELS: readonly AuditChannel[] = ['audit:list'];

/** Default and largest page of `audit:list`. */
export const AUDIT_PAGE_DEFAULT = 100;
const AUDIT_PAGE_MAX = 500;

/** Builds the handler over the data directory's audit log. */
export function createAuditHandlers(auditPath: string): { [C in AuditChannel]: CoreHandler<C> } {
  return {
    'audit:list': (q) =>
      readAuditPage(auditPath, {
        limit: q.limit ?? AUDIT_PAGE_DEFAULT,
        since: q.since === undefined ? undefined : new Date(q.since),
        user: q.user,
        actions: q.actions,
        cursor: q.cursor === undefined ? null : decodeAuditCursor(q.cursor),
      }),
  };
}

/** An action name or an area prefix (`user.`) the log knows. */
function knownAction(a: string): boolean {
  return a.endsWith('.') ? AUDIT_ACTIONS.some((x) => x.startsWith(a)) : (AUDIT_ACTIONS as readonly string[]).includes(a);
}

/** Payload checks of this area. */
export const AUDIT_CHECKS: Checks<AuditChannel> = {
  'audit:list': (raw) => {
    const o = object(raw, ['since', 'user', 'actions', 'limit', 'cursor']);
    const q: AuditQuery = {};
    const since = optionalString(o, 'since');
    if (since !== undefined) {
      if (Number.isNaN(Date.parse(since))) throw new ArgsError('since must be a date and time (ISO 8601)');
      q.since = since;
    }
    const user = optionalString(o, 'user');
    if (user !== undefined) q.user = user;
    const actions = optionalStringArray(o, 'actions');
    if (actions !== undefined) {
      const unknown = actions.filter((a) => !knownAction(a));
      if (unknown.length) throw new ArgsError(`unknown action ${unknown.map((a) => JSON.stringify(a)).join(', ')}`);
      q.actions = actions;
    }
    const limit = optionalInteger(o, 'limit', 1, AUDIT_PAGE_MAX);
    if (limit !== undefined) q.limit = limit;
    const cursor = optionalString(o, 'cursor');
    if (cursor !== undefined) {
      if (!decodeAuditCursor(cursor)) throw new ArgsError('cursor is not one a page of audit:list handed out');
      q.cursor = cursor;
    }
    return q;
  },
};
