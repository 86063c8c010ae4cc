/**
 * The activity screen's data: the audit log of the local registry (`audit:list`), newest first, a
 * page at a time.
 */
import { useInfiniteQuery } from '@tanstack/react-query';
import type { AuditQuery } from '../../../../src-server/contract';
import { useApi } from '../../api/context';

/** Query keys of the activity feature. */
export const activityKeys = {
  all: ['audit'] as const,
  list: (q: AuditQuery) => ['audit', q] as const,
};

/** Entries shown per page (and per "Show older" click). */
export const ACTIVITY_PAGE = 50;

/** The audit log filtered by `query` (without cursor or limit), with "load older". */
export function useActivity(query: Omit<AuditQuery, 'cursor' | 'limit'>) {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: activityKeys.list(query),
    queryFn: ({ pageParam }) => api.invoke('audit:list', { ...query, limit: ACTIVITY_PAGE, ...(pageParam ? { cursor: pageParam } : {}) }),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next,
  });
}
