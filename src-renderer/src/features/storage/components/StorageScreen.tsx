/**
 * The storage screen (`#/storage`) of the local registry, in three tabs with addresses of their
 * own: Usage (totals, the stored bytes over time, usage per repository as a treemap or a table,
 * garbage collection, deleting a repository), Retention (`#/storage/retention`) and Recently
 * deleted, the trash (`#/storage/trash`).
 */
import { Button, Code, Group, Stack, Tabs, Title } from '@mantine/core';
import { useState } from 'react';
import { EmptyState, ErrorAlert, Loading } from '../../../app/common';
import { useRegistryStatus } from '../../../app/queries';
import { navigate, type StorageTab } from '../../../app/route';
import { RetentionSection } from '../../retention/components/RetentionSection';
import { TrashSection } from '../../trash/components/TrashSection';
import { useRefreshUsage, useUsagePage } from '../queries';
import { DeleteRepositoryModal } from './DeleteRepositoryModal';
import { GcPanel } from './GcPanel';
import { RepositoryUsageSection, treemapQuery } from './RepositoryUsageSection';
import { UsageHistorySection } from './UsageHistorySection';
import { UsageTotals } from './UsageTotals';

/** Storage of the local registry; `tab` is the address's (usage when absent). */
export function StorageScreen({ tab }: { tab?: StorageTab }) {
  return (
    <Stack gap="lg">
      <Title order={2}>Storage</Title>
      <Tabs value={tab ?? 'usage'} onChange={(v) => navigate({ screen: 'storage', ...(v === 'retention' || v === 'trash' ? { tab: v } : {}) })} keepMounted={false}>
        <Tabs.List aria-label="Storage views" data-testid="storage-tabs">
          <Tabs.Tab value="usage" data-testid="storage-tab-usage">
            Usage
          </Tabs.Tab>
          <Tabs.Tab value="retention" data-testid="storage-tab-retention">
            Retention
          </Tabs.Tab>
          <Tabs.Tab value="trash" data-testid="storage-tab-trash">
            Recently deleted
          </Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="usage" pt="md">
          <UsageView />
        </Tabs.Panel>
        <Tabs.Panel value="retention" pt="md">
          <RetentionSection />
        </Tabs.Panel>
        <Tabs.Panel value="trash" pt="md">
          <TrashSection />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

function UsageView() {
  // The treemap's first page: it carries the totals, and the treemap reads it from the cache.
  const usage = useUsagePage(treemapQuery(0));
  const refresh = useRefreshUsage();
  const status = useRegistryStatus();
  const host = status.data?.url?.replace(/^https?:\/\//, '') ?? 'HOST:PORT';
  const [deleting, setDeleting] = useState<string | null>(null);
  return (
    <Stack gap="lg">
      <Group justify="flex-end">
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
