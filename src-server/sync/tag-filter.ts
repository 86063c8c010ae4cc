/**
 * Which tags of a repository a job takes: include and exclude regular expressions (run under a time
 * bound, see retention/pattern-guard.ts), a semver range, and the newest N of what is left.
 */
import { compare, satisfies, valid } from 'semver';
import type { SyncTagFilter } from '../contract';
import { RegistryError } from '../core/errors';
import { createPatternTester, type PatternTester } from '../retention/pattern-guard';

/** The version a tag names (`1.2.3`, `v1.2.3`), or null. */
export function versionOf(tag: string): string | null {
  return valid(tag.replace(/^v(?=\d)/, ''));
}

/** A tester whose refusals name the sync job. */
export function createSyncPatternTester(budgetMs?: number): PatternTester {
  return createPatternTester(budgetMs, (job, pattern, timedOut, ms, message) =>
    new RegistryError('SYNC_JOB_INVALID', {
      message: timedOut
        ? `sync job ${job}: the tag pattern ${JSON.stringify(pattern)} took longer than ${ms} ms on the tags of one repository (simplify it)`
        : `sync job ${job}: the tag pattern ${JSON.stringify(pattern)} failed: ${message}`,
    }),
  );
}

const natural = new Intl.Collator('en', { numeric: true, sensitivity: 'variant' });

/** Tags newest first: by version when every tag is one, else in reverse natural order (`v10` before `v9`). */
export function newestFirst(tags: readonly string[]): string[] {
  const versions = tags.map(versionOf);
  if (tags.length > 0 && versions.every((v) => v !== null)) {
    return tags
      .map((t, i) => ({ t, v: versions[i]! }))
      .sort((a, b) => compare(b.v, a.v) || natural.compare(b.t, a.t))
      .map((x) => x.t);
  }
  return [...tags].sort((a, b) => natural.compare(b, a));
}

/**
 * The tags of `tags` that `filter` takes, in the order they were given (the newest first when
 * `newest` is set). `filter.tags` (explicit names) is not applied here: the runner asks for those
 * tags directly.
 */
export function selectTags(job: string, tags: readonly string[], filter: SyncTagFilter | undefined, tester: PatternTester): string[] {
  if (!filter) return [...tags];
  let out = [...tags];
  if (filter.include?.length) {
    const hit = tester.anyMatch(job, filter.include, out);
    out = out.filter((_, i) => hit[i]);
  }
  if (filter.exclude?.length) {
    const hit = tester.anyMatch(job, filter.exclude, out);
    out = out.filter((_, i) => !hit[i]);
  }
  if (filter.semver !== undefined) {
    const range = filter.semver;
    out = out.filter((t) => {
      const v = versionOf(t);
      return v !== null && satisfies(v, range);
    });
  }
  if (filter.newest !== undefined) out = newestFirst(out).slice(0, filter.newest);
  return out;
}
