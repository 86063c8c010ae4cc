/**
 * Paging of the repositories and tags tables. Tags page by the server's cursor (`next` is the `last`
 * of the following page), so going back keeps a stack of the cursors that led here; repositories
 * page by number over the list the server sorted, the number kept in the address. Also the
 * sortable column header, whose order the server applies to the whole list.
 */
import { Button, Group, Loader, Table, Text, UnstyledButton } from '@mantine/core';
import { useCallback, useState } from 'react';

/**
 * The cursors of the pages visited; the current page's `last` is the top. A new `resetKey` (the
 * search) starts again at the first page, in the same render (no request for a stale cursor).
 */
export function useCursorStack(resetKey: string) {
  const [state, setState] = useState<{ key: string; stack: Array<string | undefined> }>({ key: resetKey, stack: [undefined] });
  const stack = state.key === resetKey ? state.stack : [undefined];
  const last = stack[stack.length - 1];
  const next = useCallback(
    (cursor: string) => setState((s) => ({ key: resetKey, stack: [...(s.key === resetKey ? s.stack : [undefined]), cursor] })),
    [resetKey],
  );
  const previous = useCallback(
    () => setState((s) => ({ key: resetKey, stack: s.key === resetKey && s.stack.length > 1 ? s.stack.slice(0, -1) : [undefined] })),
    [resetKey],
  );
  return { last, page: stack.length, next, previous };
}

/** "Previous" / "Next" under a table; `prefix` names the test ids (`repositories-next`). */
export function PageControls({
  prefix,
  page,
  nextCursor,
  busy,
  onNext,
  onPrevious,
}: {
  prefix: string;
  page: number;
  nextCursor: string | null | undefined;
  busy: boolean;
  onNext: (cursor: string) => void;
  onPrevious: () => void;
}) {
  if (page === 1 && !nextCursor) return null;
  return (
    <Group justify="flex-end" gap="sm" aria-label="Pages" role="group">
      {busy && <Loader size="xs" aria-label="Loading the page" />}
      <Text size="sm" c="dimmed" data-testid={`${prefix}-page`}>
        Page {page}
      </Text>
      <Button variant="default" size="xs" onClick={onPrevious} disabled={page <= 1} data-testid={`${prefix}-previous`} aria-label="Previous page">
        Previous
      </Button>
      <Button
        variant="default"
        size="xs"
        onClick={() => nextCursor && onNext(nextCursor)}
        disabled={!nextCursor || busy}
        data-testid={`${prefix}-next`}
        aria-label="Next page"
      >
        Next
      </Button>
    </Group>
  );
}

/**
 * "Page N of M" with Previous / Next under a list paged by number; `pages` is null while unknown
 * (then Next follows a full page). `prefix` names the test ids (`repositories-next`).
 */
export function NumberedPageControls({
  prefix,
  page,
  pages,
  full,
  busy,
  onPage,
}: {
  prefix: string;
  page: number;
  pages: number | null;
  /** The page shown has as many rows as a page holds. */
  full: boolean;
  busy: boolean;
  onPage: (page: number) => void;
}) {
  const hasNext = pages !== null ? page < pages : full;
  if (page === 1 && !hasNext) return null;
  return (
    <Group justify="flex-end" gap="sm" aria-label="Pages" role="group">
      {busy && <Loader size="xs" aria-label="Loading the page" />}
      <Text size="sm" c="dimmed" data-testid={`${prefix}-page`}>
        {pages !== null ? `Page ${page.toLocaleString()} of ${pages.toLocaleString()}` : `Page ${page.toLocaleString()}`}
      </Text>
      <Button variant="default" size="xs" onClick={() => onPage(page - 1)} disabled={page <= 1 || busy} data-testid={`${prefix}-previous`} aria-label="Previous page">
        Previous
      </Button>
      <Button variant="default" size="xs" onClick={() => onPage(page + 1)} disabled={!hasNext || busy} data-testid={`${prefix}-next`} aria-label="Next page">
        Next
      </Button>
    </Group>
  );
}

/** Which column a table is sorted by, and which way. */
export interface SortState<K extends string> {
  key: K;
  dir: 'asc' | 'desc';
}

/**
 * A column header that sorts by `column`: first `firstDir` (largest first suits counts and sizes),
 * a click again reverses.
 */
export function SortHeader<K extends string>({
  column,
  label,
  sort,
  onSort,
  firstDir = 'asc',
}: {
  column: K;
  label: string;
  sort: SortState<K>;
  onSort: (s: SortState<K>) => void;
  firstDir?: 'asc' | 'desc';
}) {
  const active = sort.key === column;
  const arrow = active ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : '';
  return (
    <Table.Th aria-sort={active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}>
      <UnstyledButton
        fw={600}
        fz="sm"
        onClick={() => onSort({ key: column, dir: active ? (sort.dir === 'asc' ? 'desc' : 'asc') : firstDir })}
        data-testid={`sort-${column}`}
        aria-label={`Sort by ${label.toLowerCase()}`}
      >
        {label}
        {arrow}
      </UnstyledButton>
    </Table.Th>
  );
}
