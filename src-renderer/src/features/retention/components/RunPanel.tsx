/**
 * Running the policies by hand: Preview (a dry run) lists every tag and manifest that would go and
 * the bytes that frees; Run now, confirmed with the preview's own figures, runs them. The report
 * then lists what went; if the registry changed in between so that the run removed otherwise than
 * the preview said, that is said too. BUSY reads "another run is going on".
 */
import { Alert, Button, Group, Modal, Paper, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { RetentionReport } from '../../../../../src-server/contract';
import { errorCode } from '../../../api/errors';
import { ConfirmButtons, ErrorAlert } from '../../../app/common';
import { formatBytes } from '../../../app/format';
import { formatKeep } from '../../trash/format';
import { useTrashKeepSeconds, useTrashOff } from '../../trash/queries';
import { compareRuns, describeFreed, describeRemovals } from '../format';
import { useRetentionRun } from '../queries';
import { RemovalList, RunErrors } from './RemovalList';

/** A failed run or preview; BUSY in words of its own. */
export function RunError({ error, title }: { error: unknown; title: string }) {
  if (errorCode(error) === 'BUSY')
    return (
      <Alert color="yellow" title="Another run is going on" role="alert" data-testid="retention-busy">
        A retention run (scheduled or started elsewhere) is removing tags now. Wait for it to finish, then preview again.
      </Alert>
    );
  return <ErrorAlert error={error} title={title} />;
}

/** The bytes a report frees, and what the tags it leaves untagged still hold. */
function Bytes({ report }: { report: RetentionReport }) {
  return (
    <Stack gap={2}>
      <Text size="sm" data-testid="retention-bytes-freed" title={`${report.bytesFreed.toLocaleString()} bytes`}>
        {describeFreed(report)} (blobs only the removed manifests use, each counted once).
      </Text>
      {report.bytesLeftUntagged > 0 && (
        <Text size="sm" c="dimmed" data-testid="retention-bytes-untagged">
          Another {formatBytes(report.bytesLeftUntagged)} is held by images whose last tag goes: they stay as untagged manifests, which a garbage collection with "Delete untagged manifests"
          frees (or a policy with "Also remove untagged manifests").
        </Text>
      )}
    </Stack>
  );
}

/** The panel (`data-testid="retention-run"`). */
export function RunPanel({ hasPolicies }: { hasPolicies: boolean }) {
  const preview = useRetentionRun();
  const run = useRetentionRun();
  const [confirming, setConfirming] = useState(false);
  const keep = useTrashKeepSeconds();
  const off = useTrashOff();
  const where = off ? 'The trash is off (trash.keep is 0): this cannot be undone.' : `They go to Recently deleted${keep !== null ? ` and can be restored for ${formatKeep(keep)}` : ' and can be restored from there'}.`;
  const shown = preview.data;
  const nothing = shown ? shown.tags.length + shown.manifests.length === 0 : false;

  const startPreview = () => {
    run.reset();
    preview.mutate({ dryRun: true });
  };
  const startRun = () => {
    setConfirming(false);
    run.mutate(
      { dryRun: false },
      {
        onSuccess: (r) => notifications.show({ color: 'green', title: 'Retention ran', message: `${describeRemovals(r)} moved to Recently deleted` }),
      },
    );
  };
  const diff = preview.data && run.data ? compareRuns(preview.data, run.data) : null;

  return (
    <Paper withBorder p="md" data-testid="retention-run" component="section" aria-label="Run retention">
      <Stack gap="sm">
        <Title order={4}>Preview and run</Title>
        <Group>
          <Button variant="default" onClick={startPreview} loading={preview.isPending} disabled={!hasPolicies || run.isPending} data-testid="retention-preview">
            Preview (dry run)
          </Button>
          <Button color="red" onClick={() => setConfirming(true)} disabled={!preview.isSuccess || nothing || run.isPending || run.isSuccess} loading={run.isPending} data-testid="retention-run-now">
            Run now
          </Button>
        </Group>
        {!hasPolicies && (
          <Text size="sm" c="dimmed">
            Add a policy first.
          </Text>
        )}
        {preview.isError && <RunError error={preview.error} title="The preview failed" />}
        {shown && !run.data && (
          <Stack gap="xs" data-testid="retention-preview-result">
            <Text fw={600} data-testid="retention-preview-summary">
              {nothing ? 'Nothing would be removed: every tag is kept by a policy.' : `Would remove ${describeRemovals(shown)}.`}
            </Text>
            {!nothing && <Bytes report={shown} />}
            <RemovalList report={shown} label="What the run would remove" />
            <RunErrors report={shown} />
          </Stack>
        )}
        {run.isError && <RunError error={run.error} title="The run failed" />}
        {run.data && (
          <Stack gap="xs" data-testid="retention-run-result">
            <Alert color="green" title="Retention ran" data-testid="retention-run-summary">
              Removed {describeRemovals(run.data)} in {(run.data.durationMs / 1000).toFixed(1)} s
              {off ? '.' : `; they are in Recently deleted${keep !== null ? ` for ${formatKeep(keep)}` : ''}.`}
            </Alert>
            {diff && (diff.unexpected.length > 0 || diff.missing.length > 0) && (
              <Alert color="orange" title="The registry changed since the preview" role="alert" data-testid="retention-run-differs">
                {diff.unexpected.length > 0 && <div>Also removed: {diff.unexpected.join(', ')}</div>}
                {diff.missing.length > 0 && <div>Not removed after all: {diff.missing.join(', ')}</div>}
              </Alert>
            )}
            <Bytes report={run.data} />
            <RemovalList report={run.data} label="What the run removed" />
            <RunErrors report={run.data} />
          </Stack>
        )}
      </Stack>
      <Modal opened={confirming} onClose={() => setConfirming(false)} title="Run retention now?">
        {shown && (
          <Stack>
            <Text size="sm" data-testid="retention-confirm-text">
              This removes {describeRemovals(shown)}, as previewed; {describeFreed(shown)}. {where}
            </Text>
            <ConfirmButtons confirmLabel="Run now" onCancel={() => setConfirming(false)} onConfirm={startRun} testId="retention-run-confirm" autoFocus />
          </Stack>
        )}
      </Modal>
    </Paper>
  );
}
