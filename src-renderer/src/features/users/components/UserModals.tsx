/** The users screen's dialogs: add a user (with groups), change a password, edit rights, remove a user. */
import { Alert, Button, Group, Modal, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import { MIN_PASSWORD_LENGTH, passwordProblem } from '../../../../../src-server/contract';
import { errorCode } from '../../../api/errors';
import { ConfirmButtons, CopyIconButton } from '../../../app/common';
import { useAddUser, useGroups, useRemoveUser, useSetPassword, useSetRights } from '../queries';
import { generatePassword, rulesProblem } from '../rights';
import { GroupPicker } from './GroupPicker';
import { ChangeError } from './ChangeError';
import { RightsEditor } from './RightsEditor';

/** What is wrong with a typed password, as a sentence (the server's rule), or null; nothing while empty. */
function typedPasswordProblem(password: string): string | null {
  if (password === '') return null;
  const p = passwordProblem(password);
  return p ? `${p.charAt(0).toUpperCase()}${p.slice(1)}.` : null;
}

/** A password field with generate, show and copy; it says what the server will refuse as it is typed. */
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
        description={`At least ${MIN_PASSWORD_LENGTH} characters, at most 72 bytes, no line breaks.`}
        error={typedPasswordProblem(value)}
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

/** Which field of the add form a refusal of the server is about (null: none in particular). */
const REFUSED_FIELD: Record<string, 'name' | 'password' | 'rules' | 'groups'> = {
  USER_EXISTS: 'name',
  USER_NAME_INVALID: 'name',
  NAME_TAKEN: 'name',
  PASSWORD_INVALID: 'password',
  RULES_INVALID: 'rules',
  GROUP_UNKNOWN: 'groups',
};

/** Adds a user; for a name that exists, offers to change that user's password instead (`onChangePassword`). */
export function AddUserModal({ onClose, onChangePassword }: { onClose: () => void; onChangePassword: (name: string) => void }) {
  const [name, setNameValue] = useState('');
  const [password, setPasswordValue] = useState('');
  const [rules, setRulesValue] = useState('pull@*');
  const [groups, setGroupsValue] = useState<string[]>([]);
  const known = useGroups();
  const add = useAddUser();
  const code = errorCode(add.error);
  const refusedField = code ? (REFUSED_FIELD[code] ?? null) : null;
  // A refusal stands until the field it is about changes (any field, for one about none in particular).
  const edit =
    <T,>(field: 'name' | 'password' | 'rules' | 'groups', set: (v: T) => void) =>
    (v: T) => {
      if (add.error && (refusedField === null || refusedField === field)) add.reset();
      set(v);
    };
  const setName = edit('name', setNameValue);
  const setPassword = edit('password', setPasswordValue);
  const setRules = edit('rules', setRulesValue);
  const setGroups = edit('groups', setGroupsValue);
  const [triedName, setTriedName] = useState('');
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (rulesProblem(rules) || !name.trim() || passwordProblem(password)) return;
    setTriedName(name.trim());
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
          {code === 'USER_EXISTS' ? (
            <Alert color="yellow" title="That user exists already" data-testid="user-exists">
              <Stack gap="xs">
                <Text size="sm">{triedName} is already a user. To give them a new password, change it instead.</Text>
                <Button size="xs" variant="default" w="fit-content" onClick={() => onChangePassword(triedName)}>
                  Change the password of {triedName}
                </Button>
              </Stack>
            </Alert>
          ) : (
            add.error && <ChangeError error={add.error} title="The user was not added" />
          )}
          <ConfirmButtons confirmLabel="Save user" onCancel={onClose} busy={add.isPending} testId="save-user" destructive={false} />
        </Stack>
      </form>
    </Modal>
  );
}

/** Sets a user's password. */
export function PasswordModal({ name, onClose }: { name: string; onClose: () => void }) {
  const [password, setPasswordValue] = useState('');
  const set = useSetPassword();
  const setPassword = (v: string) => {
    set.reset();
    setPasswordValue(v);
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (passwordProblem(password)) return;
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
