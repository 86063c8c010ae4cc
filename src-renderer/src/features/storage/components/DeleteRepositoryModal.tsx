/** Deleting a local repository, confirmed by typing its name. */
import { Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import { ErrorAlert } from '../../../app/common';
import { count } from '../../../app/format';
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
  const [typed, setTyped] = useState('');
  const del = useDeleteRepository();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (typed !== name || del.isPending) return;
    del.mutate(name, {
      onSuccess: (r) => {
        notifications.show({ color: 'green', title: `Deleted ${name}`, message: `${count(r.tags, 'tag')} and ${count(r.manifests, 'manifest')} removed. Run a garbage collection to free their blobs.` });
        onClose();
      },
    });
  };
  return (
    <form onSubmit={submit} aria-label={`Delete repository ${name}`}>
      <Stack>
        <Text size="sm">
          Every tag and manifest of <b>{name}</b> is deleted. Its blobs are freed by the next garbage collection. This cannot be undone.
        </Text>
        <TextInput
          label={`Type ${name} to confirm`}
          data-testid="delete-repository-confirm-input"
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
          <Button type="submit" color="red" disabled={typed !== name} loading={del.isPending} data-testid="delete-repository-confirm">
            Delete repository
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
