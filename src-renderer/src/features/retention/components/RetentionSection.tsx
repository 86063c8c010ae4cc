/**
 * Storage → Retention (`#/storage/retention`): the policies and what each keeps now, adding and
 * removing them, the schedule with the next and last runs, and a preview before running by hand.
 */
import { Button, Group, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { EmptyState, ErrorAlert, Loading } from '../../../app/common';
import { useRetention } from '../queries';
import { AddPolicyModal } from './AddPolicyModal';
import { PoliciesTable } from './PoliciesTable';
import { RunPanel } from './RunPanel';
import { SchedulePanel } from './SchedulePanel';

/** The section (`data-testid="retention-section"`). */
export function RetentionSection() {
  const retention = useRetention();
  const [adding, setAdding] = useState(false);
  return (
    <Stack gap="md" data-testid="retention-section" component="section" aria-label="Retention">
      <Group justify="space-between">
        <Title order={3}>Retention</Title>
        <Button onClick={() => setAdding(true)} data-testid="policy-add">
          Add policy
        </Button>
      </Group>
      <Text size="sm" c="dimmed">
        Policies remove old tags of the repositories they match. A tag survives when any matching policy keeps it: among the last N pushed, pushed within a duration, or
        matching a pattern. What a run removes goes to Recently deleted first.
      </Text>
      {retention.isPending ? (
        <Loading label="Reading the policies…" />
      ) : retention.isError ? (
        <ErrorAlert error={retention.error} />
      ) : (
        <>
          {retention.data.policies.length === 0 ? (
            <EmptyState title="No retention policy">Add one to remove old tags on a schedule or by hand; the preview shows what would go before anything does.</EmptyState>
          ) : (
            <PoliciesTable policies={retention.data.policies} />
          )}
          <RunPanel hasPolicies={retention.data.policies.length > 0} />
          <SchedulePanel key={retention.data.schedule ?? ''} listing={retention.data} />
        </>
      )}
      <AddPolicyModal opened={adding} onClose={() => setAdding(false)} />
    </Stack>
  );
}
