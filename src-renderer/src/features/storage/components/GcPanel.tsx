/**
 * Garbage collection of the local registry: options, a dry-run preview of what would go, then the
 * run itself (after a confirmation) with a progress bar from `gc:progress` events and its report.
 */
import { Alert, Anchor, Button, Group, Modal, NumberInput, Paper, Progress, ScrollArea, SimpleGrid, Stack, Switch, Table, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { GcOptions, GcProgress, GcReport } from '../../../../../src-server/contract';
import { errorCode } from '../../../api/errors';
import { ErrorAlert } from '../../../app/common';
import { count, formatBytes, shortDigest } from '../../../app/format';
import { hrefOf } from '../../../app/route';
import { formatKeep } from '../../trash/format';
import { useTrashKeepSeconds } from '../../trash/queries';
import { useGarbageCollection, useGcProgress } from '../queries';

const PHASES: Record<GcProgress['phase'], string> = {
  mark: 'Marking what is in use',
  manifests: 'Removing untagged manifests',
  blobs: 'Removing blobs',
  links: 'Removing repository links',
};

/** How many of the largest blobs the preview lists. */
const PREVIEW_BLOBS = 200;

function GcError({ error, title }: { error: unknown; title: string }) {
  if (errorCode(error) === 'BUSY')
    return (
      <Alert color="yellow" title="A collection is already running" role="alert">
        Wait for it to finish, then try again.
      </Alert>
    );
  return <ErrorAlert error={error} title={title} />;
}

/** The panel (`data-testid="gc-panel"`). */
export function GcPanel() {
  const [deleteUntagged, setDeleteUntagged] = useState(false);
  const [graceMinutes, setGraceMinutes] = useState<number>(60);
  const [confirming, setConfirming] = useState(false);
  const preview = useGarbageCollection();
  const run = useGarbageCollection();
  const { progress, follow } = useGcProgress();
  const keep = useTrashKeepSeconds();
  const options = (dryRun: boolean): GcOptions => ({ dryRun, deleteUntagged, graceSeconds: Math.round(graceMinutes * 60) });
  const busy = preview.isPending || run.isPending;

  const changeOptions = () => {
    preview.reset();
  };
  const startPreview = () => {
    run.reset();
    preview.mutate(options(true));
  };
  const startRun = () => {
    setConfirming(false);
    follow(true);
    run.mutate(options(false), {
      onSuccess: (r) => {
        // The preview described the storage before this run: it no longer holds.
        preview.reset();
        notifications.show({ color: 'green', title: 'Garbage collected', message: `${formatBytes(r.bytesRemoved)} freed` });
      },
      onSettled: () => follow(false),
    });
  };

  return (
    <Paper withBorder p="md" data-testid="gc-panel" component="section" aria-label="Garbage collection">
      <Stack gap="sm">
        <Title order={3}>Garbage collection</Title>
        <Text size="sm" c="dimmed" data-testid="gc-description">
          Removes blobs no manifest uses any more (left behind by deleted tags and repositories). Preview first to see what would go.
          {keep !== null && (
            <>
              {' '}
              Deleted tags and images stay in <Anchor href={hrefOf({ screen: 'storage', tab: 'trash' })}>Recently deleted</Anchor> for {formatKeep(keep)} first: garbage collection frees
              nothing they need until they leave the trash.
            </>
          )}
        </Text>
        <Group align="flex-end" gap="lg">
          <Switch
            label="Delete untagged manifests"
            aria-label="Delete untagged manifests"
            data-testid="gc-delete-untagged"
            checked={deleteUntagged}
            disabled={busy}
            onChange={(e) => {
              setDeleteUntagged(e.currentTarget.checked);
              changeOptions();
            }}
          />
          <NumberInput
            label="Grace period (minutes)"
            description="Recent uploads stay, so pushes in progress complete"
            data-testid="gc-grace"
            min={0}
            step={5}
            allowDecimal={false}
            value={graceMinutes}
            disabled={busy}
            onChange={(v) => {
              setGraceMinutes(typeof v === 'number' ? v : Number(v) || 0);
              changeOptions();
            }}
            w={260}
          />
        </Group>
        <Group>
          <Button variant="default" onClick={startPreview} loading={preview.isPending} disabled={run.isPending} data-testid="gc-preview">
            Preview (dry run)
          </Button>
          <Button color="red" onClick={() => setConfirming(true)} disabled={busy} data-testid="gc-run">
            Run garbage collection
          </Button>
        </Group>
        {preview.isError && <GcError error={preview.error} title="The preview failed" />}
        {preview.isSuccess && <GcPreview report={preview.data} />}
        {run.isPending && <GcProgressView progress={progress} />}
        {run.isError && <GcError error={run.error} title="The garbage collection failed" />}
        {run.isSuccess && <GcResult report={run.data} />}
      </Stack>
      <Modal opened={confirming} onClose={() => setConfirming(false)} title="Run garbage collection?">
        <Stack>
          <Text size="sm">
            {preview.isSuccess
              ? `This removes ${count(preview.data.manifestsRemoved.length, 'manifest')} and ${count(preview.data.blobsRemoved.length, 'blob')} (${formatBytes(preview.data.bytesRemoved)}), as previewed.`
              : 'This removes every blob no manifest uses (run a preview to see what and how much).'}{' '}
            {deleteUntagged && 'Untagged manifests are deleted too. '}
            Removed content cannot be brought back.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirming(false)}>
              Cancel
            </Button>
            <Button color="red" onClick={startRun} data-testid="gc-confirm" data-autofocus>
              Collect garbage
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Paper>
  );
}

function GcPreview({ report }: { report: GcReport }) {
  const blobs = [...report.blobsRemoved].sort((a, b) => b.size - a.size).slice(0, PREVIEW_BLOBS);
  const nothing = report.blobsRemoved.length === 0 && report.manifestsRemoved.length === 0;
  return (
    <Paper withBorder p="sm" data-testid="gc-preview-result">
      <Stack gap="xs">
        <Text fw={600}>
          {nothing
            ? 'Nothing to remove.'
            : `Would remove ${count(report.manifestsRemoved.length, 'manifest')} and ${count(report.blobsRemoved.length, 'blob')}: ${formatBytes(report.bytesRemoved)}.`}
        </Text>
        {report.blobsProtected > 0 && (
          <Text size="sm" c="dimmed">
            {count(report.blobsProtected, 'recent blob')} kept within the grace period.
          </Text>
        )}
        {!nothing && (
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <Stack gap={4}>
              <Text size="sm" fw={500}>
                Largest blobs{report.blobsRemoved.length > blobs.length ? ` (${blobs.length} of ${report.blobsRemoved.length})` : ''}
              </Text>
              <ScrollArea h={220} type="auto">
                <Table aria-label="Blobs to remove" data-testid="gc-preview-blobs" striped>
                  <Table.Tbody>
                    {blobs.map((b) => (
                      <Table.Tr key={b.digest}>
                        <Table.Td ff="monospace" title={b.digest}>
                          {shortDigest(b.digest)}
                        </Table.Td>
                        <Table.Td ta="right">{formatBytes(b.size)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </ScrollArea>
            </Stack>
            <Stack gap={4}>
              <Text size="sm" fw={500}>
                Manifests
              </Text>
              {report.manifestsRemoved.length === 0 ? (
                <Text size="sm" c="dimmed">
                  {report.deleteUntagged ? 'No untagged manifest.' : 'None (switch on "Delete untagged manifests" to include untagged ones).'}
                </Text>
              ) : (
                <ScrollArea h={220} type="auto">
                  <Table aria-label="Manifests to remove" data-testid="gc-preview-manifests" striped>
                    <Table.Tbody>
                      {report.manifestsRemoved.map((m) => (
                        <Table.Tr key={`${m.repository}@${m.digest}`}>
                          <Table.Td style={{ overflowWrap: 'anywhere' }}>{m.repository}</Table.Td>
                          <Table.Td ff="monospace" title={m.digest}>
                            {shortDigest(m.digest)}
                          </Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </ScrollArea>
              )}
            </Stack>
          </SimpleGrid>
        )}
      </Stack>
    </Paper>
  );
}

function GcProgressView({ progress }: { progress: GcProgress | null }) {
  const indeterminate = !progress || progress.total === 0;
  const value = indeterminate ? 100 : Math.min(100, Math.round((progress.done / progress.total) * 100));
  return (
    <Stack gap={4} data-testid="gc-progress">
      <Progress value={value} animated={indeterminate} striped={indeterminate} aria-label="Garbage collection progress" />
      <Text size="sm" c="dimmed" data-testid="gc-progress-text">
        {progress ? `${PHASES[progress.phase]}${progress.total > 0 ? `: ${progress.done.toLocaleString()} of ${progress.total.toLocaleString()}` : '…'}` : 'Starting…'}
      </Text>
    </Stack>
  );
}

function GcResult({ report }: { report: GcReport }) {
  return (
    <Alert color="green" title="Garbage collection done" data-testid="gc-report">
      Removed {count(report.manifestsRemoved.length, 'manifest')} and {count(report.blobsRemoved.length, 'blob')} ({formatBytes(report.bytesRemoved)}) in{' '}
      {(report.durationMs / 1000).toFixed(1)} s. Kept {count(report.blobsKept, 'blob')} and {count(report.manifestsKept, 'manifest')}
      {report.blobsProtected > 0 ? `; ${count(report.blobsProtected, 'recent blob')} protected by the grace period` : ''}.
    </Alert>
  );
}
