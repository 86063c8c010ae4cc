/** Data of the registry screen: react-query hooks over the local registry's channels. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { LocalSettingsPatch, RegistryStatus } from '../../../../src-server/contract';
import { useApi } from '../../api/context';
import { sharedKeys } from '../../app/queries';

/** Query keys of this feature. `usage` is the key the storage screen may share (invalidate it after a GC). */
export const registryKeys = {
  usage: sharedKeys.usage,
  settings: ['registry', 'settings'] as const,
  /** Shared with the users screen: the password is handed out once, so both must read the same cache entry. */
  initialPassword: ['users', 'initial-password'] as const,
};


/** Settings in force at the next start. */
export function useSettings() {
  const api = useApi();
  return useQuery({ queryKey: registryKeys.settings, queryFn: () => api.invoke('settings:get') });
}

/**
 * The admin password generated at first start. The server forgets it after answering, so it is
 * fetched once per window and kept (never refetched, never garbage-collected) until dismissed.
 */
export function useInitialPassword() {
  const api = useApi();
  return useQuery({
    queryKey: registryKeys.initialPassword,
    queryFn: () => api.invoke('users:initial-password'),
    staleTime: Infinity,
    gcTime: Infinity,
    refetchOnMount: false,
    refetchOnReconnect: false,
  });
}

/** Forgets the one-time password on screen (after the user saved it). */
export function useDismissInitialPassword() {
  const client = useQueryClient();
  return () => client.setQueryData(registryKeys.initialPassword, null);
}

/** Starts or stops the registry; the answer becomes the shared status. */
export function useRegistryControl(action: 'start' | 'stop') {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api.invoke(action === 'start' ? 'registry:start' : 'registry:stop'),
    onSuccess: (status: RegistryStatus) => client.setQueryData(sharedKeys.status, status),
  });
}

/** Saves changed settings. */
export function useSaveSettings() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (patch: LocalSettingsPatch) => api.invoke('settings:set', patch),
    onSuccess: (result) => client.setQueryData(registryKeys.settings, result.settings),
  });
}

/** Storage usage of the local registry: one hook for every screen that shows it. */
export { useRegistryUsage } from '../../app/queries';
