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
import { RemoteRegistry } from '../../src-server/remote/client';
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

  it('deletes a whole remote repository manifest by manifest', async () => {
    const src = sources.get('reg2')!;
    const s = await seed(src, 'gone');
    const b = browserOf();
    expect(await b.deleteRepository('reg2', 'gone')).toEqual({ tags: 3, manifests: 2 });
    expect(await src.headManifest('gone', s.idx.digest)).toBeNull();
    expect(await src.tags('gone')).toEqual([]);
  });
});
