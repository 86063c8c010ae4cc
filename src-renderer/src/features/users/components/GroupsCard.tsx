/** The groups of the local registry: each with its rights and members, and what can be done to it. */
import { Button, Card, Code, Group, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useState } from 'react';
import type { GroupDto } from '../../../../../src-server/contract';
import { ErrorAlert, Loading } from '../../../app/common';
import { useGroups } from '../queries';
import { AddGroupModal, GroupRightsModal, RemoveGroupModal } from './GroupModals';

type Dialog = { kind: 'add' } | { kind: 'rights'; group: GroupDto } | { kind: 'remove'; group: GroupDto };

/** The card (`#/users`, below the users). */
export function GroupsCard() {
  const groups = useGroups();
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const close = () => setDialog(null);

  let body;
  if (groups.isPending) body = <Loading label="Loading groups…" />;
  else if (groups.isError) body = <ErrorAlert error={groups.error} title="The groups could not be read" />;
  else if (!groups.data.length) {
    body = (
      <Text size="sm" c="dimmed" data-testid="no-groups">
        No groups yet. A group gives all its members the same rights, on top of their own: for example <Code>ci</Code> with{' '}
        <Code>push@ci/*</Code> for build machines.
      </Text>
    );
  } else body = <GroupsTable groups={groups.data} onDialog={setDialog} />;

  return (
    <Card withBorder data-testid="groups-card">
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={4}>Groups</Title>
          <Button size="xs" onClick={() => setDialog({ kind: 'add' })} data-testid="add-group">
            Add group
          </Button>
        </Group>
        <Text size="sm" c="dimmed">
          A user's rights are their own plus those of every group they are in. Choose a user's groups with <b>Groups</b> in their row.
        </Text>
        {body}
      </Stack>
      {dialog?.kind === 'add' && <AddGroupModal onClose={close} />}
      {dialog?.kind === 'rights' && <GroupRightsModal name={dialog.group.name} rules={dialog.group.rules} onClose={close} />}
      {dialog?.kind === 'remove' && <RemoveGroupModal name={dialog.group.name} members={dialog.group.members} onClose={close} />}
    </Card>
  );
}

function GroupsTable({ groups, onDialog }: { groups: GroupDto[]; onDialog: (d: Dialog) => void }) {
  return (
    <Table.ScrollContainer minWidth={560}>
      <Table aria-label="Groups" verticalSpacing="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Group</Table.Th>
            <Table.Th>Rights</Table.Th>
            <Table.Th>Members</Table.Th>
            <Table.Th>
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {groups.map((g) => (
            <Table.Tr key={g.name} data-testid="group-row" data-group={g.name} aria-label={`group ${g.name}`}>
              <Table.Td>
                <Text fw={600}>{g.name}</Text>
              </Table.Td>
              <Table.Td data-testid="group-rules">{g.rules ? <Code>{g.rules}</Code> : <Text size="sm" c="dimmed">no rights</Text>}</Table.Td>
              <Table.Td data-testid="group-members">
                {g.members.length ? g.members.join(', ') : <Text size="sm" c="dimmed">no members</Text>}
              </Table.Td>
              <Table.Td>
                <Group gap={4} justify="flex-end" wrap="nowrap">
                  <Button size="xs" variant="default" onClick={() => onDialog({ kind: 'rights', group: g })} aria-label={`Edit rights of group ${g.name}`}>
                    Edit rights
                  </Button>
                  <Button size="xs" variant="subtle" color="red" onClick={() => onDialog({ kind: 'remove', group: g })} aria-label={`Remove group ${g.name}`}>
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
