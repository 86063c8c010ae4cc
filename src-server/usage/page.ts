/**
 * A page of a usage report: the repositories in the order asked for, one slice of them, and the
 * rest of that order summed, so a picture of thousands of repositories gets a bounded answer.
 */
import type { RepositoryUsage, UsagePage, UsagePageArgs, UsageReport, UsageSortKey } from '../contract';
import { cmp } from './graph';

/** Repositories per page unless asked otherwise. */
export const USAGE_PAGE_DEFAULT = 50;
/** The most a page may hold: a picture's answer stays bounded whatever the registry holds. */
export const USAGE_PAGE_MAX = 500;

/** The order of a sort key; ties by name, A to Z. */
function comparator(sort: UsageSortKey, descending: boolean): (a: RepositoryUsage, b: RepositoryUsage) => number {
  const sign = descending ? -1 : 1;
  if (sort === 'name') return (a, b) => sign * cmp(a.name, b.name);
  return (a, b) => sign * (a[sort] - b[sort]) || cmp(a.name, b.name);
}

/** Cuts `args`' page out of a full report. */
export function usagePage(report: UsageReport, args: UsagePageArgs = {}): UsagePage {
  const sort = args.sort ?? 'stored';
  const descending = args.descending ?? sort !== 'name';
  const offset = args.offset ?? 0;
  const limit = Math.min(args.limit ?? USAGE_PAGE_DEFAULT, USAGE_PAGE_MAX);
  const ordered = [...report.repositories].sort(comparator(sort, descending));
  const rest = { repositories: 0, stored: 0, shared: 0, unique: 0 };
  for (const r of ordered.slice(offset + limit)) {
    rest.repositories++;
    rest.stored += r.stored;
    rest.shared += r.shared;
    rest.unique += r.unique;
  }
  return { totals: report.totals, offset, repositories: ordered.slice(offset, offset + limit), rest };
}
