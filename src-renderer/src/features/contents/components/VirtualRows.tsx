/**
 * A long list that renders only the rows in view (tens of thousands stay smooth): the tree of
 * files, a layer's changes, a diff's files. Rows have one fixed height.
 */
import { Box } from '@mantine/core';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef, type ReactNode } from 'react';

/** Props of {@link VirtualRows}. */
export interface VirtualRowsProps<T> {
  items: readonly T[];
  /** A stable key per row. */
  rowKey: (item: T) => string;
  render: (item: T, index: number) => ReactNode;
  rowHeight?: number;
  /** Height of the scrolling box in pixels. */
  height?: number;
  testId: string;
  label: string;
}

/** The rows of `items`, virtualized in a scrolling box. */
export function VirtualRows<T>({ items, rowKey, render, rowHeight = 32, height = 520, testId, label }: VirtualRowsProps<T>) {
  const box = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: items.length, getScrollElement: () => box.current, estimateSize: () => rowHeight, overscan: 12 });
  return (
    <Box ref={box} h={Math.min(height, Math.max(rowHeight, items.length * rowHeight) + 2)} style={{ overflow: 'auto', borderWidth: 1, borderStyle: 'solid', borderColor: 'var(--mantine-color-default-border)', borderRadius: 4 }} data-testid={testId} role="list" aria-label={label}>
      <div style={{ height: virtual.getTotalSize(), position: 'relative', width: '100%' }}>
        {virtual.getVirtualItems().map((v) => {
          const item = items[v.index]!;
          return (
            <div key={rowKey(item)} role="listitem" style={{ position: 'absolute', top: 0, left: 0, width: '100%', height: rowHeight, transform: `translateY(${v.start}px)` }}>
              {render(item, v.index)}
            </div>
          );
        })}
      </div>
    </Box>
  );
}
