/**
 * Sync's data: the jobs of sync.yml with their next and last runs (`sync:list`), saving and
 * removing a job (each answers the new listing, put straight into the cache), runs (`sync:run`, dry
 * or real, started from the GUI) with their live progress (`sync:progress`) and cancel
 * (`transfer:cancel`), and the history of runs (`sync:history`). A real run may add images to the
 * local registry: its listings are read again.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { SyncListing, SyncProgress, SyncRunArgs, SyncSaveArgs } from '../../../../src-server/contract';
import { useApi } from '../../api/context';
import { browseKeys } from '../browse/queries';

/** Query keys of sync (every one starts with `sync`). */
export const syncKeys = {
  all: ['sync'] as const,
  list: ['sync', 'list'] as const,
  history: ['sync', 'history'] as const,
};

/** The jobs, each with its schedule and last run, and the runs going on. */
export function useSyncJobs() {
  const api = useApi();
  return useQuery({ queryKey: syncKeys.list, queryFn: () => api.invoke('sync:list') });
}

/** The last runs, newest first. */
export function useSyncHistory() {
  const api = useApi();
  return useQuery({ queryKey: syncKeys.history, queryFn: () => api.invoke('sync:history', { limit: 50 }) });
}

/** A change to sync.yml whose answer is the new listing. */
function useListingMutation<A>(call: (args: A) => Promise<SyncListing>) {
  const client = useQueryClient();
  return useMutation({ mutationFn: call, onSuccess: (listing) => client.setQueryData(syncKeys.list, listing) });
}

/** Adds a job, or with `replace` replaces the one of its name. */
export function useSaveJob() {
  const api = useApi();
  return useListingMutation((args: SyncSaveArgs) => api.invoke('sync:save', args));
}

/** Removes a job. */
export function useRemoveJob() {
  const api = useApi();
  return useListingMutation((name: string) => api.invoke('sync:remove', { name }));
}

/** A run of one job, or what it would do (`dryRun`); either is in the history then, and a real run refreshes the jobs' last runs and what the local registry lists. */
export function useSyncRun() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (args: SyncRunArgs) => api.invoke('sync:run', { ...args, trigger: 'gui' }),
    onSettled: (summary) => {
      void client.invalidateQueries({ queryKey: syncKeys.all });
      if (!summary?.dryRun) void client.invalidateQueries({ queryKey: browseKeys.all });
    },
  });
}

/** Stops the run (or copy, export, import) of an operation id. */
export function useCancelTransfer() {
  const api = useApi();
  return useMutation({ mutationFn: (operationId: string) => api.invoke('transfer:cancel', { operationId }) });
}

/** The newest `sync:progress` of `operationId` (null before the first, or without an id). */
export function useSyncProgress(operationId: string | null): SyncProgress | null {
  const api = useApi();
  const [progress, setProgress] = useState<SyncProgress | null>(null);
  useEffect(() => {
    setProgress(null);
    if (!operationId) return;
    return api.on('sync:progress', (p) => {
      if (p.operationId === operationId) setProgress(p);
    });
  }, [api, operationId]);
  return progress;
}

/** A fresh operation id (progress events and cancel name the run by it). */
export function newOperationId(): string {
  return crypto.randomUUID();
}
