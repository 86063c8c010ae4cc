/**
 * Usage per repository as a table: the treemap's figures in rows, sorted by the server on any
 * column and paged, with a delete button per repository.
 */
import { Anchor, Button, Group, Pagination, Table, Text, UnstyledButton, VisuallyHidden } from '@mantine/core';
import type { UsagePage, UsageSortKey } from '../../../../../src-server/contract';
import { formatBytes } from '../../../app/format';
import { hrefOf } from '../../../app/route';
import { exactBytes } from '../figures';
import type { UsagePageQuery } from '../queries';

const COLUMNS: Array<{ key: UsageSortKey; label: string; numeric: boolean }> = [
  { key: 'name', label: 'Repository', numeric: false },
  { key: 'stored', label: 'Stored', numeric: true },
  { key: 'unique', label: 'Unique', numeric: true },
  { key: 'shared', label: 'Shared', numeric: true },
  { key: 'untagged', label: 'Untagged', numeric: true },
  { key: 'tags', label: 'Tags', numeric: true },
];

/** Props of {@link UsageTable}. */
export interface UsageTableProps {
  page: UsagePage;
  query: UsagePageQuery;
  busy: boolean;
  onQuery: (q: UsagePageQuery) => void;
  onDelete: (name: string) => void;
}

/** The table (`data-testid="usage-table"`); a header click sorts, a second reverses. */
export function UsageTable({ page, query, busy, onQuery, onDelete }: UsageTableProps) {
  const pages = Math.max(1, Math.ceil(page.totals.repositories / query.limit));
  const sortBy = (key: UsageSortKey, numeric: boolean) =>
    onQuery({ ...query, sort: key, descending: key === query.sort ? !query.descending : numeric, offset: 0 });
  return (
    <>
      <Table striped highlightOnHover aria-label="Usage per repository" aria-busy={busy} style={{ opacity: busy ? 0.6 : 1 }} data-testid="usage-table">
        <Table.Thead>
          <Table.Tr>
            {COLUMNS.map((c) => (
              <Table.Th key={c.key} aria-sort={query.sort === c.key ? (query.descending ? 'descending' : 'ascending') : 'none'} ta={c.numeric ? 'right' : undefined}>
                <UnstyledButton onClick={() => sortBy(c.key, c.numeric)} fw={600} fz="sm" data-testid={`usage-sort-${c.key}`}>
                  {c.label}
                  {query.sort === c.key ? (query.descending ? ' ↓' : ' ↑') : ''}
                </UnstyledButton>
              </Table.Th>
            ))}
            <Table.Th>
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {page.repositories.map((r) => (
            <Table.Tr key={r.name} data-testid="usage-row" data-repository={r.name}>
              <Table.Td>
                <Anchor href={hrefOf({ screen: 'tags', connection: 'local', repository: r.name })} style={{ overflowWrap: 'anywhere' }}>
                  {r.name}
                </Anchor>
              </Table.Td>
              {(['stored', 'unique', 'shared', 'untagged'] as const).map((k) => (
                <Table.Td key={k} ta="right" title={exactBytes(r[k])} data-testid={`usage-${k}`} style={{ whiteSpace: 'nowrap' }}>
                  {formatBytes(r[k])}
                </Table.Td>
              ))}
              <Table.Td ta="right">{r.tags.toLocaleString()}</Table.Td>
              <Table.Td ta="right">
                <Button size="compact-xs" variant="subtle" color="red" onClick={() => onDelete(r.name)} aria-label={`Delete repository ${r.name}`} data-testid={`delete-repository-${r.name}`}>
                  Delete
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {pages > 1 && (
        <Group justify="space-between">
          <Text size="sm" c="dimmed">
            {(page.offset + 1).toLocaleString()}–{(page.offset + page.repositories.length).toLocaleString()} of {page.totals.repositories.toLocaleString()} repositories
          </Text>
          <Pagination
            total={pages}
            value={Math.floor(query.offset / query.limit) + 1}
            onChange={(n) => onQuery({ ...query, offset: (n - 1) * query.limit })}
            size="sm"
            aria-label="Pages of repositories"
          />
        </Group>
      )}
    </>
  );
}
