/**
 * Copy an image to another connection (the GUI's `skopeo copy`): target, tag and platforms, then a
 * progress bar fed by `copy:progress` events of this copy's operation id, then the report or the error.
 */
import { Alert, Anchor, Button, Group, Modal, MultiSelect, Progress, SegmentedControl, Select, Stack, Text, TextInput } from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import type { CopyArgs, CopyProgress, CopyReport, ImageDetails } from '../../../../../src-server/contract';
import { ErrorAlert } from '../../../app/common';
import { count, formatBytes, shortDigest } from '../../../app/format';
import { useConnections } from '../../../app/queries';
import { hrefOf } from '../../../app/route';
import { isDigestReference } from './ImagePull';
import { newOperationId, useCopyImage, useCopyProgress } from './ImageScreen.queries';

const PHASES: Record<CopyProgress['phase'], string> = {
  resolve: 'Reading the manifests',
  blobs: 'Copying blobs',
  manifests: 'Writing the manifests',
  done: 'Done',
};

/** The dialog; `image` is the source. */
export function CopyImageModal({ image, opened, onClose }: { image: ImageDetails; opened: boolean; onClose: () => void }) {
  const [busy, setBusy] = useState(false);
  return (
    // While a copy runs the dialog stays open: its progress and outcome would be lost with it.
    <Modal opened={opened} onClose={onClose} title="Copy to another connection" size="lg" closeOnClickOutside={false} closeOnEscape={!busy} withCloseButton={!busy}>
      {opened && <CopyImageForm image={image} onClose={onClose} onBusy={setBusy} />}
    </Modal>
  );
}

/** Platforms a copy can pick (`unknown` ones, such as attestations, cannot be named). */
function pickablePlatforms(image: ImageDetails): string[] {
  return [...new Set(image.platforms.map((p) => p.platform).filter((p) => p !== 'unknown'))];
}

function CopyImageForm({ image, onClose, onBusy }: { image: ImageDetails; onClose: () => void; onBusy: (busy: boolean) => void }) {
  const connections = useConnections();
  const copy = useCopyImage();
  const { progress, track } = useCopyProgress();
  const options = (connections.data ?? []).map((c) => ({ value: c.id, label: c.id === image.connection ? `${c.name} (same)` : c.name }));
  const defaultTarget = connections.data?.find((c) => c.id !== image.connection)?.id ?? image.connection;
  const [target, setTarget] = useState<string | null>(null);
  const [repository, setRepository] = useState(image.repository);
  const [tag, setTag] = useState(isDigestReference(image.reference) ? '' : image.reference);
  const [mode, setMode] = useState<'all' | 'pick'>('all');
  const [picked, setPicked] = useState<string[]>([]);
  const platforms = pickablePlatforms(image);
  const canPick = image.isIndex && platforms.length > 0;
  const to = target ?? defaultTarget;
  const sameAsSource = to === image.connection && repository.trim() === image.repository && (tag.trim() === '' || tag.trim() === image.reference);
  const invalid = repository.trim() === '' || (mode === 'pick' && picked.length === 0) || sameAsSource;
  const running = copy.isPending;
  useEffect(() => {
    onBusy(running);
    return () => onBusy(false);
  }, [running, onBusy]);

  const start = (e?: FormEvent) => {
    e?.preventDefault();
    if (invalid || running) return;
    const operationId = newOperationId();
    const args: CopyArgs = {
      from: { connection: image.connection, repository: image.repository, reference: image.reference },
      to: tag.trim() ? { connection: to, repository: repository.trim(), reference: tag.trim() } : { connection: to, repository: repository.trim() },
      operationId,
    };
    if (mode === 'pick' && canPick) args.platforms = picked;
    track(operationId);
    copy.mutate(args);
  };

  const started = running || copy.isSuccess || copy.isError;
  return (
    <form onSubmit={start} aria-label="Copy image">
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          From {image.repository}
          {isDigestReference(image.reference) ? `@${shortDigest(image.reference)}` : `:${image.reference}`}
        </Text>
        <Select
          label="Target connection"
          aria-label="Target connection"
          data-testid="copy-target-connection"
          data={options}
          value={to}
          onChange={setTarget}
          allowDeselect={false}
          disabled={running || connections.isLoading}
          error={connections.isError ? 'The connections could not be listed' : undefined}
        />
        <TextInput label="Target repository" data-testid="copy-target-repository" value={repository} onChange={(e) => setRepository(e.currentTarget.value)} disabled={running} required />
        <TextInput
          label="Tag"
          data-testid="copy-target-tag"
          description="Leave empty to push by digest only"
          value={tag}
          onChange={(e) => setTag(e.currentTarget.value)}
          disabled={running}
        />
        {canPick && (
          <Stack gap={4}>
            <Text size="sm" fw={500}>
              Platforms
            </Text>
            <SegmentedControl
              aria-label="Platforms to copy"
              data-testid="copy-platform-mode"
              value={mode}
              onChange={(v) => setMode(v as 'all' | 'pick')}
              disabled={running}
              data={[
                { value: 'all', label: 'All (the index as it is)' },
                { value: 'pick', label: 'Pick platforms' },
              ]}
            />
            {mode === 'pick' && (
              <MultiSelect
                aria-label="Platforms"
                data-testid="copy-platforms"
                placeholder="Choose platforms"
                data={platforms}
                value={picked}
                onChange={setPicked}
                disabled={running}
                description="One platform copies that image alone; several write a new index with only those."
              />
            )}
          </Stack>
        )}
        {sameAsSource && (
          <Text size="sm" c="dimmed">
            Choose another connection, repository or tag than the source.
          </Text>
        )}
        {started && <CopyProgressView progress={progress} running={running} />}
        {copy.isError && <ErrorAlert error={copy.error} title="The copy failed" />}
        {copy.isSuccess && <CopyResult report={copy.data} connection={to} repository={repository.trim()} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} disabled={running}>
            {copy.isSuccess ? 'Close' : 'Cancel'}
          </Button>
          <Button type="submit" loading={running} disabled={invalid} data-testid="copy-start">
            {copy.isSuccess || copy.isError ? 'Copy again' : 'Start copy'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function CopyProgressView({ progress, running }: { progress: CopyProgress | null; running: boolean }) {
  const pct = progress && progress.bytesTotal > 0 ? Math.min(100, (progress.bytesDone / progress.bytesTotal) * 100) : progress?.phase === 'done' ? 100 : 0;
  const indeterminate = running && (!progress || progress.bytesTotal === 0);
  return (
    <Stack gap={4} data-testid="copy-progress">
      <Progress value={indeterminate ? 100 : pct} animated={indeterminate || running} aria-label="Copy progress" />
      <Text size="sm" c="dimmed" data-testid="copy-progress-text">
        {progress ? (
          <>
            {PHASES[progress.phase]}: {formatBytes(progress.bytesDone)} of {formatBytes(progress.bytesTotal)}, {progress.blobsDone} of {count(progress.blobsTotal, 'blob')}
            {progress.current && progress.phase === 'blobs' ? ` (${shortDigest(progress.current)})` : ''}
          </>
        ) : running ? (
          'Starting…'
        ) : null}
      </Text>
    </Stack>
  );
}

function CopyResult({ report, connection, repository }: { report: CopyReport; connection: string; repository: string }) {
  const reference = report.target.includes('@') ? report.digest : (report.target.split(':').pop() ?? report.digest);
  return (
    <Alert color="green" title="Copied" data-testid="copy-result">
      <Stack gap={4}>
        <Text size="sm">
          <Anchor href={hrefOf({ screen: 'image', connection, repository, reference })}>{report.target}</Anchor> ({shortDigest(report.digest)})
        </Text>
        <Text size="sm">
          {count(report.blobsCopied, 'blob')} copied, {report.blobsMounted} mounted, {report.blobsSkipped} already there; {formatBytes(report.bytesCopied)} transferred,{' '}
          {count(report.manifests, 'manifest')}, in {(report.durationMs / 1000).toFixed(1)} s.
        </Text>
      </Stack>
    </Alert>
  );
}
