/**
 * Copy an image to another connection (the GUI's `skopeo copy`): target, tag, platforms and
 * referrers; then a preview of what the target tag holds, and a warning with both digests before
 * anything is replaced; then the progress (rate and time left) of this copy's operation id, which
 * Cancel stops; then the report, the cancel's account, or the error.
 */
import { Button, Checkbox, Group, Modal, MultiSelect, SegmentedControl, Select, Stack, Text, TextInput } from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import type { CopyArgs, CopyPreview, CopyPreviewArgs, ImageDetails } from '../../../../../src-server/contract';
import { ErrorAlert } from '../../../app/common';
import { errorCode } from '../../../api/errors';
import { count, shortDigest } from '../../../app/format';
import { useConnections } from '../../../app/queries';
import { CopyOverwriteWarning } from './CopyOverwriteWarning';
import { CopyCancelled, CopyProgressView, CopyResult } from './CopyProgressView';
import { isDigestReference } from './ImagePull';
import { newOperationId, useCancelCopy, useCopyImage, useCopyPreview, useCopyProgress } from './ImageScreen.queries';

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
  const preview = useCopyPreview();
  const copy = useCopyImage();
  const cancel = useCancelCopy();
  const { progress, track } = useCopyProgress();
  const options = (connections.data ?? []).map((c) => ({ value: c.id, label: c.id === image.connection ? `${c.name} (same)` : c.name }));
  const defaultTarget = connections.data?.find((c) => c.id !== image.connection)?.id ?? image.connection;
  const [target, setTarget] = useState<string | null>(null);
  const [repository, setRepository] = useState(image.repository);
  const [tag, setTag] = useState(isDigestReference(image.reference) ? '' : image.reference);
  const [mode, setMode] = useState<'all' | 'pick'>('all');
  const [picked, setPicked] = useState<string[]>([]);
  const [withReferrers, setWithReferrers] = useState(false);
  /** The preview awaiting the user's word before an overwrite. */
  const [confirming, setConfirming] = useState<CopyPreview | null>(null);
  const [operationId, setOperationId] = useState<string | null>(null);
  const platforms = pickablePlatforms(image);
  const canPick = image.isIndex && platforms.length > 0;
  const to = target ?? defaultTarget;
  const toName = connections.data?.find((c) => c.id === to)?.name ?? to;
  const sameAsSource = to === image.connection && repository.trim() === image.repository && (tag.trim() === '' || tag.trim() === image.reference);
  const invalid = repository.trim() === '' || (mode === 'pick' && picked.length === 0) || sameAsSource;
  const running = copy.isPending;
  const locked = running || preview.isPending || confirming !== null;
  useEffect(() => {
    onBusy(running);
    return () => onBusy(false);
  }, [running, onBusy]);

  const previewArgs = (): CopyPreviewArgs => {
    const args: CopyPreviewArgs = {
      from: { connection: image.connection, repository: image.repository, reference: image.reference },
      to: tag.trim() ? { connection: to, repository: repository.trim(), reference: tag.trim() } : { connection: to, repository: repository.trim() },
    };
    if (mode === 'pick' && canPick) args.platforms = picked;
    if (withReferrers) args.referrers = true;
    return args;
  };

  /** Runs the copy the preview described, insisting that the target tag still holds what it showed. */
  const run = (p: CopyPreview, args: CopyPreviewArgs) => {
    setConfirming(null);
    const op = newOperationId();
    setOperationId(op);
    track(op);
    const call: CopyArgs = { ...args, operationId: op };
    if (p.outcome !== 'untagged') call.expectDestination = p.destination?.digest ?? null;
    copy.mutate(call);
  };

  const start = (e?: FormEvent) => {
    e?.preventDefault();
    if (invalid || locked) return;
    copy.reset();
    cancel.reset();
    const args = previewArgs();
    preview.mutate(args, {
      onSuccess: (p) => (p.outcome === 'overwrite' ? setConfirming(p) : run(p, args)),
    });
  };

  const cancelled = copy.isError && errorCode(copy.error) === 'CANCELLED';
  const started = running || copy.isSuccess || copy.isError;
  const ended = copy.isSuccess || copy.isError;
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
          disabled={locked || connections.isLoading}
          error={connections.isError ? 'The connections could not be listed' : undefined}
        />
        <TextInput label="Target repository" data-testid="copy-target-repository" value={repository} onChange={(e) => setRepository(e.currentTarget.value)} disabled={locked} required />
        <TextInput
          label="Tag"
          data-testid="copy-target-tag"
          description="Leave empty to push by digest only. A tag that holds another image is replaced only after you confirm."
          value={tag}
          onChange={(e) => setTag(e.currentTarget.value)}
          disabled={locked}
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
              disabled={locked}
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
                disabled={locked}
                description="One platform copies that image alone; several write a new index with only those."
              />
            )}
          </Stack>
        )}
        <Checkbox
          data-testid="copy-referrers"
          checked={withReferrers}
          onChange={(e) => setWithReferrers(e.currentTarget.checked)}
          disabled={locked}
          label={`Also copy referrers (signatures, SBOMs, attestations)${image.referrers.length ? `: ${count(image.referrers.length, 'referrer')} on this image` : ''}`}
          description="Referrers of every copied manifest, written before the tag. Off unless asked: a copy writes what you chose."
        />
        {sameAsSource && (
          <Text size="sm" c="dimmed">
            Choose another connection, repository or tag than the source.
          </Text>
        )}
        {preview.isError && <ErrorAlert error={preview.error} />}
        {confirming && (
          <CopyOverwriteWarning preview={confirming} where={`${repository.trim()}:${tag.trim()} on ${toName}`} onConfirm={() => run(confirming, previewArgs())} onBack={() => setConfirming(null)} />
        )}
        {started && <CopyProgressView progress={progress} running={running} />}
        {cancelled && <CopyCancelled message={(copy.error as Error).message} />}
        {copy.isError && !cancelled && <ErrorAlert error={copy.error} title={errorCode(copy.error) === 'DESTINATION_CHANGED' ? undefined : 'The copy failed'} />}
        {copy.isSuccess && <CopyResult report={copy.data} connection={to} repository={repository.trim()} />}
        {copy.isSuccess && cancel.isSuccess && (
          <Text size="sm" c="dimmed" data-testid="copy-finished-first">
            The copy had written the tag before it could be stopped.
          </Text>
        )}
        {!confirming && (
          <Group justify="flex-end">
            {running ? (
              <Button variant="default" color="red" onClick={() => operationId && cancel.mutate(operationId)} disabled={cancel.isPending || cancel.isSuccess}>
                {cancel.isPending || cancel.isSuccess ? 'Stopping…' : 'Cancel copy'}
              </Button>
            ) : (
              <Button variant="default" onClick={onClose}>
                {ended ? 'Close' : 'Cancel'}
              </Button>
            )}
            <Button type="submit" loading={running || preview.isPending} disabled={invalid} data-testid="copy-start">
              {ended ? 'Copy again' : 'Start copy'}
            </Button>
          </Group>
        )}
        {cancel.isError && <ErrorAlert error={cancel.error} title="The copy could not be stopped" />}
      </Stack>
    </form>
  );
}
