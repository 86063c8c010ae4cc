/** Deleting a local repository, confirmed by typing its name. */
import { Modal } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { count } from '../../../app/format';
import { TypeToConfirm } from '../../../app/TypeToConfirm';
import { formatKeep } from '../../trash/format';
import { useTrashKeepSeconds } from '../../trash/queries';
import { useDeleteRepository } from '../queries';

/** The dialog for `name` (closed when null). */
export function DeleteRepositoryModal({ name, onClose }: { name: string | null; onClose: () => void }) {
  return (
    <Modal opened={name !== null} onClose={onClose} title="Delete repository">
      {name !== null && <DeleteRepositoryForm key={name} name={name} onClose={onClose} />}
    </Modal>
  );
}

function DeleteRepositoryForm({ name, onClose }: { name: string; onClose: () => void }) {
  const del = useDeleteRepository();
  const keep = useTrashKeepSeconds();
  const confirm = () =>
    del.mutate(name, {
      onSuccess: (r) => {
        const after =
          keep !== null
            ? `They are in Recently deleted for ${formatKeep(keep)}; a garbage collection frees their blobs after that.`
            : 'Run a garbage collection to free their blobs.';
        notifications.show({ color: 'green', title: `Deleted ${name}`, message: `${count(r.tags, 'tag')} and ${count(r.manifests, 'manifest')} removed. ${after}` });
        onClose();
      },
    });
  return (
    <TypeToConfirm
      name={name}
      warning={
        <>
          Every tag and manifest of <b>{name}</b> is deleted.{' '}
          {keep !== null
            ? `They go to Recently deleted and can be restored for ${formatKeep(keep)}; a garbage collection frees their blobs only after they leave the trash.`
            : 'Its blobs are freed by the next garbage collection. This cannot be undone.'}
        </>
      }
      confirmLabel="Delete repository"
      busy={del.isPending}
      error={del.isError ? del.error : null}
      errorTitle="The repository could not be deleted"
      ids={{ input: 'delete-repository-confirm-input', confirm: 'delete-repository-confirm' }}
      onConfirm={confirm}
      onCancel={onClose}
    />
  );
}
