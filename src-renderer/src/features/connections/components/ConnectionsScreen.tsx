/**
 * Connections: the registries the user works with. Lists them (the local registry first, built in),
 * adds, edits, tests and removes remote ones; every change refreshes the shell's navigation.
 */
import { Badge, Button, Group, Modal, Stack, Table, Text, Title, Tooltip, VisuallyHidden } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useEffect, useRef, useState } from 'react';
import { LOCAL_CONNECTION_ID, type ConnectionInfo } from '../../../../../src-server/contract';
import { ConfirmButtons, EmptyState, ErrorAlert, Loading } from '../../../app/common';
import { hrefOf } from '../../../app/route';
import { kindLabel, trustLabel, type ConnectionForm } from '../draft';
import { useConnectionList, useRemoveConnection, useTestConnection } from '../queries';
import { storedWhere, useSecretStore } from '../secret-store';
import { ConnectionFormModal } from './ConnectionFormModal';
import { TestResult } from './TestResult';

type Editing = { saved: ConnectionInfo | null; preset?: Partial<ConnectionForm>; key: number };

/** The connections screen (`#/connections`). */
export function ConnectionsScreen(_props: Record<string, never>) {
  const list = useConnectionList();
  const [editing, setEditing] = useState<Editing | null>(null);
  const [removing, setRemoving] = useState<ConnectionInfo | null>(null);
  const [testing, setTesting] = useState<ConnectionInfo | null>(null);
  const open = (saved: ConnectionInfo | null, preset?: Partial<ConnectionForm>) => setEditing({ saved, preset, key: Date.now() });

  let body;
  if (list.isPending) body = <Loading label="Loading connections…" />;
  else if (list.isError) body = <ErrorAlert error={list.error} title="The connections could not be read" />;
  else {
    const remote = list.data.filter((c) => c.id !== LOCAL_CONNECTION_ID);
    const sorted = [...list.data.filter((c) => c.id === LOCAL_CONNECTION_ID), ...remote];
    body = (
      <Stack>
        <Table.ScrollContainer minWidth={560}>
          <Table aria-label="Connections" verticalSpacing="sm" highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>URL</Table.Th>
                {/* Dropped on narrow windows, where the row's buttons need the room (the edit dialog shows both). */}
                <Table.Th visibleFrom="lg">User</Table.Th>
                <Table.Th visibleFrom="lg">Trust</Table.Th>
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {sorted.map((c) => (
                <ConnectionRow key={c.id} conn={c} onTest={() => setTesting(c)} onEdit={() => open(c)} onRemove={() => setRemoving(c)} />
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        {remote.length === 0 && (
          <EmptyState title="No remote registries yet">
            A connection is a registry Berth can browse besides this computer's: Docker Hub, GitHub's GHCR, Quay, Harbor or any
            registry that speaks the Docker/OCI API. Add one with its URL and, if it needs them, a user name and password or token; then
            browse its images and copy them here.
          </EmptyState>
        )}
        {remote.length === 0 && (
          <Group justify="center">
            <Button onClick={() => open(null)} data-testid="add-first-connection">
              Add your first connection
            </Button>
          </Group>
        )}
      </Stack>
    );
  }

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Connections</Title>
        <Button onClick={() => open(null)} data-testid="add-connection">
          Add connection
        </Button>
      </Group>
      {body}
      {editing && <ConnectionFormModal key={editing.key} saved={editing.saved} preset={editing.preset} onClose={() => setEditing(null)} />}
      {removing && <RemoveModal conn={removing} onClose={() => setRemoving(null)} />}
      {testing && (
        <TestModal
          conn={testing}
          onClose={() => setTesting(null)}
          onTrust={(fingerprint) => {
            const conn = testing;
            setTesting(null);
            open(conn, { trustMode: 'pin', pinSha256: fingerprint });
          }}
        />
      )}
    </Stack>
  );
}

function ConnectionRow({ conn, onTest, onEdit, onRemove }: { conn: ConnectionInfo; onTest: () => void; onEdit: () => void; onRemove: () => void }) {
  const secretStore = useSecretStore();
  const local = conn.id === LOCAL_CONNECTION_ID;
  return (
    <Table.Tr data-testid="connection-row" data-connection-id={conn.id} aria-label={conn.name}>
      <Table.Td>
        {/* Squeezed, the kind goes under the name (badges are never cut: shell.css). */}
        <Group gap="xs">
          <Text fw={600}>{conn.name}</Text>
          <Badge variant="light" color={local ? 'teal' : 'blue'} data-testid="connection-kind-badge">
            {kindLabel(conn.kind)}
          </Badge>
        </Group>
      </Table.Td>
      <Table.Td>
        <Text size="sm" ff="monospace" truncate="end" maw={{ base: 220, xl: 420 }} title={conn.url ?? undefined}>
          {conn.url ?? (local ? 'stopped' : '—')}
        </Text>
      </Table.Td>
      <Table.Td visibleFrom="lg">
        <Group gap={6}>
          <Text size="sm">{conn.username ?? (local ? '—' : 'anonymous')}</Text>
          {conn.hasSecret && (
            <Tooltip label={`A password or token is stored ${storedWhere(secretStore.data)}`}>
              <Badge size="sm" variant="outline" color="gray" data-testid="password-stored">
                password stored
              </Badge>
            </Tooltip>
          )}
        </Group>
      </Table.Td>
      <Table.Td visibleFrom="lg">
        <Text size="sm">{local ? '—' : trustLabel(conn.trust)}</Text>
      </Table.Td>
      <Table.Td>
        <Group gap={4} justify="flex-end" wrap="nowrap">
          <Button size="xs" variant="light" component="a" href={hrefOf({ screen: 'repositories', connection: conn.id })} aria-label={`Browse ${conn.name}`}>
            Browse
          </Button>
          <Button size="xs" variant="default" onClick={onTest} aria-label={`Test ${conn.name}`}>
            Test
          </Button>
          {!local && (
            <>
              <Button size="xs" variant="default" onClick={onEdit} aria-label={`Edit ${conn.name}`}>
                Edit
              </Button>
              <Button size="xs" variant="subtle" color="red" onClick={onRemove} aria-label={`Remove ${conn.name}`}>
                Remove
              </Button>
            </>
          )}
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}

function TestModal({ conn, onClose, onTrust }: { conn: ConnectionInfo; onClose: () => void; onTrust: (fingerprint: string) => void }) {
  const test = useTestConnection();
  const started = useRef(false);
  const { mutate } = test;
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    mutate({ id: conn.id });
  }, [mutate, conn.id]);
  return (
    <Modal opened onClose={onClose} title={`Test of ${conn.name}`} size="lg">
      <Stack aria-live="polite">
        {test.isPending && <Loading label="Trying the registry…" />}
        {test.error && <ErrorAlert error={test.error} title="The test could not run" />}
        {test.data && <TestResult result={test.data} testId="connection-list-test-result" onTrust={conn.id === LOCAL_CONNECTION_ID ? undefined : onTrust} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={() => test.mutate({ id: conn.id })} disabled={test.isPending}>
            Test again
          </Button>
          <Button onClick={onClose}>Close</Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function RemoveModal({ conn, onClose }: { conn: ConnectionInfo; onClose: () => void }) {
  const remove = useRemoveConnection();
  return (
    <Modal opened onClose={onClose} title={`Remove ${conn.name}?`}>
      <Stack>
        <Text>
          Berth forgets the connection <b>{conn.name}</b> ({conn.url}) and its stored password. Images on the registry itself are not touched.
        </Text>
        {remove.error && <ErrorAlert error={remove.error} title="The connection was not removed" />}
        <ConfirmButtons
          confirmLabel={`Remove ${conn.name}`}
          onCancel={onClose}
          onConfirm={() =>
            remove.mutate(conn.id, {
              onSuccess: () => {
                notifications.show({ color: 'green', title: 'Connection removed', message: conn.name });
                onClose();
              },
            })
          }
          busy={remove.isPending}
          testId="confirm-remove-connection"
          autoFocus
        />
      </Stack>
    </Modal>
  );
}
