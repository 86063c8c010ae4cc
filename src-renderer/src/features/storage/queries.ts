/**
 * The storage screen's data: usage of the local registry (a page of repositories, the history),
 * garbage collection (preview and run, with `gc:progress` events) and deleting a repository.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { GcOptions, GcProgress, UsageSortKey } from '../../../../src-server/contract';
import { useApi } from '../../api/context';
import { sharedKeys } from '../../app/queries';

/** A page of repositories by usage, every argument spelled out (one cache entry per page). */
export interface UsagePageQuery {
  sort: UsageSortKey;
  descending: boolean;
  offset: number;
  limit: number;
}

/**
 * Query keys of the storage feature. Every usage key starts with `sharedKeys.usage`, so whatever
 * invalidates usage (a collection, a delete, anywhere in the GUI) refreshes the pages and the history.
 */
export const storageKeys = {
  usage: sharedKeys.usage,
  page: (q: UsagePageQuery) => [...sharedKeys.usage, 'page', q] as const,
  history: (days: number) => [...sharedKeys.usage, 'history', days] as const,
};

/**
 * Measuring usage walks the whole registry: a page just fetched is not asked for again by the next
 * component mounting with it (the screen and its treemap share the first page). Invalidation (after
 * a collection, a delete, Refresh) still measures again at once.
 */
const FRESH_MS = 2_000;

/** One page of repositories by usage, with the totals; the previous page stays on screen while the next loads. */
export function useUsagePage(q: UsagePageQuery, enabled = true) {
  const api = useApi();
  return useQuery({ queryKey: storageKeys.page(q), queryFn: () => api.invoke('usage:repositories', q), placeholderData: keepPreviousData, enabled, staleTime: FRESH_MS });
}

/** The stored bytes of the last `days` days. */
export function useUsageHistory(days: number) {
  const api = useApi();
  return useQuery({ queryKey: storageKeys.history(days), queryFn: () => api.invoke('usage:history', { days }), placeholderData: keepPreviousData });
}

/** Measures usage again: every page, the history and the registry-wide report. */
export function useRefreshUsage() {
  const client = useQueryClient();
  return useCallback(() => client.invalidateQueries({ queryKey: storageKeys.usage }), [client]);
}


/** A garbage collection or its preview (`dryRun`); a real run refreshes usage and browse listings. */
export function useGarbageCollection() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (options: GcOptions) => api.invoke('gc:run', options),
    onSuccess: (report) => {
      if (!report.dryRun) {
        void client.invalidateQueries({ queryKey: storageKeys.usage });
        void client.invalidateQueries({ queryKey: ['browse'] });
      }
    },
  });
}

/** Deletes a local repository; refreshes usage and browse listings. */
export function useDeleteRepository() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => api.invoke('repository:delete', { name }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: storageKeys.usage });
      void client.invalidateQueries({ queryKey: ['browse'] });
    },
  });
}

/**
 * The latest `gc:progress` event while a collection is followed (`follow(true)`). The subscription
 * lives as long as the component, so no event is lost between the click and the call.
 */
export function useGcProgress() {
  const api = useApi();
  const following = useRef(false);
  const [progress, setProgress] = useState<GcProgress | null>(null);
  useEffect(
    () =>
      api.on('gc:progress', (p) => {
        if (following.current) setProgress(p);
      }),
    [api],
  );
  const follow = useCallback((on: boolean) => {
    following.current = on;
    if (on) setProgress(null);
  }, []);
  return { progress, follow };
}
