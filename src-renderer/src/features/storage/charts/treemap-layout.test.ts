import { describe, expect, it } from 'vitest';
import { CELL_GAP, fitText, labelLines, layoutTreemap, splitBox, type TreemapItem } from './treemap-layout';

const item = (name: string, stored: number, unique = stored, kind: TreemapItem['kind'] = 'repository'): TreemapItem => ({ kind, name, stored, unique, shared: stored - unique });
const area = (b: { width: number; height: number }) => b.width * b.height;
const fmt = (n: number) => `${n} B`;

describe('layoutTreemap', () => {
  it('gives each item an area proportional to its stored bytes, inside the bounds, without overlaps', () => {
    const items = [item('a', 600), item('b', 250), item('c', 100), item('d', 50)];
    const cells = layoutTreemap(items, 400, 300, fmt);
    expect(cells.map((c) => c.item.name)).toEqual(['a', 'b', 'c', 'd']);
    for (const c of cells) {
      expect(c.box.x).toBeGreaterThanOrEqual(0);
      expect(c.box.y).toBeGreaterThanOrEqual(0);
      expect(c.box.x + c.box.width).toBeLessThanOrEqual(400 + 1e-9);
      expect(c.box.y + c.box.height).toBeLessThanOrEqual(300 + 1e-9);
    }
    for (let i = 0; i < cells.length; i++)
      for (let j = i + 1; j < cells.length; j++) {
        const [p, q] = [cells[i]!.box, cells[j]!.box];
        const overlap = Math.max(0, Math.min(p.x + p.width, q.x + q.width) - Math.max(p.x, q.x)) * Math.max(0, Math.min(p.y + p.height, q.y + q.height) - Math.max(p.y, q.y));
        expect(overlap).toBe(0);
      }
    // Padding between cells takes a little area from each: compare with the gap added back.
    const padded = cells.map((c) => (c.box.width + CELL_GAP) * (c.box.height + CELL_GAP));
    const total = padded.reduce((a, b) => a + b, 0);
    items.forEach((it, i) => expect(padded[i]! / total).toBeCloseTo(it.stored / 1000, 1));
  });

  it('leaves out what stores nothing, and draws nothing in no space', () => {
    expect(layoutTreemap([item('a', 10), item('empty', 0)], 100, 100, fmt).map((c) => c.item.name)).toEqual(['a']);
    expect(layoutTreemap([item('a', 10)], 0, 100, fmt)).toEqual([]);
    expect(layoutTreemap([], 100, 100, fmt)).toEqual([]);
  });

  it('splits each cell into its unique and shared parts by their bytes', () => {
    const [cell] = layoutTreemap([item('a', 1000, 250)], 400, 200, fmt);
    expect(area(cell!.unique) / area(cell!.box)).toBeCloseTo(0.25, 5);
    expect(area(cell!.shared) / area(cell!.box)).toBeCloseTo(0.75, 5);
    expect(cell!.label).toEqual(['a', '1000 B']);
  });
});

describe('splitBox', () => {
  it('cuts a wide box across its width and a tall one across its height', () => {
    expect(splitBox({ x: 10, y: 0, width: 100, height: 20 }, 0.3)).toEqual({
      unique: { x: 10, y: 0, width: 30, height: 20 },
      shared: { x: 40, y: 0, width: 70, height: 20 },
    });
    const tall = splitBox({ x: 0, y: 5, width: 20, height: 100 }, 0.6);
    expect(tall.unique).toEqual({ x: 0, y: 5, width: 20, height: 60 });
    expect(tall.shared.y).toBe(65);
    expect(tall.shared.height).toBeCloseTo(40, 9);
    expect(splitBox({ x: 0, y: 0, width: 10, height: 10 }, 2).shared.width).toBe(0);
  });
});

describe('labels', () => {
  it('cut long names with an ellipsis and show the size only where it fits', () => {
    expect(fitText('team/application', 200)).toBe('team/application');
    expect(fitText('team/application', 70)).toBe('team/appl…');
    expect(fitText('team/application', 21)).toBe('');
    expect(labelLines('team/app', '12.3 MB', 200, 60)).toEqual(['team/app', '12.3 MB']);
    expect(labelLines('team/app', '12.3 MB', 200, 20)).toEqual(['team/app']);
    expect(labelLines('team/app', '12.3 MB', 200, 10)).toEqual([]);
    expect(labelLines('team/app', '12.3 MB', 20, 60)).toEqual([]);
  });
});
