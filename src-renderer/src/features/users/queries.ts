/** Data of the users screen: react-query hooks over the `users:*` and `groups:*` channels of the local registry. */
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
  groups: ['groups', 'list'] as const,
};

/** Users, anonymous rights and the auth mode. */
export function useUsers() {
  const api = useApi();
  return useQuery({ queryKey: userKeys.list, queryFn: () => api.invoke('users:list') });
}

/** Groups with their rights and members. */
export function useGroups() {
  const api = useApi();
  return useQuery({ queryKey: userKeys.groups, queryFn: () => api.invoke('groups:list') });
}

/** Re-reads users and groups after a change: a change of one can change the other (members, groups of a user). */
function useRefresh() {
  const client = useQueryClient();
  // `exact`: the cached one-time password under ['users', ...] must never be refetched.
  return () => Promise.all([client.invalidateQueries({ queryKey: userKeys.list, exact: true }), client.invalidateQueries({ queryKey: userKeys.groups, exact: true })]);
}

/** Adds a user. */
export function useAddUser() {
  const api = useApi();
  const refresh = useRefresh();
  return useMutation({ mutationFn: (args: { name: string; password: string; rules?: string; groups?: string[] }) => api.invoke('users:add', args), onSettled: refresh });
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

/** Replaces the groups a user is in. */
export function useSetUserGroups() {
  const api = useApi();
  const refresh = useRefresh();
  return useMutation({ mutationFn: (args: { name: string; groups: string[] }) => api.invoke('users:set-groups', args), onSettled: refresh });
}

/** Adds a group. */
export function useAddGroup() {
  const api = useApi();
  const refresh = useRefresh();
  return useMutation({ mutationFn: (args: { name: string; rules: string }) => api.invoke('groups:add', args), onSettled: refresh });
}

/** Replaces a group's rights. */
export function useSetGroupAccess() {
  const api = useApi();
  const refresh = useRefresh();
  return useMutation({ mutationFn: (args: { name: string; rules: string }) => api.invoke('groups:set-access', args), onSettled: refresh });
}

/** Removes a group; the answer names the members who lost its rights. */
export function useRemoveGroup() {
  const api = useApi();
  const refresh = useRefresh();
  return useMutation({ mutationFn: (name: string) => api.invoke('groups:remove', { name }), onSettled: refresh });
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
