/** Data of the certificates screen: react-query hooks over the cert:* channels. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../../api/context';

/** Query keys of this feature. */
export const certKeys = {
  info: ['cert', 'info'] as const,
  installCommands: (host: string) => ['cert', 'install-commands', host] as const,
};

/** CA and server certificate details. */
export function useCertInfo() {
  const api = useApi();
  return useQuery({ queryKey: certKeys.info, queryFn: () => api.invoke('cert:info') });
}

/**
 * Replaces the extra names and issues a new server certificate (and with `newCa` a new CA); the
 * answer becomes the info.
 */
export function useRegenerate() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ extraNames, newCa }: { extraNames: string[]; newCa?: boolean }) => api.invoke('cert:regenerate', { extraNames, ...(newCa ? { newCa } : {}) }),
    onSuccess: (info) => client.setQueryData(certKeys.info, info),
  });
}

/**
 * The client bundle for `host`. Making it may create the CA and the server certificate (the first
 * time), so the certificates are read again afterwards.
 */
export function useBundle() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (host: string) => api.invoke('cert:bundle', { host }),
    onSettled: () => client.invalidateQueries({ queryKey: certKeys.info }),
  });
}

/** Install commands per OS for `host` (null: nothing to ask yet). */
export function useInstallCommands(host: string | null) {
  const api = useApi();
  return useQuery({
    queryKey: certKeys.installCommands(host ?? ''),
    queryFn: () => api.invoke('cert:install-commands', { host: host! }),
    enabled: host !== null,
  });
}
