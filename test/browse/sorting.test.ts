/**
 * `browse:repositories` sorted by the server over the whole list and paged by page number: the
 * local registry in-process (from its index) and a real `docker-registry` as a remote (over its
 * listed names, counts and sizes only where the cache knows them). Expected orders are computed here
 * from what was written, not read back from Berth. Bad sort keys, directions and pages are refused.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSE_CHECKS, createBrowseHandlers, type BrowseChannel } from '../../src-server/api/browse';
import { toApiError } from '../../src-server/api/errors';
import { Browser } from '../../src-server/browse/browser';
import { BrowseCache } from '../../src-server/browse/cache';
import { LocalSource } from '../../src-server/browse/local-source';
import { RemoteSource } from '../../src-server/browse/remote-source';
import type { RegistrySource } from '../../src-server/browse/source';
import type { ApiError } from '../../src-server/contract';
import { silentLogger } from '../../src-server/logger';
import { RemoteRegistry } from '../../src-server/remote/client';
import { createServices, type Services } from '../../src-server/services';
import { berthWorkspace } from '../helpers/berth-server';
import { startRegistry2, type RunningRegistry2 } from '../helpers/registry2';
import { bytes, distinctBytes, putImage } from './fixtures';

const ws = berthWorkspace('berth-browse-sorting-');
let services: Services;
let reg2: RunningRegistry2;
let remoteClient: RemoteRegistry;
let handlers: ReturnType<typeof createBrowseHandlers>;
let browser: Browser;
/** What was written to both registries: name → tag count and distinct bytes. */
const written = new Map<string, { tags: number; bytes: number }>();

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function call(channel: BrowseChannel, args: unknown): Promise<{ ok: boolean; result?: any; error?: ApiError }> {
  try {
    const checked = (BROWSE_CHECKS[channel] as (raw: unknown) => unknown)(args);
    return { ok: true, result: await (handlers[channel] as (a: unknown, emit: () => void) => Promise<unknown>)(checked, () => {}) };
  } catch (err) {
    return { ok: false, error: toApiError(err, silentLogger, channel) };
  }
}

/** Repositories of 1 to 4 tags and layers of different sizes; a few share their tag count or size. */
async function seed(source: RegistrySource): Promise<void> {
  const specs: Array<[string, number, number]> = [
    ['apps/web', 3, 9000],
    ['apps/api', 1, 2500],
    ['base/alpine', 4, 2500],
    ['base/debian', 1, 30000],
    ['tools/ci_runner', 2, 700],
    ['tools/ci-runner', 2, 700],
    ['zeta', 1, 100],
  ];
  for (const [name, tags, size] of specs) {
    const img = await putImage(source, name, 't0', { layers: [bytes(`${name}-layer`, size)] });
    for (let t = 1; t < tags; t++) await source.putManifest(name, `t${t}`, img.body, img.mediaType);
    written.set(name, { tags, bytes: img.size + distinctBytes(img.blobs) });
  }
}

/** The expected order: by the key, ties by name ascending. */
function expected(sort: 'name' | 'tags' | 'size', dir: 'asc' | 'desc', query = ''): string[] {
  const rows = [...written].filter(([name]) => name.includes(query));
  const key = (r: (typeof rows)[number]) => (sort === 'tags' ? r[1].tags : r[1].bytes);
  const sign = dir === 'asc' ? 1 : -1;
  return rows
    .sort((a, b) => (sort === 'name' ? sign * (a[0] < b[0] ? -1 : 1) : sign * (key(a) - key(b)) || (a[0] < b[0] ? -1 : 1)))
    .map(([name]) => name);
}

beforeAll(async () => {
  services = await createServices({ dataDir: ws.fresh('local'), fsync: false, log: silentLogger });
  const local = new LocalSource(services.registry, () => '127.0.0.1:5000');
  const r2dir = ws.fresh('reg2');
  mkdirSync(r2dir, { recursive: true });
  reg2 = await startRegistry2(join(r2dir, 'data'), r2dir);
  remoteClient = new RemoteRegistry({ url: reg2.url });
  const remote = new RemoteSource({ id: 'reg2', client: remoteClient, kind: 'registry' });
  browser = new Browser({
    cache: new BrowseCache(new Database(':memory:')),
    source: async (id) => (id === 'local' ? local : id === 'reg2' ? remote : Promise.reject(new Error(`unknown connection ${id}`))),
    registry: services.registry,
  });
  handlers = createBrowseHandlers(browser);
  await seed(local);
  written.clear();
  await seed(remote);
}, 60_000);

afterAll(async () => {
  await remoteClient?.close();
  await reg2?.kill();
  services?.close();
});

const names = (r: { result?: { items: Array<{ name: string }> } }) => r.result!.items.map((i) => i.name);

describe('the local registry, sorted from its index', () => {
  it.each([
    ['name', 'asc'],
    ['name', 'desc'],
    ['tags', 'asc'],
    ['tags', 'desc'],
    ['size', 'asc'],
    ['size', 'desc'],
  ] as const)('sorts the whole list by %s %s, ties by name', async (sort, dir) => {
    const first = await call('browse:repositories', { connection: 'local', sort, dir, page: 1, n: 3 });
    const second = await call('browse:repositories', { connection: 'local', sort, dir, page: 2, n: 3 });
    const third = await call('browse:repositories', { connection: 'local', sort, dir, page: 3, n: 3 });
    expect([...names(first), ...names(second), ...names(third)]).toEqual(expected(sort, dir));
    expect(first.result).toMatchObject({ page: 1, total: 7, source: 'index' });
    expect(third.result).toMatchObject({ page: 3, total: 7 });
    for (const row of [...first.result.items, ...second.result.items, ...third.result.items]) {
      expect([row.tagCount, row.size]).toEqual([written.get(row.name)!.tags, written.get(row.name)!.bytes]);
    }
  });

  it('filters before sorting and paging; the total counts the matches', async () => {
    const r = await call('browse:repositories', { connection: 'local', query: 'ci', sort: 'size', dir: 'desc', page: 1, n: 10 });
    expect(names(r)).toEqual(expected('size', 'desc', 'ci'));
    expect(r.result.total).toBe(2);
    expect(names(await call('browse:repositories', { connection: 'local', query: 'ci_', sort: 'name', page: 1 }))).toEqual(['tools/ci_runner']);
  });

  it('answers a page past the end empty, with the total', async () => {
    expect(await call('browse:repositories', { connection: 'local', sort: 'tags', page: 9, n: 3 })).toMatchObject({ ok: true, result: { items: [], total: 7, page: 9 } });
  });

  it('still pages by name with `last`', async () => {
    expect(await call('browse:repositories', { connection: 'local', n: 2, last: 'apps/web' })).toMatchObject({ ok: true, result: { items: [{ name: 'base/alpine' }, { name: 'base/debian' }], next: 'base/debian' } });
  });
});

describe('a remote, sorted over its listed names', () => {
  it('sorts by name both ways, paged, with the total of the listing', async () => {
    const asc = await call('browse:repositories', { connection: 'reg2', sort: 'name', dir: 'asc', page: 2, n: 3 });
    expect(asc.result).toMatchObject({ page: 2, total: 7, source: 'catalog' });
    expect(names(asc)).toEqual(expected('name', 'asc').slice(3, 6));
    expect(names(await call('browse:repositories', { connection: 'reg2', sort: 'name', dir: 'desc', page: 1, n: 10 }))).toEqual(expected('name', 'desc'));
  });

  it('sorts by tags and size where the cache knows them, the unknown last by name', async () => {
    for (const name of ['base/debian', 'apps/web', 'zeta']) await call('browse:repository-size', { connection: 'reg2', repository: name });
    const bySize = names(await call('browse:repositories', { connection: 'reg2', sort: 'size', dir: 'desc', page: 1, n: 10 }));
    expect(bySize).toEqual(['base/debian', 'apps/web', 'zeta', 'apps/api', 'base/alpine', 'tools/ci-runner', 'tools/ci_runner']);
    const byTags = names(await call('browse:repositories', { connection: 'reg2', sort: 'tags', dir: 'asc', page: 1, n: 10 }));
    expect(byTags).toEqual(['base/debian', 'zeta', 'apps/web', 'apps/api', 'base/alpine', 'tools/ci-runner', 'tools/ci_runner']);
  });
});

describe('the kept listing of a remote', () => {
  it('shows what others pushed after a refresh, and what went through Berth at once', async () => {
    const total = async (extra = {}) => (await call('browse:repositories', { connection: 'reg2', page: 1, ...extra })).result.total;
    expect(await total()).toBe(7);
    const elsewhere = new RemoteSource({ id: 'other', client: remoteClient, kind: 'registry' });
    await putImage(elsewhere, 'late/one', 'v1', { layers: [bytes('late-one', 100)] });
    expect(await total()).toBe(7);
    expect(await total({ refresh: true })).toBe(8);
    await putImage(elsewhere, 'late/two', 'v1', { layers: [bytes('late-two', 100)] });
    // A copy or a delete through Berth says which repository it changed.
    browser.invalidate('reg2', 'late/two');
    expect(await total()).toBe(9);
  });
});

describe('bad listing arguments', () => {
  it.each([
    [{ sort: 'bytes' }, /sort must be one of name, tags, size/],
    [{ sort: 'size; DROP TABLE repos' }, /sort must be one of/],
    [{ dir: 'up' }, /dir must be asc or desc/],
    [{ page: 0 }, /page must be a whole number from 1/],
    [{ page: 1.5 }, /page must be a whole number/],
    [{ page: '2' }, /page must be a whole number/],
    [{ page: 10_001, n: 100 }, /page 10001 of 100 rows is beyond the 1000000 rows a listing pages through/],
    [{ page: 2, last: 'a' }, /last and page cannot be combined/],
    [{ sort: 'size', last: 'a' }, /last pages by name in ascending order/],
    [{ query: 'x'.repeat(257) }, /query must be at most 256 characters/],
  ])('refuses %j with ARGS_INVALID', async (extra, message) => {
    const r = await call('browse:repositories', { connection: 'local', ...extra });
    expect(r).toMatchObject({ ok: false, error: { code: 'ARGS_INVALID', message: expect.stringMatching(message) } });
  });
});
