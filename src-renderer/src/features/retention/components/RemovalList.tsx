/** Every tag and manifest a retention run removes (or would), with the policies that let it go. */
import { Code, ScrollArea, Stack, Table, Text } from '@mantine/core';
import type { RetentionReport } from '../../../../../src-server/contract';
import { count, shortDigest } from '../../../app/format';
import { removalKey, removalReference } from '../format';

/** The list (`data-testid="retention-removals"`): tags first, then untagged manifests; every row is drawn. */
export function RemovalList({ report, label }: { report: RetentionReport; label: string }) {
  const rows = [...report.tags.map((r) => ({ r, kind: 'tag' as const })), ...report.manifests.map((r) => ({ r, kind: 'manifest' as const }))];
  if (rows.length === 0) return null;
  return (
    <ScrollArea.Autosize mah={360} type="auto">
      <Table aria-label={label} data-testid="retention-removals" striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Tag or manifest</Table.Th>
            <Table.Th>Digest</Table.Th>
            <Table.Th>Policies</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map(({ r, kind }) => (
            <Table.Tr key={removalKey(r)} data-testid="retention-removal" data-kind={kind} data-reference={removalKey(r)}>
              <Table.Td ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                {removalReference(r)}
                {kind === 'manifest' && (
                  <Text span size="xs" c="dimmed">
                    {' '}
                    (untagged)
                  </Text>
                )}
              </Table.Td>
              <Table.Td ff="monospace" title={r.digest}>
                {shortDigest(r.digest)}
              </Table.Td>
              <Table.Td>{r.policies.join(', ')}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollArea.Autosize>
  );
}

/** A run's failed removals, each in words (`data-testid="retention-errors"`). */
export function RunErrors({ report }: { report: RetentionReport }) {
  if (report.errors.length === 0) return null;
  return (
    <Stack gap={2} data-testid="retention-errors">
      <Text size="sm" c="red" fw={600}>
        {count(report.errors.length, 'removal')} failed (the rest went on):
      </Text>
      {report.errors.map((e, i) => (
        <Text key={i} size="sm" c="red">
          <Code>{e.tag !== undefined ? `${e.repository}:${e.tag}` : e.digest ? `${e.repository}@${shortDigest(e.digest)}` : e.repository}</Code> {e.message}
        </Text>
      ))}
    </Stack>
  );
}
