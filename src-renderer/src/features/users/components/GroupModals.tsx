/** The groups' dialogs: add a group, edit its rights, remove it, and choose a user's groups. */
import { Modal, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import { ConfirmButtons, ErrorAlert, Loading } from '../../../app/common';
import { useAddGroup, useGroups, useRemoveGroup, useSetGroupAccess, useSetUserGroups } from '../queries';
import { groupNameProblem, rulesProblem } from '../rights';
import { GroupPicker } from './GroupPicker';
import { ChangeError } from './ChangeError';
import { RightsEditor } from './RightsEditor';

/** `a, b and c`. */
export function namesText(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/** Adds a group with rights. */
export function AddGroupModal({ onClose }: { onClose: () => void }) {
  const [name, setName] = useState('');
  const [rules, setRules] = useState('pull@*');
  const add = useAddGroup();
  const problem = name ? groupNameProblem(name) : null;
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (!name || problem || rulesProblem(rules)) return;
    add.mutate(
      { name, rules },
      {
        onSuccess: (g) => {
          notifications.show({ color: 'green', title: 'Group added', message: `${g.name}: ${g.rules || 'no rights'}` });
          onClose();
        },
      },
    );
  };
  return (
    <Modal opened onClose={onClose} title="Add a group" size="lg">
      <form onSubmit={onSubmit} aria-label="Add a group">
        <Stack>
          <TextInput
            label="Group name"
            required
            data-autofocus
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={problem}
            data-testid="group-name"
            autoComplete="off"
            description="Lower-case letters, digits, '.', '_' and '-', starting with a letter."
          />
          <RightsEditor value={rules} onChange={setRules} label="Rights of the group's members" testId="group-rights" />
          {add.error && <ChangeError error={add.error} title="The group was not added" />}
          <ConfirmButtons confirmLabel="Save group" onCancel={onClose} busy={add.isPending} testId="save-group" destructive={false} />
        </Stack>
      </form>
    </Modal>
  );
}

/** Replaces a group's rights. */
export function GroupRightsModal({ name, rules: initial, onClose }: { name: string; rules: string; onClose: () => void }) {
  const [rules, setRules] = useState(initial);
  const set = useSetGroupAccess();
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (rulesProblem(rules)) return;
    set.mutate(
      { name, rules },
      {
        onSuccess: (g) => {
          notifications.show({ color: 'green', title: 'Group rights saved', message: `${g.name}: ${g.rules || 'no rights'}` });
          onClose();
        },
      },
    );
  };
  return (
    <Modal opened onClose={onClose} title={`Rights of group ${name}`} size="lg">
      <form onSubmit={onSubmit} aria-label={`Rights of group ${name}`}>
        <Stack>
          <RightsEditor value={rules} onChange={setRules} label="Rights of the group's members" testId="group-rights" />
          {set.error && <ChangeError error={set.error} title="The group's rights were not saved" />}
          <ConfirmButtons confirmLabel="Save rights" onCancel={onClose} busy={set.isPending} testId="save-group-rights" destructive={false} />
        </Stack>
      </form>
    </Modal>
  );
}

/** Removes a group after a confirmation that names the members who lose its rights. */
export function RemoveGroupModal({ name, members, onClose }: { name: string; members: string[]; onClose: () => void }) {
  const remove = useRemoveGroup();
  return (
    <Modal opened onClose={onClose} title={`Remove group ${name}?`}>
      <Stack>
        <Text data-testid="remove-group-effect">
          {members.length ? (
            <>
              <b>{namesText(members)}</b> {members.length === 1 ? 'loses' : 'lose'} the rights of <b>{name}</b>; their own rights and other groups stay.
            </>
          ) : (
            <>
              <b>{name}</b> has no members: nobody loses a right.
            </>
          )}
        </Text>
        {remove.error && <ChangeError error={remove.error} title="The group was not removed" />}
        <ConfirmButtons
          confirmLabel={`Remove ${name}`}
          onCancel={onClose}
          onConfirm={() =>
            remove.mutate(name, {
              onSuccess: (r) => {
                const message = r.members.length ? `${namesText(r.members)} no longer ${r.members.length === 1 ? 'has' : 'have'} its rights` : name;
                notifications.show({ color: 'green', title: 'Group removed', message });
                onClose();
              },
            })
          }
          busy={remove.isPending}
          testId="confirm-remove-group"
          autoFocus
        />
      </Stack>
    </Modal>
  );
}

/** Chooses the groups a user is in. */
export function UserGroupsModal({ name, current, onClose }: { name: string; current: string[]; onClose: () => void }) {
  const groups = useGroups();
  const [chosen, setChosen] = useState(current);
  const set = useSetUserGroups();
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    set.mutate(
      { name, groups: chosen },
      {
        onSuccess: (u) => {
          notifications.show({ color: 'green', title: 'Groups saved', message: u.groups.length ? `${u.name}: ${u.groups.join(', ')}` : `${u.name} is in no group` });
          onClose();
        },
      },
    );
  };
  return (
    <Modal opened onClose={onClose} title={`Groups of ${name}`} size="lg">
      <form onSubmit={onSubmit} aria-label={`Groups of ${name}`}>
        <Stack>
          {groups.isPending ? (
            <Loading label="Loading groups…" />
          ) : groups.isError ? (
            <ErrorAlert error={groups.error} title="The groups could not be read" />
          ) : (
            <GroupPicker groups={groups.data} value={chosen} onChange={setChosen} />
          )}
          {set.error && <ChangeError error={set.error} title="The groups were not saved" />}
          <ConfirmButtons confirmLabel="Save groups" onCancel={onClose} busy={set.isPending} disabled={!groups.isSuccess} testId="save-user-groups" destructive={false} />
        </Stack>
      </form>
    </Modal>
  );
}
