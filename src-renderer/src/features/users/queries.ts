/** Data of the users screen: react-query hooks over the `users:*` channels of the local registry. */
import { skipToken, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { UsersListing } from '../../../../src-server/contract';
import { useApi } from '../../api/context';

/** Query keys of this feature. */
export const userKeys = {
  list: ['users', 'list'] as const,
  /**
   * The one-time admin password, fetched (and so consumed) by the registry screen under this key.
   * This screen only reads what is cached there and never calls `users:initial-password` itself.
   */
  initialPassword: ['users', 'initial-password'] as const,
};

/** Users, anonymous rights and the auth mode. */
export function useUsers() {
  const api = useApi();
  return useQuery({ queryKey: userKeys.list, queryFn: () => api.invoke('users:list') });
}

function useRefresh() {
  const client = useQueryClient();
  // `exact`: the cached one-time password under ['users', ...] must never be refetched.
  return () => client.invalidateQueries({ queryKey: userKeys.list, exact: true });
}

/** Adds a user. */
export function useAddUser() {
  const api = useApi();
  const refresh = useRefresh();
  return useMutation({ mutationFn: (args: { name: string; password: string; rules?: string }) => api.invoke('users:add', args), onSettled: refresh });
}

/** Removes a user. */
export function useRemoveUser() {
  const api = useApi();
  const refresh = useRefresh();
  return useMutation({ mutationFn: (name: string) => api.invoke('users:remove', { name }), onSettled: refresh });
}

/** Sets a user's password. */
export function useSetPassword() {
  const api = useApi();
  const refresh = useRefresh();
  return useMutation({ mutationFn: (args: { name: string; password: string }) => api.invoke('users:set-password', args), onSettled: refresh });
}

/** Replaces a user's rights. */
export function useSetRights() {
  const api = useApi();
  const refresh = useRefresh();
  return useMutation({ mutationFn: (args: { name: string; rules: string }) => api.invoke('users:set-rights', args), onSettled: refresh });
}

/** Replaces what anonymous clients may do; the answer is the new listing. */
export function useSetAnonymous() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (rules: string) => api.invoke('users:set-anonymous', { rules }),
    onSuccess: (listing: UsersListing) => client.setQueryData(userKeys.list, listing),
  });
}

/** The one-time admin password if the registry screen fetched it and it was not dismissed (never fetched here). */
export function useCachedInitialPassword() {
  const client = useQueryClient();
  const q = useQuery<{ user: string; password: string } | null>({ queryKey: userKeys.initialPassword, queryFn: skipToken });
  return { value: q.data ?? null, dismiss: () => client.setQueryData(userKeys.initialPassword, null) };
}
