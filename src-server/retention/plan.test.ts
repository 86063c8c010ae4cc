import { describe, expect, it } from 'vitest';
import type { RegistryGraph, RepoGraph } from '../gc/graph';
import type { RepoDecision, RepoTags } from './evaluate';
import { measureRemovals, planRemovals } from './plan';

// A hand-drawn graph (digests are names here). In app:
//   multi -> index I with children A, B (untagged)        kept (tag multi)
//   keep  -> image K (layer shared, k-layer), referrer S   kept (tag keep)
//   old   -> image O (layer shared, o-layer), referrer OS  tag removed
//   L: a loose untagged image; T: untagged, held by the trash
// In web: tag w1 -> image W, removed by a policy without untagged.
function repoOf(name: string, revisions: string[], tagged: string[], referrers: Array<[string, string]> = []): RepoGraph {
  const r: RepoGraph = { name, revisions: new Set(revisions), tagged: new Set(tagged), referrers: new Map() };
  for (const [subject, referrer] of referrers) r.referrers.set(subject, [...(r.referrers.get(subject) ?? []), referrer]);
  return r;
}
const graph: RegistryGraph = {
  repos: [repoOf('app', ['I', 'A', 'B', 'K', 'S', 'O', 'OS', 'L', 'T'], ['I', 'K', 'O'], [['K', 'S'], ['O', 'OS']]), repoOf('web', ['W'], ['W'])],
  children: new Map([['I', ['A', 'B']]]),
  blobs: new Map([
    ['A', ['a-cfg', 'shared']],
    ['B', ['b-cfg', 'b-layer']],
    ['K', ['k-cfg', 'shared', 'k-layer']],
    ['S', ['s-cfg']],
    ['O', ['o-cfg', 'shared', 'o-layer']],
    ['OS', ['os-cfg']],
    ['L', ['l-cfg', 'l-layer']],
    ['T', ['t-cfg']],
    ['W', ['w-cfg', 'shared', 'w-layer']],
  ]),
};
const tags: RepoTags[] = [
  { repository: 'app', tags: [{ tag: 'multi', digest: 'I', pushedAt: 3 }, { tag: 'keep', digest: 'K', pushedAt: 2 }, { tag: 'old', digest: 'O', pushedAt: 1 }] },
  { repository: 'web', tags: [{ tag: 'w1', digest: 'W', pushedAt: 1 }] },
];
const decision = (repository: string, removed: string[], untagged: boolean): RepoDecision => ({
  repository,
  policies: [`${repository}-policy`],
  untagged,
  kept: new Map(),
  removed: tags.find((t) => t.repository === repository)!.tags.filter((t) => removed.includes(t.tag)),
});
// Every blob on disk, sized by name so that sums say which were counted.
const SIZES: Record<string, number> = {
  I: 1, A: 2, B: 4, K: 8, S: 16, O: 32, OS: 64, L: 128, T: 256, W: 512,
  'a-cfg': 1 << 10, shared: 1 << 11, 'b-cfg': 1 << 12, 'b-layer': 1 << 13, 'k-cfg': 1 << 14, 'k-layer': 1 << 15, 's-cfg': 1 << 16,
  'o-cfg': 1 << 17, 'o-layer': 1 << 18, 'os-cfg': 1 << 19, 'l-cfg': 1 << 20, 'l-layer': 1 << 21, 't-cfg': 1 << 22, 'w-cfg': 1 << 23, 'w-layer': 1 << 24,
};
const onDisk = Object.entries(SIZES).map(([digest, size]) => ({ digest, size }));
const sum = (...names: string[]) => names.reduce((a, n) => a + SIZES[n]!, 0);
const holds = [{ repository: 'app', digest: 'T', blobs: ['T', 't-cfg'] }];

describe('planRemovals and measureRemovals', () => {
  it('with untagged: removes what no remaining tag reaches, never index children, referrers of kept images or trash items', () => {
    const plan = planRemovals(graph, tags, [decision('app', ['old'], true)], holds);
    expect(plan.tags).toEqual([{ repository: 'app', tag: 'old', digest: 'O', policies: ['app-policy'] }]);
    // O before its referrer OS: a parent or subject goes before what it reaches.
    const order = plan.manifests.map((m) => m.digest);
    expect([...order].sort()).toEqual(['L', 'O', 'OS']);
    expect(order.indexOf('O')).toBeLessThan(order.indexOf('OS'));
    expect(plan.manifests.every((m) => m.repository === 'app' && m.policies[0] === 'app-policy')).toBe(true);
    // The shared layer stays (K and W need it); the trash's T stays.
    expect(measureRemovals(graph, tags, plan, holds, onDisk)).toEqual({
      bytesFreed: sum('O', 'o-cfg', 'o-layer', 'OS', 'os-cfg', 'L', 'l-cfg', 'l-layer'),
      bytesLeftUntagged: 0,
    });
  });

  it('without untagged: only tags go, and what the manifests left untagged hold is counted apart', () => {
    const plan = planRemovals(graph, tags, [decision('app', ['old'], false), decision('web', ['w1'], false)], holds);
    expect(plan.tags.map((t) => `${t.repository}:${t.tag}`)).toEqual(['app:old', 'web:w1']);
    expect(plan.manifests).toEqual([]);
    const bytes = measureRemovals(graph, tags, plan, holds, onDisk);
    expect(bytes.bytesFreed).toBe(0);
    // What gc --delete-untagged would free afterwards: O with its referrer, W, and the loose L
    // (the shared layer stays for K; the trash's T and the index's children stay).
    expect(bytes.bytesLeftUntagged).toBe(sum('O', 'o-cfg', 'o-layer', 'OS', 'os-cfg', 'W', 'w-cfg', 'w-layer', 'L', 'l-cfg', 'l-layer'));
  });

  it('counts a blob shared by two removed images once, and frees the shared layer when nothing else needs it', () => {
    const alone: RegistryGraph = { repos: [repoOf('x', ['P', 'Q'], ['P', 'Q'])], children: new Map(), blobs: new Map([['P', ['shared', 'o-cfg']], ['Q', ['shared', 'k-cfg']]]) };
    const xTags: RepoTags[] = [{ repository: 'x', tags: [{ tag: 'p', digest: 'P', pushedAt: 1 }, { tag: 'q', digest: 'Q', pushedAt: 2 }] }];
    const d: RepoDecision = { repository: 'x', policies: ['all'], untagged: true, kept: new Map(), removed: xTags[0]!.tags };
    const plan = planRemovals(alone, xTags, [d], []);
    expect(plan.manifests.map((m) => m.digest).sort()).toEqual(['P', 'Q']);
    const disk = ['P', 'Q', 'shared', 'o-cfg', 'k-cfg'].map((digest) => ({ digest, size: SIZES[digest] ?? 1000 }));
    expect(measureRemovals(alone, xTags, plan, [], disk).bytesFreed).toBe(1000 + 1000 + sum('shared', 'o-cfg', 'k-cfg'));
  });
});
