/**
 * Handlers and payload checks of the copy channels: the preview (what the target tag holds now),
 * the copy from one connection to another with `copy:progress` events carrying the caller's
 * operation id, and cancelling a running copy by that id.
 */
import type { CopyArgs, CopyPreviewArgs, ImageLocation } from '../contract';
import type { RegistrySource } from '../browse/source';
import { copyImage, DEFAULT_COPY_CONCURRENCY, type CopyImageArgs } from '../copy/copy-image';
import { RunningCopies } from '../copy/operations';
import { parsePlatform } from '../copy/platforms';
import { previewCopy } from '../copy/preview';
import { parseDigest } from '../core/digest';
import { isValidName, isValidTag } from '../core/names';
import { ArgsError, fieldName, isObject, object, optionalBoolean, optionalString, optionalStringArray, requiredString, type Checks } from './args-kit';
import type { CoreHandler } from './handler-types';

/** The channels of this area. */
export type CopyChannel = 'image:copy' | 'image:copy-preview' | 'image:copy-cancel';

/** The channels of this area, at run time. */
export const COPY_CHANNELS: readonly CopyChannel[] = ['image:copy', 'image:copy-preview', 'image:copy-cancel'];

/** What the copy handlers work on. */
export interface CopyDeps {
  /** The registry behind a connection id (the local one included); throws for an unknown id. */
  source: (connection: string) => Promise<RegistrySource>;
  /**
   * Called once a copy has ended, done or failed, whenever the target may have been written to
   * (to drop cached listings of the target repository). Its own failure is ignored.
   */
  afterCopy?: (connection: string, repository: string) => void;
}

/** Builds the handlers of the copy channels; running copies are known to this table only. */
export function createCopyHandlers(deps: CopyDeps): { [C in CopyChannel]: CoreHandler<C> } {
  const running = new RunningCopies();
  return {
    'image:copy': async (args, emit) => {
      const operationId = args.operationId ?? null;
      if (operationId !== null && running.isRunning(operationId)) throw new ArgsError(`operationId ${JSON.stringify(operationId)} is in use by a running copy`);
      const signal = operationId === null ? undefined : running.start(operationId);
      let reached = false;
      try {
        const [from, to] = await Promise.all([deps.source(args.from.connection), deps.source(args.to.connection)]);
        reached = true;
        return await copyImage(
          from,
          to,
          { ...imageArgs(args), expectDestination: args.expectDestination },
          { onProgress: (p) => emit('copy:progress', { operationId, ...p }), signal },
        );
      } finally {
        if (operationId !== null) running.end(operationId);
        try {
          if (reached) deps.afterCopy?.(args.to.connection, args.to.repository);
        } catch {
          // A cache that cannot be cleared must not turn a finished copy into a failure.
        }
      }
    },
    'image:copy-preview': async (args) => {
      const [from, to] = await Promise.all([deps.source(args.from.connection), deps.source(args.to.connection)]);
      return previewCopy(from, to, imageArgs(args), DEFAULT_COPY_CONCURRENCY);
    },
    'image:copy-cancel': async ({ operationId }) => ({ cancelled: running.cancel(operationId) !== 'finished' }),
  };
}

function imageArgs(args: CopyPreviewArgs): Omit<CopyImageArgs, 'expectDestination'> {
  return {
    fromRepository: args.from.repository,
    fromReference: args.from.reference,
    toRepository: args.to.repository,
    toReference: args.to.reference,
    platforms: args.platforms,
    referrers: args.referrers,
  };
}

/** Longest connection id and operation id accepted. */
const MAX_ID = 200;

function id(o: Record<string, unknown>, key: string, where: string): string {
  const v = requiredString(o, key);
  if (v.length === 0 || v.length > MAX_ID) throw new ArgsError(`${fieldName(`${where}${key}`)} must be 1 to ${MAX_ID} characters`);
  return v;
}

function location(raw: unknown, key: 'from' | 'to'): ImageLocation {
  if (!isObject(raw)) throw new ArgsError(`${fieldName(key)} must be given as a connection, a repository and a reference`);
  const o = object(raw, ['connection', 'repository', 'reference']);
  const connection = id(o, 'connection', `${key}.`);
  const repository = requiredString(o, 'repository');
  if (!isValidName(repository)) throw new ArgsError(`${fieldName(`${key}.repository`)} ${JSON.stringify(repository)} is not a valid repository name`);
  const reference = optionalString(o, 'reference');
  if (reference !== undefined && !isValidTag(reference) && !parseDigest(reference)) {
    throw new ArgsError(`${fieldName(`${key}.reference`)} ${JSON.stringify(reference)} is neither a tag nor a digest`);
  }
  return reference === undefined ? { connection, repository } : { connection, repository, reference };
}

/** The fields a preview and a copy share. */
function copyFields(o: Record<string, unknown>): CopyPreviewArgs {
  const from = location(o.from, 'from');
  if (from.reference === undefined) throw new ArgsError(`${fieldName('from.reference')} is required`);
  const args: CopyPreviewArgs = { from: { ...from, reference: from.reference }, to: location(o.to, 'to') };
  const platforms = optionalStringArray(o, 'platforms');
  if (platforms !== undefined) {
    if (platforms.length === 0) throw new ArgsError('platforms must name at least one platform, or be left out to copy all');
    const bad = platforms.find((p) => !parsePlatform(p));
    if (bad !== undefined) throw new ArgsError(`platform ${JSON.stringify(bad)} is not os/arch[/variant]`);
    args.platforms = platforms;
  }
  const referrers = optionalBoolean(o, 'referrers');
  if (referrers !== undefined) args.referrers = referrers;
  return args;
}

function operationId(o: Record<string, unknown>): string | undefined {
  const v = optionalString(o, 'operationId');
  if (v !== undefined && (v.length === 0 || v.length > MAX_ID)) throw new ArgsError(`${fieldName('operationId')} must be 1 to ${MAX_ID} characters`);
  return v;
}

/** Payload checks of this area. */
export const COPY_CHECKS: Checks<CopyChannel> = {
  'image:copy': (raw) => {
    const o = object(raw, ['from', 'to', 'platforms', 'operationId', 'expectDestination', 'referrers']);
    const args: CopyArgs = copyFields(o);
    const op = operationId(o);
    if (op !== undefined) args.operationId = op;
    if (o.expectDestination !== undefined) {
      const e = o.expectDestination;
      if (e !== null && (typeof e !== 'string' || !parseDigest(e))) throw new ArgsError('expectDestination must be a digest, or null for "the tag must not exist"');
      if (args.to.reference === undefined || !isValidTag(args.to.reference)) throw new ArgsError('expectDestination needs a target tag (to.reference)');
      args.expectDestination = e;
    }
    return args;
  },
  'image:copy-preview': (raw) => copyFields(object(raw, ['from', 'to', 'platforms', 'referrers'])),
  'image:copy-cancel': (raw) => {
    const o = object(raw, ['operationId']);
    const op = operationId(o);
    if (op === undefined) throw new ArgsError('operationId is required');
    return { operationId: op };
  },
};
