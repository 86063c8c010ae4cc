/** The users screen's dialogs: add a user (with groups), change a password, edit rights, remove a user. */
import { Button, Group, Modal, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import { ConfirmButtons, CopyIconButton } from '../../../app/common';
import { useAddUser, useGroups, useRemoveUser, useSetPassword, useSetRights } from '../queries';
import { generatePassword, rulesProblem } from '../rights';
import { GroupPicker } from './GroupPicker';
import { ChangeError } from './ChangeError';
import { RightsEditor } from './RightsEditor';

/** A password field with generate, show and copy. */
function PasswordField({ value, onChange, label }: { value: string; onChange: (v: string) => void; label: string }) {
  const [visible, setVisible] = useState(false);
  return (
    <Group gap="xs" align="flex-end" wrap="nowrap">
      <PasswordInput
        style={{ flex: 1 }}
        label={label}
        required
        value={value}
        onChange={(e) => onChange(e.currentTarget.value)}
        visible={visible}
        onVisibilityChange={setVisible}
        data-testid="user-password"
        autoComplete="new-password"
        description="At most 72 bytes, no line breaks."
      />
      <Button
        variant="default"
        onClick={() => {
          onChange(generatePassword());
          setVisible(true);
        }}
        data-testid="generate-password"
      >
        Generate
      </Button>
      <CopyIconButton value={value} label="Copy password" disabled={!value} />
    </Group>
  );
}

/** Adds a user. */
export function AddUserModal({ onClose }: { onClose: () => void }) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [rules, setRules] = useState('pull@*');
  const [groups, setGroups] = useState<string[]>([]);
  const known = useGroups();
  const add = useAddUser();
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (rulesProblem(rules) || !name.trim() || !password) return;
    add.mutate(
      { name: name.trim(), password, rules, ...(groups.length ? { groups } : {}) },
      {
        onSuccess: (u) => {
          notifications.show({ color: 'green', title: 'User added', message: `${u.name} can log in with docker login` });
          onClose();
        },
      },
    );
  };
  return (
    <Modal opened onClose={onClose} title="Add a user" size="lg">
      <form onSubmit={onSubmit} aria-label="Add a user">
        <Stack>
          <TextInput label="User name" required data-autofocus value={name} onChange={(e) => setName(e.currentTarget.value)} data-testid="user-name" autoComplete="off" description="No spaces or ':'." />
          <PasswordField label="Password" value={password} onChange={setPassword} />
          <RightsEditor value={rules} onChange={setRules} />
          {known.data?.length ? <GroupPicker groups={known.data} value={groups} onChange={setGroups} /> : null}
          {add.error && <ChangeError error={add.error} title="The user was not added" />}
          <ConfirmButtons confirmLabel="Save user" onCancel={onClose} busy={add.isPending} testId="save-user" destructive={false} />
        </Stack>
      </form>
    </Modal>
  );
}

/** Sets a user's password. */
export function PasswordModal({ name, onClose }: { name: string; onClose: () => void }) {
  const [password, setPassword] = useState('');
  const set = useSetPassword();
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (!password) return;
    set.mutate(
      { name, password },
      {
        onSuccess: () => {
          notifications.show({ color: 'green', title: 'Password changed', message: `${name} logs in with the new password from now on` });
          onClose();
        },
      },
    );
  };
  return (
    <Modal opened onClose={onClose} title={`New password for ${name}`} size="lg">
      <form onSubmit={onSubmit} aria-label={`New password for ${name}`}>
        <Stack>
          <PasswordField label="New password" value={password} onChange={setPassword} />
          {set.error && <ChangeError error={set.error} title="The password was not changed" />}
          <ConfirmButtons confirmLabel="Change password" onCancel={onClose} busy={set.isPending} testId="save-password" destructive={false} />
        </Stack>
      </form>
    </Modal>
  );
}

/** Replaces a user's rights. */
export function RightsModal({ name, rules: initial, onClose }: { name: string; rules: string; onClose: () => void }) {
  const [rules, setRules] = useState(initial);
  const set = useSetRights();
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (rulesProblem(rules)) return;
    set.mutate(
      { name, rules },
      {
        onSuccess: (u) => {
          notifications.show({ color: 'green', title: 'Rights saved', message: `${u.name}: ${u.rules || 'no rights'}` });
          onClose();
        },
      },
    );
  };
  return (
    <Modal opened onClose={onClose} title={`Rights of ${name}`} size="lg">
      <form onSubmit={onSubmit} aria-label={`Rights of ${name}`}>
        <Stack>
          <RightsEditor value={rules} onChange={setRules} />
          {set.error && <ChangeError error={set.error} title="The rights were not saved" />}
          <ConfirmButtons confirmLabel="Save rights" onCancel={onClose} busy={set.isPending} testId="save-rights" destructive={false} />
        </Stack>
      </form>
    </Modal>
  );
}

/** Removes a user after a confirmation that names them. */
export function RemoveUserModal({ name, onClose }: { name: string; onClose: () => void }) {
  const remove = useRemoveUser();
  return (
    <Modal opened onClose={onClose} title={`Remove ${name}?`}>
      <Stack>
        <Text>
          <b>{name}</b> can no longer log in, and their rights are removed. Images they pushed stay.
        </Text>
        {remove.error && <ChangeError error={remove.error} title="The user was not removed" />}
        <ConfirmButtons
          confirmLabel={`Remove ${name}`}
          onCancel={onClose}
          onConfirm={() =>
            remove.mutate(name, {
              onSuccess: () => {
                notifications.show({ color: 'green', title: 'User removed', message: name });
                onClose();
              },
            })
          }
          busy={remove.isPending}
          testId="confirm-remove-user"
          autoFocus
        />
      </Stack>
    </Modal>
  );
}
