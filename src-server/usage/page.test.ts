import { describe, expect, it } from 'vitest';
import type { RepositoryUsage, UsageReport } from '../contract';
import { USAGE_PAGE_MAX, usagePage } from './page';

const repo = (name: string, stored: number, shared: number, untagged = 0, tags = 1): RepositoryUsage => ({
  name,
  stored,
  shared,
  unique: stored - shared,
  untagged,
  tags,
  manifests: tags,
});

const totals = { repositories: 5, manifests: 5, blobs: 9, stored: 999, reclaimable: 1, reclaimableUntagged: 2 , trashItems: 0, trashHeldBytes: 0};
const report: UsageReport = {
  totals,
  repositories: [repo('b', 50, 10, 0, 3), repo('a', 50, 20, 5, 1), repo('c', 400, 0, 0, 2), repo('e', 7, 7, 7, 9), repo('d', 100, 40, 1, 0)],
};
const names = (p: ReturnType<typeof usagePage>) => p.repositories.map((r) => r.name);

describe('usagePage', () => {
  it('is largest first by default, ties by name, with the rest summed', () => {
    const p = usagePage(report, { limit: 2 });
    expect(names(p)).toEqual(['c', 'd']);
    expect(p.totals).toEqual(totals);
    expect(p.offset).toBe(0);
    // a (50, shared 20), b (50, shared 10), e (7, shared 7).
    expect(p.rest).toEqual({ repositories: 3, stored: 107, shared: 37, unique: 70 });
  });

  it('pages on through the same order; the last page has no rest', () => {
    expect(names(usagePage(report, { offset: 2, limit: 2 }))).toEqual(['a', 'b']);
    const last = usagePage(report, { offset: 4, limit: 2 });
    expect(names(last)).toEqual(['e']);
    expect(last.rest).toEqual({ repositories: 0, stored: 0, shared: 0, unique: 0 });
    expect(usagePage(report, { offset: 10 }).repositories).toEqual([]);
  });

  it('sorts by any column, either way; names A to Z unless asked', () => {
    expect(names(usagePage(report, { sort: 'name' }))).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(names(usagePage(report, { sort: 'name', descending: true }))).toEqual(['e', 'd', 'c', 'b', 'a']);
    expect(names(usagePage(report, { sort: 'unique' }))).toEqual(['c', 'd', 'b', 'a', 'e']);
    expect(names(usagePage(report, { sort: 'shared', descending: false }))).toEqual(['c', 'e', 'b', 'a', 'd']);
    expect(names(usagePage(report, { sort: 'untagged' }))).toEqual(['e', 'a', 'd', 'b', 'c']);
    expect(names(usagePage(report, { sort: 'tags' }))).toEqual(['e', 'b', 'c', 'a', 'd']);
  });

  it('never returns more than the maximum page, and leaves the report as it was', () => {
    const many: UsageReport = { totals, repositories: Array.from({ length: USAGE_PAGE_MAX + 20 }, (_, i) => repo(`r${i}`, i, 0)) };
    const before = many.repositories.map((r) => r.name);
    const p = usagePage(many, { limit: 10_000 });
    expect(p.repositories).toHaveLength(USAGE_PAGE_MAX);
    expect(p.rest.repositories).toBe(20);
    expect(many.repositories.map((r) => r.name)).toEqual(before);
  });
});
