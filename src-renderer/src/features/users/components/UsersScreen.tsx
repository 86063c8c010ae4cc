/**
 * Users of the local registry: who may log in and what each may do (their own rights plus their
 * groups'), the groups, what anonymous clients may do, and whether logins are on at all. The one-time admin password is shown when the registry screen
 * fetched it and it was not dismissed (this screen never asks for it: asking consumes it).
 */
import { Alert, Badge, Button, Card, Code, Group, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import type { UserDto, UsersListing } from '../../../../../src-server/contract';
import { CopyField, EmptyState, ErrorAlert, Loading } from '../../../app/common';
import { useCachedInitialPassword, useSetAnonymous, useUsers } from '../queries';
import { rulesProblem } from '../rights';
import { AddUserModal, PasswordModal, RemoveUserModal, RightsModal } from './UserModals';
import { UserGroupsModal } from './GroupModals';
import { GroupsCard } from './GroupsCard';
import { RightsEditor } from './RightsEditor';

type Dialog =
  | { kind: 'add' }
  | { kind: 'password'; user: UserDto }
  | { kind: 'rights'; user: UserDto }
  | { kind: 'groups'; user: UserDto }
  | { kind: 'remove'; user: UserDto };

const AUTH_MODES: Record<UsersListing['authMode'], string> = {
  basic: 'Clients log in with a user name and password (basic authentication).',
  token: 'Clients log in with a user name and password and receive tokens (token authentication).',
  none: '',
};

/** The users screen (`#/users`). */
export function UsersScreen(_props: Record<string, never>) {
  const users = useUsers();
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const close = () => setDialog(null);

  let body;
  if (users.isPending) body = <Loading label="Loading users…" />;
  else if (users.isError) body = <ErrorAlert error={users.error} title="The users could not be read" />;
  else {
    const l = users.data;
    body = (
      <Stack>
        {l.authMode === 'none' ? (
          <Alert color="yellow" title="The registry runs without logins" data-testid="auth-mode">
            Anyone who can reach it may pull and push. Users and rights take effect once authentication is turned on in the registry's
            settings.
          </Alert>
        ) : (
          <Text size="sm" c="dimmed" data-testid="auth-mode">
            {AUTH_MODES[l.authMode]}
          </Text>
        )}
        {!l.accessFileExists && (
          <Alert color="blue" title="Every user has every right" data-testid="no-access-file">
            There is no access file yet, so every user who logs in may pull, push and delete everywhere (as registry:2 does). Saving rights for
            a user or for anonymous clients, or adding a group, creates it, and from then on each user has only the rights listed.
          </Alert>
        )}
        {l.users.length === 0 ? (
          <>
            <EmptyState title="No users yet">
              Add a user so that people and CI can log in with <Code>docker login</Code>, and give each the rights they need.
            </EmptyState>
            <Group justify="center">
              <Button onClick={() => setDialog({ kind: 'add' })} data-testid="add-first-user">
                Add the first user
              </Button>
            </Group>
          </>
        ) : (
          <UsersTable listing={l} onDialog={setDialog} />
        )}
        <GroupsCard />
        <AnonymousCard key={l.anonymous} current={l.anonymous} />
      </Stack>
    );
  }

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Users</Title>
        <Button onClick={() => setDialog({ kind: 'add' })} data-testid="add-user">
          Add user
        </Button>
      </Group>
      <InitialPassword />
      {body}
      {dialog?.kind === 'add' && (
        <AddUserModal onClose={close} onChangePassword={(name) => setDialog({ kind: 'password', user: users.data?.users.find((u) => u.name === name) ?? { name, rules: '', groups: [], hasPassword: true } })} />
      )}
      {dialog?.kind === 'password' && <PasswordModal name={dialog.user.name} onClose={close} />}
      {dialog?.kind === 'rights' && <RightsModal name={dialog.user.name} rules={dialog.user.rules} onClose={close} />}
      {dialog?.kind === 'groups' && <UserGroupsModal name={dialog.user.name} current={dialog.user.groups} onClose={close} />}
      {dialog?.kind === 'remove' && <RemoveUserModal name={dialog.user.name} onClose={close} />}
    </Stack>
  );
}

function UsersTable({ listing, onDialog }: { listing: UsersListing; onDialog: (d: Dialog) => void }) {
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table aria-label="Users" verticalSpacing="sm" highlightOnHover>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>User</Table.Th>
            <Table.Th>Rights</Table.Th>
            <Table.Th>Groups</Table.Th>
            <Table.Th>Can log in</Table.Th>
            <Table.Th>
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {listing.users.map((u) => (
            <Table.Tr key={u.name} data-testid="user-row" data-user={u.name} aria-label={u.name}>
              <Table.Td>
                <Text fw={600}>{u.name}</Text>
              </Table.Td>
              <Table.Td data-testid="user-rules">
                {u.rules ? <Code>{u.rules}</Code> : <Text size="sm" c="dimmed">{listing.accessFileExists ? (u.groups.length ? 'none of their own' : 'no rights') : 'every right (no access file)'}</Text>}
              </Table.Td>
              <Table.Td data-testid="user-groups">
                {u.groups.length ? (
                  <Group gap={4}>
                    {u.groups.map((g) => (
                      <Badge key={g} variant="outline" color="grape" tt="none">
                        {g}
                      </Badge>
                    ))}
                  </Group>
                ) : (
                  <Text size="sm" c="dimmed">
                    none
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                {u.hasPassword ? (
                  <Badge color="green" variant="light">
                    yes
                  </Badge>
                ) : (
                  <Badge color="gray" variant="light" title="Listed in the access file without a password: set one to let them log in">
                    no password
                  </Badge>
                )}
              </Table.Td>
              <Table.Td>
                <Group gap={4} justify="flex-end" wrap="nowrap">
                  <Button size="xs" variant="default" onClick={() => onDialog({ kind: 'password', user: u })} aria-label={`Change password of ${u.name}`}>
                    {u.hasPassword ? 'Change password' : 'Set password'}
                  </Button>
                  <Button size="xs" variant="default" onClick={() => onDialog({ kind: 'rights', user: u })} aria-label={`Edit rights of ${u.name}`}>
                    Edit rights
                  </Button>
                  <Button size="xs" variant="default" onClick={() => onDialog({ kind: 'groups', user: u })} aria-label={`Edit groups of ${u.name}`}>
                    Groups
                  </Button>
                  <Button size="xs" variant="subtle" color="red" onClick={() => onDialog({ kind: 'remove', user: u })} aria-label={`Remove ${u.name}`}>
                    Remove
                  </Button>
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** What clients that do not log in may do. */
function AnonymousCard({ current }: { current: string }) {
  const [rules, setRules] = useState(current);
  const set = useSetAnonymous();
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (rulesProblem(rules)) return;
    set.mutate(rules, {
      onSuccess: (l) => notifications.show({ color: 'green', title: 'Anonymous rights saved', message: l.anonymous || 'Anonymous clients may do nothing' }),
    });
  };
  return (
    <Card withBorder>
      <form onSubmit={onSubmit} aria-label="Anonymous access">
        <Stack gap="sm">
          <Title order={4}>Anonymous access</Title>
          <Text size="sm" c="dimmed">
            What clients may do without logging in. Now: {current ? <Code data-testid="anonymous-current">{current}</Code> : <span data-testid="anonymous-current">nothing</span>}. For example{' '}
            <Code>pull@*</Code> lets anyone pull.
          </Text>
          <RightsEditor value={rules} onChange={setRules} label="Anonymous rights" testId="anonymous-rights" />
          {set.error && <ErrorAlert error={set.error} title="The anonymous rights were not saved" />}
          <Group justify="flex-end">
            <Button type="submit" loading={set.isPending} disabled={rules === current} data-testid="save-anonymous">
              Save anonymous rights
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

/** The one-time admin password, when the registry screen received it and it was not dismissed. */
function InitialPassword() {
  const { value, dismiss } = useCachedInitialPassword();
  if (!value) return null;
  return (
    <Alert color="orange" title="The administrator's password, shown once" data-testid="initial-password">
      <Stack gap="xs">
        <Text size="sm">
          Berth created the user <b>{value.user}</b> with this password. Save it now (e.g. in a password manager): it is not shown again.
        </Text>
        <CopyField value={value.password} label="admin password" />
        <Group>
          <Button size="xs" variant="light" onClick={dismiss}>
            I saved it
          </Button>
        </Group>
      </Stack>
    </Alert>
  );
}
