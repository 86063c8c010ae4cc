/** The table of one page of repositories; its headers ask the server to sort the whole list. */
import { Anchor, Table } from '@mantine/core';
import type { RepositorySort, RepositorySummary, SortDirection } from '../../../../../src-server/contract';
import { formatBytes } from '../../../app/format';
import { hrefOf } from '../../../app/route';
import { SortHeader, type SortState } from './RepositoriesPaging';

/** Rows link to the repository's tags. */
export function RepositoriesTable({
  connection,
  items,
  busy,
  sort,
  dir,
  onSort,
}: {
  connection: string;
  items: RepositorySummary[];
  busy: boolean;
  sort: RepositorySort;
  dir: SortDirection;
  onSort: (s: SortState<RepositorySort>) => void;
}) {
  const state: SortState<RepositorySort> = { key: sort, dir };
  return (
    <Table striped highlightOnHover aria-label="Repositories" aria-busy={busy} style={{ opacity: busy ? 0.6 : 1 }} data-testid="repositories-table">
      <Table.Thead>
        <Table.Tr>
          <SortHeader column="name" label="Name" sort={state} onSort={onSort} />
          <SortHeader column="tags" label="Tags" sort={state} onSort={onSort} firstDir="desc" />
          <SortHeader column="size" label="Size" sort={state} onSort={onSort} firstDir="desc" />
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {items.map((r) => (
          <Table.Tr key={r.name} data-testid="repository-row">
            <Table.Td>
              <Anchor href={hrefOf({ screen: 'tags', connection, repository: r.name })} data-testid="repository-link">
                {r.name}
              </Anchor>
            </Table.Td>
            <Table.Td>{r.tagCount === null ? '—' : r.tagCount.toLocaleString()}</Table.Td>
            <Table.Td>{formatBytes(r.size)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
