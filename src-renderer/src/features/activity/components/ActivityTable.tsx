/** The audit entries as a table: when, who (and from where), what, on what, and how it ended. */
import { Badge, Table, Text, Tooltip } from '@mantine/core';
import { Fragment } from 'react';
import type { AuditEntry } from '../../../../../src-server/contract';
import { formatDate, shortDigest } from '../../../app/format';
import { ACTION_LABELS, VIA_LABELS } from '../labels';

/** A detail's value: digests shortened (the full one is in the tooltip), the rest as written. */
function factText(v: string | number | boolean): string {
  return typeof v === 'string' && /^sha256:[0-9a-f]{64}$/.test(v) ? shortDigest(v) : String(v);
}

function Details({ entry }: { entry: AuditEntry }) {
  const facts = Object.entries(entry.detail ?? {});
  if (!facts.length) return null;
  return (
    <Tooltip label={facts.map(([k, v]) => `${k}: ${String(v)}`).join('\n')} multiline maw={520} style={{ overflowWrap: 'anywhere' }}>
      <Text size="xs" c="dimmed">
        {facts.map(([k, v], i) => (
          <Fragment key={k}>
            {i > 0 && ' · '}
            <span className="berth-fact">{`${k}: ${factText(v)}`}</span>
          </Fragment>
        ))}
      </Text>
    </Tooltip>
  );
}

/** One row per entry, newest first as given. */
export function ActivityTable({ entries }: { entries: AuditEntry[] }) {
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table striped highlightOnHover verticalSpacing="xs" data-testid="activity-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>When</Table.Th>
            <Table.Th>Who</Table.Th>
            <Table.Th>What</Table.Th>
            <Table.Th>Target</Table.Th>
            <Table.Th w={150}>Result</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {entries.map((e, i) => (
            <Table.Tr key={`${e.time}-${i}`} data-testid="activity-row" data-action={e.action}>
              <Table.Td>
                <Tooltip label={e.time}>
                  <Text size="sm">{formatDate(e.time)}</Text>
                </Tooltip>
              </Table.Td>
              <Table.Td>
                <Text size="sm" fw={500}>
                  {e.user}
                </Text>
                <Text size="xs" c="dimmed">
                  {VIA_LABELS[e.via]}
                  {e.address !== 'local' ? ` · ${e.address}` : ''}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{ACTION_LABELS[e.action] ?? e.action}</Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm" ff="monospace" truncate="end" maw={{ base: 260, lg: 420 }} title={e.target}>
                  {e.target}
                </Text>
                <Details entry={e} />
              </Table.Td>
              <Table.Td>
                <Badge color={e.result === 'ok' ? 'green' : 'red'} variant="light" style={{ overflow: 'visible' }}>
                  {e.result === 'ok' ? 'done' : e.result}
                </Badge>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
