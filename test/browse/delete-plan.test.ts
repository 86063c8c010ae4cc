/**
 * Deleting a selection of tags (`tags:delete-plan`, then `tags:delete`) through the core handler
 * table and `dispatch`, against the real thing on every side: the local registry in-process (the
 * plan's GC figure checked against a GC preview), a real `berth serve` with token auth (deletes
 * tags; a user without the delete right), and a real `docker-registry` (registry:2 2.8.2: deletes
 * whole manifests only, which the very first plan must already say).
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrowseHandlers } from '../../src-server/api/browse';
import { createCoreHandlers, dispatch, type CoreHandlers } from '../../src-server/api/handlers';
import { Browser } from '../../src-server/browse/browser';
import { BrowseCache } from '../../src-server/browse/cache';
import { LocalSource } from '../../src-server/browse/local-source';
import { RemoteSource } from '../../src-server/browse/remote-source';
import type { RegistrySource } from '../../src-server/browse/source';
import type { Envelope, TagsDeleteArgs, TagsDeletePlan, TagsDeleteResult } from '../../src-server/contract';
import { silentLogger } from '../../src-server/logger';
import { RemoteRegistry } from '../../src-server/remote/client';
import { createServices, type Services } from '../../src-server/services';
import { berthWorkspace, runBerth, type RunningBerth } from '../helpers/berth-server';
import { startRegistry2, type RunningRegistry2 } from '../helpers/registry2';
import { bytes, putImage, putIndex, type Written } from './fixtures';

const ws = berthWorkspace('berth-delete-plan-');
let services: Services;
let db: Database.Database;
let berth: RunningBerth;
let reg2: RunningRegistry2;
const sources = new Map<string, RegistrySource>();

const DELETER = { username: 'deleter', password: 'deleter-pw-4e1a' };
const PUSHER = { username: 'pusher', password: 'pusher-pw-9c2b' };

/** A fresh handler table: nothing learned about any connection yet (as after a start). */
function freshHandlers(): CoreHandlers {
  const browser = new Browser({
    cache: new BrowseCache(db),
    source: async (id) => {
      const s = sources.get(id);
      if (!s) throw new Error(`unknown connection ${id}`);
      return s;
    },
    registry: services.registry,
    concurrency: 4,
  });
  return createCoreHandlers({ registry: services.registry, log: silentLogger, app: createBrowseHandlers(browser, silentLogger) });
}

let handlers: CoreHandlers;
const call = (channel: string, args?: unknown, table = handlers) => dispatch(table, channel, args, () => {}, silentLogger) as Promise<Envelope<any>>;
async function ok<T>(channel: string, args: unknown, table = handlers): Promise<T> {
  const env = await call(channel, args, table);
  if (!env.ok) throw new Error(`${channel}: ${JSON.stringify(env.error)}`);
  return env.result as T;
}

/** The delete of a plan exactly as previewed (what the GUI sends after the user confirmed). */
const argsOf = (plan: TagsDeletePlan, acceptUnresolved = false): TagsDeleteArgs => ({
  connection: plan.connection,
  repository: plan.repository,
  method: plan.method,
  images: plan.images.map((i) => ({ digest: i.digest, tags: i.tags, alsoDeleted: i.alsoDeleted })),
  ...(acceptUnresolved ? { unresolved: plan.unresolved } : {}),
});

const remote = (id: string, url: string, credentials?: { username: string; password: string }) =>
  new RemoteSource({ id, client: new RemoteRegistry({ url, credentials }), kind: 'registry' });

beforeAll(async () => {
  services = await createServices({ dataDir: join(ws.dir, 'local'), fsync: false, log: silentLogger });
  sources.set('local', new LocalSource(services.registry, () => '127.0.0.1:5000'));
  db = new Database(':memory:');

  const berthData = ws.fresh('berth');
  for (const [user, access] of [[DELETER, 'pull@*,push@*,delete@*'], [PUSHER, 'pull@*,push@*']] as const) {
    const added = await runBerth(['user', 'add', user.username, '--password-stdin', '--access', access, '--data', berthData], { input: `${user.password}\n` });
    expect(added.code, added.stderr).toBe(0);
  }
  berth = await ws.serve(berthData, ['--auth', 'token']);
  sources.set('berth', remote('berth', berth.url, DELETER));
  sources.set('berth-pusher', remote('berth-pusher', berth.url, PUSHER));

  const r2 = ws.fresh('reg2');
  mkdirSync(r2, { recursive: true });
  reg2 = await startRegistry2(join(r2, 'data'), r2);
  sources.set('reg2', remote('reg2', reg2.url));
}, 60_000);

afterAll(async () => {
  await reg2?.kill();
  db?.close();
  services?.close();
});

describe('the local registry', () => {
  let one: Written;
  let two: Written;
  let three: Written;
  const L = { shared: bytes('local-shared', 5000), one: bytes('local-one', 2000), two: bytes('local-two', 1500), both: bytes('local-23', 900), three: bytes('local-three', 700) };

  beforeAll(async () => {
    const src = sources.get('local')!;
    // one: a, b, c. two: d. three: e. two and three share a layer only they use; every image has
    // a layer that another repository's tagged image also uses.
    one = await putImage(src, 'team/app', 'a', { layers: [L.shared, L.one] });
    for (const t of ['b', 'c']) await src.putManifest('team/app', t, one.body, one.mediaType);
    two = await putImage(src, 'team/app', 'd', { layers: [L.shared, L.both, L.two] });
    three = await putImage(src, 'team/app', 'e', { layers: [L.shared, L.both, L.three], architecture: 'arm64' });
    await putImage(src, 'team/other', 'keep', { layers: [L.shared] });
    handlers = freshHandlers();
  });

  it('plans the whole selection: which images stay tagged, which are left untagged, what a GC frees', async () => {
    const plan = await ok<TagsDeletePlan>('tags:delete-plan', { connection: 'local', repository: 'team/app', tags: ['a', 'b', 'd', 'e'] });
    expect(plan).toMatchObject({ connection: 'local', repository: 'team/app', method: 'tag', missing: [], unresolved: [] });
    expect(plan.methodReason).toMatch(/deletes tags/);
    expect(plan.images).toEqual([
      { digest: one.digest, tags: ['a', 'b'], alsoDeleted: [], kept: ['c'], outcome: 'tagged' },
      { digest: two.digest, tags: ['d'], alsoDeleted: [], kept: [], outcome: 'untagged' },
      { digest: three.digest, tags: ['e'], alsoDeleted: [], kept: [], outcome: 'untagged' },
    ]);
    // Freed: two's and three's manifests, configs and own layers, and the layer only they share
    // (once); not the layer team/other still uses, nothing of one (c keeps it).
    const freed = two.size + three.size + two.blobs[0]!.size + three.blobs[0]!.size + L.two.length + L.three.length + L.both.length;
    expect(plan.totals).toEqual({ tags: 4, images: 3, untagged: 2, deleted: 0, reclaimable: freed });
  });

  it('deletes exactly the plan; once the trash lets go, a GC deleting untagged manifests frees what the plan said', async () => {
    const gcBefore = await ok<{ bytesRemoved: number }>('gc:run', { dryRun: true, deleteUntagged: true, graceSeconds: 0 });
    const plan = await ok<TagsDeletePlan>('tags:delete-plan', { connection: 'local', repository: 'team/app', tags: ['a', 'b', 'd', 'e'] });
    const result = await ok<TagsDeleteResult>('tags:delete', argsOf(plan));
    expect(result).toEqual({ removed: ['a', 'b', 'd', 'e'], deletedManifests: [], untagged: [two.digest, three.digest].sort(), failed: [] });
    expect(await sources.get('local')!.tags('team/app')).toEqual(['c']);
    // Left untagged, not deleted: still there by digest.
    expect((await sources.get('local')!.headManifest('team/app', two.digest))?.digest).toBe(two.digest);
    // The deleted tags went to the trash, which holds what they need back from a collection.
    const held = await ok<{ bytesRemoved: number }>('gc:run', { dryRun: true, deleteUntagged: true, graceSeconds: 0 });
    expect(held.bytesRemoved).toBe(gcBefore.bytesRemoved);
    expect(plan.totals.reclaimable).toBeGreaterThan(0);
    await ok('trash:empty', {});
    const gcAfter = await ok<{ bytesRemoved: number }>('gc:run', { dryRun: true, deleteUntagged: true, graceSeconds: 0 });
    expect(gcAfter.bytesRemoved - gcBefore.bytesRemoved).toBe(plan.totals.reclaimable);
  });

  it('after the last tag goes, the repository size says what the repository list says it stores', async () => {
    const plan = await ok<TagsDeletePlan>('tags:delete-plan', { connection: 'local', repository: 'team/app', tags: ['c'] });
    expect(plan.images).toEqual([{ digest: one.digest, tags: ['c'], alsoDeleted: [], kept: [], outcome: 'untagged' }]);
    await ok('tags:delete', argsOf(plan));
    const size = await ok<{ tags: number; bytes: number; stored?: number }>('browse:repository-size', { connection: 'local', repository: 'team/app' });
    const listed = await ok<{ items: Array<{ name: string; size: number | null; tagCount: number | null }> }>('browse:repositories', { connection: 'local', query: 'team/app' });
    const row = listed.items.find((r) => r.name === 'team/app')!;
    expect(size).toMatchObject({ tags: 0, bytes: 0 });
    expect(row.tagCount).toBe(0);
    expect(size.stored).toBe(row.size);
    expect(size.stored).toBeGreaterThan(0);
  });

  it('refuses an image whose tag moved since the plan (TAG_MOVED) and deletes the rest', async () => {
    const src = sources.get('local')!;
    const x = await putImage(src, 'moves', 'x', { layers: [bytes('moves-x', 300)] });
    const y = await putImage(src, 'moves', 'y', { layers: [bytes('moves-y', 300)] });
    const plan = await ok<TagsDeletePlan>('tags:delete-plan', { connection: 'local', repository: 'moves', tags: ['x', 'y'] });
    await src.putManifest('moves', 'x', y.body, y.mediaType);
    const result = await ok<TagsDeleteResult>('tags:delete', argsOf(plan));
    expect(result.removed).toEqual(['y']);
    expect(result.failed).toEqual([{ digest: x.digest, tags: ['x'], error: expect.objectContaining({ code: 'TAG_MOVED' }) }]);
    expect(result.failed[0]!.error.message).toMatch(/x now points at .*nothing of this image was deleted/);
    expect(await src.tags('moves')).toEqual(['x']);
  });

  it('records each tag that went in the audit log, with the digest it pointed at', async () => {
    const src = sources.get('local')!;
    const img = await putImage(src, 'audited', 'p', { layers: [bytes('audited', 100)] });
    await src.putManifest('audited', 'q', img.body, img.mediaType);
    const plan = await ok<TagsDeletePlan>('tags:delete-plan', { connection: 'local', repository: 'audited', tags: ['p', 'q'] });
    const recorded: Array<{ action: string; target: string; result?: string; detail?: unknown }> = [];
    const audit = { sink: { record: (_: unknown, e: (typeof recorded)[number]) => void recorded.push(e) }, actor: { user: 'admin', address: '127.0.0.1', via: 'gui' as const } };
    const env = await dispatch(handlers, 'tags:delete', argsOf(plan), () => {}, silentLogger, { audit });
    expect(env.ok).toBe(true);
    expect(recorded).toEqual(
      ['p', 'q'].map((t) => ({ action: 'tag.delete', target: `audited:${t}`, result: 'ok', detail: { connection: 'local', digest: img.digest } })),
    );
  });

  it('a registry with deletes off: the plan says so and plans nothing; the delete is refused', async () => {
    const off = await createServices({ dataDir: join(ws.dir, 'nodelete'), fsync: false, log: silentLogger, deleteEnabled: false });
    try {
      const src = new LocalSource(off.registry, () => '127.0.0.1:5000');
      const img = await putImage(src, 'ro', 't', { layers: [bytes('ro', 100)] });
      const b = new Browser({ cache: new BrowseCache(new Database(':memory:')), source: async () => src, registry: off.registry });
      const table = createCoreHandlers({ registry: off.registry, log: silentLogger, app: createBrowseHandlers(b, silentLogger) });
      const plan = await ok<TagsDeletePlan>('tags:delete-plan', { connection: 'local', repository: 'ro', tags: ['t'] }, table);
      expect(plan).toMatchObject({ method: 'unsupported', images: [], totals: { tags: 0 } });
      expect(plan.methodReason).toMatch(/storage\.delete\.enabled/);
      const refused = await call('tags:delete', { connection: 'local', repository: 'ro', method: 'tag', images: [{ digest: img.digest, tags: ['t'], alsoDeleted: [] }] }, table);
      expect(refused).toMatchObject({ ok: false, error: { code: 'UNSUPPORTED' } });
      expect(await src.tags('ro')).toEqual(['t']);
    } finally {
      off.close();
    }
  });
});

describe('a berth serve with token auth as a remote', () => {
  it('deletes tags alone; the image stays for the unselected tag', async () => {
    const src = sources.get('berth')!;
    const img = await putImage(src, 'tok/app', 'one', { layers: [bytes('tok', 400)] });
    for (const t of ['two', 'three']) await src.putManifest('tok/app', t, img.body, img.mediaType);
    const solo = await putImage(src, 'tok/app', 'solo', { layers: [bytes('tok-solo', 400)] });
    const table = freshHandlers();
    const plan = await ok<TagsDeletePlan>('tags:delete-plan', { connection: 'berth', repository: 'tok/app', tags: ['one', 'two', 'solo'] }, table);
    expect(plan.method).toBe('tag');
    expect(plan.methodReason).toMatch(/does not exist/);
    expect(plan.images).toEqual([
      { digest: img.digest, tags: ['one', 'two'], alsoDeleted: [], kept: ['three'], outcome: 'tagged' },
      { digest: solo.digest, tags: ['solo'], alsoDeleted: [], kept: [], outcome: 'untagged' },
    ]);
    expect(plan.totals).toEqual({ tags: 3, images: 2, untagged: 1, deleted: 0, reclaimable: null });
    const result = await ok<TagsDeleteResult>('tags:delete', argsOf(plan), table);
    expect(result).toEqual({ removed: ['one', 'solo', 'two'], deletedManifests: [], untagged: [solo.digest], failed: [] });
    expect(await src.tags('tok/app')).toEqual(['three']);
    expect((await src.headManifest('tok/app', solo.digest))?.digest).toBe(solo.digest);
  });

  it('a user without the delete right: the plan says the method could not be found out, and the delete is refused', async () => {
    const src = sources.get('berth-pusher')!;
    const img = await putImage(src, 'tok/nodel', 'x', { layers: [bytes('tok-nodel', 100)] });
    const table = freshHandlers();
    const plan = await ok<TagsDeletePlan>('tags:delete-plan', { connection: 'berth-pusher', repository: 'tok/nodel', tags: ['x'] }, table);
    expect(plan.method).toBe('unknown');
    expect(plan.methodReason).toMatch(/could not find out/);
    const result = await ok<TagsDeleteResult>('tags:delete', argsOf(plan), table);
    expect(result.removed).toEqual([]);
    expect(result.failed).toEqual([{ digest: img.digest, tags: ['x'], error: expect.objectContaining({ code: expect.stringMatching(/DENIED|AUTH_FAILED|AUTH_REQUIRED/) }) }]);
    expect(await src.tags('tok/nodel')).toEqual(['x']);
  });
});

describe('registry:2 as a remote', () => {
  it('the very first preview (the old channel too) already knows it deletes whole manifests and names the extra tags', async () => {
    const src = sources.get('reg2')!;
    const img = await putImage(src, 'r2/first', 'a', { layers: [bytes('r2-first', 300)] });
    await src.putManifest('r2/first', 'b', img.body, img.mediaType);
    const oldPlan = await ok<{ method: string; siblings: string[]; message: string }>('tag:delete-preview', { connection: 'reg2', repository: 'r2/first', tag: 'a' }, freshHandlers());
    expect(oldPlan.method).toBe('manifest');
    expect(oldPlan.message).not.toMatch(/Deletes the tag a only/);
    const table = freshHandlers();
    const plan = await ok<TagsDeletePlan>('tags:delete-plan', { connection: 'reg2', repository: 'r2/first', tags: ['a'] }, table);
    expect(plan.method).toBe('manifest');
    expect(plan.methodReason).toMatch(/DIGEST_INVALID|whole manifests/);
    expect(plan.images).toEqual([{ digest: img.digest, tags: ['a'], alsoDeleted: ['b'], kept: [], outcome: 'deleted' }]);
    expect(plan.totals).toEqual({ tags: 2, images: 1, untagged: 0, deleted: 1, reclaimable: null });
    // Nothing was deleted by finding that out.
    expect((await src.tags('r2/first'))?.sort()).toEqual(['a', 'b']);
    const result = await ok<TagsDeleteResult>('tags:delete', argsOf(plan), table);
    expect(result).toEqual({ removed: ['a', 'b'], deletedManifests: [img.digest], untagged: [], failed: [] });
    expect(await src.tags('r2/first')).toEqual([]);
    expect(await src.headManifest('r2/first', img.digest)).toBeNull();
  });

  it('two tags of one digest plus one other: three go, two manifests', async () => {
    const src = sources.get('reg2')!;
    const img = await putImage(src, 'r2/sel', 'a', { layers: [bytes('r2-sel', 300)] });
    await src.putManifest('r2/sel', 'b', img.body, img.mediaType);
    const other = await putImage(src, 'r2/sel', 'c', { layers: [bytes('r2-sel-c', 300)] });
    const keep = await putImage(src, 'r2/sel', 'keep', { layers: [bytes('r2-sel-keep', 300)] });
    const table = freshHandlers();
    const plan = await ok<TagsDeletePlan>('tags:delete-plan', { connection: 'reg2', repository: 'r2/sel', tags: ['a', 'b', 'c'] }, table);
    expect(plan.images).toEqual([
      { digest: img.digest, tags: ['a', 'b'], alsoDeleted: [], kept: [], outcome: 'deleted' },
      { digest: other.digest, tags: ['c'], alsoDeleted: [], kept: [], outcome: 'deleted' },
    ]);
    expect(plan.totals.tags).toBe(3);
    const result = await ok<TagsDeleteResult>('tags:delete', argsOf(plan), table);
    expect(result).toEqual({ removed: ['a', 'b', 'c'], deletedManifests: [img.digest, other.digest].sort(), untagged: [], failed: [] });
    expect(await src.tags('r2/sel')).toEqual(['keep']);
    expect((await src.headManifest('r2/sel', 'keep'))?.digest).toBe(keep.digest);
  });

  it('refuses to take a tag the plan did not name (tagged onto the digest since): SIBLINGS_AFFECTED, nothing goes', async () => {
    const src = sources.get('reg2')!;
    const img = await putImage(src, 'r2/late', 'a', { layers: [bytes('r2-late', 300)] });
    const table = freshHandlers();
    const plan = await ok<TagsDeletePlan>('tags:delete-plan', { connection: 'reg2', repository: 'r2/late', tags: ['a'] }, table);
    expect(plan.images[0]!.alsoDeleted).toEqual([]);
    await src.putManifest('r2/late', 'late', img.body, img.mediaType);
    const result = await ok<TagsDeleteResult>('tags:delete', argsOf(plan), table);
    expect(result.removed).toEqual([]);
    expect(result.failed).toEqual([{ digest: img.digest, tags: ['a'], error: expect.objectContaining({ code: 'SIBLINGS_AFFECTED' }) }]);
    expect(result.failed[0]!.error.message).toMatch(/late/);
    expect((await src.tags('r2/late'))?.sort()).toEqual(['a', 'late']);
  });

  it('refuses a plan made for deleting tags alone: the registry needs more than it said', async () => {
    const src = sources.get('reg2')!;
    const img = await putImage(src, 'r2/wrong', 'a', { layers: [bytes('r2-wrong', 300)] });
    const result = await ok<TagsDeleteResult>('tags:delete', { connection: 'reg2', repository: 'r2/wrong', method: 'tag', images: [{ digest: img.digest, tags: ['a'], alsoDeleted: [] }] }, freshHandlers());
    expect(result.removed).toEqual([]);
    expect(result.failed).toEqual([{ digest: img.digest, tags: ['a'], error: expect.objectContaining({ code: 'PLAN_OUTDATED' }) }]);
    expect(await src.tags('r2/wrong')).toEqual(['a']);
  });

  it('an index: the manifest goes with its platforms listed in the plan as one image', async () => {
    const src = sources.get('reg2')!;
    const amd = await putImage(src, 'r2/multi', null, { layers: [bytes('r2-amd', 200)] });
    const arm = await putImage(src, 'r2/multi', null, { layers: [bytes('r2-arm', 200)], architecture: 'arm64' });
    const idx = await putIndex(src, 'r2/multi', '1.0', [
      { image: amd, platform: { os: 'linux', architecture: 'amd64' } },
      { image: arm, platform: { os: 'linux', architecture: 'arm64' } },
    ]);
    const plan = await ok<TagsDeletePlan>('tags:delete-plan', { connection: 'reg2', repository: 'r2/multi', tags: ['1.0'] }, freshHandlers());
    expect(plan.images).toEqual([{ digest: idx.digest, tags: ['1.0'], alsoDeleted: [], kept: [], outcome: 'deleted' }]);
  });
});

describe('payload checks', () => {
  it.each([
    [{ connection: 'local', repository: 'a', tags: [] }, /tags must list 1 to 1000 tags/],
    [{ connection: 'local', repository: 'a', tags: Array.from({ length: 1001 }, (_, i) => `t${i}`) }, /tags must list 1 to 1000 tags/],
    [{ connection: 'local', repository: 'a', tags: ['ok', '-bad'] }, /"-bad" is not a valid tag/],
    [{ connection: 'local', repository: 'a', tags: 'x' }, /tags must be a list of strings/],
    [{ connection: 'local', repository: 'a', tags: ['x', 'x'] }, /"x" is listed twice/],
  ])('tags:delete-plan refuses %#', async (args, message) => {
    expect(await call('tags:delete-plan', args, freshHandlers())).toMatchObject({ ok: false, error: { code: 'ARGS_INVALID', message: expect.stringMatching(message) } });
  });

  const D = `sha256:${'a'.repeat(64)}`;
  it.each([
    [{ connection: 'local', repository: 'a', method: 'tag', images: [] }, /images must list 1 to 1000 images/],
    [{ connection: 'local', repository: 'a', method: 'maybe', images: [{ digest: D, tags: ['t'], alsoDeleted: [] }] }, /method must be one of/],
    [{ connection: 'local', repository: 'a', method: 'tag', images: [{ digest: 'sha256:1', tags: ['t'], alsoDeleted: [] }] }, /not a valid digest/],
    [{ connection: 'local', repository: 'a', method: 'tag', images: [{ digest: D, tags: [], alsoDeleted: [] }] }, /each image lists 1 to 1000 selected tags/],
    [{ connection: 'local', repository: 'a', method: 'tag', images: [{ digest: D, tags: ['t'], alsoDeleted: ['t'] }] }, /"t" is listed twice/],
    [{ connection: 'local', repository: 'a', method: 'tag', images: [{ digest: D, tags: ['t'] }] }, /alsoDeleted must be a list of strings/],
    [{ connection: 'local', repository: 'a', method: 'tag', images: [{ digest: D, tags: ['t'], alsoDeleted: [], more: 1 }] }, /unknown argument "more"/],
  ])('tags:delete refuses %#', async (args, message) => {
    expect(await call('tags:delete', args, freshHandlers())).toMatchObject({ ok: false, error: { code: 'ARGS_INVALID', message: expect.stringMatching(message) } });
  });
});
