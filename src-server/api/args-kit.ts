/**
 * Building blocks of the payload checks (one module per area under src-server/api): the bridges
 * receive JSON from outside the process, so the compiler's types are a hope, not a guarantee.
 */
import type { InvokeArgs, InvokeChannel } from '../contract';

/** A payload that does not fit its channel; answered as `ARGS_INVALID`. Name fields in it with {@link fieldName}. */
export class ArgsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArgsError';
  }
}

/** Payload fields and paths a user may meet in a refusal, as a user says them. */
const FIELD_WORDS: Record<string, string> = {
  from: 'the source image',
  to: 'the target',
  'from.connection': 'the source connection',
  'from.repository': 'the source repository',
  'from.reference': 'the source tag or digest',
  'to.connection': 'the target connection',
  'to.repository': 'the target repository',
  'to.reference': 'the target tag',
  operationId: 'the operation id',
  reference: 'the tag or digest',
};

/**
 * A payload field (`repository`) or path (`to.repository`) in words (`the target repository`): the
 * one place where refusals learn what to call a field, so no dotted path or identifier reaches a user.
 */
export function fieldName(path: string): string {
  const known = FIELD_WORDS[path];
  if (known) return known;
  const words = path.replace(/\./g, ' ').replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return `the ${words}`;
}

/** Checks one channel's raw payload and returns it typed, or throws ArgsError. */
export type Check<C extends InvokeChannel> = (raw: unknown) => InvokeArgs<C>;

/** The checks of some channels (an area's part of the table). */
export type Checks<K extends InvokeChannel> = { [C in K]: Check<C> };

/** True for a plain JSON object. */
export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Accepts nothing: undefined, null or `{}`. */
export function none(raw: unknown): void {
  if (raw === undefined || raw === null || (isObject(raw) && Object.keys(raw).length === 0)) return undefined;
  throw new ArgsError('this channel takes no arguments');
}

/** An object with only `allowed` keys (a typo must not be silently ignored). */
export function object(raw: unknown, allowed: string[]): Record<string, unknown> {
  if (raw === undefined || raw === null) raw = {};
  if (!isObject(raw)) throw new ArgsError('arguments must be a JSON object');
  const extra = Object.keys(raw).filter((k) => !allowed.includes(k));
  if (extra.length) throw new ArgsError(`unknown argument ${extra.map((k) => JSON.stringify(k)).join(', ')}`);
  return raw;
}

/** `o[key]` when it is a boolean or missing. */
export function optionalBoolean(o: Record<string, unknown>, key: string): boolean | undefined {
  const v = o[key];
  if (v === undefined || typeof v === 'boolean') return v;
  throw new ArgsError(`${fieldName(key)} must be a boolean`);
}

/** `o[key]`, which must be a string. */
export function requiredString(o: Record<string, unknown>, key: string): string {
  const v = o[key];
  if (typeof v === 'string') return v;
  throw new ArgsError(`${fieldName(key)} must be a string`);
}

/** `o[key]` when it is a string or missing. */
export function optionalString(o: Record<string, unknown>, key: string): string | undefined {
  const v = o[key];
  if (v === undefined || typeof v === 'string') return v;
  throw new ArgsError(`${fieldName(key)} must be a string`);
}

/** `o[key]` when it is a string, null, or missing. */
export function nullableString(o: Record<string, unknown>, key: string): string | null | undefined {
  const v = o[key];
  if (v === undefined || v === null || typeof v === 'string') return v;
  throw new ArgsError(`${fieldName(key)} must be a string or null`);
}

/** `o[key]` when it is an integer within [min, max] or missing. */
export function optionalInteger(o: Record<string, unknown>, key: string, min: number, max: number): number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new ArgsError(`${fieldName(key)} must be a whole number from ${min} to ${max}`);
  return v;
}

/** `o[key]` when it is an array of strings or missing. */
export function optionalStringArray(o: Record<string, unknown>, key: string): string[] | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new ArgsError(`${fieldName(key)} must be a list of strings`);
  return v as string[];
}

/** `{name}`: the payload of channels about one named thing. */
export const named = (raw: unknown) => ({ name: requiredString(object(raw, ['name']), 'name') });
