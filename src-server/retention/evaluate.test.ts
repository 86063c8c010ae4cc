import { describe, expect, it } from 'vitest';
import { RegistryError } from '../core/errors';
import { evaluatePolicies, type RepoTags } from './evaluate';
import { createPatternTester } from './pattern-guard';
import { compilePolicy, type StoredPolicy } from './policy';

const NOW = 1_700_000_000_000;
const HOUR = 3_600_000;
const tester = createPatternTester();
const policies = (...ps: StoredPolicy[]) => ps.map((p) => compilePolicy(p, true));
const repo = (repository: string, tags: Array<[string, number]>): RepoTags => ({
  repository,
  tags: tags.map(([tag, hoursAgo]) => ({ tag, digest: `sha256:${tag.padEnd(64, '0').slice(0, 64)}`, pushedAt: NOW - hoursAgo * HOUR })),
});
const removed = (repos: RepoTags[], ps: StoredPolicy[]) =>
  Object.fromEntries(evaluatePolicies(repos, policies(...ps), NOW, tester).map((d) => [d.repository, d.removed.map((t) => t.tag).sort()]));

describe('evaluatePolicies', () => {
  const app = repo('team/app', [['a', 5], ['b', 4], ['c', 3], ['d', 3], ['e', 1], ['v1.0.0', 100]]);

  it('keeps the N most recently pushed, ties broken by name', () => {
    // c and d were pushed at the same time: of the two, c comes first by name.
    expect(removed([app], [{ name: 'p', repos: 'team/*', keepLast: 2 }])).toEqual({ 'team/app': ['a', 'b', 'd', 'v1.0.0'] });
    const d = evaluatePolicies([app], policies({ name: 'p', repos: 'team/*', keepLast: 3 }), NOW, tester)[0]!;
    expect([...d.kept.keys()].sort()).toEqual(['c', 'd', 'e']);
    expect(d.kept.get('c')!.get('p')).toEqual(['last']);
    // Removed tags come newest first.
    expect(d.removed.map((t) => t.tag)).toEqual(['b', 'a', 'v1.0.0']);
  });

  it('keeps tags pushed within the duration, and those matching a pattern', () => {
    expect(removed([app], [{ name: 'p', repos: 'team/*', keepNewerThan: '3h30m' }])).toEqual({ 'team/app': ['a', 'b', 'v1.0.0'] });
    expect(removed([app], [{ name: 'p', repos: 'team/*', keepLast: 0, keepTags: ['^v\\d+\\.\\d+\\.\\d+$', '^e'] }])).toEqual({ 'team/app': ['a', 'b', 'c', 'd'] });
  });

  it('keeps a tag when ANY overlapping policy keeps it, with every reason', () => {
    const decisions = evaluatePolicies(
      [app],
      policies({ name: 'recent', repos: 'team/*', keepLast: 1 }, { name: 'releases', repos: 'team/app', keepTags: ['^v'] }, { name: 'day', repos: '*', keepNewerThan: '1d', keepTags: ['^e$'] }),
      NOW,
      tester,
    );
    const d = decisions[0]!;
    expect(d.policies).toEqual(['recent', 'releases', 'day']);
    expect(d.removed).toEqual([]);
    expect(Object.fromEntries(d.kept.get('e')!)).toEqual({ recent: ['last'], day: ['newer', 'pattern'] });
    expect(Object.fromEntries(d.kept.get('v1.0.0')!)).toEqual({ releases: ['pattern'] });
  });

  it('leaves repositories no policy matches untouched; a policy without keep options keeps everything', () => {
    const other = repo('other/app', [['x', 1000]]);
    expect(removed([app, other], [{ name: 'p', repos: 'team/?pp', keepLast: 0 }])).toEqual({ 'team/app': ['a', 'b', 'c', 'd', 'e', 'v1.0.0'] });
    const d = evaluatePolicies([app], policies({ name: 'u', repos: '*', untagged: true }), NOW, tester)[0]!;
    expect(d.removed).toEqual([]);
    expect(d.untagged).toBe(true);
    expect(d.kept.get('a')!.get('u')).toEqual(['no-keep-rule']);
  });

  it('fails, naming the policy and the pattern, when a pattern runs out of time', () => {
    const evil = repo('team/app', [['aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!', 1], ['ok', 2]]);
    const started = Date.now();
    const bounded = createPatternTester(100);
    let caught: unknown;
    try {
      evaluatePolicies([evil], policies({ name: 'slow', repos: '*', keepTags: ['^ok$', '^(a+)+$'] }), NOW, bounded);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(RegistryError);
    expect((caught as RegistryError).code).toBe('POLICY_INVALID');
    expect((caught as Error).message).toMatch(/policy slow: keep-tags pattern "\^\(a\+\)\+\$" took longer than 100 ms/);
    expect(Date.now() - started).toBeLessThan(5_000);
    // The same pattern on harmless tags answers.
    expect(bounded.anyMatch('p', ['^(a+)+$'], ['aaa', 'b'])).toEqual([true, false]);
  });
});
