/**
 * The trash's data (`trash:list`, `trash:restore`, `trash:empty`). A restore or an empty changes
 * what the tags screens, usage and retention show, so those queries are measured again.
 */
import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { TrashEmptyArgs, TrashRestoreArgs } from '../../../../src-server/contract';
import { useApi } from '../../api/context';
import { sharedKeys } from '../../app/queries';

/** Query keys of the trash. */
export const trashKeys = {
  list: ['trash', 'list'] as const,
};

/** Everything a change to the trash (or a delete into it) makes stale. */
export function invalidateAfterTrashChange(client: QueryClient): void {
  void client.invalidateQueries({ queryKey: trashKeys.list });
  void client.invalidateQueries({ queryKey: sharedKeys.usage });
  void client.invalidateQueries({ queryKey: ['browse'] });
  void client.invalidateQueries({ queryKey: ['retention'] });
}

/** The trash, newest first, with its totals and how long items stay. */
export function useTrash() {
  const api = useApi();
  return useQuery({ queryKey: trashKeys.list, queryFn: () => api.invoke('trash:list') });
}

/**
 * How long a deleted tag stays restorable (seconds), for the delete dialogs; null while unknown
 * (loading, or a server without a trash) and when the trash is off (`trash.keep` 0): then deletes
 * are final and the dialogs say so.
 */
export function useTrashKeepSeconds(enabled = true): number | null {
  const api = useApi();
  const q = useQuery({ queryKey: trashKeys.list, queryFn: () => api.invoke('trash:list'), enabled, retry: false });
  return enabled && q.data && q.data.keepSeconds > 0 ? q.data.keepSeconds : null;
}

/**
 * False while the trash's settings are still being asked for (when `enabled`): a dialog that says
 * what a delete does waits for them, so it never first says "a GC frees" and then "after the trash".
 */
export function useTrashKnown(enabled = true): boolean {
  const api = useApi();
  const q = useQuery({ queryKey: trashKeys.list, queryFn: () => api.invoke('trash:list'), enabled, retry: false });
  return !enabled || !q.isPending;
}

/** True when the server says its trash is off (`trash.keep` 0): deletes are final. */
export function useTrashOff(): boolean {
  const api = useApi();
  const q = useQuery({ queryKey: trashKeys.list, queryFn: () => api.invoke('trash:list'), retry: false });
  return q.data?.keepSeconds === 0;
}

/** Puts an item back (its tags point at its manifest again). */
export function useRestore() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (args: TrashRestoreArgs) => api.invoke('trash:restore', args),
    // A failed restore may mean the item left meanwhile (TRASH_ITEM_UNKNOWN): the list is read again either way.
    onSettled: () => invalidateAfterTrashChange(client),
  });
}

/** Removes items from the trash for good. */
export function useEmptyTrash() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (args: TrashEmptyArgs) => api.invoke('trash:empty', args),
    onSettled: () => invalidateAfterTrashChange(client),
  });
}
