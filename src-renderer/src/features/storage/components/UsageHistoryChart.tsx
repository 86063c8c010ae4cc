/**
 * The registry's stored bytes over time as an area chart: one point per day (gaps where no point
 * was taken stay gaps in time), dates along the bottom, bytes in decimal units up the side. The
 * readout below names the day under the pointer, or the day picked with the arrow keys once the
 * chart has focus, and otherwise the latest day.
 */
import { Box, Text } from '@mantine/core';
import { useMemo, useState, type KeyboardEvent, type MouseEvent } from 'react';
import type { UsageHistoryPoint } from '../../../../../src-server/contract';
import { formatBytes } from '../../../app/format';
import { byteTicks, dayNumber, dayTicks, linear, nearestIndex } from '../charts/history-scale';
import { useChartPalette, useChartWidth } from '../charts/palette';
import { describePoint, formatDay } from '../figures';

/** Height of the chart, in pixels. */
export const HISTORY_HEIGHT = 220;
const M = { top: 12, right: 20, bottom: 28, left: 72 };

/** The chart of at least two points, oldest first. */
export function UsageHistoryChart({ points }: { points: UsageHistoryPoint[] }) {
  const { ref, width } = useChartWidth();
  const palette = useChartPalette();
  const [picked, setPicked] = useState<number | null>(null);
  const geo = useMemo(() => {
    const days = points.map((p) => dayNumber(p.day));
    const first = days[0]!;
    const last = days.at(-1)!;
    const yTicks = byteTicks(Math.max(...points.map((p) => p.stored)));
    const x = linear(first, last, M.left, width - M.right);
    const y = linear(0, yTicks.at(-1)!, HISTORY_HEIGHT - M.bottom, M.top);
    const xs = days.map(x);
    const ys = points.map((p) => y(p.stored));
    const line = xs.map((px, i) => `${i ? 'L' : 'M'}${px.toFixed(1)},${ys[i]!.toFixed(1)}`).join('');
    const area = `${line}L${xs.at(-1)!.toFixed(1)},${y(0)}L${xs[0]!.toFixed(1)},${y(0)}Z`;
    const span = last - first;
    const dayLabel: Intl.DateTimeFormatOptions = span > 300 ? { month: 'short', year: 'numeric' } : { month: 'short', day: 'numeric' };
    const xTicks = dayTicks(first, last, Math.max(2, Math.floor((width - M.left - M.right) / 110))).map((d) => ({
      x: x(d),
      label: formatDay(new Date(d * 86_400_000).toISOString().slice(0, 10), dayLabel),
    }));
    return { xs, ys, y, yTicks, line, area, xTicks };
  }, [points, width]);

  const shown = picked ?? points.length - 1;
  const point = points[shown]!;
  const onMove = (e: MouseEvent<SVGRectElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    setPicked(nearestIndex(geo.xs, M.left + (e.clientX - box.left)));
  };
  const onKey = (e: KeyboardEvent) => {
    const moves: Record<string, number> = { ArrowLeft: shown - 1, ArrowRight: shown + 1, Home: 0, End: points.length - 1 };
    if (!(e.key in moves)) return;
    e.preventDefault();
    setPicked(Math.max(0, Math.min(points.length - 1, moves[e.key]!)));
  };
  const dots = points.length <= 120;

  return (
    <Box ref={ref} data-testid="usage-history-chart">
      <svg
        width={width}
        height={HISTORY_HEIGHT}
        role="group"
        tabIndex={0}
        aria-label={`Stored bytes per day, ${points.length} days from ${formatDay(points[0]!.day)} to ${formatDay(points.at(-1)!.day)}. Arrow keys pick a day.`}
        aria-describedby="usage-history-readout"
        onKeyDown={onKey}
        onBlur={() => setPicked(null)}
        style={{ display: 'block' }}
      >
        {geo.yTicks.map((v) => (
          <g key={v}>
            <line x1={M.left} x2={width - M.right} y1={geo.y(v)} y2={geo.y(v)} stroke={palette.grid} strokeDasharray={v ? '3 3' : undefined} />
            <text x={M.left - 8} y={geo.y(v) + 4} textAnchor="end" fontSize={11} fill={palette.axis} data-testid="history-y-tick">
              {formatBytes(v)}
            </text>
          </g>
        ))}
        {geo.xTicks.map((t) => (
          <text key={t.x} x={t.x} y={HISTORY_HEIGHT - 8} textAnchor="middle" fontSize={11} fill={palette.axis} data-testid="history-x-tick">
            {t.label}
          </text>
        ))}
        <path d={geo.area} fill={palette.area} fillOpacity={0.7} />
        <path d={geo.line} fill="none" stroke={palette.line} strokeWidth={2} strokeLinejoin="round" />
        {dots && geo.xs.map((px, i) => <circle key={points[i]!.day} cx={px} cy={geo.ys[i]} r={2.5} fill={palette.line} />)}
        <line x1={geo.xs[shown]} x2={geo.xs[shown]} y1={M.top} y2={HISTORY_HEIGHT - M.bottom} stroke={palette.focus} strokeDasharray="2 2" />
        <circle cx={geo.xs[shown]} cy={geo.ys[shown]} r={5} fill={palette.focus} stroke="#fff" strokeWidth={1.5} data-testid="history-marker" data-day={point.day} data-stored={point.stored} />
        <rect x={M.left} y={M.top} width={Math.max(0, width - M.left - M.right)} height={HISTORY_HEIGHT - M.top - M.bottom} fill="transparent" onMouseMove={onMove} onMouseLeave={() => setPicked(null)} />
      </svg>
      <Text size="sm" mt={6} id="usage-history-readout" data-testid="history-readout" aria-live="polite">
        {describePoint(point)}
        {picked === null && points.length > 1 ? ' (latest)' : ''}
      </Text>
    </Box>
  );
}
