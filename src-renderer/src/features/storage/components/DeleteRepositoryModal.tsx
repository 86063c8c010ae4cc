/** Deleting a local repository, confirmed by typing its name. */
import { Modal } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { count } from '../../../app/format';
import { TypeToConfirm } from '../../../app/TypeToConfirm';
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
  const confirm = () =>
    del.mutate(name, {
      onSuccess: (r) => {
        notifications.show({ color: 'green', title: `Deleted ${name}`, message: `${count(r.tags, 'tag')} and ${count(r.manifests, 'manifest')} removed. Run a garbage collection to free their blobs.` });
        onClose();
      },
    });
  return (
    <TypeToConfirm
      name={name}
      warning={
        <>
          Every tag and manifest of <b>{name}</b> is deleted. Its images go to the trash, restorable until they expire;
          a garbage collection frees its blobs after that.
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
