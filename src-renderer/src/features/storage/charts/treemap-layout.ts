/**
 * The treemap's geometry: rectangles sized by stored bytes (d3-hierarchy's squarified layout, which
 * keeps them close to squares so areas compare well), each split into its unique and shared parts,
 * and the labels that fit. Pure: the component only draws what this returns.
 */
import { hierarchy, treemap, treemapSquarify } from 'd3-hierarchy';

/** One rectangle's data: a repository, or the group of the smaller ones after it. */
export interface TreemapItem {
  kind: 'repository' | 'rest';
  /** The repository's name; for the group, its label. */
  name: string;
  stored: number;
  unique: number;
  shared: number;
}

/** An axis-aligned rectangle. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** One laid-out rectangle. */
export interface TreemapCell {
  item: TreemapItem;
  box: Box;
  /** The unique part (first: left, or top for a tall cell) and the shared part. */
  unique: Box;
  shared: Box;
  /** Label lines that fit inside (none when the cell is too small). */
  label: string[];
}

/** Average width of a label character at the 12 px the labels use (system fonts). */
const CHAR_PX = 7;
const LINE_PX = 15;
const PAD_PX = 4;
/** Gap between rectangles. */
export const CELL_GAP = 2;

/** `text` cut with an ellipsis to fit `px`; empty when not even 3 characters fit. */
export function fitText(text: string, px: number): string {
  const max = Math.floor(px / CHAR_PX);
  if (text.length <= max) return text;
  return max >= 4 ? `${text.slice(0, max - 1)}…` : '';
}

/** The lines of a label inside a `width` × `height` cell: the name, then the size when there is room. */
export function labelLines(name: string, size: string, width: number, height: number): string[] {
  const inner = width - 2 * PAD_PX;
  if (height < LINE_PX + PAD_PX) return [];
  const first = fitText(name, inner);
  if (!first) return [];
  return height >= 2 * LINE_PX + PAD_PX && size.length * CHAR_PX <= inner ? [first, size] : [first];
}

/** Splits a box into its unique part and the rest, along its longer side. */
export function splitBox(box: Box, uniqueFraction: number): { unique: Box; shared: Box } {
  const f = Math.max(0, Math.min(1, uniqueFraction));
  if (box.width >= box.height) {
    const w = box.width * f;
    return { unique: { ...box, width: w }, shared: { ...box, x: box.x + w, width: box.width - w } };
  }
  const h = box.height * f;
  return { unique: { ...box, height: h }, shared: { ...box, y: box.y + h, height: box.height - h } };
}

/**
 * Lays `items` out in a `width` × `height` area, each rectangle's area proportional to its stored
 * bytes. Items storing nothing get no rectangle. `formatSize` writes the size label.
 */
export function layoutTreemap(items: TreemapItem[], width: number, height: number, formatSize: (bytes: number) => string): TreemapCell[] {
  const drawn = items.filter((i) => i.stored > 0);
  if (!drawn.length || width <= 0 || height <= 0) return [];
  type Node = { item?: TreemapItem; children?: Node[] };
  // Order kept as given (largest first): the group of smaller ones comes last, in the corner.
  const root = hierarchy<Node>({ children: drawn.map((item) => ({ item })) })
    .sum((n) => n.item?.stored ?? 0)
    .sort(() => 0);
  const laid = treemap<Node>().tile(treemapSquarify).size([width, height]).paddingInner(CELL_GAP).round(false)(root);
  return laid.leaves().map((leaf) => {
    const item = leaf.data.item!;
    const box = { x: leaf.x0, y: leaf.y0, width: Math.max(0, leaf.x1 - leaf.x0), height: Math.max(0, leaf.y1 - leaf.y0) };
    return { item, box, ...splitBox(box, item.stored > 0 ? item.unique / item.stored : 0), label: labelLines(item.name, formatSize(item.stored), box.width, box.height) };
  });
}
