/**
 * The payload check of every invoke channel, assembled from the areas' tables: the bridges
 * receive JSON from outside the process, so each payload is checked before a handler sees it.
 */
import type { InvokeArgs, InvokeChannel } from '../contract';
import { ADMIN_CHECKS } from './admin';
import type { Check, Checks } from './args-kit';
import { AUDIT_CHECKS } from './audit';
import { ACCESS_CHECKS } from './access';
import { BROWSE_CHECKS } from './browse';
import { CONNECTION_CHECKS } from './connections';
import { CONTENTS_CHECKS } from './args-contents';
import { COPY_CHECKS } from './copy';
import { LOCAL_CHECKS } from './local';
import { REFERRER_CHECKS } from './referrers';
import { RETENTION_CHECKS } from './args-retention';
import { TRANSFER_CHECKS } from './args-transfer';

export { ArgsError } from './args-kit';

// Typed as the full table: the compiler refuses a channel without a check.
const CHECKS: Checks<InvokeChannel> = { ...LOCAL_CHECKS, ...CONNECTION_CHECKS, ...BROWSE_CHECKS, ...COPY_CHECKS, ...ADMIN_CHECKS, ...AUDIT_CHECKS, ...ACCESS_CHECKS, ...REFERRER_CHECKS, ...CONTENTS_CHECKS, ...RETENTION_CHECKS, ...TRANSFER_CHECKS };

/** Checks `raw` against `channel`'s payload shape and returns it typed; throws ArgsError. */
export function checkArgs<C extends InvokeChannel>(channel: C, raw: unknown): InvokeArgs<C> {
  return (CHECKS[channel] as Check<C>)(raw);
}
