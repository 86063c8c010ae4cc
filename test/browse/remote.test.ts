/**
 * Browsing remote registries over HTTP through RemoteSource: a real `berth serve` (deletes tags
 * itself) and real `docker-registry` (registry:2 v2.8: deletes only by digest; with deletes off it
 * answers 405). The cache is checked by counting the source's calls; the tag TTL with a clock.
 */
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../../src-server/browse/browser';
import { BrowseCache } from '../../src-server/browse/cache';
import { RemoteSource } from '../../src-server/browse/remote-source';
import type { RegistrySource } from '../../src-server/browse/source';
import { MAX_SCAN_PAGES } from '../../src-server/browse/remote-repositories';
import { RemoteRegistry } from '../../src-server/remote/client';
import { RemoteRateLimitError } from '../../src-server/remote/errors';
import { berthWorkspace, type RunningBerth } from '../helpers/berth-server';
import { freePort, registry2Config, startRegistry2, type RunningRegistry2 } from '../helpers/registry2';
import { bytes, distinctBytes, putImage, putIndex, type Written } from './fixtures';

const ws = berthWorkspace('berth-browse-remote-');
let berth: RunningBerth;
let reg2: RunningRegistry2;
let readOnly: { url: string; proc: ChildProcess };
const sources = new Map<string, RegistrySource>();

/** A source that counts the calls made through it (reads and writes), to see what the cache saved. */
function counting(source: RegistrySource): { source: RegistrySource; calls: string[] } {
  const calls: string[] = [];
  const proxy = new Proxy(source, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        calls.push(`${String(prop)} ${args.filter((a) => typeof a === 'string').join(' ')}`);
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { source: proxy, calls };
}

/** A source whose manifest lookups of the `failing` tags answer 429, as a busy registry does. */
function rateLimited(source: RegistrySource, failing: Set<string>): RegistrySource {
  return new Proxy(source, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (prop !== 'headManifest' && prop !== 'getManifest') return typeof v === 'function' ? v.bind(target) : v;
      return (repo: string, ref: string) => {
        if (failing.has(ref)) return Promise.reject(new RemoteRateLimitError('429 too many requests', `${repo}:${ref}`, '30'));
        return (v as (r: string, f: string) => unknown).call(target, repo, ref);
      };
    },
  });
}

const remote = (id: string, url: string) => new RemoteSource({ id, client: new RemoteRegistry({ url }), kind: 'registry' });

function browserOf(opts: { now?: () => number; wrap?: (s: RegistrySource) => RegistrySource } = {}): Browser {
  return new Browser({
    cache: new BrowseCache(new Database(':memory:')),
    source: async (id) => {
      const s = sources.get(id);
      if (!s) throw new Error(`unknown connection ${id}`);
      return opts.wrap ? opts.wrap(s) : s;
    },
    now: opts.now,
    concurrency: 4,
  });
}

/** Two multi-arch tags sharing a base layer, and a single image; returns what was written. */
async function seed(source: RegistrySource, repo: string) {
  const base = bytes(`${repo}-base`, 4000);
  const a = await putImage(source, repo, null, { layers: [base, bytes(`${repo}-a`, 1000)], created: '2024-05-01T00:00:00Z' });
  const b = await putImage(source, repo, null, { layers: [base, bytes(`${repo}-b`, 1200)], architecture: 'arm64', created: '2024-05-02T00:00:00Z' });
  const idx = await putIndex(source, repo, '1.0', [
    { image: a, platform: { os: 'linux', architecture: 'amd64' } },
    { image: b, platform: { os: 'linux', architecture: 'arm64' } },
  ]);
  await source.putManifest(repo, 'stable', idx.body, idx.mediaType);
  const c = await putImage(source, repo, '2.0', { layers: [base, bytes(`${repo}-c`, 800)], docker: true });
  const idxSize = idx.size + a.size + b.size + distinctBytes([...a.blobs, ...b.blobs]);
  return { a, b, idx, c, idxSize, repoSize: idx.size + a.size + b.size + c.size + distinctBytes([...a.blobs, ...b.blobs, ...c.blobs]) };
}

let onBerth: Awaited<ReturnType<typeof seed>>;
let onReg2: Awaited<ReturnType<typeof seed>>;

async function startReadOnlyRegistry2(dir: string): Promise<{ url: string; proc: ChildProcess }> {
  const port = await freePort();
  const config = join(dir, 'ro.yml');
  writeFileSync(config, registry2Config(join(dir, 'ro-data'), port).replace('    enabled: true', '    enabled: false'));
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('REGISTRY_')));
  const proc = spawn('docker-registry', ['serve', config], { env, stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    const ok = await fetch(`${url}/v2/`).then((r) => r.status === 200, () => false);
    if (ok) return { url, proc };
    await new Promise((r) => setTimeout(r, 50));
  }
  proc.kill('SIGKILL');
  throw new Error('read-only docker-registry did not start');
}

beforeAll(async () => {
  berth = await ws.serve(ws.fresh('berth'));
  const r2dir = ws.fresh('reg2');
  mkdirSync(r2dir, { recursive: true });
  reg2 = await startRegistry2(join(r2dir, 'data'), r2dir);
  readOnly = await startReadOnlyRegistry2(r2dir);
  sources.set('berth', remote('berth', berth.url));
  sources.set('reg2', remote('reg2', reg2.url));
  sources.set('ro', remote('ro', readOnly.url));
  onBerth = await seed(sources.get('berth')!, 'team/app');
  onReg2 = await seed(sources.get('reg2')!, 'team/app');
  await seed(sources.get('ro')!, 'team/app');
}, 60_000);

afterAll(async () => {
  await reg2?.kill();
  if (readOnly && readOnly.proc.exitCode === null) {
    const gone = new Promise((r) => readOnly.proc.on('exit', r));
    readOnly.proc.kill('SIGKILL');
    await gone;
  }
});

describe('tags and sizes over HTTP', () => {
  it('lists tags with sizes computed from the manifests, and sizes the repository', async () => {
    for (const [id, seeded] of [['berth', onBerth], ['reg2', onReg2]] as const) {
      const b = browserOf();
      const page = await b.tags({ connection: id, repository: 'team/app' });
      expect(page.items.map((t) => [t.name, t.digest, t.platforms, t.size])).toEqual([
        ['1.0', seeded.idx.digest, ['linux/amd64', 'linux/arm64'], seeded.idxSize],
        ['2.0', seeded.c.digest, ['linux/amd64'], seeded.c.size + distinctBytes(seeded.c.blobs)],
        ['stable', seeded.idx.digest, ['linux/amd64', 'linux/arm64'], seeded.idxSize],
      ]);
      expect(page.items[0]!.created).toBe('2024-05-02T00:00:00Z');
      expect(page.items[0]!.origin).toBeNull();
      expect(await b.repositorySize({ connection: id, repository: 'team/app' })).toEqual({ repository: 'team/app', tags: 3, images: 2, bytes: seeded.repoSize, failed: [] });
      // The catalog: counts and sizes known once computed.
      const repos = await b.repositories({ connection: id, query: 'APP' });
      expect(repos.items).toEqual([{ name: 'team/app', tagCount: 3, size: seeded.repoSize }]);
      expect(repos.source).toBe('catalog');
    }
  });

  it('answers a warm second call from the cache, without a single remote read', async () => {
    let counted!: ReturnType<typeof counting>;
    const b = browserOf({ wrap: (s) => (counted ??= counting(s)).source });
    await b.tags({ connection: 'berth', repository: 'team/app' });
    await b.repositorySize({ connection: 'berth', repository: 'team/app' });
    expect(counted.calls.length).toBeGreaterThan(5);
    counted.calls.length = 0;
    const warm = await b.tags({ connection: 'berth', repository: 'team/app' });
    const size = await b.repositorySize({ connection: 'berth', repository: 'team/app' });
    expect(counted.calls).toEqual([]);
    expect(warm.items.map((t) => t.size)).toEqual([onBerth.idxSize, onBerth.c.size + distinctBytes(onBerth.c.blobs), onBerth.idxSize]);
    expect(size.bytes).toBe(onBerth.repoSize);
  });

  it('re-reads the tag list and digests after the TTL or a refresh, never the content', async () => {
    let now = 1_000_000;
    let counted!: ReturnType<typeof counting>;
    const b = browserOf({ now: () => now, wrap: (s) => (counted ??= counting(s)).source });
    const first = await b.tags({ connection: 'reg2', repository: 'team/app' });
    counted.calls.length = 0;
    now += 59_000;
    await b.tags({ connection: 'reg2', repository: 'team/app' });
    expect(counted.calls).toEqual([]);
    now += 2_000;
    const again = await b.tags({ connection: 'reg2', repository: 'team/app' });
    expect(counted.calls.sort()).toEqual(['headManifest team/app 1.0', 'headManifest team/app 2.0', 'headManifest team/app stable', 'tags team/app']);
    expect(again.listedAt).toBe(new Date(now).toISOString());
    expect(again.items).toEqual(first.items);
    counted.calls.length = 0;
    await b.refresh({ connection: 'reg2', repository: 'team/app' });
    await b.tags({ connection: 'reg2', repository: 'team/app', n: 1 });
    // Forgotten digests: the tag is read whole by tag again (one request), its content by digest not.
    expect(counted.calls.sort()).toEqual(['getManifest team/app 1.0', 'tags team/app']);
  });

  it('shows a tag whose manifest is gone with an error, and the rest of the page', async () => {
    const src = sources.get('reg2')!;
    const img = await putImage(src, 'broken', 'bad', { layers: [bytes('bad', 100)] });
    await putImage(src, 'broken', 'good', { layers: [bytes('good', 100)] });
    const hex = img.digest.slice('sha256:'.length);
    rmSync(join(reg2.dataDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex), { recursive: true });
    const b = browserOf();
    const page = await b.tags({ connection: 'reg2', repository: 'broken' });
    expect(page.items.map((t) => t.name)).toEqual(['bad', 'good']);
    expect(page.items[0]!.error).toMatch(/not found/);
    expect(page.items[0]!.size).toBeNull();
    expect(page.items[1]!.error).toBeUndefined();
    expect(page.items[1]!.size).toBeGreaterThan(100);
    const size = await b.repositorySize({ connection: 'reg2', repository: 'broken' });
    expect(size.failed).toEqual(['bad']);
    expect(size.tags).toBe(1);
  });

  it('gives image details over HTTP with siblings from the resolved tags', async () => {
    const b = browserOf();
    await b.tags({ connection: 'berth', repository: 'team/app' });
    const d = await b.image({ connection: 'berth', repository: 'team/app', reference: 'stable' });
    expect(d.tags).toEqual(['1.0']);
    expect(d.platforms.map((p) => [p.platform, p.sharedBytes])).toEqual([['linux/amd64', 4000], ['linux/arm64', 4000]]);
    expect(d.sharedBytes).toBe(4000);
    expect(d.totalBytes).toBe(onBerth.idxSize);
    expect(d.pullByDigest).toBe(`${berth.host}/team/app@${onBerth.idx.digest}`);
    expect(d.origin).toBeNull();
  });
});

describe('deleting tags on remote registries', () => {
  it('berth serve deletes the tag itself; the sibling stays', async () => {
    const src = sources.get('berth')!;
    const img: Written = await putImage(src, 'del', 'one', { layers: [bytes('del', 50)] });
    await src.putManifest('del', 'two', img.body, img.mediaType);
    const b = browserOf();
    const plan = await b.deletePreview({ connection: 'berth', repository: 'del', tag: 'one' });
    expect(plan).toMatchObject({ digest: img.digest, siblings: ['two'], method: 'tag' });
    expect(await b.deleteTag({ connection: 'berth', repository: 'del', tag: 'one', digest: img.digest })).toEqual({ digest: img.digest, method: 'tag', removedTags: ['one'] });
    expect(await src.tags('del')).toEqual(['two']);
    // The cache forgot the old list.
    expect((await b.tags({ connection: 'berth', repository: 'del' })).items.map((t) => t.name)).toEqual(['two']);
  });

  it('registry:2 deletes by digest only: refused with siblings, done with deleteSiblings', async () => {
    const src = sources.get('reg2')!;
    const img = await putImage(src, 'del', 'one', { layers: [bytes('del2', 50)] });
    await src.putManifest('del', 'two', img.body, img.mediaType);
    const keep = await putImage(src, 'del', 'other', { layers: [bytes('keep', 50)] });
    const b = browserOf();
    const err = await b.deleteTag({ connection: 'reg2', repository: 'del', tag: 'one', digest: img.digest }).catch((e) => e);
    expect(err).toMatchObject({ code: 'SIBLINGS_AFFECTED', status: 409, detail: { siblings: ['two'] } });
    expect((await src.tags('del'))?.sort()).toEqual(['one', 'other', 'two']);
    const plan = await b.deletePreview({ connection: 'reg2', repository: 'del', tag: 'one' });
    expect(plan).toMatchObject({ method: 'manifest', siblings: ['two'] });
    expect(plan.message).toMatch(/digest only.*two/);
    const done = await b.deleteTag({ connection: 'reg2', repository: 'del', tag: 'one', digest: img.digest, deleteSiblings: true });
    expect(done).toEqual({ digest: img.digest, method: 'manifest', removedTags: ['one', 'two'] });
    expect(await src.tags('del')).toEqual(['other']);
    expect((await src.headManifest('del', 'other'))?.digest).toBe(keep.digest);
  });

  it('refuses with TAG_MOVED when the tag moved after the preview', async () => {
    const src = sources.get('reg2')!;
    const first = await putImage(src, 'moving', 'live', { layers: [bytes('m1', 60)] });
    const b = browserOf();
    expect((await b.deletePreview({ connection: 'reg2', repository: 'moving', tag: 'live' })).digest).toBe(first.digest);
    const second = await putImage(src, 'moving', 'live', { layers: [bytes('m2', 60)] });
    await expect(b.deleteTag({ connection: 'reg2', repository: 'moving', tag: 'live', digest: first.digest })).rejects.toMatchObject({
      code: 'TAG_MOVED',
      detail: { expected: first.digest, actual: second.digest },
    });
    expect((await src.headManifest('moving', 'live'))?.digest).toBe(second.digest);
  });

  it('says clearly when the registry refuses deletes (405), and remembers it', async () => {
    const b = browserOf();
    const plan = await b.deletePreview({ connection: 'ro', repository: 'team/app', tag: '2.0' });
    const err = await b.deleteTag({ connection: 'ro', repository: 'team/app', tag: '2.0', digest: plan.digest }).catch((e) => e);
    expect(err).toMatchObject({ code: 'UNSUPPORTED', message: 'this registry does not allow deletes: registry:2 needs storage.delete.enabled: true' });
    expect((await b.deletePreview({ connection: 'ro', repository: 'team/app', tag: '2.0' })).method).toBe('unsupported');
    expect(await sources.get('ro')!.tags('team/app')).toContain('2.0');
  });

  it('a tag that could not be checked counts as a possible sibling of a digest delete (registry:2)', async () => {
    const src = sources.get('reg2')!;
    const img = await putImage(src, 'flaky', 'one', { layers: [bytes('flaky', 50)] });
    await src.putManifest('flaky', 'two', img.body, img.mediaType);
    await putImage(src, 'flaky', 'other', { layers: [bytes('flaky-other', 50)] });
    const failing = new Set(['two']);
    const b = browserOf({ wrap: (s) => (s === src ? rateLimited(s, failing) : s) });
    const plan = await b.deletePreview({ connection: 'reg2', repository: 'flaky', tag: 'one' });
    expect(plan).toMatchObject({ digest: img.digest, siblings: [], unresolved: ['two'] });
    expect(plan.message).toMatch(/The tags two could not be checked/);
    const err = await b.deleteTag({ connection: 'reg2', repository: 'flaky', tag: 'one', digest: img.digest }).catch((e) => e);
    expect(err).toMatchObject({ code: 'SIBLINGS_AFFECTED', detail: { siblings: [], unresolved: ['two'] } });
    expect(err.message).toMatch(/two could not be checked/);
    expect((await src.tags('flaky'))?.sort()).toEqual(['one', 'other', 'two']);
    // Now that the method is known, the preview says what a delete by digest may take with it.
    const again = await b.deletePreview({ connection: 'reg2', repository: 'flaky', tag: 'one' });
    expect(again).toMatchObject({ method: 'manifest', unresolved: ['two'] });
    expect(again.message).toMatch(/two could not be checked.*deleted too/);
    // A whole-repository delete would be half done: nothing goes.
    const repoErr = await b.deleteRepository('reg2', 'flaky').catch((e) => e);
    expect(repoErr).toMatchObject({ code: 'TOOMANYREQUESTS', detail: { repository: 'flaky', unresolved: ['two'] } });
    expect(repoErr.message).toMatch(/^nothing was deleted: the tags two of flaky could not be checked/);
    expect((await src.tags('flaky'))?.sort()).toEqual(['one', 'other', 'two']);
    // Confirmed: deleted by digest, the unchecked tag with it.
    expect(await b.deleteTag({ connection: 'reg2', repository: 'flaky', tag: 'one', digest: img.digest, deleteSiblings: true })).toEqual({
      digest: img.digest,
      method: 'manifest',
      removedTags: ['one', 'two'],
    });
    expect(await src.tags('flaky')).toEqual(['other']);
    // Once every tag answers, the plan has no unresolved field.
    failing.clear();
    expect(await b.deletePreview({ connection: 'reg2', repository: 'flaky', tag: 'other' })).not.toHaveProperty('unresolved');
  });

  it('a registry that refuses deletes (405) is said before any question about siblings', async () => {
    const b = browserOf();
    const plan = await b.deletePreview({ connection: 'ro', repository: 'team/app', tag: '1.0' });
    expect(plan.siblings).toEqual(['stable']);
    const err = await b.deleteTag({ connection: 'ro', repository: 'team/app', tag: '1.0', digest: plan.digest }).catch((e) => e);
    expect(err).toMatchObject({ code: 'UNSUPPORTED', message: 'this registry does not allow deletes: registry:2 needs storage.delete.enabled: true' });
    expect((await b.deletePreview({ connection: 'ro', repository: 'team/app', tag: '1.0' })).method).toBe('unsupported');
    expect((await sources.get('ro')!.tags('team/app'))?.sort()).toEqual(['1.0', '2.0', 'stable']);
  });

  it('a selection plan names the tags that could not be checked; the digest delete takes them only once accepted', async () => {
    const src = sources.get('reg2')!;
    const img = await putImage(src, 'flaky-sel', 'one', { layers: [bytes('flaky-sel', 50)] });
    await src.putManifest('flaky-sel', 'two', img.body, img.mediaType);
    await putImage(src, 'flaky-sel', 'other', { layers: [bytes('flaky-sel-other', 50)] });
    const b = browserOf({ wrap: (s) => (s === src ? rateLimited(s, new Set(['two'])) : s) });
    const plan = await b.deletePlan({ connection: 'reg2', repository: 'flaky-sel', tags: ['one'] });
    expect(plan).toMatchObject({ method: 'manifest', unresolved: ['two'], images: [{ digest: img.digest, tags: ['one'], alsoDeleted: [], outcome: 'deleted' }] });
    const args = { connection: 'reg2', repository: 'flaky-sel', method: plan.method, images: [{ digest: img.digest, tags: ['one'], alsoDeleted: [] }] };
    const refused = await b.deleteTags(args);
    expect(refused).toMatchObject({ removed: [], failed: [{ digest: img.digest, tags: ['one'], error: { code: 'SIBLINGS_AFFECTED' } }] });
    expect((await src.tags('flaky-sel'))?.sort()).toEqual(['one', 'other', 'two']);
    const done = await b.deleteTags({ ...args, unresolved: plan.unresolved });
    expect(done).toEqual({ removed: ['one', 'two'], deletedManifests: [img.digest], untagged: [], failed: [] });
    expect(await src.tags('flaky-sel')).toEqual(['other']);
  });

  it('a selection plan on a registry that refuses deletes (405) says so from the first call, and nothing goes', async () => {
    const b = browserOf();
    const plan = await b.deletePlan({ connection: 'ro', repository: 'team/app', tags: ['1.0', '2.0'] });
    expect(plan).toMatchObject({ method: 'unsupported', images: [], missing: [], totals: { tags: 0, images: 0 } });
    expect(plan.methodReason).toMatch(/405 UNSUPPORTED.*storage\.delete\.enabled/);
    const digest = (await sources.get('ro')!.headManifest('team/app', '2.0'))!.digest;
    await expect(b.deleteTags({ connection: 'ro', repository: 'team/app', method: 'manifest', images: [{ digest, tags: ['2.0'], alsoDeleted: [] }] })).rejects.toMatchObject({
      code: 'UNSUPPORTED',
      message: expect.stringMatching(/^nothing was deleted: this registry does not allow deletes/),
    });
    expect((await sources.get('ro')!.tags('team/app'))?.sort()).toEqual(['1.0', '2.0', 'stable']);
  });

  it('deletes a whole remote repository manifest by manifest', async () => {
    const src = sources.get('reg2')!;
    const s = await seed(src, 'gone');
    const b = browserOf();
    expect(await b.deleteRepository('reg2', 'gone')).toEqual({ tags: 3, manifests: 2 });
    expect(await src.headManifest('gone', s.idx.digest)).toBeNull();
    expect(await src.tags('gone')).toEqual([]);
  });
});

describe('refresh and invalidation', () => {
  it('a refresh forgets repository sizes; refresh on repositories drops the source\'s listings', async () => {
    const src = sources.get('reg2')!;
    await putImage(src, 'sized', 'a', { layers: [bytes('sized-a', 100)] });
    let forgotten = 0;
    const withListings = new Proxy(src, {
      get: (t, p, r) => (p === 'forgetListings' ? () => void forgotten++ : Reflect.get(t, p, r)),
    });
    const b = browserOf({ wrap: (s) => (s === src ? withListings : s) });
    const size = await b.repositorySize({ connection: 'reg2', repository: 'sized' });
    expect((await b.repositories({ connection: 'reg2', query: 'sized' })).items).toEqual([{ name: 'sized', tagCount: 1, size: size.bytes }]);
    expect(forgotten).toBe(0);
    await putImage(src, 'sized', 'b', { layers: [bytes('sized-b', 100)] });
    await b.refresh({ connection: 'reg2', repository: 'sized' });
    expect((await b.repositories({ connection: 'reg2', query: 'sized' })).items).toEqual([{ name: 'sized', tagCount: null, size: null }]);
    await b.repositorySize({ connection: 'reg2', repository: 'sized' });
    await b.refresh({ connection: 'reg2' });
    expect(forgotten).toBe(1);
    expect((await b.repositories({ connection: 'reg2', query: 'sized', refresh: true })).items).toEqual([{ name: 'sized', tagCount: null, size: null }]);
    expect(forgotten).toBe(2);
  });

  it('invalidate(connection, repository) drops the tag list, digests and size a write made stale', async () => {
    const src = sources.get('reg2')!;
    const first = await putImage(src, 'copied', 'v1', { layers: [bytes('copied-1', 100)] });
    let counted!: ReturnType<typeof counting>;
    const b = browserOf({ wrap: (s) => (s === src ? (counted ??= counting(s)).source : s) });
    await b.repositorySize({ connection: 'reg2', repository: 'copied' });
    const second = await putImage(src, 'copied', 'v1', { layers: [bytes('copied-2', 100)] });
    await putImage(src, 'copied', 'v2', { layers: [bytes('copied-3', 100)] });
    // Still cached: the write is not seen.
    expect((await b.tags({ connection: 'reg2', repository: 'copied' })).items.map((t) => [t.name, t.digest])).toEqual([['v1', first.digest]]);
    b.invalidate('reg2', 'copied');
    expect((await b.repositories({ connection: 'reg2', query: 'copied' })).items).toEqual([{ name: 'copied', tagCount: null, size: null }]);
    counted.calls.length = 0;
    expect((await b.tags({ connection: 'reg2', repository: 'copied' })).items.map((t) => [t.name, t.digest])).toEqual([['v1', second.digest], ['v2', expect.any(String)]]);
    expect(counted.calls).toContain('tags copied');
  });
});

describe('filtered repository search over a misbehaving catalog', () => {
  /** A source whose catalog pages come from `page` (at most 500 calls, so a loop ends as a failure). */
  function catalogOf(page: (call: number, last?: string) => { names: string[]; next: string | null }): { browser: Browser; calls: () => number } {
    let calls = 0;
    const src = sources.get('reg2')!;
    const fake = new Proxy(src, {
      get: (t, p, r) =>
        p === 'repositories'
          ? async (_n: number, last?: string) => {
              if (++calls > 500) throw new Error('the catalog was read in a loop');
              return { ...page(calls, last), source: 'catalog' as const };
            }
          : Reflect.get(t, p, r),
    });
    return { browser: browserOf({ wrap: (s) => (s === src ? fake : s) }), calls: () => calls };
  }

  it('stops when the registry hands back the same cursor', async () => {
    const { browser: b, calls } = catalogOf(() => ({ names: ['alpha', 'beta'], next: 'beta' }));
    const page = await b.repositories({ connection: 'reg2', query: 'zzz' });
    expect(page).toMatchObject({ items: [], next: null });
    expect(calls()).toBe(2);
  });

  it('stops when the cursor goes backwards', async () => {
    const { browser: b, calls } = catalogOf((call) => (call === 1 ? { names: ['m1'], next: 'm1' } : { names: ['a1'], next: 'a1' }));
    expect(await b.repositories({ connection: 'reg2', query: 'zzz' })).toMatchObject({ items: [], next: null });
    expect(calls()).toBe(2);
  });

  it('scans a bounded number of pages, then hands back where to go on', async () => {
    const name = (i: number) => `repo-${String(i).padStart(6, '0')}`;
    const { browser: b, calls } = catalogOf((call) => ({ names: [name(call)], next: name(call) }));
    const page = await b.repositories({ connection: 'reg2', query: 'nothing-matches' });
    expect(calls()).toBe(MAX_SCAN_PAGES);
    expect(page).toMatchObject({ items: [], next: name(MAX_SCAN_PAGES) });
  });
});
