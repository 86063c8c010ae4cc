/**
 * Handlers and payload checks of the copy channel: an image from one connection to another, with
 * `copy:progress` events carrying the caller's operation id.
 */
import type { CopyArgs, ImageLocation } from '../contract';
import type { RegistrySource } from '../browse/source';
import { copyImage } from '../copy/copy-image';
import { parsePlatform } from '../copy/platforms';
import { parseDigest } from '../core/digest';
import { isValidName, isValidTag } from '../core/names';
import { ArgsError, fieldName, isObject, object, optionalString, optionalStringArray, requiredString, type Checks } from './args-kit';
import type { CoreHandler } from './handlers';

/** The channels of this area. */
export type CopyChannel = 'image:copy';

/** The channels of this area, at run time. */
export const COPY_CHANNELS: readonly CopyChannel[] = ['image:copy'];

/** What the copy handler works on. */
export interface CopyDeps {
  /** The registry behind a connection id (the local one included); throws for an unknown id. */
  source: (connection: string) => Promise<RegistrySource>;
  /**
   * Called once a copy has ended, done or failed, whenever the target may have been written to
   * (to drop cached listings of the target repository). Its own failure is ignored.
   */
  afterCopy?: (connection: string, repository: string) => void;
}

/** Builds the handlers of the copy channel. */
export function createCopyHandlers(deps: CopyDeps): { [C in CopyChannel]: CoreHandler<C> } {
  return {
    'image:copy': async (args, emit) => {
      const [from, to] = await Promise.all([deps.source(args.from.connection), deps.source(args.to.connection)]);
      const operationId = args.operationId ?? null;
      try {
        return await copyImage(
          from,
          to,
          {
            fromRepository: args.from.repository,
            fromReference: args.from.reference,
            toRepository: args.to.repository,
            toReference: args.to.reference,
            platforms: args.platforms,
          },
          { onProgress: (p) => emit('copy:progress', { operationId, ...p }) },
        );
      } finally {
        try {
          deps.afterCopy?.(args.to.connection, args.to.repository);
        } catch {
          // A cache that cannot be cleared must not turn a finished copy into a failure.
        }
      }
    },
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

/** Payload checks of this area. */
export const COPY_CHECKS: Checks<CopyChannel> = {
  'image:copy': (raw) => {
    const o = object(raw, ['from', 'to', 'platforms', 'operationId']);
    const from = location(o.from, 'from');
    if (from.reference === undefined) throw new ArgsError(`${fieldName('from.reference')} is required`);
    const args: CopyArgs = { from: { ...from, reference: from.reference }, to: location(o.to, 'to') };
    const platforms = optionalStringArray(o, 'platforms');
    if (platforms !== undefined) {
      if (platforms.length === 0) throw new ArgsError('platforms must name at least one platform, or be left out to copy all');
      const bad = platforms.find((p) => !parsePlatform(p));
      if (bad !== undefined) throw new ArgsError(`platform ${JSON.stringify(bad)} is not os/arch[/variant]`);
      args.platforms = platforms;
    }
    const operationId = optionalString(o, 'operationId');
    if (operationId !== undefined) {
      if (operationId.length === 0 || operationId.length > MAX_ID) throw new ArgsError(`${fieldName('operationId')} must be 1 to ${MAX_ID} characters`);
      args.operationId = operationId;
    }
    return args;
  },
};
