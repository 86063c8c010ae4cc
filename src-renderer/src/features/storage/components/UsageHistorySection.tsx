/**
 * "Stored over time": the history chart with a choice of period, a table of the same points, and
 * until there are two days an empty state saying the points come one a day.
 */
import { Group, ScrollArea, SegmentedControl, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import type { UsageHistoryPoint } from '../../../../../src-server/contract';
import { EmptyState, ErrorAlert, Loading } from '../../../app/common';
import { count, formatBytes } from '../../../app/format';
import { exactBytes, formatDay, formatMeasuredAt } from '../figures';
import { useUsageHistory } from '../queries';
import { UsageHistoryChart } from './UsageHistoryChart';

/** The periods offered, in days (the server keeps two years). */
export const HISTORY_PERIODS = [
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '365', label: '1 year' },
  { value: '731', label: '2 years' },
];

/** The section (`data-testid="usage-history"`). */
export function UsageHistorySection() {
  const [days, setDays] = useState('90');
  const [view, setView] = useState('chart');
  const history = useUsageHistory(Number(days));
  const points = history.data?.points;
  return (
    <Stack gap="xs" data-testid="usage-history">
      <Group justify="space-between">
        <Title order={3}>Stored over time</Title>
        <Group gap="xs">
          <SegmentedControl size="xs" value={days} onChange={setDays} data={HISTORY_PERIODS} aria-label="Period" />
          <SegmentedControl size="xs" value={view} onChange={setView} data={[{ value: 'chart', label: 'Chart' }, { value: 'table', label: 'Table' }]} aria-label="Show the history as" />
        </Group>
      </Group>
      {history.isPending ? (
        <Loading label="Reading the history…" />
      ) : history.isError ? (
        <ErrorAlert error={history.error} title="The history could not be read" />
      ) : points!.length < 2 ? (
        <EmptyState title="One point per day from now on">
          {points!.length === 1
            ? `The registry's size is recorded once a day, and after each garbage collection. So far: ${formatDay(points![0]!.day)}, ${formatBytes(points![0]!.stored)} stored. The chart appears with the second day.`
            : 'The registry records its size once a day while it runs, and after each garbage collection. The chart appears with the second day.'}
        </EmptyState>
      ) : view === 'chart' ? (
        <UsageHistoryChart points={points!} />
      ) : (
        <HistoryTable points={points!} />
      )}
    </Stack>
  );
}

/** The points as rows, newest first. */
function HistoryTable({ points }: { points: UsageHistoryPoint[] }) {
  return (
    <ScrollArea.Autosize mah={320}>
      <Table striped aria-label="Stored bytes per day" data-testid="usage-history-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Day</Table.Th>
            <Table.Th ta="right">Stored</Table.Th>
            <Table.Th ta="right">Repositories</Table.Th>
            <Table.Th ta="right">Manifests</Table.Th>
            <Table.Th ta="right">Blobs</Table.Th>
            <Table.Th>Measured</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {[...points].reverse().map((p) => (
            <Table.Tr key={p.day} data-testid="history-row" data-day={p.day}>
              <Table.Td>{formatDay(p.day)}</Table.Td>
              <Table.Td ta="right" title={exactBytes(p.stored)}>
                {formatBytes(p.stored)}
              </Table.Td>
              <Table.Td ta="right">{p.repositories.toLocaleString()}</Table.Td>
              <Table.Td ta="right">{p.manifests.toLocaleString()}</Table.Td>
              <Table.Td ta="right">{p.blobs.toLocaleString()}</Table.Td>
              <Table.Td>{formatMeasuredAt(p.at)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Text size="xs" c="dimmed" mt={4}>
        {count(points.length, 'day')}; days are UTC days.
      </Text>
    </ScrollArea.Autosize>
  );
}
