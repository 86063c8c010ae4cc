/**
 * Payload checks of the retention and trash channels (issue 19). Only shapes are checked here; what
 * a policy means (a valid glob, regexes, durations, a name) is checked where policies are read, so
 * retention.yml and the API refuse the same things with the same words.
 */
import type { RetentionPolicy, TrashEmptyArgs, TrashRestoreArgs } from '../contract';
import { ArgsError, isObject, named, none, nullableString, object, optionalBoolean, optionalInteger, optionalString, optionalStringArray, requiredString, type Checks } from './args-kit';

/** The channels of retention and the trash. */
export type RetentionChannel = 'retention:list' | 'retention:add' | 'retention:remove' | 'retention:schedule' | 'retention:run' | 'trash:list' | 'trash:restore' | 'trash:empty';

/** The channels of this area, at run time. */
export const RETENTION_CHANNELS: readonly RetentionChannel[] = ['retention:list', 'retention:add', 'retention:remove', 'retention:schedule', 'retention:run', 'trash:list', 'trash:restore', 'trash:empty'];

/** The largest number a policy's keepLast may hold. */
const MAX_KEEP_LAST = 1_000_000;

function policy(raw: unknown): RetentionPolicy {
  if (!isObject(raw)) throw new ArgsError('the policy must be an object');
  const o = object(raw, ['name', 'repos', 'keepLast', 'keepNewerThan', 'keepTags', 'untagged']);
  const out: RetentionPolicy = { name: requiredString(o, 'name'), repos: requiredString(o, 'repos') };
  const keepLast = optionalInteger(o, 'keepLast', 0, MAX_KEEP_LAST);
  if (keepLast !== undefined) out.keepLast = keepLast;
  const newer = optionalString(o, 'keepNewerThan');
  if (newer !== undefined) out.keepNewerThan = newer;
  const tags = optionalStringArray(o, 'keepTags');
  if (tags !== undefined) out.keepTags = tags;
  const untagged = optionalBoolean(o, 'untagged');
  if (untagged !== undefined) out.untagged = untagged;
  return out;
}

/** Payload checks of this area. */
export const RETENTION_CHECKS: Checks<RetentionChannel> = {
  'retention:list': none,
  'retention:add': (raw) => {
    const o = object(raw, ['policy', 'force', 'replace']);
    return { policy: policy(o.policy), force: optionalBoolean(o, 'force'), replace: optionalBoolean(o, 'replace') };
  },
  'retention:remove': named,
  'retention:schedule': (raw) => {
    const o = object(raw, ['schedule']);
    const schedule = nullableString(o, 'schedule');
    if (schedule === undefined) throw new ArgsError('the schedule must be a duration or null');
    return { schedule };
  },
  'retention:run': (raw) => ({ dryRun: optionalBoolean(object(raw, ['dryRun']), 'dryRun') }),
  'trash:list': none,
  'trash:restore': (raw): TrashRestoreArgs => {
    const o = object(raw, ['id', 'reference']);
    const id = optionalString(o, 'id');
    const reference = optionalString(o, 'reference');
    if ((id === undefined) === (reference === undefined)) throw new ArgsError('give either an id or a reference (REPO:TAG or REPO@DIGEST)');
    return id !== undefined ? { id } : { reference: reference! };
  },
  'trash:empty': (raw): TrashEmptyArgs => {
    const o = object(raw, ['olderThanSeconds', 'ids']);
    const out: TrashEmptyArgs = {};
    const older = optionalInteger(o, 'olderThanSeconds', 0, Number.MAX_SAFE_INTEGER);
    if (older !== undefined) out.olderThanSeconds = older;
    const ids = optionalStringArray(o, 'ids');
    if (ids !== undefined) out.ids = ids;
    return out;
  },
};
