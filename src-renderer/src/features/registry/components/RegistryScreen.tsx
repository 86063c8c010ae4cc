/**
 * The home screen: the local registry's status, start/stop, commands to use it, and its settings.
 * A user without `admin@*` sees its addresses and the commands for their own name only.
 */
import { Stack } from '@mantine/core';
import { ErrorAlert, Loading } from '../../../app/common';
import { useRegistryStatus } from '../../../app/queries';
import { useViewer } from '../../../app/viewer';
import { useInitialPassword } from '../queries';
import { InitialPasswordNotice } from './InitialPasswordNotice';
import { RegistryCommands } from './RegistryCommands';
import { RegistrySettings } from './RegistrySettings';
import { RegistryStatusCard } from './RegistryStatusCard';

/** The local registry. */
export function RegistryScreen(_props: Record<string, never>) {
  const viewer = useViewer();
  return viewer.admin ? <AdministeredRegistry /> : <RegistryForUser user={viewer.name ?? 'admin'} />;
}

function AdministeredRegistry() {
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

// Settings, start/stop and storage are the administrator's (the server refuses them to anyone else).
function RegistryForUser({ user }: { user: string }) {
  const status = useRegistryStatus();
  return (
    <Stack gap="md">
      {status.isPending && <Loading label="Asking the registry…" />}
      {status.isError && <ErrorAlert error={status.error} title="The registry's status is not available" />}
      {status.data && (
        <>
          <RegistryStatusCard status={status.data} readOnly />
          <RegistryCommands status={status.data} user={user} />
        </>
      )}
    </Stack>
  );
}
