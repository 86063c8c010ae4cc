/**
 * The retention policies as a table: what each matches and keeps, how many repositories it matches
 * and tags it keeps now; a row opens the list of the tags it keeps and why; Remove asks first.
 */
import { Badge, Button, Code, Group, Modal, ScrollArea, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { Fragment, useState } from 'react';
import type { RetentionPolicyView } from '../../../../../src-server/contract';
import { ConfirmButtons, ErrorAlert } from '../../../app/common';
import { count } from '../../../app/format';
import { describeKeeps, describeReason } from '../format';
import { useRemovePolicy } from '../queries';

/** The table (`data-testid="retention-policies"`). */
export function PoliciesTable({ policies }: { policies: RetentionPolicyView[] }) {
  const [open, setOpen] = useState<string | null>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  return (
    <>
      <ScrollArea type="auto">
        <Table aria-label="Retention policies" data-testid="retention-policies" striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Repositories</Table.Th>
              <Table.Th>Keeps</Table.Th>
              <Table.Th>Untagged</Table.Th>
              <Table.Th ta="right">Matches</Table.Th>
              <Table.Th ta="right">Keeps now</Table.Th>
              <Table.Th>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {policies.map((p) => (
              <Fragment key={p.name}>
                <Table.Tr data-testid="policy-row" data-policy={p.name}>
                  <Table.Td fw={600}>{p.name}</Table.Td>
                  <Table.Td>
                    <Code>{p.repos}</Code>
                  </Table.Td>
                  <Table.Td data-testid="policy-keeps">{describeKeeps(p)}</Table.Td>
                  <Table.Td>{p.untagged ? <Badge variant="light" color="orange">removed</Badge> : <Text size="sm" c="dimmed">left</Text>}</Table.Td>
                  <Table.Td ta="right" data-testid="policy-repositories">
                    {count(p.repositories, 'repository', 'repositories')}
                  </Table.Td>
                  <Table.Td ta="right">
                    <Button
                      variant="subtle"
                      size="compact-sm"
                      onClick={() => setOpen(open === p.name ? null : p.name)}
                      aria-expanded={open === p.name}
                      aria-controls={`kept-${p.name}`}
                      data-testid="policy-kept-toggle"
                    >
                      {count(p.keptCount, 'tag')} {open === p.name ? '▾' : '▸'}
                    </Button>
                  </Table.Td>
                  <Table.Td>
                    <Button size="compact-xs" variant="subtle" color="red" onClick={() => setRemoving(p.name)} aria-label={`Remove policy ${p.name}`} data-testid="policy-remove">
                      Remove
                    </Button>
                  </Table.Td>
                </Table.Tr>
                {open === p.name && (
                  <Table.Tr>
                    <Table.Td colSpan={7} id={`kept-${p.name}`}>
                      <KeptList policy={p} />
                    </Table.Td>
                  </Table.Tr>
                )}
              </Fragment>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollArea>
      <RemovePolicyModal name={removing} onClose={() => setRemoving(null)} />
    </>
  );
}

/** The tags one policy keeps and why (`data-testid="policy-kept"`). */
function KeptList({ policy }: { policy: RetentionPolicyView }) {
  if (policy.keptCount === 0)
    return (
      <Text size="sm" c="dimmed" data-testid="policy-kept">
        This policy keeps no tag now{policy.repositories > 0 ? ': another policy must keep a tag, or it goes at the next run' : ''}.
      </Text>
    );
  return (
    <Stack gap={4} data-testid="policy-kept">
      <Text size="sm" c="dimmed">
        {policy.kept.length < policy.keptCount ? `The first ${policy.kept.length.toLocaleString()} of ${count(policy.keptCount, 'tag')} it keeps` : `The ${count(policy.keptCount, 'tag')} it keeps`}, and why. A tag
        survives when any policy keeps it.
      </Text>
      <ScrollArea.Autosize mah={260} type="auto">
        <Table aria-label={`Tags kept by ${policy.name}`}>
          <Table.Tbody>
            {policy.kept.map((k) => (
              <Table.Tr key={`${k.repository}:${k.tag}`} data-testid="kept-row" data-reference={`${k.repository}:${k.tag}`}>
                <Table.Td ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                  {k.repository}:{k.tag}
                </Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    {k.reasons.map((r) => (
                      <Badge key={r} variant="light" data-reason={r}>
                        {describeReason(r, policy)}
                      </Badge>
                    ))}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollArea.Autosize>
    </Stack>
  );
}

function RemovePolicyModal({ name, onClose }: { name: string | null; onClose: () => void }) {
  const remove = useRemovePolicy();
  const close = () => {
    remove.reset();
    onClose();
  };
  return (
    <Modal opened={name !== null} onClose={close} title="Remove retention policy?">
      <Stack>
        <Text size="sm">
          The policy <b>{name}</b> no longer keeps or removes anything. Tags only it kept may then be removed by the other policies matching their repositories.
        </Text>
        {remove.isError && <ErrorAlert error={remove.error} title="The policy could not be removed" />}
        <ConfirmButtons confirmLabel="Remove policy" onCancel={close} onConfirm={() => name && remove.mutate(name, { onSuccess: close })} busy={remove.isPending} testId="policy-remove-confirm" autoFocus />
      </Stack>
    </Modal>
  );
}
