/**
 * "Usage per repository": the treemap, one page of repositories at a time with the rest as a group
 * that opens the next page, or the same figures as a sortable table.
 */
import { Anchor, Breadcrumbs, Group, SegmentedControl, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { ErrorAlert, Loading } from '../../../app/common';
import { restName } from '../figures';
import { useUsagePage, type UsagePageQuery } from '../queries';
import { UsageTable } from './UsageTable';
import { UsageTreemap } from './UsageTreemap';

/** Repositories per treemap page and per table page. */
export const USAGE_PAGE = 50;

/** The query of the treemap's page `level` (0: the largest). */
export const treemapQuery = (level: number): UsagePageQuery => ({ sort: 'stored', descending: true, offset: level * USAGE_PAGE, limit: USAGE_PAGE });

/** The section; `onDelete` asks to delete a repository. */
export function RepositoryUsageSection({ onDelete }: { onDelete: (name: string) => void }) {
  const [view, setView] = useState('treemap');
  const [level, setLevel] = useState(0);
  const [tableQuery, setTableQuery] = useState<UsagePageQuery>(treemapQuery(0));
  const treemap = useUsagePage(treemapQuery(level), view === 'treemap');
  const table = useUsagePage(tableQuery, view === 'table');
  const current = view === 'treemap' ? treemap : table;

  return (
    <Stack gap="xs" data-testid="repository-usage">
      <Group justify="space-between">
        <Title order={3}>Usage per repository</Title>
        <SegmentedControl
          size="xs"
          value={view}
          onChange={setView}
          data={[
            { value: 'treemap', label: 'Treemap' },
            { value: 'table', label: 'Table' },
          ]}
          aria-label="Show usage per repository as"
        />
      </Group>
      {current.isPending ? (
        <Loading label="Measuring storage…" />
      ) : current.isError ? (
        <ErrorAlert error={current.error} />
      ) : view === 'treemap' ? (
        <>
          <TreemapCaption level={level} shown={treemap.data!.repositories.length} total={treemap.data!.totals.repositories} rest={treemap.data!.rest.repositories} onLevel={setLevel} />
          <UsageTreemap page={treemap.data!} onOpenRest={() => setLevel(level + 1)} />
        </>
      ) : (
        <UsageTable page={table.data!} query={tableQuery} busy={table.isFetching} onQuery={setTableQuery} onDelete={onDelete} />
      )}
    </Stack>
  );
}

/** Where in the order the treemap is, with the way back to the larger repositories. */
function TreemapCaption({ level, shown, total, rest, onLevel }: { level: number; shown: number; total: number; rest: number; onLevel: (level: number) => void }) {
  const from = level * USAGE_PAGE + 1;
  const range = shown ? `${from.toLocaleString()}–${(from + shown - 1).toLocaleString()}` : 'none';
  const where =
    level === 0
      ? shown < total
        ? `The ${shown.toLocaleString()} largest of ${total.toLocaleString()} repositories`
        : `All ${total.toLocaleString()} ${total === 1 ? 'repository' : 'repositories'}`
      : `Repositories ${range} of ${total.toLocaleString()}, by size`;
  return (
    <Stack gap={2}>
      {level > 0 && (
        <Breadcrumbs separator="›" aria-label="Treemap pages">
          {Array.from({ length: level }, (_, i) => (
            <Anchor key={i} component="button" type="button" size="sm" onClick={() => onLevel(i)} data-testid={`treemap-level-${i}`}>
              {i === 0 ? 'Largest' : `${(i * USAGE_PAGE + 1).toLocaleString()}–${((i + 1) * USAGE_PAGE).toLocaleString()}`}
            </Anchor>
          ))}
          <Text size="sm">{range}</Text>
        </Breadcrumbs>
      )}
      <Group justify="space-between" align="flex-start" wrap="nowrap" gap="md">
        <Text size="sm" c="dimmed" data-testid="treemap-caption">
          {where}. Area is stored bytes; shared bytes count in every repository that uses them, so the areas add up to more than the registry stores.
        </Text>
        {rest > 0 && (
          // The group's rectangle may be a sliver when the largest repositories dwarf it.
          <Anchor component="button" type="button" size="sm" onClick={() => onLevel(level + 1)} style={{ whiteSpace: 'nowrap' }} data-testid="treemap-next">
            Show the {restName(rest)} ›
          </Anchor>
        )}
      </Group>
    </Stack>
  );
}
