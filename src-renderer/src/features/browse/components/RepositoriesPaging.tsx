/**
 * Cursor paging shared by the repositories and tags tables: the server returns `next` (the `last` of
 * the following page), so going back keeps a stack of the cursors that led here. Also the sortable
 * column header both tables use (sorting is within the page shown; the server orders by name).
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

/** Which column a table is sorted by, and which way. */
export interface SortState<K extends string> {
  key: K;
  dir: 'asc' | 'desc';
}

/** Sorts a copy of `rows`; nulls (unknown) always last. */
export function sortRows<T, K extends string>(rows: readonly T[], sort: SortState<K>, value: (row: T, key: K) => string | number | null): T[] {
  const sign = sort.dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = value(a, sort.key);
    const y = value(b, sort.key);
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    if (typeof x === 'number' && typeof y === 'number') return sign * (x - y);
    return sign * String(x).localeCompare(String(y));
  });
}

/** A column header that sorts by `column` (click again to reverse). */
export function SortHeader<K extends string>({ column, label, sort, onSort }: { column: K; label: string; sort: SortState<K>; onSort: (s: SortState<K>) => void }) {
  const active = sort.key === column;
  const arrow = active ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : '';
  return (
    <Table.Th aria-sort={active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}>
      <UnstyledButton
        fw={600}
        fz="sm"
        onClick={() => onSort({ key: column, dir: active && sort.dir === 'asc' ? 'desc' : 'asc' })}
        data-testid={`sort-${column}`}
        aria-label={`Sort by ${label.toLowerCase()}`}
      >
        {label}
        {arrow}
      </UnstyledButton>
    </Table.Th>
  );
}
