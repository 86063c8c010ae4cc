/** The local registry's state, addresses and storage, with start and stop. */
import { Alert, Badge, Button, Card, Group, Stack, Table, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { REGISTRY_STOPPED_BY_USER, type RegistryStatus } from '../../../../../src-server/contract';
import { ErrorAlert } from '../../../app/common';
import { count, formatBytes, formatDate } from '../../../app/format';
import { useRegistryControl, useRegistryUsage } from '../queries';
import { StopRegistryModal, whileStoppedText } from './StopRegistryModal';

/**
 * Status card: `status` is the shared registry status. `readOnly` (a user without `admin@*`) leaves
 * out start/stop, the data directory and the storage figures, which only an administrator may see.
 */
export function RegistryStatusCard({ status, readOnly = false }: { status: RegistryStatus; readOnly?: boolean }) {
  const start = useRegistryControl('start');
  const stop = useRegistryControl('stop');
  const fixed = status.controllable === false;
  const busy = start.isPending || stop.isPending;
  const failed = start.error ?? stop.error;
  const [confirmingStop, setConfirmingStop] = useState(false);
  const run = (m: typeof start, what: string) => {
    start.reset();
    stop.reset();
    m.mutate(undefined, { onSuccess: () => notifications.show({ message: `Registry ${what}` }), onSettled: () => setConfirmingStop(false) });
  };
  // A stop the user asked for is a state, not a problem: only other reasons are shown as errors.
  const stoppedByUser = !status.running && status.error === REGISTRY_STOPPED_BY_USER;
  const problem = status.error && !stoppedByUser ? status.error : null;

  return (
    <Card withBorder padding="lg" data-testid="registry-status-card">
      <Stack gap="sm">
        <Group justify="space-between">
          <Group gap="sm">
            <Title order={3}>Local registry</Title>
            <Badge color={status.running ? 'green' : 'gray'} variant="light" data-testid="registry-status" aria-label="Registry status">
              {status.running ? 'running' : 'stopped'}
            </Badge>
          </Group>
          {!readOnly && (
            <Group gap="xs">
              <Button data-testid="registry-start" aria-label="Start the registry" disabled={fixed || status.running || busy} loading={start.isPending} onClick={() => run(start, 'started')}>
                Start
              </Button>
              <Button data-testid="registry-stop" aria-label="Stop the registry" color="red" variant="light" disabled={fixed || !status.running || busy} loading={stop.isPending} onClick={() => setConfirmingStop(true)}>
                Stop
              </Button>
            </Group>
          )}
        </Group>
        {fixed && !readOnly && (
          <Text size="sm" c="dimmed">
            This Berth cannot start or stop the registry from here (it runs in another process).
          </Text>
        )}
        {problem && (
          <Alert color="red" title="The registry reported a problem" data-testid="registry-error">
            {problem}
          </Alert>
        )}
        {stoppedByUser && (
          <Alert color="gray" title="Stopped" data-testid="registry-stopped">
            You stopped the registry from Berth. Until you start it again, {whileStoppedText(status)}.
          </Alert>
        )}
        {failed && <ErrorAlert error={failed} />}
        <Table variant="vertical" withTableBorder={false}>
          <Table.Tbody>
            <Row label="HTTP address" testId="registry-url" value={status.url ?? '—'} />
            <Row label="HTTPS address" testId="registry-tls-url" value={status.tlsUrl ?? 'none'} />
            {!readOnly && <Row label="Data directory" testId="registry-data-dir" value={status.dataDir ?? '—'} />}
            {!readOnly && status.bucket && <Row label="Content in bucket" testId="registry-bucket" value={status.bucket} />}
            <Row label="Started" testId="registry-started-at" value={status.running ? formatDate(status.startedAt) : '—'} />
            {!readOnly && (
              <Table.Tr>
                <Table.Th w={160}>Storage</Table.Th>
                <Table.Td data-testid="registry-usage">
                  <UsageText />
                </Table.Td>
              </Table.Tr>
            )}
          </Table.Tbody>
        </Table>
      </Stack>
      {confirmingStop && <StopRegistryModal status={status} busy={stop.isPending} onCancel={() => setConfirmingStop(false)} onConfirm={() => run(stop, 'stopped')} />}
    </Card>
  );
}

function Row({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <Table.Tr>
      <Table.Th w={160}>{label}</Table.Th>
      <Table.Td data-testid={testId} style={{ overflowWrap: 'anywhere' }}>
        {value}
      </Table.Td>
    </Table.Tr>
  );
}

function UsageText() {
  const usage = useRegistryUsage();
  if (usage.isPending) return <Text c="dimmed">Measuring…</Text>;
  if (usage.isError) return <ErrorAlert error={usage.error} title="Storage use is not available" />;
  const t = usage.data.totals;
  if (t.repositories === 0 && t.stored === 0) return <Text>Empty: push an image with the commands below.</Text>;
  return (
    <Text>
      {formatBytes(t.stored)} in {count(t.repositories, 'repository', 'repositories')}
      {t.reclaimable > 0 ? ` · GC could free ${formatBytes(t.reclaimable)}` : ''}
      {t.reclaimableUntagged > t.reclaimable ? ` (${formatBytes(t.reclaimableUntagged)} with untagged images)` : ''}
    </Text>
  );
}
