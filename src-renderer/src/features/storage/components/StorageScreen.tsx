/**
 * The storage screen (`#/storage`) of the local registry: totals, the stored bytes over time, usage
 * per repository as a treemap (or a table), garbage collection (preview, run, progress, report) and
 * deleting a repository.
 */
import { Button, Code, Group, Stack, Title } from '@mantine/core';
import { useState } from 'react';
import { EmptyState, ErrorAlert, Loading } from '../../../app/common';
import { useRegistryStatus } from '../../../app/queries';
import { useRefreshUsage, useUsagePage } from '../queries';
import { DeleteRepositoryModal } from './DeleteRepositoryModal';
import { GcPanel } from './GcPanel';
import { RepositoryUsageSection, treemapQuery } from './RepositoryUsageSection';
import { UsageHistorySection } from './UsageHistorySection';
import { UsageTotals } from './UsageTotals';

/** Storage of the local registry. */
export function StorageScreen(_props: Record<string, never>) {
  // The treemap's first page: it carries the totals, and the treemap reads it from the cache.
  const usage = useUsagePage(treemapQuery(0));
  const refresh = useRefreshUsage();
  const status = useRegistryStatus();
  const host = status.data?.url?.replace(/^https?:\/\//, '') ?? 'HOST:PORT';
  const [deleting, setDeleting] = useState<string | null>(null);
  return (
    <Stack gap="lg">
      <Group justify="space-between">
        <Title order={2}>Storage</Title>
        <Button variant="default" size="xs" onClick={() => void refresh()} loading={usage.isFetching && !usage.isPending} data-testid="usage-refresh">
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
          <UsageHistorySection />
          {usage.data.totals.repositories === 0 ? (
            <EmptyState title="Nothing stored yet">
              Push an image to the local registry (for example <Code>docker tag alpine {host}/alpine</Code> then <Code>docker push {host}/alpine</Code>; the Local registry
              screen has the exact commands), or copy one here from another connection. Its size shows up here.
            </EmptyState>
          ) : (
            <RepositoryUsageSection onDelete={setDeleting} />
          )}
          <GcPanel />
          <DeleteRepositoryModal name={deleting} onClose={() => setDeleting(null)} />
        </>
      )}
    </Stack>
  );
}
