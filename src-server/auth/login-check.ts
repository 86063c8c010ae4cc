import type { AuditSink } from '../audit/audit-log';
import type { AuditVia } from '../contract/audit';
import type { Logger } from '../logger';
import type { Credentials } from './basic-auth';
import type { PasswordVerifier } from './password-verifier';
import type { Throttle } from './throttle';

/** What a login check needs: the passwords, the failure throttle (none: no limits) and the logs. */
export interface LoginCheckDeps {
  verifier: PasswordVerifier;
  throttle?: Throttle;
  log: Logger;
  /** Where a failed login is recorded (`login.fail`), and how the client came (default `registry`). */
  audit?: AuditSink;
  via?: AuditVia;
}

/**
 * Checks a user name and password from a client at `ip`, the one way /v2 (Basic), /token and the
 * GUI's login do it:
 * - credentials this server verified recently pass at once: never throttled, never queued, so no
 *   flood of guesses and no lock on the name can keep a working client out;
 * - a check of the same credentials already running is joined (no second guess, no second count);
 * - anything else asks the throttle first (429 TOOMANYREQUESTS with Retry-After while blocked), then
 *   waits for a bcrypt thread (429 when the queue is full; that attempt does not count).
 * A wrong password is logged as `auth: failed <what> for user "NAME" from IP` (the name JSON-quoted
 * so that it cannot forge log lines; never the password), recorded in the audit log, and counted.
 */
export async function checkLogin(deps: LoginCheckDeps, ip: string, creds: Credentials, what = 'login'): Promise<boolean> {
  const { verifier, throttle, log } = deps;
  if (verifier.isVerified(creds.user, creds.password)) return true;
  const joined = verifier.running(creds.user, creds.password);
  if (joined) return joined;
  const attempt = throttle?.begin(ip, creds.user);
  let ok: boolean;
  try {
    ok = await verifier.verify(creds.user, creds.password);
  } catch (err) {
    attempt?.abandoned();
    throw err;
  }
  if (ok) {
    attempt?.succeeded();
    return true;
  }
  attempt?.failed();
  log.info(`auth: failed ${what} for user ${JSON.stringify(creds.user.slice(0, 100))} from ${ip}`);
  deps.audit?.record({ user: creds.user, address: ip, via: deps.via ?? 'registry' }, { action: 'login.fail', target: creds.user, result: 'UNAUTHORIZED' });
  return false;
}
