/**
 * The browse channels through the core handler table and `dispatch`, over the local registry
 * in-process: payload checks (ARGS_INVALID), results, and error codes in the envelope.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSE_CHECKS, createBrowseHandlers } from '../../src-server/api/browse';
import { createCoreHandlers, dispatch, type CoreHandlers } from '../../src-server/api/handlers';
import { Browser } from '../../src-server/browse/browser';
import { BrowseCache } from '../../src-server/browse/cache';
import { LocalSource } from '../../src-server/browse/local-source';
import type { Envelope } from '../../src-server/contract';
import { silentLogger } from '../../src-server/logger';
import { createServices, type Services } from '../../src-server/services';
import { tempDir } from '../helpers/berth-server';
import { bytes, putImage, type Written } from './fixtures';

let tmp: ReturnType<typeof tempDir>;
let services: Services;
let handlers: CoreHandlers;
let db: Database.Database;
let img: Written;

beforeAll(async () => {
  tmp = tempDir('berth-browse-api-');
  services = await createServices({ dataDir: join(tmp.dir, 'data'), fsync: false, log: silentLogger });
  const local = new LocalSource(services.registry, () => '127.0.0.1:5000');
  db = new Database(':memory:');
  const browser = new Browser({
    cache: new BrowseCache(db),
    source: async (id) => {
      if (id !== 'local') throw new Error(`unknown connection ${id}`);
      return local;
    },
    registry: services.registry,
  });
  handlers = createCoreHandlers({ registry: services.registry, log: silentLogger, app: createBrowseHandlers(browser) });
  img = await putImage(local, 'team/api', 'v1', { layers: [bytes('api', 300)] });
  await local.putManifest('team/api', 'v1-copy', img.body, img.mediaType);
});

afterAll(() => {
  db?.close();
  services?.close();
  tmp?.cleanup();
});

const call = (channel: string, args?: unknown) => dispatch(handlers, channel, args, () => {}, silentLogger) as Promise<Envelope<any>>;

describe('browse channels through dispatch', () => {
  it('serves repositories, tags, image, size, refresh and delete', async () => {
    const repos = await call('browse:repositories', { connection: 'local' });
    expect(repos).toMatchObject({ ok: true, result: { items: [{ name: 'team/api', tagCount: 2 }], next: null, source: 'index', total: 1 } });
    const tags = await call('browse:tags', { connection: 'local', repository: 'team/api', n: 1 });
    expect(tags).toMatchObject({ ok: true, result: { items: [{ name: 'v1', digest: img.digest }], next: 'v1', total: 2 } });
    const image = await call('browse:image', { connection: 'local', repository: 'team/api', reference: 'v1' });
    expect(image).toMatchObject({ ok: true, result: { digest: img.digest, tags: ['v1-copy'] } });
    const size = await call('browse:repository-size', { connection: 'local', repository: 'team/api' });
    expect(size).toMatchObject({ ok: true, result: { tags: 2, images: 1, bytes: img.size + img.blobs.reduce((a, b) => a + b.size, 0) } });
    expect(await call('browse:refresh', { connection: 'local', repository: 'team/api' })).toEqual({ ok: true });
    const plan = await call('tag:delete-preview', { connection: 'local', repository: 'team/api', tag: 'v1' });
    expect(plan).toMatchObject({ ok: true, result: { digest: img.digest, siblings: ['v1-copy'], method: 'tag' } });
    const done = await call('tag:delete', { connection: 'local', repository: 'team/api', tag: 'v1', digest: img.digest });
    expect(done).toEqual({ ok: true, result: { digest: img.digest, method: 'tag', removedTags: ['v1'] } });
  });

  it('answers errors with their codes', async () => {
    expect(await call('browse:tags', { connection: 'local', repository: 'nope' })).toMatchObject({ ok: false, error: { code: 'NAME_UNKNOWN' } });
    expect(await call('browse:image', { connection: 'local', repository: 'team/api', reference: 'missing' })).toMatchObject({ ok: false, error: { code: 'MANIFEST_UNKNOWN' } });
    const moved = await call('tag:delete', { connection: 'local', repository: 'team/api', tag: 'v1-copy', digest: `sha256:${'0'.repeat(64)}` });
    expect(moved).toMatchObject({ ok: false, error: { code: 'TAG_MOVED', detail: { actual: img.digest } } });
  });

  it.each([
    ['browse:repositories', {}, /connection/],
    ['browse:repositories', { connection: '' }, /connection must not be empty/],
    ['browse:repositories', { connection: 'local', n: 0 }, /n must be a whole number from 1 to 1000/],
    ['browse:repositories', { connection: 'local', n: 1001 }, /n must be/],
    ['browse:repositories', { connection: 'local', extra: 1 }, /unknown argument "extra"/],
    ['browse:tags', { connection: 'local', repository: 'Bad Name' }, /not a valid repository name/],
    ['browse:image', { connection: 'local', repository: 'a', reference: 'sha256:xyz' }, /neither a tag nor a digest/],
    ['browse:repository-size', { connection: 'local' }, /repository must be a string/],
    ['browse:refresh', { connection: 'local', repository: '../x' }, /not a valid repository name/],
    ['tag:delete-preview', { connection: 'local', repository: 'a', tag: '-bad' }, /not a valid tag/],
    ['tag:delete', { connection: 'local', repository: 'a', tag: 't' }, /digest must be a string/],
    ['tag:delete', { connection: 'local', repository: 'a', tag: 't', digest: 'sha256:1' }, /not a valid digest/],
    ['tag:delete', { connection: 'local', repository: 'a', tag: 't', digest: img?.digest ?? `sha256:${'1'.repeat(64)}`, deleteSiblings: 'yes' }, /delete siblings must be a boolean/],
  ])('%s refuses %j with ARGS_INVALID', async (channel, args, message) => {
    const env = await call(channel, args);
    expect(env.ok).toBe(false);
    expect(env).toMatchObject({ error: { code: 'ARGS_INVALID', message: expect.stringMatching(message) } });
  });

  it('defaults the page size to 100', () => {
    expect(BROWSE_CHECKS['browse:tags']({ connection: 'x', repository: 'a' })).toMatchObject({ n: 100 });
  });
});
