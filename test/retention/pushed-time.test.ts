import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RegistryIndex } from '../../src-server/index/registry-index';
import { readTags } from '../../src-server/retention/plan';
import { tempDir } from '../helpers/berth-server';

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
