/**
 * Handlers and payload checks of the browse channels: repositories, tags, image details,
 * repository sizes, refresh, and the safe tag delete (preview, then delete of the confirmed digest).
 */
import type { Browser } from '../browse/browser';
import { searchConnection } from '../browse/search';
import { MAX_LIST_OFFSET, type RepositoriesArgs, type RepositorySort, type SortDirection } from '../contract/browse';
import { MAX_SEARCH_QUERY, type SearchArgs } from '../contract/search';
import type { DeleteMethod } from '../contract';
import { looksLikeDigest, parseDigest } from '../core/digest';
import { isValidName, isValidTag } from '../core/names';
import { silentLogger, type Logger } from '../logger';
import { ArgsError, fieldName, isObject, object, optionalBoolean, optionalInteger, optionalString, optionalStringArray, requiredString, type Checks } from './args-kit';
import { pullGlobs } from './caller-access';
import { toApiError } from './errors';
import type { CoreHandler } from './handler-types';

/** The channels of this area. */
export type BrowseChannel =
  | 'browse:repositories'
  | 'browse:tags'
  | 'browse:image'
  | 'browse:repository-size'
  | 'browse:refresh'
  | 'tag:delete-preview'
  | 'tag:delete'
  | 'tags:delete-plan'
  | 'tags:delete'
  | 'browse:search';

/** The channels of this area, at run time. */
export const BROWSE_CHANNELS: readonly BrowseChannel[] = [
  'browse:repositories',
  'browse:tags',
  'browse:image',
  'browse:repository-size',
  'browse:refresh',
  'tag:delete-preview',
  'tag:delete',
  'tags:delete-plan',
  'tags:delete',
  'browse:search',
];

/** Builds the handlers of the browse channels over a Browser; `log` gets the unexpected failures of a delete's images. */
export function createBrowseHandlers(browser: Browser, log: Logger = silentLogger): { [C in BrowseChannel]: CoreHandler<C> } {
  return {
    'browse:repositories': (args, _emit, scope) => browser.repositories(args, pullGlobs(scope)),
    'browse:tags': (args) => browser.tags(args),
    'browse:image': (args) => browser.image(args),
    'browse:repository-size': (args) => browser.repositorySize(args),
    'browse:refresh': (args) => browser.refresh(args),
    'tag:delete-preview': (args) => browser.deletePreview(args),
    'tag:delete': (args) => browser.deleteTag(args),
    'browse:search': (args, _emit, scope) => searchConnection(browser, args, pullGlobs(scope)),
    'tags:delete-plan': (args) => browser.deletePlan(args),
    'tags:delete': async (args) => {
      const run = await browser.deleteTags(args);
      // Each image's failure in the one error shape every bridge answers with.
      return { ...run, failed: run.failed.map((f) => ({ digest: f.digest, tags: f.tags, error: toApiError(f.error, log, 'tags:delete') })) };
    },
  };
}

/** Tags per plan, and selected tags per image of a delete. */
const MAX_TAGS = 1000;
/** Tags in a delete's payload in all (selected and those previewed to go with their manifests). */
const MAX_NAMED_TAGS = 100_000;
const DELETE_METHODS: readonly DeleteMethod[] = ['tag', 'manifest', 'unsupported', 'unknown'];

/** A list of valid tags, each once; `seen` spans several lists of one payload. */
function tagList(o: Record<string, unknown>, key: string, seen = new Set<string>()): string[] {
  const list = optionalStringArray(o, key);
  if (list === undefined) throw new ArgsError(`${key} must be a list of strings`);
  for (const t of list) {
    if (!isValidTag(t)) throw new ArgsError(`${key}: ${JSON.stringify(t)} is not a valid tag`);
    if (seen.has(t)) throw new ArgsError(`${key}: ${JSON.stringify(t)} is listed twice`);
    seen.add(t);
  }
  return list;
}

/** The images of a `tags:delete`: 1 to 1,000, each a digest with 1 to 1,000 selected tags; no tag twice in the payload. */
function plannedImages(o: Record<string, unknown>): Array<{ digest: string; tags: string[]; alsoDeleted: string[] }> {
  const raw = o.images;
  if (!Array.isArray(raw) || raw.length < 1 || raw.length > MAX_TAGS) throw new ArgsError(`images must list 1 to ${MAX_TAGS} images`);
  const seen = new Set<string>();
  const digests = new Set<string>();
  return raw.map((item) => {
    if (!isObject(item)) throw new ArgsError('each image must be an object');
    const i = object(item, ['digest', 'tags', 'alsoDeleted']);
    const d = digest(i);
    if (digests.has(d)) throw new ArgsError(`images: ${d} is listed twice`);
    digests.add(d);
    const tags = tagList(i, 'tags', seen);
    if (tags.length < 1 || tags.length > MAX_TAGS) throw new ArgsError(`each image lists 1 to ${MAX_TAGS} selected tags`);
    const alsoDeleted = tagList(i, 'alsoDeleted', seen);
    if (seen.size > MAX_NAMED_TAGS) throw new ArgsError(`a delete names at most ${MAX_NAMED_TAGS} tags`);
    return { digest: d, tags, alsoDeleted };
  });
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

/** Longest search text taken (repository names are at most 255 characters). */
export const MAX_QUERY_LENGTH = 256;

/** A search text, bounded: it is matched as a literal, never as a pattern. */
function query(o: Record<string, unknown>, key = 'query'): string | undefined {
  const q = optionalString(o, key);
  if (q !== undefined && q.length > MAX_QUERY_LENGTH) throw new ArgsError(`${key} must be at most ${MAX_QUERY_LENGTH} characters`);
  return q;
}

const SORTS: readonly RepositorySort[] = ['name', 'tags', 'size'];

/** `sort`, `dir` and `page` of a listing, and whether `last` fits them. */
function listingOrder(o: Record<string, unknown>, n: number): Pick<RepositoriesArgs, 'sort' | 'dir' | 'page'> {
  const sort = o.sort;
  if (sort !== undefined && !SORTS.includes(sort as RepositorySort)) throw new ArgsError(`sort must be one of ${SORTS.join(', ')}`);
  const dir = o.dir;
  if (dir !== undefined && dir !== 'asc' && dir !== 'desc') throw new ArgsError('dir must be asc or desc');
  const page = optionalInteger(o, 'page', 1, MAX_LIST_OFFSET);
  if (page !== undefined && (page - 1) * n >= MAX_LIST_OFFSET)
    throw new ArgsError(`page ${page} of ${n} rows is beyond the ${MAX_LIST_OFFSET} rows a listing pages through`);
  if (o.last !== undefined) {
    if (page !== undefined) throw new ArgsError('last and page cannot be combined: last is the cursor of paging by name');
    if ((sort ?? 'name') !== 'name' || dir === 'desc') throw new ArgsError('last pages by name in ascending order only; use page for other orders');
  }
  return { sort: sort as RepositorySort | undefined, dir: dir as SortDirection | undefined, page };
}

/** The beginning of a tag (tags are case-sensitive: it is taken as typed). */
function tagPrefix(text: string): string {
  if (/^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/.test(text)) return text;
  throw new ArgsError(`${JSON.stringify(text)} cannot begin a tag: a tag is up to 128 letters, digits, _, . and -, and starts with a letter, digit or _`);
}

/** A digest or its beginning as `alg:hex` (lower case); `sha256:` when no algorithm is given. */
function digestPrefix(text: string): string {
  const m = /^(?:(sha256|sha512):)?([0-9a-fA-F]+)$/.exec(text);
  const alg = m?.[1] ?? 'sha256';
  const hex = m?.[2]?.toLowerCase() ?? '';
  if (m && hex.length >= 4 && hex.length <= (alg === 'sha512' ? 128 : 64)) return `${alg}:${hex}`;
  throw new ArgsError(`${JSON.stringify(text)} is not a digest or the beginning of one: give at least 4 hex digits, with or without sha256:`);
}

/** Payload checks of this area. */
export const BROWSE_CHECKS: Checks<BrowseChannel> = {
  'browse:repositories': (raw) => {
    const o = object(raw, ['connection', 'n', 'last', 'query', 'refresh', 'sort', 'dir', 'page']);
    const n = optionalInteger(o, 'n', 1, 1000) ?? DEFAULT_N;
    return { connection: connection(o), n, last: optionalString(o, 'last'), query: query(o), refresh: optionalBoolean(o, 'refresh'), ...listingOrder(o, n) };
  },
  'browse:tags': (raw) => {
    const o = object(raw, ['connection', 'repository', 'n', 'last', 'query', 'refresh']);
    return {
      connection: connection(o),
      repository: repository(o),
      n: optionalInteger(o, 'n', 1, 1000) ?? DEFAULT_N,
      last: optionalString(o, 'last'),
      query: query(o),
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
  'browse:search': (raw): SearchArgs => {
    const o = object(raw, ['connection', 'query', 'kind', 'repositories', 'n', 'page']);
    const kind = o.kind;
    if (kind !== 'tag' && kind !== 'digest') throw new ArgsError('kind must be tag or digest');
    const text = requiredString(o, 'query').trim();
    if (!text) throw new ArgsError('query must not be empty');
    if (text.length > MAX_SEARCH_QUERY) throw new ArgsError(`query must be at most ${MAX_SEARCH_QUERY} characters`);
    const n = optionalInteger(o, 'n', 1, 200) ?? 50;
    const page = optionalInteger(o, 'page', 1, MAX_LIST_OFFSET) ?? 1;
    if ((page - 1) * n >= MAX_LIST_OFFSET) throw new ArgsError(`page ${page} of ${n} hits is beyond the ${MAX_LIST_OFFSET} a search pages through`);
    return {
      connection: connection(o),
      kind,
      query: kind === 'tag' ? tagPrefix(text) : digestPrefix(text),
      repositories: query(o, 'repositories'),
      n,
      page,
    };
  },
  'tag:delete': (raw) => {
    const o = object(raw, ['connection', 'repository', 'tag', 'digest', 'deleteSiblings']);
    return { connection: connection(o), repository: repository(o), tag: tag(o), digest: digest(o), deleteSiblings: optionalBoolean(o, 'deleteSiblings') };
  },
  'tags:delete-plan': (raw) => {
    const o = object(raw, ['connection', 'repository', 'tags']);
    const tags = tagList(o, 'tags');
    if (tags.length < 1 || tags.length > MAX_TAGS) throw new ArgsError(`tags must list 1 to ${MAX_TAGS} tags`);
    return { connection: connection(o), repository: repository(o), tags };
  },
  'tags:delete': (raw) => {
    const o = object(raw, ['connection', 'repository', 'method', 'images', 'unresolved']);
    const method = requiredString(o, 'method') as DeleteMethod;
    if (!DELETE_METHODS.includes(method)) throw new ArgsError(`method must be one of ${DELETE_METHODS.join(', ')}`);
    const unresolved = o.unresolved === undefined ? undefined : tagList(o, 'unresolved');
    if (unresolved && unresolved.length > MAX_NAMED_TAGS) throw new ArgsError(`unresolved names at most ${MAX_NAMED_TAGS} tags`);
    return { connection: connection(o), repository: repository(o), method, images: plannedImages(o), ...(unresolved ? { unresolved } : {}) };
  },
};
