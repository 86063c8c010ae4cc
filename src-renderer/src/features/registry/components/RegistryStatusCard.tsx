/** The local registry's state, addresses and storage, with start and stop. */
import { Alert, Badge, Button, Card, Group, Stack, Table, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { RegistryStatus } from '../../../../../src-server/contract';
import { ErrorAlert } from '../../../app/common';
import { count, formatBytes, formatDate } from '../../../app/format';
import { useRegistryControl, useRegistryUsage } from '../queries';

/** Status card: `status` is the shared registry status. */
export function RegistryStatusCard({ status }: { status: RegistryStatus }) {
  const start = useRegistryControl('start');
  const stop = useRegistryControl('stop');
  const fixed = status.controllable === false;
  const busy = start.isPending || stop.isPending;
  const failed = start.error ?? stop.error;
  const run = (m: typeof start, what: string) => {
    start.reset();
    stop.reset();
    m.mutate(undefined, { onSuccess: () => notifications.show({ message: `Registry ${what}` }) });
  };

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
          <Group gap="xs">
            <Button data-testid="registry-start" aria-label="Start the registry" disabled={fixed || status.running || busy} loading={start.isPending} onClick={() => run(start, 'started')}>
              Start
            </Button>
            <Button data-testid="registry-stop" aria-label="Stop the registry" color="red" variant="light" disabled={fixed || !status.running || busy} loading={stop.isPending} onClick={() => run(stop, 'stopped')}>
              Stop
            </Button>
          </Group>
        </Group>
        {fixed && (
          <Text size="sm" c="dimmed">
            This Berth cannot start or stop the registry from here (it runs in another process).
          </Text>
        )}
        {status.error && (
          <Alert color="red" title="The registry reported a problem" data-testid="registry-error">
            {status.error}
          </Alert>
        )}
        {failed && <ErrorAlert error={failed} />}
        <Table variant="vertical" withTableBorder={false}>
          <Table.Tbody>
            <Row label="HTTP address" testId="registry-url" value={status.url ?? '—'} />
            <Row label="HTTPS address" testId="registry-tls-url" value={status.tlsUrl ?? 'none'} />
            <Row label="Data directory" testId="registry-data-dir" value={status.dataDir ?? '—'} />
            {status.bucket && <Row label="Content in bucket" testId="registry-bucket" value={status.bucket} />}
            <Row label="Started" testId="registry-started-at" value={status.running ? formatDate(status.startedAt) : '—'} />
            <Table.Tr>
              <Table.Th w={160}>Storage</Table.Th>
              <Table.Td data-testid="registry-usage">
                <UsageText />
              </Table.Td>
            </Table.Tr>
          </Table.Tbody>
        </Table>
      </Stack>
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
