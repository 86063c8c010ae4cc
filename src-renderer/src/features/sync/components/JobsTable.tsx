/**
 * The jobs of sync.yml, one row each: source → destination, repositories, tag rules, platforms,
 * interval and next run, the last run with its counts, and the actions (dry run, run now, edit,
 * remove). A job running now says so, with its progress as the server last reported it.
 */
import { Badge, Button, Group, Stack, Table, Text } from '@mantine/core';
import type { ConnectionInfo, SyncJobView, SyncProgress } from '../../../../../src-server/contract';
import { formatDate } from '../../../app/format';
import { describeCounts, describeEndpoint, describeMapping, describePlatforms, describeTags } from '../format';

/** Props of {@link JobsTable}. */
export interface JobsTableProps {
  jobs: SyncJobView[];
  running: SyncProgress[];
  connections: readonly ConnectionInfo[];
  /** True while a run started here goes on: no second one is offered. */
  busy: boolean;
  onDryRun(name: string): void;
  onRun(name: string): void;
  onEdit(view: SyncJobView): void;
  onRemove(name: string): void;
}

/** The table (`data-testid="sync-jobs"`). */
export function JobsTable({ jobs, running, connections, busy, onDryRun, onRun, onEdit, onRemove }: JobsTableProps) {
  return (
    <Table.ScrollContainer minWidth={900}>
      <Table verticalSpacing="sm" data-testid="sync-jobs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Job</Table.Th>
            <Table.Th>What</Table.Th>
            <Table.Th>Schedule</Table.Th>
            <Table.Th>Last run</Table.Th>
            <Table.Th aria-label="Actions" />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {jobs.map((view) => {
            const { job, lastRun, nextRun } = view;
            const now = running.find((r) => r.job === job.name);
            return (
              <Table.Tr key={job.name} data-testid="sync-job-row" data-job={job.name}>
                <Table.Td>
                  <Stack gap={2}>
                    <Text fw={600}>{job.name}</Text>
                    <Text size="sm" data-testid="sync-job-route">
                      {describeEndpoint(job.source, connections)} → {describeEndpoint(job.destination, connections)}
                    </Text>
                  </Stack>
                </Table.Td>
                <Table.Td>
                  <Stack gap={2}>
                    <Text size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }} data-testid="sync-job-repositories">
                      {job.source.repositories.join(', ')}
                    </Text>
                    <Text size="xs" c="dimmed" data-testid="sync-job-rules">
                      {describeTags(job.tags)} · {describePlatforms(job)}
                      {job.referrers ? ' · with referrers' : ''} · {describeMapping(job.destination)}
                    </Text>
                  </Stack>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" data-testid="sync-job-schedule">
                    {job.interval ? `every ${job.interval}` : 'by hand'}
                  </Text>
                  {nextRun && (
                    <Text size="xs" c="dimmed">
                      next {formatDate(nextRun)}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td data-testid="sync-job-last">
                  {now ? (
                    <Badge color="blue" variant="light">
                      running · {now.imagesDone}
                      {now.imagesTotal !== null ? ` of ${now.imagesTotal}` : ''} images
                    </Badge>
                  ) : lastRun ? (
                    <Stack gap={2}>
                      <Text size="sm">{formatDate(lastRun.endedAt)}</Text>
                      <Text size="xs" c={lastRun.failed > 0 || lastRun.outcome !== 'done' ? 'red' : 'dimmed'}>
                        {lastRun.outcome === 'done' ? describeCounts(lastRun) : lastRun.outcome}
                        {lastRun.dryRun ? ' (dry run)' : ''}
                      </Text>
                    </Stack>
                  ) : (
                    <Text size="sm" c="dimmed">
                      never
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Group gap="xs" justify="flex-end" wrap="nowrap">
                    <Button size="xs" variant="default" disabled={busy} onClick={() => onDryRun(job.name)} data-testid="sync-job-dry-run">
                      Dry run
                    </Button>
                    <Button size="xs" disabled={busy || now !== undefined} onClick={() => onRun(job.name)} data-testid="sync-job-run">
                      Run now
                    </Button>
                    <Button size="xs" variant="subtle" onClick={() => onEdit(view)} data-testid="sync-job-edit">
                      Edit
                    </Button>
                    <Button size="xs" variant="subtle" color="red" onClick={() => onRemove(job.name)} data-testid="sync-job-remove">
                      Remove
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
