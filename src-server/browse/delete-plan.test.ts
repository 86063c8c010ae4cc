import { describe, expect, it } from 'vitest';
import type { TagHead } from './browser';
import { planSelection } from './delete-plan';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const D3 = `sha256:${'3'.repeat(64)}`;

/** a, b, c on D1; d on D2; e on D3 with f. */
const heads: TagHead[] = [
  { tag: 'a', digest: D1 },
  { tag: 'b', digest: D1 },
  { tag: 'c', digest: D1 },
  { tag: 'd', digest: D2 },
  { tag: 'e', digest: D3 },
  { tag: 'f', digest: D3 },
];

describe('planSelection on a registry that deletes tags', () => {
  it('works the selection out per image: no selected tag is said to keep an image', () => {
    const plan = planSelection(['a', 'b', 'd'], heads, 'tag');
    expect(plan.images).toEqual([
      { digest: D1, tags: ['a', 'b'], alsoDeleted: [], kept: ['c'], outcome: 'tagged' },
      { digest: D2, tags: ['d'], alsoDeleted: [], kept: [], outcome: 'untagged' },
    ]);
    expect(plan.totals).toEqual({ tags: 3, images: 2, untagged: 1, deleted: 0, reclaimable: null });
  });

  it('leaves an image untagged when every tag on it is selected', () => {
    const plan = planSelection(['e', 'f'], heads, 'tag');
    expect(plan.images).toEqual([{ digest: D3, tags: ['e', 'f'], alsoDeleted: [], kept: [], outcome: 'untagged' }]);
    expect(plan.totals.untagged).toBe(1);
  });
});

describe('planSelection on a registry that deletes manifests only', () => {
  it('names the tags that go with each manifest and counts them', () => {
    const plan = planSelection(['a', 'd'], heads, 'manifest');
    expect(plan.images).toEqual([
      { digest: D1, tags: ['a'], alsoDeleted: ['b', 'c'], kept: [], outcome: 'deleted' },
      { digest: D2, tags: ['d'], alsoDeleted: [], kept: [], outcome: 'deleted' },
    ]);
    expect(plan.totals).toEqual({ tags: 4, images: 2, untagged: 0, deleted: 2, reclaimable: null });
  });

  it('plans the worst case when the method is unknown', () => {
    expect(planSelection(['e'], heads, 'unknown').images).toEqual([{ digest: D3, tags: ['e'], alsoDeleted: ['f'], kept: [], outcome: 'deleted' }]);
  });

  it('lists tags that did not resolve; a selected one is not planned', () => {
    const flaky: TagHead[] = [...heads, { tag: 'g', digest: null, error: new Error('429') }, { tag: 'h', digest: null, error: new Error('503') }];
    const plan = planSelection(['a', 'g'], flaky, 'manifest');
    expect(plan.images.map((i) => i.digest)).toEqual([D1]);
    expect(plan.unresolved).toEqual(['g', 'h']);
    expect(plan.missing).toEqual([]);
  });
});

describe('planSelection, whatever the registry', () => {
  it('says which selected tags are missing (not listed, or listed without a manifest)', () => {
    const plan = planSelection(['zz', 'gone', 'd'], [...heads, { tag: 'gone', digest: null }], 'tag');
    expect(plan.missing).toEqual(['gone', 'zz']);
    expect(plan.images.map((i) => i.tags)).toEqual([['d']]);
  });

  it('orders images by their first selected tag and ignores a tag selected twice', () => {
    const plan = planSelection(['e', 'a', 'e', 'b'], heads, 'tag');
    expect(plan.images.map((i) => [i.digest, i.tags])).toEqual([
      [D3, ['e']],
      [D1, ['a', 'b']],
    ]);
    expect(plan.totals.tags).toBe(3);
  });

  it('plans nothing on a registry that refuses deletes', () => {
    const plan = planSelection(['a'], heads, 'unsupported');
    expect(plan.images).toEqual([]);
    expect(plan.totals).toEqual({ tags: 0, images: 0, untagged: 0, deleted: 0, reclaimable: null });
  });

  it('plans 1,000 selected tags of 20,000 on 2,000 images', () => {
    const many: TagHead[] = Array.from({ length: 20_000 }, (_, i) => ({ tag: `t${i}`, digest: `sha256:${(i % 2000).toString(16).padStart(64, '0')}` }));
    const plan = planSelection(many.slice(0, 1000).map((h) => h.tag), many, 'manifest');
    expect(plan.images).toHaveLength(1000);
    expect(plan.images[0]!.alsoDeleted).toHaveLength(9);
    expect(plan.totals.tags).toBe(10_000);
  });
});
