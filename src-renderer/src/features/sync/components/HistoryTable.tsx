/**
 * The history of runs (`sync:history`, newest first): when, how it was started, which jobs, how
 * long, the counts, and each failure in words.
 */
import { Stack, Table, Text } from '@mantine/core';
import type { SyncRunRecord } from '../../../../../src-server/contract';
import { formatBytes, formatDate } from '../../../app/format';
import { describeOutcome, describeTrigger, formatDuration } from '../format';

/** The table (`data-testid="sync-history"`). */
export function HistoryTable({ runs }: { runs: SyncRunRecord[] }) {
  if (runs.length === 0)
    return (
      <Text size="sm" c="dimmed" data-testid="sync-history-empty">
        No runs yet.
      </Text>
    );
  return (
    <Table.ScrollContainer minWidth={800}>
      <Table verticalSpacing="xs" data-testid="sync-history">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>When</Table.Th>
            <Table.Th>Jobs</Table.Th>
            <Table.Th>Took</Table.Th>
            <Table.Th>Copied</Table.Th>
            <Table.Th>Skipped</Table.Th>
            <Table.Th>Failed</Table.Th>
            <Table.Th>Outcome</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {runs.map((r) => (
            <Table.Tr key={r.id} data-testid="sync-history-row" data-run={r.id}>
              <Table.Td>
                <Text size="sm">{formatDate(r.startedAt)}</Text>
                <Text size="xs" c="dimmed">
                  {describeTrigger(r.trigger)}
                  {r.dryRun ? ' · dry run' : ''}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{r.jobs.join(', ')}</Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{formatDuration(r.durationMs)}</Text>
              </Table.Td>
              <Table.Td data-testid="sync-history-copied">
                <Text size="sm">{r.copied}</Text>
                {r.bytes > 0 && (
                  <Text size="xs" c="dimmed">
                    {formatBytes(r.bytes)}
                  </Text>
                )}
              </Table.Td>
              <Table.Td data-testid="sync-history-skipped">{r.skipped}</Table.Td>
              <Table.Td data-testid="sync-history-failed">{r.failed}</Table.Td>
              <Table.Td>
                <Stack gap={2}>
                  <Text size="sm" c={r.outcome === 'done' && r.failed === 0 ? undefined : 'red'}>
                    {describeOutcome(r)}
                  </Text>
                  {r.failures.map((f, i) => (
                    <Text key={i} size="xs" c="red" data-testid="sync-history-failure" style={{ overflowWrap: 'anywhere' }}>
                      {f.image}: {f.message}
                    </Text>
                  ))}
                </Stack>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
