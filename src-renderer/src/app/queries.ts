/** Queries more than one screen uses (the shell's navigation lists the connections). */
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../api/context';

/** Query keys shared between features, so a mutation elsewhere can invalidate them. */
export const sharedKeys = {
  connections: ['connections'] as const,
  status: ['registry', 'status'] as const,
  usage: ['usage', 'registry'] as const,
};

/** Every connection, the local registry first. */
export function useConnections() {
  const api = useApi();
  return useQuery({ queryKey: sharedKeys.connections, queryFn: () => api.invoke('connections:list') });
}

/** The local registry's status (kept fresh by registry:status-changed events, see Shell). */
export function useRegistryStatus() {
  const api = useApi();
  return useQuery({ queryKey: sharedKeys.status, queryFn: () => api.invoke('registry:status') });
}

/** Storage usage of the local registry (the registry and storage screens; GC and deletes invalidate it). */
export function useRegistryUsage() {
  const api = useApi();
  return useQuery({ queryKey: sharedKeys.usage, queryFn: () => api.invoke('usage:registry') });
}
