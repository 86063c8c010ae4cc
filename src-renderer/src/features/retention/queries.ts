/**
 * Retention's data: the policies with what each keeps and the schedule (`retention:list`), adding,
 * removing and scheduling (each answers the new listing, put straight into the cache), and runs
 * (`retention:run`, dry or real). A real run deletes into the trash: tags, usage and the trash are
 * read again.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { RetentionAddArgs, RetentionListing, RetentionRunArgs, RetentionScheduleArgs } from '../../../../src-server/contract';
import { useApi } from '../../api/context';
import { invalidateAfterTrashChange } from '../trash/queries';

/** Query keys of retention (every one starts with `retention`, which a restore invalidates). */
export const retentionKeys = {
  list: ['retention', 'list'] as const,
};

/** The policies, what each keeps now, the schedule and the last run. */
export function useRetention() {
  const api = useApi();
  return useQuery({ queryKey: retentionKeys.list, queryFn: () => api.invoke('retention:list') });
}

/** A change to retention.yml whose answer is the new listing. */
function useListingMutation<A>(call: (args: A) => Promise<RetentionListing>) {
  const client = useQueryClient();
  return useMutation({ mutationFn: call, onSuccess: (listing) => client.setQueryData(retentionKeys.list, listing) });
}

/** Adds (or replaces) a policy. */
export function useAddPolicy() {
  const api = useApi();
  return useListingMutation((args: RetentionAddArgs) => api.invoke('retention:add', args));
}

/** Removes a policy. */
export function useRemovePolicy() {
  const api = useApi();
  return useListingMutation((name: string) => api.invoke('retention:remove', { name }));
}

/** Sets or clears the schedule. */
export function useSetSchedule() {
  const api = useApi();
  return useListingMutation((args: RetentionScheduleArgs) => api.invoke('retention:schedule', args));
}

/** A run, or its preview (`dryRun`); a real run refreshes everything a delete changes. */
export function useRetentionRun() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (args: RetentionRunArgs) => api.invoke('retention:run', args),
    onSuccess: (report) => {
      if (!report.dryRun) invalidateAfterTrashChange(client);
    },
  });
}
