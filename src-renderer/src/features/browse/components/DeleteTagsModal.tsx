/**
 * Deleting the selected tags: each tag's plan (`tag:delete-preview`) is shown first — its digest,
 * the sibling tags on the same digest, and how the registry deletes — then the confirmed tags go
 * (`tag:delete` with the digest the user saw) and each failure is said in words.
 */
import { Alert, Button, Checkbox, Code, Group, List, Modal, Paper, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useEffect, useState } from 'react';
import { describeError, errorCode } from '../../../api/errors';
import { ConfirmButtons, ErrorAlert, Loading } from '../../../app/common';
import { count } from '../../../app/format';
import { useDeleteTags, useTagDeletePreview, type TagDeleteOutcome, type TagPreview } from '../queries';

/** What the dialog deletes, and whom it tells. */
interface DeleteTagsProps {
  connection: string;
  repository: string;
  tags: string[];
  onClose: () => void;
  onDeleted: () => void;
}

/** The dialog for `tags` (closed when null); `onDeleted` runs after a delete (the selection is stale). */
export function DeleteTagsModal({ connection, repository, tags, onClose, onDeleted }: Omit<DeleteTagsProps, 'tags'> & { tags: string[] | null }) {
  return (
    <Modal opened={tags !== null} onClose={onClose} title={tags ? `Delete ${count(tags.length, 'tag')} of ${repository}` : ''} size="lg">
      {tags !== null && <DeleteTagsBody key={tags.join('\n')} connection={connection} repository={repository} tags={tags} onClose={onClose} onDeleted={onDeleted} />}
    </Modal>
  );
}

/** Why a `tag:delete` failed, in words, with what to do. */
const HINTS: Record<string, string> = {
  TAG_MOVED: 'It points at another image now, so nothing was deleted. Look at the list again and retry.',
  SIBLINGS_AFFECTED: 'Deleting it would remove other tags too, so nothing was deleted.',
  UNSUPPORTED: 'This registry refuses deletes.',
};

function DeleteTagsBody({ connection, repository, tags, onClose, onDeleted }: DeleteTagsProps) {
  const preview = useTagDeletePreview(connection, repository);
  const del = useDeleteTags(connection, repository);
  const [ack, setAck] = useState(false);
  const { mutate } = preview;
  useEffect(() => mutate(tags), [mutate, tags]);

  if (preview.isPending || preview.isIdle) return <Loading label="Checking what would be deleted…" />;
  if (preview.isError) return <ErrorAlert error={preview.error} />;

  const previews = preview.data;
  const selected = new Set(tags);
  const plans = previews.flatMap((p) => (p.plan ? [p.plan] : []));
  const deletable = plans.filter((p) => p.method !== 'unsupported');
  // A digest delete also removes tags that could not be checked (they may point at the digest).
  const atRisk = (p: (typeof plans)[number]) => [...p.siblings, ...(p.unresolved ?? [])];
  const extra = (tags: string[]) => tags.filter((s) => !selected.has(s));
  const needsAck = deletable.some((p) => p.method === 'manifest' && extra(atRisk(p)).length > 0);
  const allUnsupported = plans.length > 0 && deletable.length === 0;

  const confirm = () =>
    del.mutate(
      deletable.map((p) => ({ tag: p.tag, digest: p.digest, deleteSiblings: p.method === 'manifest' && atRisk(p).length > 0 })),
      {
        onSuccess: (outcomes) => {
          onDeleted();
          if (outcomes.every((o) => o.status !== 'failed')) {
            const removed = new Set(outcomes.flatMap((o) => (o.status === 'deleted' ? o.result.removedTags : [o.tag])));
            notifications.show({ color: 'green', title: 'Deleted', message: `${count(removed.size, 'tag')} removed from ${repository}: ${[...removed].join(', ')}` });
            onClose();
          }
        },
      },
    );

  if (del.data) return <Outcomes outcomes={del.data} onClose={onClose} />;

  return (
    <Stack gap="md" data-testid="delete-tags-modal">
      {previews.map((p) => (
        <PlanCard key={p.tag} preview={p} selected={selected} />
      ))}
      {allUnsupported && (
        <Alert color="red" variant="light" data-testid="delete-tags-unsupported">
          This registry refuses deletes (it answers UNSUPPORTED), so nothing can be deleted here.
        </Alert>
      )}
      {needsAck && (
        <Checkbox
          checked={ack}
          onChange={(e) => setAck(e.currentTarget.checked)}
          data-testid="delete-tags-siblings-ack"
          label="I understand that the other tags named above, and any that could not be checked, are deleted too"
        />
      )}
      {del.isError && <ErrorAlert error={del.error} />}
      <ConfirmButtons
        confirmLabel={deletable.length === 0 ? 'Delete' : `Delete ${count(deletable.length, 'tag')}`}
        onCancel={onClose}
        onConfirm={confirm}
        busy={del.isPending}
        disabled={deletable.length === 0 || (needsAck && !ack)}
        testId="delete-tags-confirm"
      />
    </Stack>
  );
}

function PlanCard({ preview, selected }: { preview: TagPreview; selected: ReadonlySet<string> }) {
  if (!preview.plan) {
    const text = describeError(preview.error);
    return (
      <Paper withBorder p="sm" data-testid="delete-plan" data-tag={preview.tag}>
        <Text fw={600} ff="monospace">
          {preview.tag}
        </Text>
        <Text size="sm" c="red">
          Could not be checked, so it is not deleted: {text.title}. {text.message}
        </Text>
      </Paper>
    );
  }
  const plan = preview.plan;
  const extra = plan.siblings.filter((s) => !selected.has(s));
  return (
    <Paper withBorder p="sm" data-testid="delete-plan" data-tag={plan.tag}>
      <Stack gap={6}>
        <Text fw={600} ff="monospace">
          {plan.tag}
        </Text>
        <Text size="sm">
          Digest <Code style={{ overflowWrap: 'anywhere' }}>{plan.digest}</Code>
        </Text>
        {plan.message && (
          <Text size="sm" c="dimmed">
            {plan.message}
          </Text>
        )}
        {plan.method === 'manifest' && plan.siblings.length > 0 && (
          <Alert color="orange" variant="light" data-testid="delete-plan-siblings">
            registry:2 deletes whole manifests: also removes {plan.siblings.length === 1 ? 'tag' : 'tags'} {plan.siblings.join(', ')}
            {extra.length < plan.siblings.length && extra.length > 0 ? ` (not selected: ${extra.join(', ')})` : ''}.
          </Alert>
        )}
        {plan.method === 'tag' && plan.siblings.length > 0 && (
          <Text size="sm" data-testid="delete-plan-siblings">
            Other tags on this digest stay: {plan.siblings.join(', ')}.
          </Text>
        )}
        {plan.method === 'unsupported' && (
          <Text size="sm" c="red" data-testid="delete-plan-unsupported">
            The registry refuses deletes: this tag cannot be deleted.
          </Text>
        )}
        {plan.unresolved && plan.unresolved.length > 0 && (
          <Text size="sm" c="orange" data-testid="delete-plan-unresolved">
            Could not be checked (they may point at this digest too): {plan.unresolved.join(', ')}.
          </Text>
        )}
      </Stack>
    </Paper>
  );
}

function Outcomes({ outcomes, onClose }: { outcomes: TagDeleteOutcome[]; onClose: () => void }) {
  return (
    <Stack gap="md" data-testid="delete-tags-outcomes">
      <Alert color="red" title="Some tags were not deleted" role="alert">
        The list has been refreshed. What happened to each tag:
      </Alert>
      <List spacing="xs">
        {outcomes.map((o) => (
          <List.Item key={o.tag} data-testid="delete-outcome" data-tag={o.tag}>
            <Text span ff="monospace" fw={600}>
              {o.tag}
            </Text>
            : <OutcomeText outcome={o} />
          </List.Item>
        ))}
      </List>
      <Group justify="flex-end">
        <Button onClick={onClose}>Close</Button>
      </Group>
    </Stack>
  );
}

function OutcomeText({ outcome }: { outcome: TagDeleteOutcome }) {
  if (outcome.status === 'deleted') {
    const others = outcome.result.removedTags.filter((t) => t !== outcome.tag);
    return <>deleted{others.length > 0 ? ` (with ${others.join(', ')})` : ''}</>;
  }
  if (outcome.status === 'removed-with') return <>deleted together with {outcome.by}</>;
  const text = describeError(outcome.error);
  const hint = HINTS[errorCode(outcome.error) ?? ''];
  return (
    <Text span c="red">
      {text.title}. {hint ?? text.message}
    </Text>
  );
}
