import { utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RetentionReport } from '../../src-server/contract';
import { RegistryIndex } from '../../src-server/index/registry-index';
import { readTags } from '../../src-server/retention/plan';
import { berthWorkspace, runBerth, tempDir } from '../helpers/berth-server';
import { pushRandomImage } from '../helpers/push';

// Retention orders tags by when each got its current digest: the index keeps that time across a
// push of the same digest and across the reconcile every start runs.

const tmp = tempDir('berth-pushed-time-');
afterAll(() => tmp.cleanup());
const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

describe('the time a tag got its digest', () => {
  it('stays on a push of the same digest and on reconcile; moves when the digest changes', async () => {
    const index = new RegistryIndex(join(tmp.dir, 'index.db'));
    const at = (tag: string) => readTags(index).find((r) => r.repository === 'app')!.tags.find((t) => t.tag === tag)!.pushedAt;
    index.setTag('app', 'v1', D1);
    index.setTag('app', 'v2', D1);
    const first = at('v1');
    const wait = async () => {
      const t = Date.now();
      while (Date.now() === t) await new Promise((r) => setImmediate(r));
    };
    await wait();
    index.setTag('app', 'v1', D1);
    expect(at('v1')).toBe(first);
    index.reconcile([{ name: 'app', revisions: [D1, D2], tags: [{ tag: 'v1', digest: D1 }, { tag: 'v2', digest: D2 }] }], new Map());
    expect(at('v1')).toBe(first);
    expect(at('v2')).toBeGreaterThan(first);
    await wait();
    index.setTag('app', 'v1', D2);
    expect(at('v1')).toBeGreaterThan(at('v2'));
    index.reconcileRepository('app', { name: 'app', revisions: [D2], tags: [{ tag: 'v1', digest: D2 }] }, new Map());
    expect(readTags(index)).toEqual([{ repository: 'app', tags: [{ tag: 'v1', digest: D2, pushedAt: at('v1') }] }]);
    index.close();
  });
});

describe('push times of tags the index has never seen', () => {
  const ws = berthWorkspace('berth-pushed-time-volume-');

  it('come from the tag links on disk after berth reindex (or a registry:2 volume opened first), so keep-last keeps the newest', async () => {
    const dataDir = ws.fresh();
    const b = await ws.serve(dataDir);
    // Pushed now, in an order that says nothing: the times on disk below are what a registry:2 volume would carry.
    for (const tag of ['z-new', 'm-mid', 'a-old']) await pushRandomImage(b.url, 'app', tag, [512]);
    await b.stop();
    const link = (tag: string) => join(dataDir, 'docker/registry/v2/repositories/app/_manifests/tags', tag, 'current/link');
    const day = 86_400;
    const now = Math.floor(Date.now() / 1000);
    utimesSync(link('a-old'), now - 30 * day, now - 30 * day);
    utimesSync(link('m-mid'), now - 20 * day, now - 20 * day);
    utimesSync(link('z-new'), now - 10 * day, now - 10 * day);
    expect((await runBerth(['reindex', '--data', dataDir])).code).toBe(0);

    expect((await runBerth(['retention', 'add', 'newest', '--repos', 'app', '--keep-last', '1', '--data', dataDir])).code).toBe(0);
    let r = await runBerth(['retention', 'run', '--dry-run', '--json', '--data', dataDir]);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as RetentionReport).tags.map((t) => t.tag).sort()).toEqual(['a-old', 'm-mid']);

    expect((await runBerth(['retention', 'add', 'recent', '--repos', 'app', '--keep-newer-than', '25d', '--data', dataDir])).code).toBe(0);
    expect((await runBerth(['retention', 'rm', 'newest', '--data', dataDir])).code).toBe(0);
    r = await runBerth(['retention', 'run', '--dry-run', '--json', '--data', dataDir]);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as RetentionReport).tags.map((t) => t.tag)).toEqual(['a-old']);
  }, 60_000);
});
