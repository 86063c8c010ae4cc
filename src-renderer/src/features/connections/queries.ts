/**
 * Data of the connections screen: the list is the shell's shared query (`sharedKeys.connections`),
 * so every change here invalidates it and the navigation follows.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ConnectionDraft } from '../../../../src-server/contract';
import { useApi } from '../../api/context';
import { sharedKeys, useConnections } from '../../app/queries';

/** Every connection, the local registry first. */
export const useConnectionList = useConnections;

function useInvalidateConnections() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: sharedKeys.connections });
}

/** Drops what was browsed through a connection (its URL or credentials changed, or it is gone). */
function useForgetBrowsing() {
  const client = useQueryClient();
  return (id: string) => {
    for (const area of ['repositories', 'tags', 'image', 'repository-size']) client.removeQueries({ queryKey: ['browse', area, id] });
  };
}

/** Saves a new connection. */
export function useAddConnection() {
  const api = useApi();
  const invalidate = useInvalidateConnections();
  return useMutation({ mutationFn: (draft: ConnectionDraft) => api.invoke('connections:add', draft), onSettled: invalidate });
}

/** Saves the changed fields of a connection. */
export function useUpdateConnection() {
  const api = useApi();
  const invalidate = useInvalidateConnections();
  const forget = useForgetBrowsing();
  return useMutation({
    mutationFn: (args: { id: string; draft: Partial<ConnectionDraft> }) => api.invoke('connections:update', args),
    onSettled: (_r, _e, args) => {
      forget(args.id);
      return invalidate();
    },
  });
}

/** Removes a connection. */
export function useRemoveConnection() {
  const api = useApi();
  const invalidate = useInvalidateConnections();
  const forget = useForgetBrowsing();
  return useMutation({
    mutationFn: (id: string) => api.invoke('connections:remove', { id }),
    onSettled: (_r, _e, id) => {
      forget(id);
      return invalidate();
    },
  });
}

/** Tries a saved connection or a draft; registry problems resolve as `{ok:false, error}`. */
export function useTestConnection() {
  const api = useApi();
  return useMutation({ mutationFn: (args: { id: string } | { draft: ConnectionDraft }) => api.invoke('connections:test', args) });
}
