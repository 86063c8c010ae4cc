/**
 * Adding or editing a sync job: the fields of a sync.yml entry. The source and destination are the
 * local registry or saved connections (`connections:list`); repositories are names or globs, one a
 * line; tag rules are regexes, a semver range and the newest N. The server checks the job; its
 * refusals are said through the one error helper, and a name in use offers to replace that job.
 */
import { Alert, Button, Checkbox, Group, Modal, NumberInput, Select, SimpleGrid, Stack, Textarea, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import type { SyncEndpoint, SyncJob } from '../../../../../src-server/contract';
import { describeError, errorCode } from '../../../api/errors';
import { ConfirmButtons, ErrorAlert } from '../../../app/common';
import { useConnections } from '../../../app/queries';
import { draftOf, emptyDraft, jobOf, type JobDraft } from '../draft';
import { useSaveJob } from '../queries';

/** The dialog: a new job, or `job` to edit; closed unless `opened`. */
export function JobFormModal({ opened, job, onClose }: { opened: boolean; job?: SyncJob; onClose: () => void }) {
  return (
    <Modal opened={opened} onClose={onClose} title={job ? `Edit sync job ${job.name}` : 'Add a sync job'} size="xl">
      {opened && <JobForm job={job} onClose={onClose} />}
    </Modal>
  );
}

const mono = { input: { fontFamily: 'var(--mantine-font-family-monospace)' } };

function sideValue(side: string | SyncEndpoint): string {
  return typeof side === 'string' ? side : 'host' in side ? `host:${side.host}` : side.connection;
}

function JobForm({ job, onClose }: { job?: SyncJob; onClose: () => void }) {
  const connections = useConnections();
  const [draft, setDraft] = useState<JobDraft>(() => (job ? draftOf(job) : emptyDraft((connections.data ?? []).find((c) => c.kind !== 'local')?.id ?? 'local')));
  const [replace, setReplace] = useState(false);
  const save = useSaveJob();
  const set = <K extends keyof JobDraft>(k: K, v: JobDraft[K]) => {
    setDraft((d) => ({ ...d, [k]: v }));
    save.reset();
  };
  const options = (side: string | SyncEndpoint) => {
    const list = (connections.data ?? []).map((c) => ({ value: c.id, label: c.kind === 'local' ? `${c.name} (local registry)` : c.name }));
    // A side written by hand in sync.yml (a host, a connection by name) stays choosable as it is.
    const current = sideValue(side);
    if (!list.some((o) => o.value === current)) list.push({ value: current, label: typeof side === 'object' && 'host' in side ? side.host : current });
    return list;
  };
  const choose = (k: 'source' | 'destination', value: string | null) => {
    if (value === null) return;
    const before = draft[k];
    set(k, typeof before === 'object' && sideValue(before) === value ? before : value);
  };
  const send = (replacing: boolean) => {
    const next = jobOf(draft);
    save.mutate(
      { job: next, ...(replacing ? { replace: true } : {}) },
      {
        onSuccess: () => {
          notifications.show({ color: 'green', title: `Sync job ${next.name} saved`, message: `${next.source.repositories.join(', ')}` });
          onClose();
        },
      },
    );
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!save.isPending) send(job !== undefined || replace);
  };
  const exists = save.isError && errorCode(save.error) === 'SYNC_JOB_EXISTS';

  return (
    <form onSubmit={submit} data-testid="sync-job-form">
      <Stack gap="sm">
        <TextInput label="Name" description="Letters, digits, '.', '_' and '-'" required value={draft.name} disabled={job !== undefined} onChange={(e) => set('name', e.currentTarget.value)} data-testid="sync-job-name" data-autofocus />
        <Title order={5}>Source</Title>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <Select label="From" required allowDeselect={false} data={options(draft.source)} value={sideValue(draft.source)} onChange={(v) => choose('source', v)} data-testid="sync-job-source" />
          <Textarea
            label="Repositories"
            description="Names or patterns, one a line: * is any characters (slashes too), ? one"
            required
            rows={2}
            value={draft.repositories}
            onChange={(e) => set('repositories', e.currentTarget.value)}
            data-testid="sync-job-repositories"
            styles={mono}
          />
        </SimpleGrid>
        <Title order={5}>Tags</Title>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <Textarea label="Include tags matching" description="Regular expressions, one a line (unanchored unless ^…$)" rows={2} value={draft.include} onChange={(e) => set('include', e.currentTarget.value)} data-testid="sync-job-include" styles={mono} />
          <Textarea label="Exclude tags matching" description="Regular expressions, one a line" rows={2} value={draft.exclude} onChange={(e) => set('exclude', e.currentTarget.value)} data-testid="sync-job-exclude" styles={mono} />
          <TextInput label="Semver range" description="e.g. >=1.2 <2 or ^3; other tags are left out" value={draft.semver} onChange={(e) => set('semver', e.currentTarget.value)} data-testid="sync-job-semver" styles={mono} />
          <NumberInput
            label="Only the newest"
            description="N tags, by version or natural order"
            min={1}
            allowDecimal={false}
            allowNegative={false}
            value={draft.newest}
            onChange={(v) => set('newest', typeof v === 'number' ? v : v === '' ? '' : Number.isFinite(Number(v)) ? Number(v) : '')}
            data-testid="sync-job-newest"
          />
          <TextInput label="Exactly these tags" description="Comma-separated; a missing one is a failure" value={draft.tags} onChange={(e) => set('tags', e.currentTarget.value)} data-testid="sync-job-tags" />
        </SimpleGrid>
        <Title order={5}>Images</Title>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput label="Platforms" description="Comma-separated (linux/amd64, linux/arm64); empty: all, the index unchanged" value={draft.platforms} onChange={(e) => set('platforms', e.currentTarget.value)} data-testid="sync-job-platforms" />
          <Checkbox mt="lg" label="Also copy referrers (signatures, SBOMs)" checked={draft.referrers} onChange={(e) => set('referrers', e.currentTarget.checked)} data-testid="sync-job-referrers" />
        </SimpleGrid>
        <Title order={5}>Destination</Title>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <Select label="To" required allowDeselect={false} data={options(draft.destination)} value={sideValue(draft.destination)} onChange={(v) => choose('destination', v)} data-testid="sync-job-destination" />
          <TextInput label="Namespace" description="Put before each repository's path (mirror → mirror/app)" value={draft.namespace} onChange={(e) => set('namespace', e.currentTarget.value)} data-testid="sync-job-namespace" />
          <TextInput label="Strip prefix" description="Taken off the source path first (team/)" value={draft.stripPrefix} onChange={(e) => set('stripPrefix', e.currentTarget.value)} data-testid="sync-job-strip" />
          <TextInput label="Or exactly into repository" description="For a job whose source is one repository" value={draft.repository} onChange={(e) => set('repository', e.currentTarget.value)} data-testid="sync-job-repository" />
        </SimpleGrid>
        <TextInput label="Run every" description="30m, 6h, 1d (at least 1m); empty: only when run by hand" value={draft.interval} onChange={(e) => set('interval', e.currentTarget.value)} data-testid="sync-job-interval" maw={320} />
        {exists ? (
          <Alert color="orange" title={describeError(save.error).title} role="alert" data-testid="sync-job-exists">
            <Stack gap="xs">
              <span>{describeError(save.error).message}.</span>
              <Group>
                <Button
                  variant="default"
                  onClick={() => {
                    setReplace(true);
                    send(true);
                  }}
                  loading={save.isPending}
                  data-testid="sync-job-replace"
                >
                  Replace job {draft.name.trim()}
                </Button>
              </Group>
            </Stack>
          </Alert>
        ) : (
          save.isError && <ErrorAlert error={save.error} />
        )}
        <ConfirmButtons
          confirmLabel={job ? 'Save job' : 'Add job'}
          onCancel={onClose}
          busy={save.isPending && !exists}
          disabled={!draft.name.trim() || !draft.repositories.trim()}
          testId="sync-job-save"
          destructive={false}
        />
      </Stack>
    </form>
  );
}
