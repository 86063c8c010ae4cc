/** The home screen: the local registry's status, start/stop, commands to use it, and its settings. */
import { Stack } from '@mantine/core';
import { ErrorAlert, Loading } from '../../../app/common';
import { useRegistryStatus } from '../../../app/queries';
import { useInitialPassword } from '../queries';
import { InitialPasswordNotice } from './InitialPasswordNotice';
import { RegistryCommands } from './RegistryCommands';
import { RegistrySettings } from './RegistrySettings';
import { RegistryStatusCard } from './RegistryStatusCard';

/** The local registry. */
export function RegistryScreen(_props: Record<string, never>) {
  const status = useRegistryStatus();
  const initial = useInitialPassword();
  return (
    <Stack gap="md">
      <InitialPasswordNotice />
      {status.isPending && <Loading label="Asking the registry…" />}
      {status.isError && <ErrorAlert error={status.error} title="The registry's status is not available" />}
      {status.data && (
        <>
          <RegistryStatusCard status={status.data} />
          <RegistryCommands status={status.data} user={initial.data?.user ?? 'admin'} />
        </>
      )}
      <RegistrySettings />
    </Stack>
  );
}
