/**
 * The core's handler table: one function per invoke channel of the contract. Every bridge serves
 * this same table: the control server of `berth serve` (for the CLI), and in issue 5 Electron's IPC
 * and the `/_berth/api` HTTP bridge (for the GUI). Handlers throw; {@link dispatch} turns that into
 * the envelope.
 */
import type { AuditActor, AuditSink } from '../audit/audit-log';
import type { Envelope, InvokeArgs, InvokeResult, RegistryStatus } from '../contract';
import { isInvokeChannel } from '../contract';
import type { Logger } from '../logger';
import { ADMIN_CHANNELS } from './admin';
import { createAccessHandlers } from './access';
import { checkArgs } from './args';
import { AUDIT_CHANNELS, createAuditHandlers } from './audit';
import { auditEventsFor, isAuditedChannel } from './audit-events';
import { callRefusal, type CallerScope } from './caller-access';
import { BROWSE_CHANNELS } from './browse';
import { CONNECTION_CHANNELS } from './connections';
import { CONTENTS_CHANNELS } from './contents';
import { COPY_CHANNELS } from './copy';
import { createLocalHandlers, type LocalDeps } from './local';
import { REFERRER_CHANNELS } from './referrers';
import { RETENTION_CHANNELS } from './args-retention';
import { TRANSFER_CHANNELS } from './args-transfer';
import { createTrashHandlers } from './trash';
import { createRetentionHandlers } from './retention';
import { createTransferHandlers } from './transfer';
import type { TransferService } from '../transfer/service';
import { createSyncHandlers } from './sync';
import type { SyncService } from '../sync/service';
import type { RetentionService } from '../retention/service';
import { unavailable } from './unavailable';
import { toApiError } from './errors';
import type { CoreHandler, CoreHandlers, Emit } from './handler-types';

export type { CoreHandler, CoreHandlers, Emit } from './handler-types';

/**
 * What the handlers work on: the local registry always; the app core's areas (connections,
 * browsing, copy, users, certificates) as handler tables built by createAppCore, where it runs.
 */
export interface CoreServices extends Omit<LocalDeps, 'status'> {
  app?: Partial<CoreHandlers>;
  /** The data directory's audit log, read by `audit:list` (unavailable without it). */
  auditPath?: string;
  /** Retention policies of the data directory (the retention channels are unavailable without it). */
  retention?: RetentionService;
  /** Copies anywhere, archive exports and imports (the transfer channels are unavailable without it). */
  transfer?: TransferService;
  /** Sync jobs and runs (the sync channels are unavailable without it). */
  sync?: SyncService;
}

/** Options of {@link createCoreHandlers}. */
export interface CoreHandlerOptions {
  /** Whether the registry listens, and where; a CLI working on the data directory in-process has none. */
  status?: () => RegistryStatus;
}

const APP_CHANNELS = [...CONNECTION_CHANNELS, ...BROWSE_CHANNELS, ...COPY_CHANNELS, ...ADMIN_CHANNELS, ...REFERRER_CHANNELS, ...CONTENTS_CHANNELS, ...RETENTION_CHANNELS, ...TRANSFER_CHANNELS];

/** Builds the handler table over the services. */
export function createCoreHandlers(services: CoreServices, opts: CoreHandlerOptions = {}): CoreHandlers {
  return {
    ...unavailable(APP_CHANNELS, 'the app core does not run in this process (start it with `berth serve`, without --no-ui)'),
    ...(services.retention ? createRetentionHandlers({ retention: services.retention }) : {}),
    ...(services.transfer ? createTransferHandlers({ transfer: services.transfer, cancelSync: (id) => services.sync?.cancel(id) ?? false }) : {}),
    ...(services.sync ? createSyncHandlers({ sync: services.sync }) : {}),
    ...createLocalHandlers({ ...services, status: opts.status }),
    ...createTrashHandlers(services),
    ...createAccessHandlers(),
    ...(services.auditPath !== undefined ? createAuditHandlers(services.auditPath) : unavailable(AUDIT_CHANNELS, 'the audit log is not available in this process')),
    ...services.app,
  } as CoreHandlers;
}

/** Who makes the calls of a transport, and where their changes are recorded. */
export interface DispatchAudit {
  sink: AuditSink;
  actor: AuditActor;
}

/** Who makes a call and what it may do; without one the caller holds every right (desktop, CLI). */
export interface DispatchCaller {
  audit?: DispatchAudit;
  scope?: CallerScope;
}

/**
 * Runs one call: checks the channel name and the payload's shape, runs the handler, and answers
 * the envelope. Never throws: unknown channel → `CHANNEL_UNKNOWN`, bad payload → `ARGS_INVALID`,
 * a handler's failure → its code (unexpected ones logged, answered `INTERNAL`). With a `scope`, a
 * call the scope's user may not make is refused (`DENIED`) before it runs. With `audit`, a call of
 * a channel that changes content or access is recorded once it ends, succeeded or not.
 */
export async function dispatch(
  handlers: CoreHandlers,
  channel: unknown,
  args: unknown,
  emit: Emit,
  log: Logger,
  caller: DispatchCaller = {},
): Promise<Envelope<unknown>> {
  const { audit, scope } = caller;
  if (!isInvokeChannel(channel)) {
    return { ok: false, error: { code: 'CHANNEL_UNKNOWN', message: `unknown channel ${JSON.stringify(channel)}` } };
  }
  let checked: InvokeArgs<typeof channel>;
  try {
    checked = checkArgs(channel, args);
  } catch (err) {
    return { ok: false, error: toApiError(err, log, channel) };
  }
  // Checked before anything runs: what a GUI user may not do is refused, never half done.
  const refusal = callRefusal(channel, checked, scope);
  if (refusal) return { ok: false, error: refusal };
  let envelope: Envelope<unknown>;
  try {
    const handler = handlers[channel] as CoreHandler<typeof channel>;
    envelope = { ok: true, result: await handler(checked, emit, scope) };
  } catch (err) {
    envelope = { ok: false, error: toApiError(err, log, channel) };
  }
  if (audit && isAuditedChannel(channel)) {
    const outcome = envelope.ok ? { ok: true as const, result: envelope.result as InvokeResult<typeof channel> } : { ok: false as const, code: envelope.error.code };
    for (const event of auditEventsFor(channel, checked, outcome)) audit.sink.record(audit.actor, event);
  }
  return envelope;
}
