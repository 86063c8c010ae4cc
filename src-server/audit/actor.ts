import { userInfo } from 'node:os';
import type { AuditVia } from '../contract/audit';
import type { AuditActor } from './audit-log';

/** The name of the operating-system user running this process (its uid where it has no name). */
export function osUserName(): string {
  try {
    return userInfo().username;
  } catch {
    // A uid without a passwd entry (some containers).
    return `uid ${process.getuid?.() ?? 'unknown'}`;
  }
}

/** The actor of changes made on this machine: the OS user, at address `local`. */
export function localActor(via: Extract<AuditVia, 'cli' | 'desktop'>, user = osUserName()): AuditActor {
  return { user, address: 'local', via };
}

/** The header a local `berth` command names its OS user in, on the control listener. */
export const ACTOR_HEADER = 'x-berth-actor';

/**
 * The OS user a control request names (only callers holding the control token get this far); a
 * missing or odd value becomes `unknown`, so a header can neither forge lines nor grow them.
 */
export function actorFromHeader(value: string | string[] | undefined): string {
  const v = Array.isArray(value) ? value[0] : value;
  return v && /^[A-Za-z0-9._@ -]{1,64}$/.test(v) ? v : 'unknown';
}
