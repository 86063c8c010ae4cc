/**
 * What a dry run of a job would do, or a run as it goes: the dry run's list is exactly the images
 * the server answered (source, destination, copy or skip) with its counts; a run shows its live
 * progress (`sync:progress`: images, bytes, rate, what is being copied) with Cancel, then its
 * summary (the server's counts, and every failure in words).
 */
import { Alert, Button, Group, Paper, Progress, Stack, Table, Text, Title } from '@mantine/core';
import type { SyncProgress, SyncSummary } from '../../../../../src-server/contract';
import { errorCode } from '../../../api/errors';
import { ErrorAlert } from '../../../app/common';
import { formatBytes } from '../../../app/format';
import { describeCounts, formatDuration } from '../format';

/** What the panel shows: nothing, a dry run, or a run (going on, or ended). */
export type RunView =
  | { kind: 'dry'; job: string; pending: boolean; summary?: SyncSummary; error?: unknown }
  | { kind: 'run'; job: string; pending: boolean; progress: SyncProgress | null; summary?: SyncSummary; error?: unknown };

/** The panel (`data-testid="sync-run-panel"`). */
export function RunPanel({ view, onCancel, cancelling }: { view: RunView; onCancel(): void; cancelling: boolean }) {
  return (
    <Paper withBorder p="md" component="section" aria-label={view.kind === 'dry' ? `Dry run of ${view.job}` : `Run of ${view.job}`} data-testid="sync-run-panel">
      <Stack gap="sm">
        <Title order={4}>{view.kind === 'dry' ? `Dry run of ${view.job}` : `Run of ${view.job}`}</Title>
        {view.pending && view.kind === 'dry' && <Text c="dimmed">Listing the source's tags and comparing with the destination…</Text>}
        {view.kind === 'run' && view.pending && <Live progress={view.progress} onCancel={onCancel} cancelling={cancelling} />}
        {view.error !== undefined &&
          (errorCode(view.error) === 'CANCELLED' ? (
            <Alert color="yellow" title="Cancelled" data-testid="sync-run-cancelled">
              The run was stopped; the images it finished stay, and the next run goes on from there.
            </Alert>
          ) : (
            <ErrorAlert error={view.error} title={view.kind === 'dry' ? 'The dry run failed' : 'The run failed'} />
          ))}
        {view.summary && (view.kind === 'dry' ? <DryResult summary={view.summary} /> : <RunResult summary={view.summary} />)}
      </Stack>
    </Paper>
  );
}

function Live({ progress, onCancel, cancelling }: { progress: SyncProgress | null; onCancel(): void; cancelling: boolean }) {
  const total = progress?.imagesTotal ?? null;
  const share = progress && total ? (100 * progress.imagesDone) / total : 0;
  return (
    <Stack gap="xs" data-testid="sync-progress">
      <Progress value={share} animated={total === null} aria-label="Images done" />
      <Group justify="space-between">
        <Text size="sm" data-testid="sync-progress-text">
          {progress
            ? `${progress.imagesDone}${total !== null ? ` of ${total}` : ''} images · ${describeCounts(progress)} · ${formatBytes(progress.bytesDone)}${progress.bytesPerSecond !== null ? ` at ${formatBytes(progress.bytesPerSecond)}/s` : ''}`
            : 'Starting…'}
        </Text>
        <Button size="xs" variant="default" color="red" onClick={onCancel} loading={cancelling} data-testid="sync-run-cancel">
          Cancel
        </Button>
      </Group>
      {progress && progress.current.length > 0 && (
        <Text size="xs" c="dimmed" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
          {progress.current.join(', ')}
        </Text>
      )}
    </Stack>
  );
}

function Failures({ summary }: { summary: SyncSummary }) {
  if (summary.failures.length === 0) return null;
  return (
    <Alert color="red" title={`${summary.failed} failed`} role="alert" data-testid="sync-failures">
      <Stack gap={2}>
        {summary.failures.map((f, i) => (
          <Text key={i} size="sm" style={{ overflowWrap: 'anywhere' }} data-testid="sync-failure">
            {f.image}: {f.message}
          </Text>
        ))}
      </Stack>
    </Alert>
  );
}

function DryResult({ summary }: { summary: SyncSummary }) {
  const images = summary.images ?? [];
  const copies = images.filter((i) => i.action === 'copy').length;
  return (
    <Stack gap="xs" data-testid="sync-dry-result">
      <Text fw={600} data-testid="sync-dry-summary">
        {images.length === 0 ? 'Nothing matches: no image would be copied.' : `Would copy ${copies} and skip ${images.length - copies} (already at the destination).`}
      </Text>
      {images.length > 0 && (
        <Table.ScrollContainer minWidth={700}>
          <Table verticalSpacing={4} data-testid="sync-dry-list">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Source</Table.Th>
                <Table.Th>Destination</Table.Th>
                <Table.Th>Would</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {images.map((i) => (
                <Table.Tr key={`${i.job}|${i.source}|${i.destination}`} data-testid="sync-dry-image" data-action={i.action}>
                  <Table.Td ff="monospace" style={{ overflowWrap: 'anywhere' }} data-testid="sync-dry-source">
                    {i.source}
                  </Table.Td>
                  <Table.Td ff="monospace" style={{ overflowWrap: 'anywhere' }} data-testid="sync-dry-destination">
                    {i.destination}
                  </Table.Td>
                  <Table.Td>{i.action === 'copy' ? 'copy' : 'skip (same digest)'}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <Failures summary={summary} />
    </Stack>
  );
}

function RunResult({ summary }: { summary: SyncSummary }) {
  return (
    <Stack gap="xs" data-testid="sync-run-result">
      <Alert color={summary.failed > 0 ? 'orange' : 'green'} title="The run ended" data-testid="sync-run-summary">
        {describeCounts(summary)}; {formatBytes(summary.bytes)} transferred in {formatDuration(summary.durationMs)}.
      </Alert>
      <Failures summary={summary} />
    </Stack>
  );
}
