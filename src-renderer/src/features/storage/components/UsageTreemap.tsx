/**
 * Usage per repository as a treemap: one rectangle per repository of the page, its area its stored
 * bytes, the saturated part what only it holds (freed by deleting it) and the pale part what it
 * shares with other repositories; the repositories after the page are one grey group that opens
 * them. A rectangle links to the repository's tags; hovering or focusing it shows its exact
 * figures below. At most one page of rectangles is ever drawn, so thousands of repositories cost
 * what fifty do.
 */
import { Box, Group, Text } from '@mantine/core';
import { useMemo, useState, type KeyboardEvent } from 'react';
import type { UsagePage } from '../../../../../src-server/contract';
import { formatBytes } from '../../../app/format';
import { hrefOf } from '../../../app/route';
import { useChartPalette, useChartWidth, type ChartPalette } from '../charts/palette';
import { layoutTreemap, type Box as Rect, type TreemapCell, type TreemapItem } from '../charts/treemap-layout';
import { describeRepository, describeRest, restName } from '../figures';

/** Height of the treemap, in pixels. */
export const TREEMAP_HEIGHT = 380;
const REST = '\u0000rest';

/** The treemap of one page; `onOpenRest` shows the repositories after it. */
export function UsageTreemap({ page, onOpenRest }: { page: UsagePage; onOpenRest: () => void }) {
  const { ref, width } = useChartWidth();
  const palette = useChartPalette();
  const [active, setActive] = useState<string | null>(null);
  const rows = useMemo(() => new Map(page.repositories.map((r) => [r.name, r])), [page]);
  const cells = useMemo(() => {
    const items: TreemapItem[] = page.repositories.map((r) => ({ kind: 'repository', name: r.name, stored: r.stored, unique: r.unique, shared: r.shared }));
    if (page.rest.repositories > 0) items.push({ kind: 'rest', name: restName(page.rest.repositories), stored: page.rest.stored, unique: page.rest.unique, shared: page.rest.shared });
    return layoutTreemap(items, width, TREEMAP_HEIGHT, formatBytes);
  }, [page, width]);
  const keyOf = (c: TreemapCell) => (c.item.kind === 'rest' ? REST : c.item.name);
  const activeCell = cells.find((c) => keyOf(c) === active);
  const readout = active === REST ? `${describeRest(page.rest)}. Open the group to see them.` : active && rows.get(active) ? describeRepository(rows.get(active)!) : null;
  const hover = (key: string) => ({ onMouseEnter: () => setActive(key), onFocus: () => setActive(key), onMouseLeave: () => setActive(null), onBlur: () => setActive(null) });
  const openOnKey = (e: KeyboardEvent) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      onOpenRest();
    }
  };

  return (
    <Box ref={ref} data-testid="usage-treemap">
      <svg width={width} height={TREEMAP_HEIGHT} role="group" aria-label="Treemap of stored bytes per repository" style={{ display: 'block' }}>
        {cells.map((c) =>
          c.item.kind === 'repository' ? (
            <a
              key={c.item.name}
              href={hrefOf({ screen: 'tags', connection: 'local', repository: c.item.name })}
              aria-label={describeRepository(rows.get(c.item.name)!)}
              data-testid="treemap-cell"
              data-repository={c.item.name}
              style={{ outline: 'none' }}
              {...hover(c.item.name)}
            >
              <title>{describeRepository(rows.get(c.item.name)!)}</title>
              <Shape cell={c} unique={palette.unique} shared={palette.shared} palette={palette} />
            </a>
          ) : (
            <g
              key={REST}
              role="button"
              tabIndex={0}
              aria-label={`${describeRest(page.rest)}. Show them.`}
              data-testid="treemap-rest"
              onClick={onOpenRest}
              onKeyDown={openOnKey}
              style={{ cursor: 'pointer', outline: 'none' }}
              {...hover(REST)}
            >
              <title>{describeRest(page.rest)}</title>
              <Shape cell={c} unique={palette.restUnique} shared={palette.restShared} palette={palette} dashed />
            </g>
          ),
        )}
        {activeCell && <rect {...rectProps(activeCell.box)} fill="none" stroke={palette.focus} strokeWidth={3} pointerEvents="none" />}
      </svg>
      <Group justify="space-between" mt={6} gap="xs" wrap="nowrap" align="flex-start">
        <Text size="sm" data-testid="treemap-readout" aria-live="polite" c={readout ? undefined : 'dimmed'}>
          {readout ?? 'Point at or focus a rectangle for its exact figures; select it to open the repository.'}
        </Text>
        <Legend unique={palette.unique} shared={palette.shared} rest={page.rest.repositories > 0 ? palette.restUnique : null} />
      </Group>
    </Box>
  );
}

function rectProps(b: Rect) {
  return { x: b.x, y: b.y, width: Math.max(0, b.width), height: Math.max(0, b.height) };
}

/** A cell's two parts and its label (in the colour that reads on the part under it). */
function Shape({ cell, unique, shared, palette, dashed }: { cell: TreemapCell; unique: string; shared: string; palette: ChartPalette; dashed?: boolean }) {
  const { box } = cell;
  // The label starts in the top left corner, where the unique part is drawn.
  const onDeep = cell.unique.width >= Math.min(box.width, 60) && cell.unique.height >= Math.min(box.height, 34);
  const text = onDeep ? palette.labelOnDeep : palette.labelOnPale;
  return (
    <>
      <rect {...rectProps(cell.unique)} fill={unique} />
      <rect {...rectProps(cell.shared)} fill={shared} />
      {dashed && <rect {...rectProps(box)} fill="none" stroke={unique} strokeDasharray="4 3" />}
      {cell.label.map((line, i) => (
        <text
          key={i}
          x={box.x + 4}
          y={box.y + 15 + i * 15}
          fontSize={12}
          fontWeight={i === 0 ? 600 : 400}
          fill={text.fill}
          stroke={text.halo}
          strokeWidth={3}
          paintOrder="stroke"
          pointerEvents="none"
          data-testid={i === 0 ? 'treemap-label' : 'treemap-size'}
        >
          {line}
        </text>
      ))}
    </>
  );
}

function Legend({ unique, shared, rest }: { unique: string; shared: string; rest: string | null }) {
  const swatch = (color: string, label: string) => (
    <Group gap={4} wrap="nowrap">
      <Box w={12} h={12} bg={color} style={{ borderRadius: 2, flex: 'none' }} />
      <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
        {label}
      </Text>
    </Group>
  );
  return (
    <Group gap="md" wrap="nowrap" aria-hidden>
      {swatch(unique, 'unique to the repository')}
      {swatch(shared, 'shared with others')}
      {rest && swatch(rest, 'smaller repositories')}
    </Group>
  );
}
