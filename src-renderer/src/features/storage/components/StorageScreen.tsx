/**
 * The storage screen (`#/storage`) of the local registry: totals, usage per repository as a chart,
 * garbage collection (preview, run, progress, report) and deleting a repository.
 */
import { Button, Code, Group, Stack, Title } from '@mantine/core';
import { useState } from 'react';
import { EmptyState, ErrorAlert, Loading } from '../../../app/common';
import { useRegistryStatus } from '../../../app/queries';
import { useRegistryUsage } from '../queries';
import { DeleteRepositoryModal } from './DeleteRepositoryModal';
import { GcPanel } from './GcPanel';
import { RepositoryBars } from './RepositoryBars';
import { UsageTotals } from './UsageTotals';

/** Storage of the local registry. */
export function StorageScreen(_props: Record<string, never>) {
  const usage = useRegistryUsage();
  const status = useRegistryStatus();
  const host = status.data?.url?.replace(/^https?:\/\//, '') ?? 'HOST:PORT';
  const [deleting, setDeleting] = useState<string | null>(null);
  return (
    <Stack gap="lg">
      <Group justify="space-between">
        <Title order={2}>Storage</Title>
        <Button variant="default" size="xs" onClick={() => void usage.refetch()} loading={usage.isFetching && !usage.isPending} data-testid="usage-refresh">
          Refresh
        </Button>
      </Group>
      {usage.isPending ? (
        <Loading label="Measuring storage…" />
      ) : usage.isError ? (
        <ErrorAlert error={usage.error} />
      ) : (
        <>
          <UsageTotals totals={usage.data.totals} />
          {usage.data.repositories.length === 0 ? (
            <EmptyState title="Nothing stored yet">
              Push an image to the local registry (for example <Code>docker tag alpine {host}/alpine</Code> then <Code>docker push {host}/alpine</Code>; the Local registry
              screen has the exact commands), or copy one here from another connection. Its size shows up here.
            </EmptyState>
          ) : (
            <Stack gap="xs">
              <Title order={3}>Usage per repository</Title>
              <RepositoryBars repositories={usage.data.repositories} onDelete={setDeleting} />
            </Stack>
          )}
          <GcPanel />
          <DeleteRepositoryModal name={deleting} onClose={() => setDeleting(null)} />
        </>
      )}
    </Stack>
  );
}
