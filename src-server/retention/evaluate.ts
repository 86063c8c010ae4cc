/**
 * Which tags the policies keep: pure, over the tags of each repository with the time each got its
 * current digest. Policies apply to the repositories their `repos` glob matches; a tag of such a
 * repository survives when ANY matching policy keeps it: among the N most recently pushed (ties
 * broken by name, in order), pushed within the duration, or matching a keep pattern; a policy
 * with no keep option keeps every tag. Repositories no policy matches are untouched.
 */
import type { RetentionKeepReason } from '../contract';
import { matchesPattern } from '../auth/rules';
import type { PatternTester } from './pattern-guard';
import type { CompiledPolicy } from './policy';

/** One tag as the index records it. */
export interface TagRow {
  tag: string;
  digest: string;
  /** When the tag got its current digest (ms since the epoch). */
  pushedAt: number;
}

/** One repository's tags. */
export interface RepoTags {
  repository: string;
  tags: TagRow[];
}

/** What the policies decide for one repository some policy matches. */
export interface RepoDecision {
  repository: string;
  /** The matching policies, in file order. */
  policies: string[];
  /** Whether a matching policy removes untagged manifests. */
  untagged: boolean;
  /** tag -> policy -> reasons, for every kept tag. */
  kept: Map<string, Map<string, RetentionKeepReason[]>>;
  /** Tags no matching policy keeps. */
  removed: TagRow[];
}

/** Evaluates `policies` over `repos` at `now`; patterns run through `tester` (time-bounded). */
export function evaluatePolicies(repos: readonly RepoTags[], policies: readonly CompiledPolicy[], now: number, tester: PatternTester): RepoDecision[] {
  const out: RepoDecision[] = [];
  for (const repo of repos) {
    const matching = policies.filter((p) => matchesPattern(p.repos, repo.repository));
    if (matching.length === 0) continue;
    const kept = new Map<string, Map<string, RetentionKeepReason[]>>();
    const keep = (tag: string, policy: string, reason: RetentionKeepReason) => {
      let byPolicy = kept.get(tag);
      if (!byPolicy) kept.set(tag, (byPolicy = new Map()));
      const reasons = byPolicy.get(policy);
      if (reasons) reasons.push(reason);
      else byPolicy.set(policy, [reason]);
    };
    const byRecency = [...repo.tags].sort((a, b) => b.pushedAt - a.pushedAt || (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
    for (const p of matching) {
      if (p.keepsAll) {
        for (const t of repo.tags) keep(t.tag, p.name, 'no-keep-rule');
        continue;
      }
      if (p.keepLast !== null) for (const t of byRecency.slice(0, p.keepLast)) keep(t.tag, p.name, 'last');
      if (p.keepNewerMs !== null) for (const t of repo.tags) if (now - t.pushedAt < p.keepNewerMs) keep(t.tag, p.name, 'newer');
      if (p.keepTags.length > 0) {
        const hits = tester.anyMatch(p.name, p.keepTags, repo.tags.map((t) => t.tag));
        repo.tags.forEach((t, i) => hits[i] && keep(t.tag, p.name, 'pattern'));
      }
    }
    out.push({
      repository: repo.repository,
      policies: matching.map((p) => p.name),
      untagged: matching.some((p) => p.untagged),
      kept,
      removed: byRecency.filter((t) => !kept.has(t.tag)),
    });
  }
  return out;
}
