/**
 * Handlers and payload checks of the browse channels: repositories, tags, image details,
 * repository sizes, refresh, and the safe tag delete (preview, then delete of the confirmed digest).
 */
import type { Browser } from '../browse/browser';
import { looksLikeDigest, parseDigest } from '../core/digest';
import { isValidName, isValidTag } from '../core/names';
import { ArgsError, fieldName, object, optionalBoolean, optionalInteger, optionalString, requiredString, type Checks } from './args-kit';
import type { CoreHandler } from './handlers';

/** The channels of this area. */
export type BrowseChannel = 'browse:repositories' | 'browse:tags' | 'browse:image' | 'browse:repository-size' | 'browse:refresh' | 'tag:delete-preview' | 'tag:delete';

/** The channels of this area, at run time. */
export const BROWSE_CHANNELS: readonly BrowseChannel[] = ['browse:repositories', 'browse:tags', 'browse:image', 'browse:repository-size', 'browse:refresh', 'tag:delete-preview', 'tag:delete'];

/** Builds the handlers of the browse channels over a Browser. */
export function createBrowseHandlers(browser: Browser): { [C in BrowseChannel]: CoreHandler<C> } {
  return {
    'browse:repositories': (args) => browser.repositories(args),
    'browse:tags': (args) => browser.tags(args),
    'browse:image': (args) => browser.image(args),
    'browse:repository-size': (args) => browser.repositorySize(args),
    'browse:refresh': (args) => browser.refresh(args),
    'tag:delete-preview': (args) => browser.deletePreview(args),
    'tag:delete': (args) => browser.deleteTag(args),
  };
}

/** Default page size of the paged channels. */
const DEFAULT_N = 100;

function connection(o: Record<string, unknown>): string {
  const c = requiredString(o, 'connection');
  if (!c.trim()) throw new ArgsError('connection must not be empty');
  return c;
}

function repository(o: Record<string, unknown>, key = 'repository'): string {
  const name = requiredString(o, key);
  if (!isValidName(name)) throw new ArgsError(`${fieldName(key)} ${JSON.stringify(name)} is not a valid repository name`);
  return name;
}

function tag(o: Record<string, unknown>): string {
  const t = requiredString(o, 'tag');
  if (!isValidTag(t)) throw new ArgsError(`tag ${JSON.stringify(t)} is not a valid tag`);
  return t;
}

function digest(o: Record<string, unknown>): string {
  const d = requiredString(o, 'digest');
  if (!parseDigest(d)) throw new ArgsError(`digest ${JSON.stringify(d)} is not a valid digest`);
  return d;
}

/** Payload checks of this area. */
export const BROWSE_CHECKS: Checks<BrowseChannel> = {
  'browse:repositories': (raw) => {
    const o = object(raw, ['connection', 'n', 'last', 'query', 'refresh']);
    return { connection: connection(o), n: optionalInteger(o, 'n', 1, 1000) ?? DEFAULT_N, last: optionalString(o, 'last'), query: optionalString(o, 'query'), refresh: optionalBoolean(o, 'refresh') };
  },
  'browse:tags': (raw) => {
    const o = object(raw, ['connection', 'repository', 'n', 'last', 'query', 'refresh']);
    return {
      connection: connection(o),
      repository: repository(o),
      n: optionalInteger(o, 'n', 1, 1000) ?? DEFAULT_N,
      last: optionalString(o, 'last'),
      query: optionalString(o, 'query'),
      refresh: optionalBoolean(o, 'refresh'),
    };
  },
  'browse:image': (raw) => {
    const o = object(raw, ['connection', 'repository', 'reference']);
    const reference = requiredString(o, 'reference');
    const ok = looksLikeDigest(reference) ? parseDigest(reference) !== null : isValidTag(reference);
    if (!ok) throw new ArgsError(`reference ${JSON.stringify(reference)} is neither a tag nor a digest`);
    return { connection: connection(o), repository: repository(o), reference };
  },
  'browse:repository-size': (raw) => {
    const o = object(raw, ['connection', 'repository', 'refresh']);
    return { connection: connection(o), repository: repository(o), refresh: optionalBoolean(o, 'refresh') };
  },
  'browse:refresh': (raw) => {
    const o = object(raw, ['connection', 'repository']);
    return { connection: connection(o), repository: o.repository === undefined ? undefined : repository(o) };
  },
  'tag:delete-preview': (raw) => {
    const o = object(raw, ['connection', 'repository', 'tag']);
    return { connection: connection(o), repository: repository(o), tag: tag(o) };
  },
  'tag:delete': (raw) => {
    const o = object(raw, ['connection', 'repository', 'tag', 'digest', 'deleteSiblings']);
    return { connection: connection(o), repository: repository(o), tag: tag(o), digest: digest(o), deleteSiblings: optionalBoolean(o, 'deleteSiblings') };
  },
};
