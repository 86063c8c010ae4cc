/**
 * Deleting the selected tags: the server's plan for the whole selection (`tags:delete-plan`) is
 * shown first — totals, how the registry deletes, tags that go although not selected, details per
 * image on demand — and the button names how many tags really go. Confirming sends that plan
 * (`tags:delete`), which the server carries out exactly or refuses image by image; what went and
 * what failed is then said.
 */
import { Checkbox, Modal, Stack } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { TagsDeletePlan } from '../../../../../src-server/contract';
import { ConfirmButtons, ErrorAlert, Loading } from '../../../app/common';
import { count } from '../../../app/format';
import { formatKeep } from '../../trash/format';
import { useTrashKeepSeconds, useTrashKnown } from '../../trash/queries';
import { useDeleteTags, useTagsDeletePlan } from '../queries';
import { DeleteOutcome } from './DeleteOutcome';
import { DeletePlanDetails } from './DeletePlanDetails';
import { alsoDeletedOf, atRiskOf, DeletePlanSummary, someNames } from './DeletePlanSummary';

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
    <Modal opened={tags !== null} onClose={onClose} title={tags ? `Delete ${count(tags.length, 'selected tag')} of ${repository}` : ''} size="lg">
      {tags !== null && <DeleteTagsBody key={tags.join('\n')} connection={connection} repository={repository} tags={tags} onClose={onClose} onDeleted={onDeleted} />}
    </Modal>
  );
}

function DeleteTagsBody({ connection, repository, tags, onClose, onDeleted }: DeleteTagsProps) {
  const plan = useTagsDeletePlan(connection, repository, tags);
  const del = useDeleteTags(connection, repository);
  const [ack, setAck] = useState(false);
  // Only the local registry has a trash.
  const keep = useTrashKeepSeconds(connection === 'local');
  const trashKnown = useTrashKnown(connection === 'local');

  if (plan.isPending || !trashKnown) return <Loading label="Working out what would be deleted…" />;
  if (plan.isError)
    return (
      <Stack data-testid="delete-tags-modal">
        <ErrorAlert error={plan.error} />
      </Stack>
    );
  if (del.data && del.data.failed.length > 0) return <DeleteOutcome result={del.data} onClose={onClose} />;

  const p = plan.data;
  const needsAck = alsoDeletedOf(p).length > 0 || atRiskOf(p, tags).length > 0;
  const confirm = () =>
    del.mutate(toArgs(p, tags), {
      onSuccess: (result) => {
        onDeleted();
        if (result.failed.length > 0) return;
        const untagged = result.untagged.length ? ` · ${count(result.untagged.length, 'image')} left untagged` : '';
        const restorable = keep !== null ? ` · restorable from Recently deleted for ${formatKeep(keep)}` : '';
        notifications.show({ color: 'green', title: 'Deleted', message: `${count(result.removed.length, 'tag')} deleted from ${repository}: ${someNames(result.removed)}${untagged}${restorable}` });
        onClose();
      },
    });

  return (
    <Stack gap="md" data-testid="delete-tags-modal">
      <DeletePlanSummary plan={p} selected={tags} trashKeepSeconds={keep} />
      <DeletePlanDetails images={p.images} />
      {needsAck && (
        <Checkbox
          checked={ack}
          onChange={(e) => setAck(e.currentTarget.checked)}
          data-testid="delete-tags-siblings-ack"
          label="I understand that the tags named above that I did not select (and any that could not be checked) are deleted too"
        />
      )}
      {del.isError && <ErrorAlert error={del.error} />}
      <ConfirmButtons
        confirmLabel={p.totals.tags === 0 ? 'Delete' : `Delete ${count(p.totals.tags, 'tag')}`}
        onCancel={onClose}
        onConfirm={confirm}
        busy={del.isPending}
        disabled={p.method === 'unsupported' || p.totals.tags === 0 || (needsAck && !ack)}
        testId="delete-tags-confirm"
      />
    </Stack>
  );
}

/** The plan as `tags:delete` takes it; the unresolved tags the user accepted go along. */
function toArgs(plan: TagsDeletePlan, selected: readonly string[]) {
  const accepted = atRiskOf(plan, selected);
  return {
    method: plan.method,
    images: plan.images.map((i) => ({ digest: i.digest, tags: i.tags, alsoDeleted: i.alsoDeleted })),
    ...(accepted.length ? { unresolved: accepted } : {}),
  };
}
