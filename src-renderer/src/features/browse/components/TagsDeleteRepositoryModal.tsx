/** Deleting the whole repository from the tags screen, confirmed by typing its name. */
import { Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import { ErrorAlert } from '../../../app/common';
import { count } from '../../../app/format';
import { navigate } from '../../../app/route';
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
  const [typed, setTyped] = useState('');
  const del = useDeleteRepository(connection);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (typed !== repository || del.isPending) return;
    del.mutate(repository, {
      onSuccess: (r) => {
        notifications.show({ color: 'green', title: `Deleted ${repository}`, message: `${count(r.tags, 'tag')} and ${count(r.manifests, 'manifest')} removed.` });
        onClose();
        navigate({ screen: 'repositories', connection });
      },
    });
  };
  return (
    <form onSubmit={submit} aria-label={`Delete repository ${repository}`}>
      <Stack>
        <Text size="sm">
          Every tag and manifest of <b>{repository}</b> is deleted{connection === 'local' ? '; the next garbage collection frees its blobs' : ''}. This cannot be undone.
        </Text>
        <TextInput
          label={`Type ${repository} to confirm`}
          data-testid="repository-delete-input"
          value={typed}
          onChange={(e) => setTyped(e.currentTarget.value)}
          autoComplete="off"
          data-autofocus
        />
        {del.isError && <ErrorAlert error={del.error} title="The repository could not be deleted" />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" color="red" disabled={typed !== repository} loading={del.isPending} data-testid="repository-delete-confirm">
            Delete repository
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
