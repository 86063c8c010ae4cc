/**
 * The shape of a channel handler, apart from the table that gathers them (handlers.ts): the area
 * files (browse, copy, admin, ...) write handlers of this type, and handlers.ts imports the areas.
 */
import type { EventChannel, EventChannelMap, InvokeArgs, InvokeChannel, InvokeResult } from '../contract';
import type { CallerScope } from './caller-access';

/** Sends an event to whoever made the call (progress of a long operation). */
export type Emit = <E extends EventChannel>(event: E, payload: EventChannelMap[E]) => void;

/**
 * One channel's handler. `scope` names the GUI user making the call when it is not the machine's
 * own (the browser GUI's sessions); handlers that list things answer within the user's rights.
 */
export type CoreHandler<C extends InvokeChannel> = (args: InvokeArgs<C>, emit: Emit, scope?: CallerScope) => Promise<InvokeResult<C>>;

/** A handler for every invoke channel; the compiler refuses a missing one. */
export type CoreHandlers = { [C in InvokeChannel]: CoreHandler<C> };
