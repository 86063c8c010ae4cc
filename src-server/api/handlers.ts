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
import { DEFAULT_GC_GRACE_SECONDS, isInvokeChannel } from '../contract';
import { NotFoundError, RegistryError } from '../core/errors';
import { isValidName } from '../core/names';
import { collectGarbage } from '../gc/collect';
import { registryUsage, repositoryUsage } from '../usage/usage';
import type { Logger } from '../logger';
import type { Registry } from '../registry/registry';
import { checkArgs } from './args';
import { toApiError } from './errors';

/** Sends an event to whoever made the call (progress of a long operation). */
export type Emit = <E extends EventChannel>(event: E, payload: EventChannelMap[E]) => void;

/** One channel's handler. */
export type CoreHandler<C extends InvokeChannel> = (args: InvokeArgs<C>, emit: Emit) => Promise<InvokeResult<C>>;

/** A handler for every invoke channel; the compiler refuses a missing one. */
export type CoreHandlers = { [C in InvokeChannel]: CoreHandler<C> };

/** What the handlers work on. */
export interface CoreServices {
  registry: Registry;
  log: Logger;
}

/** Options of {@link createCoreHandlers}. */
export interface CoreHandlerOptions {
  /** Whether the registry listens, and where; a CLI working on the data directory in-process has none. */
  status?: () => RegistryStatus;
}

/** Builds the handler table over the services. */
export function createCoreHandlers(services: CoreServices, opts: CoreHandlerOptions = {}): CoreHandlers {
  const { registry } = services;
  const status = opts.status ?? (() => ({ running: false, url: null }));
  return {
    'registry:status': async () => status(),
    'gc:run': (args, emit) =>
      collectGarbage(registry, {
        ...args,
        graceMs: (args.graceSeconds ?? DEFAULT_GC_GRACE_SECONDS) * 1000,
        onProgress: (p) => emit('gc:progress', p),
        log: services.log,
      }),
    'usage:registry': () => registryUsage(registry),
    'usage:repository': async ({ name }) => {
      assertName(name);
      try {
        return await repositoryUsage(registry, name);
      } catch (err) {
        throw err instanceof NotFoundError ? unknownRepository(name) : err;
      }
    },
    'repository:delete': async ({ name }) => {
      assertName(name);
      try {
        return await registry.deleteRepository(name);
      } catch (err) {
        throw err instanceof NotFoundError ? unknownRepository(name) : err;
      }
    },
  };
}

function assertName(name: string): void {
  if (!isValidName(name)) throw new RegistryError('NAME_INVALID', { message: `invalid repository name ${JSON.stringify(name)}`, detail: { name } });
}

function unknownRepository(name: string): RegistryError {
  return new RegistryError('NAME_UNKNOWN', { message: `unknown repository ${name}`, detail: { name } });
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
