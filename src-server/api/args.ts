/**
 * Shapes of each invoke channel's payload, checked at run time: the bridges receive JSON from
 * outside the process, so the compiler's types are a hope, not a guarantee.
 */
import type { InvokeArgs, InvokeChannel } from '../contract';

/** A payload that does not fit its channel; answered as `ARGS_INVALID`. */
export class ArgsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArgsError';
  }
}

type Check<C extends InvokeChannel> = (raw: unknown) => InvokeArgs<C>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Accepts nothing: undefined, null or `{}`. */
function none(raw: unknown): void {
  if (raw === undefined || raw === null || (isObject(raw) && Object.keys(raw).length === 0)) return undefined;
  throw new ArgsError('this channel takes no arguments');
}

/** An object with only `allowed` keys (a typo must not be silently ignored). */
function object(raw: unknown, allowed: string[]): Record<string, unknown> {
  if (raw === undefined || raw === null) raw = {};
  if (!isObject(raw)) throw new ArgsError('arguments must be a JSON object');
  const extra = Object.keys(raw).filter((k) => !allowed.includes(k));
  if (extra.length) throw new ArgsError(`unknown argument ${extra.map((k) => JSON.stringify(k)).join(', ')}`);
  return raw;
}

function optionalBoolean(o: Record<string, unknown>, key: string): boolean | undefined {
  const v = o[key];
  if (v === undefined || typeof v === 'boolean') return v;
  throw new ArgsError(`${key} must be a boolean`);
}

function requiredString(o: Record<string, unknown>, key: string): string {
  const v = o[key];
  if (typeof v === 'string') return v;
  throw new ArgsError(`${key} must be a string`);
}

const named = (raw: unknown) => ({ name: requiredString(object(raw, ['name']), 'name') });

const CHECKS: { [C in InvokeChannel]: Check<C> } = {
  'registry:status': none,
  'gc:run': (raw) => {
    const o = object(raw, ['dryRun', 'deleteUntagged', 'graceSeconds']);
    const grace = o.graceSeconds;
    if (grace !== undefined && (typeof grace !== 'number' || !Number.isFinite(grace) || grace < 0)) {
      throw new ArgsError('graceSeconds must be a number of seconds, 0 or more');
    }
    return { dryRun: optionalBoolean(o, 'dryRun'), deleteUntagged: optionalBoolean(o, 'deleteUntagged'), graceSeconds: grace };
  },
  'usage:registry': none,
  'usage:repository': named,
  'repository:delete': named,
};

/** Checks `raw` against `channel`'s payload shape and returns it typed; throws {@link ArgsError}. */
export function checkArgs<C extends InvokeChannel>(channel: C, raw: unknown): InvokeArgs<C> {
  return (CHECKS[channel] as Check<C>)(raw);
}
