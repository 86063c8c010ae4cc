/** The registry's totals: repositories, manifests, blobs, bytes stored and reclaimable, and what the trash holds. */
import { Anchor, Paper, SimpleGrid, Stack, Text } from '@mantine/core';
import type { UsageReport } from '../../../../../src-server/contract';
import { count, formatBytes } from '../../../app/format';
import { hrefOf } from '../../../app/route';

function Stat({ label, value, hint, testId }: { label: string; value: string; hint?: string; testId: string }) {
  return (
    <Paper withBorder p="sm" data-testid={testId}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="xl" fw={700}>
        {value}
      </Text>
      {hint && (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      )}
    </Paper>
  );
}

/** Six numbers (`data-testid="usage-totals"`), and a line on the trash linking to Recently deleted. */
export function UsageTotals({ totals }: { totals: UsageReport['totals'] }) {
  return (
    <Stack gap="xs">
      <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} data-testid="usage-totals" aria-label="Storage totals" role="group">
        <Stat testId="total-repositories" label="Repositories" value={totals.repositories.toLocaleString()} />
        <Stat testId="total-manifests" label="Manifests" value={totals.manifests.toLocaleString()} />
        <Stat testId="total-blobs" label="Blobs" value={totals.blobs.toLocaleString()} />
        <Stat testId="total-stored" label="Stored" value={formatBytes(totals.stored)} />
        <Stat testId="total-reclaimable" label="Reclaimable by GC" value={formatBytes(totals.reclaimable)} hint="unreferenced blobs" />
        <Stat testId="total-reclaimable-untagged" label="With delete untagged" value={formatBytes(totals.reclaimableUntagged)} hint="also untagged manifests" />
      </SimpleGrid>
      <Text size="sm" data-testid="usage-trash">
        {totals.trashItems === 0 ? (
          'The trash is empty: nothing deleted recently holds space back from garbage collection.'
        ) : (
          <>
            Held in the trash: {count(totals.trashItems, 'item')}, {formatBytes(totals.trashHeldBytes)} (garbage collection frees it once they expire or the trash is emptied) ·{' '}
            <Anchor href={hrefOf({ screen: 'storage', tab: 'trash' })} data-testid="usage-trash-link">
              Recently deleted
            </Anchor>
          </>
        )}
      </Text>
    </Stack>
  );
}
