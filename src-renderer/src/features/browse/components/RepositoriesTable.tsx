/** The table of one page of repositories, sortable within the page. */
import { Anchor, Table } from '@mantine/core';
import { useMemo, useState } from 'react';
import type { RepositorySummary } from '../../../../../src-server/contract';
import { formatBytes } from '../../../app/format';
import { hrefOf } from '../../../app/route';
import { SortHeader, sortRows, type SortState } from './RepositoriesPaging';

type Column = 'name' | 'tags' | 'size';

function value(r: RepositorySummary, key: Column): string | number | null {
  return key === 'name' ? r.name : key === 'tags' ? r.tagCount : r.size;
}

/** Rows link to the repository's tags. */
export function RepositoriesTable({ connection, items, busy }: { connection: string; items: RepositorySummary[]; busy: boolean }) {
  const [sort, setSort] = useState<SortState<Column>>({ key: 'name', dir: 'asc' });
  const rows = useMemo(() => sortRows(items, sort, value), [items, sort]);
  return (
    <Table striped highlightOnHover aria-label="Repositories" aria-busy={busy} style={{ opacity: busy ? 0.6 : 1 }} data-testid="repositories-table">
      <Table.Thead>
        <Table.Tr>
          <SortHeader column="name" label="Name" sort={sort} onSort={setSort} />
          <SortHeader column="tags" label="Tags" sort={sort} onSort={setSort} />
          <SortHeader column="size" label="Size" sort={sort} onSort={setSort} />
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((r) => (
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
