/** Deleting the whole repository from the tags screen, confirmed by typing its name. */
import { Modal } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { count } from '../../../app/format';
import { navigate } from '../../../app/route';
import { TypeToConfirm } from '../../../app/TypeToConfirm';
import { formatKeep } from '../../trash/format';
import { useTrashKeepSeconds } from '../../trash/queries';
import { useDeleteRepository } from '../queries';

/** Opens when `opened`; on success goes back to the connection's repositories. */
export function TagsDeleteRepositoryModal({ connection, repository, opened, onClose }: { connection: string; repository: string; opened: boolean; onClose: () => void }) {
  return (
    <Modal opened={opened} onClose={onClose} title="Delete repository">
      {opened && <Form connection={connection} repository={repository} onClose={onClose} />}
    </Modal>
  );
}

function Form({ connection, repository, onClose }: { connection: string; repository: string; onClose: () => void }) {
  const del = useDeleteRepository(connection);
  const keep = useTrashKeepSeconds(connection === 'local');
  const confirm = () =>
    del.mutate(repository, {
      onSuccess: (r) => {
        notifications.show({ color: 'green', title: `Deleted ${repository}`, message: `${count(r.tags, 'tag')} and ${count(r.manifests, 'manifest')} removed.` });
        onClose();
        navigate({ screen: 'repositories', connection });
      },
    });
  return (
    <TypeToConfirm
      name={repository}
      warning={
        <>
          Every tag and manifest of <b>{repository}</b> is deleted
          {keep !== null
            ? `. They go to Recently deleted and can be restored for ${formatKeep(keep)}; a garbage collection frees their blobs only after they leave the trash.`
            : connection === 'local'
              ? '; the next garbage collection frees its blobs. This cannot be undone.'
              : '. This cannot be undone.'}
        </>
      }
      confirmLabel="Delete repository"
      busy={del.isPending}
      error={del.isError ? del.error : null}
      errorTitle="The repository could not be deleted"
      ids={{ input: 'repository-delete-input', confirm: 'repository-delete-confirm' }}
      onConfirm={confirm}
      onCancel={onClose}
    />
  );
}
