/**
 * The core's handler table: one function per invoke channel of the contract. Every bridge serves
 * this same table: the control server of `berth serve` (for the CLI), and in issue 5 Electron's IPC
 * and the `/_berth/api` HTTP bridge (for the GUI). Handlers throw; {@link dispatch} turns that into
 * the envelope.
 */
import type {
  Envelope,
  EventChannel,
  EventChannelMap,
  InvokeArgs,
  InvokeChannel,
  InvokeResult,
  RegistryStatus,
} from '../contract';
import { isInvokeChannel } from '../contract';
import type { Logger } from '../logger';
import { ADMIN_CHANNELS } from './admin';
import { checkArgs } from './args';
import { BROWSE_CHANNELS } from './browse';
import { CONNECTION_CHANNELS } from './connections';
import { COPY_CHANNELS } from './copy';
import { createLocalHandlers, type LocalDeps } from './local';
import { unavailable } from './unavailable';
import { toApiError } from './errors';

/** Sends an event to whoever made the call (progress of a long operation). */
export type Emit = <E extends EventChannel>(event: E, payload: EventChannelMap[E]) => void;

/** One channel's handler. */
export type CoreHandler<C extends InvokeChannel> = (args: InvokeArgs<C>, emit: Emit) => Promise<InvokeResult<C>>;

/** A handler for every invoke channel; the compiler refuses a missing one. */
export type CoreHandlers = { [C in InvokeChannel]: CoreHandler<C> };

/**
 * What the handlers work on: the local registry always; the app core's areas (connections,
 * browsing, copy, users, certificates) as handler tables built by createAppCore, where it runs.
 */
export interface CoreServices extends Omit<LocalDeps, 'status'> {
  app?: Partial<CoreHandlers>;
}

/** Options of {@link createCoreHandlers}. */
export interface CoreHandlerOptions {
  /** Whether the registry listens, and where; a CLI working on the data directory in-process has none. */
  status?: () => RegistryStatus;
}

const APP_CHANNELS = [...CONNECTION_CHANNELS, ...BROWSE_CHANNELS, ...COPY_CHANNELS, ...ADMIN_CHANNELS];

/** Builds the handler table over the services. */
export function createCoreHandlers(services: CoreServices, opts: CoreHandlerOptions = {}): CoreHandlers {
  return {
    ...unavailable(APP_CHANNELS, 'the app core does not run in this process (start it with `berth serve --ui`)'),
    ...createLocalHandlers({ ...services, status: opts.status }),
    ...services.app,
  } as CoreHandlers;
}

/**
 * Runs one call: checks the channel name and the payload's shape, runs the handler, and answers
 * the envelope. Never throws: unknown channel → `CHANNEL_UNKNOWN`, bad payload → `ARGS_INVALID`,
 * a handler's failure → its code (unexpected ones logged, answered `INTERNAL`).
 */
export async function dispatch(
  handlers: CoreHandlers,
  channel: unknown,
  args: unknown,
  emit: Emit,
  log: Logger,
): Promise<Envelope<unknown>> {
  if (!isInvokeChannel(channel)) {
    return { ok: false, error: { code: 'CHANNEL_UNKNOWN', message: `unknown channel ${JSON.stringify(channel)}` } };
  }
  try {
    const checked = checkArgs(channel, args);
    const handler = handlers[channel] as CoreHandler<typeof channel>;
    return { ok: true, result: await handler(checked, emit) };
  } catch (err) {
    return { ok: false, error: toApiError(err, log, channel) };
  }
}
