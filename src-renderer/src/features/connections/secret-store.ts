/** Where connection passwords and tokens go, as the server that stores them says (`secrets:info`). */
import { useQuery } from '@tanstack/react-query';
import type { SecretStoreInfo } from '../../../../src-server/contract';
import { useApi } from '../../api/context';

/** The secret store of the server; it does not change while the server runs. */
export function useSecretStore() {
  const api = useApi();
  return useQuery({ queryKey: ['secrets', 'info'], queryFn: () => api.invoke('secrets:info'), staleTime: Infinity, retry: false });
}

/** Where a stored password is, after "stored": only what the server said, else what holds everywhere. */
export function storedWhere(info: SecretStoreInfo | undefined): string {
  if (info?.kind === 'keychain') return 'in the OS keychain';
  if (info?.kind === 'file' && info.location) return `in ${info.location}`;
  if (info?.kind === 'memory') return 'in memory only, until Berth stops';
  return "outside Berth's database";
}

/** The sentence under a new connection's password field. */
export function secretStoreSentence(info: SecretStoreInfo | undefined): string {
  if (info?.kind === 'file' && info.location) return `Kept in ${info.location}, readable only by you (in plain text).`;
  if (info?.kind === 'memory') return 'Kept in memory only: forgotten when Berth stops.';
  return `Kept ${storedWhere(info)}.`;
}
