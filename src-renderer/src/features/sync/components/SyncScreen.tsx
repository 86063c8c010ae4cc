/**
 * The Sync screen (`#/sync`): the jobs of sync.yml (add, edit, remove), a dry run of a job (what a
 * run would copy and skip, as the server answered), a run with live progress and Cancel, and the
 * history of runs. For administrators: jobs use the saved connections' credentials.
 */
import { Button, Group, Modal, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { SyncJobView } from '../../../../../src-server/contract';
import { describeError } from '../../../api/errors';
import { ConfirmButtons, EmptyState, ErrorAlert, Loading } from '../../../app/common';
import { useConnections } from '../../../app/queries';
import { newOperationId, useCancelTransfer, useRemoveJob, useSyncHistory, useSyncJobs, useSyncProgress, useSyncRun } from '../queries';
import { HistoryTable } from './HistoryTable';
import { JobFormModal } from './JobFormModal';
import { JobsTable } from './JobsTable';
import { RunPanel, type RunView } from './RunPanel';

/** The screen. */
export function SyncScreen() {
  const jobs = useSyncJobs();
  const history = useSyncHistory();
  const connections = useConnections();
  const dry = useSyncRun();
  const run = useSyncRun();
  const cancel = useCancelTransfer();
  const remove = useRemoveJob();
  const [editing, setEditing] = useState<SyncJobView | 'new' | null>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  const [shown, setShown] = useState<{ kind: 'dry' | 'run'; job: string } | null>(null);
  const [operationId, setOperationId] = useState<string | null>(null);
  const progress = useSyncProgress(operationId);

  const startDry = (job: string) => {
    setShown({ kind: 'dry', job });
    dry.mutate({ job, dryRun: true });
  };
  const startRun = (job: string) => {
    const id = newOperationId();
    setOperationId(id);
    setShown({ kind: 'run', job });
    cancel.reset();
    run.mutate({ job, operationId: id });
  };
  const confirmRemove = () => {
    const name = removing;
    if (!name) return;
    remove.mutate(name, {
      onSuccess: () => {
        setRemoving(null);
        notifications.show({ color: 'green', title: `Sync job ${name} removed`, message: 'Images it copied stay where they are.' });
      },
    });
  };

  let view: RunView | null = null;
  if (shown?.kind === 'dry') view = { kind: 'dry', job: shown.job, pending: dry.isPending, summary: dry.data, error: dry.isError ? dry.error : undefined };
  if (shown?.kind === 'run') view = { kind: 'run', job: shown.job, pending: run.isPending, progress, summary: run.data, error: run.isError ? run.error : undefined };

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-start">
        <Stack gap={2}>
          <Title order={2}>Sync</Title>
          <Text size="sm" c="dimmed" data-testid="sync-file">
            Mirror repositories between registries by rules, incrementally and on a schedule{jobs.data ? ` · jobs are kept in ${jobs.data.file}` : ''}.
          </Text>
        </Stack>
        <Button onClick={() => setEditing('new')} data-testid="sync-add">
          Add job
        </Button>
      </Group>
      {jobs.isPending ? (
        <Loading label="Reading the sync jobs…" />
      ) : jobs.isError ? (
        <ErrorAlert error={jobs.error} title="The sync jobs could not be read" />
      ) : jobs.data.jobs.length === 0 ? (
        <EmptyState title="No sync jobs">Add a job to mirror repositories of a saved connection into this registry (or the other way), now or on an interval.</EmptyState>
      ) : (
        <JobsTable
          jobs={jobs.data.jobs}
          running={jobs.data.running}
          busy={run.isPending || dry.isPending}
          onDryRun={startDry}
          onRun={startRun}
          onEdit={(v) => setEditing(v)}
          onRemove={(name) => {
            remove.reset();
            setRemoving(name);
          }}
          connections={connections.data ?? []}
        />
      )}
      {view && <RunPanel view={view} onCancel={() => operationId && cancel.mutate(operationId)} cancelling={cancel.isPending} />}
      {cancel.isError && <ErrorAlert error={cancel.error} title="The run could not be cancelled" />}
      <Stack gap="xs" component="section" aria-label="History of runs">
        <Title order={3}>History</Title>
        {history.isPending ? <Loading label="Reading the history…" /> : history.isError ? <ErrorAlert error={history.error} title="The history could not be read" /> : <HistoryTable runs={history.data.runs} />}
      </Stack>
      <JobFormModal opened={editing !== null} job={editing !== null && editing !== 'new' ? editing.job : undefined} onClose={() => setEditing(null)} />
      <Modal opened={removing !== null} onClose={() => setRemoving(null)} title={`Remove sync job ${removing ?? ''}?`}>
        <Stack>
          <Text size="sm">The job leaves sync.yml and stops running; the images it copied stay, and its runs stay in the history.</Text>
          {remove.isError && <ErrorAlert error={remove.error} title={describeError(remove.error).title} />}
          <ConfirmButtons confirmLabel="Remove job" onCancel={() => setRemoving(null)} onConfirm={confirmRemove} busy={remove.isPending} testId="sync-remove-confirm" autoFocus />
        </Stack>
      </Modal>
    </Stack>
  );
}

