/**
 * A fake AppApi for component tests: each channel answers what the test says (a value, a function
 * of the args, or an error), calls are recorded, and events can be emitted. The only fake in the
 * GUI's tests; end-to-end tests use the real server.
 */
import type { ApiError, EventChannel, EventChannelMap, InvokeArgs, InvokeChannel, InvokeResult } from '../../../src-server/contract';
import { ApiCallError, type AppApi } from '../api/app-api';

/** What a fake channel answers. */
export type FakeAnswer<C extends InvokeChannel> =
  | InvokeResult<C>
  | ((args: InvokeArgs<C>) => InvokeResult<C> | Promise<InvokeResult<C>>)
  | { error: ApiError }
  | { pending: true };

/** A fake AppApi and what happened to it. */
export interface FakeApi extends AppApi {
  calls: Array<{ channel: InvokeChannel; args: unknown }>;
  /** Sets (or replaces) a channel's answer. */
  answer<C extends InvokeChannel>(channel: C, value: FakeAnswer<C>): void;
  emit<E extends EventChannel>(event: E, payload: EventChannelMap[E]): void;
}

/** Builds a fake AppApi; a channel without an answer rejects with UNSUPPORTED. */
export function createFakeApi(answers: { [C in InvokeChannel]?: FakeAnswer<C> } = {}): FakeApi {
  const table = new Map<string, unknown>(Object.entries(answers));
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const calls: FakeApi['calls'] = [];
  return {
    transport: 'http',
    calls,
    answer(channel, value) {
      table.set(channel, value);
    },
    emit(event, payload) {
      for (const l of listeners.get(event) ?? []) l(payload);
    },
    async invoke(channel, ...args) {
      calls.push({ channel, args: args[0] });
      if (!table.has(channel)) throw new ApiCallError(channel, { code: 'UNSUPPORTED', message: `no fake answer for ${channel}` });
      const a = table.get(channel) as Record<string, unknown> | ((x: unknown) => unknown);
      if (typeof a === 'function') return (await a(args[0])) as never;
      if (a && typeof a === 'object' && 'error' in a && Object.keys(a).length === 1) throw new ApiCallError(channel, a.error as ApiError);
      if (a && typeof a === 'object' && 'pending' in a && Object.keys(a).length === 1) return new Promise<never>(() => {});
      return structuredClone(a) as never;
    },
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as (p: unknown) => void);
      return () => set.delete(listener as (p: unknown) => void);
    },
  };
}
