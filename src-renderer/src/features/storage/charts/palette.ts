/** Colours and sizing the storage pictures share, for the light and the dark theme. */
import { useComputedColorScheme, useMantineTheme } from '@mantine/core';
import { useElementSize } from '@mantine/hooks';

/** The pictures' colours. */
export interface ChartPalette {
  /** Unique bytes: saturated; shared bytes: the pale version of the same hue. */
  unique: string;
  shared: string;
  /** The group of smaller repositories, in grey so it never reads as one repository. */
  restUnique: string;
  restShared: string;
  /** The history's line, area, grid and axis text. */
  line: string;
  area: string;
  grid: string;
  axis: string;
  /** The outline of the focused or hovered shape. */
  focus: string;
  /** Label text over the saturated part, and over the pale part (a halo keeps either readable). */
  labelOnDeep: { fill: string; halo: string };
  labelOnPale: { fill: string; halo: string };
}

/** The palette of the current colour scheme. */
export function useChartPalette(): ChartPalette {
  const theme = useMantineTheme();
  const dark = useComputedColorScheme('light') === 'dark';
  const { indigo, gray, dark: d, orange } = theme.colors;
  const white = { fill: '#fff', halo: 'rgba(0,0,0,0.55)' };
  return dark
    ? { unique: indigo[5]!, shared: indigo[9]!, restUnique: d[2]!, restShared: d[4]!, line: indigo[3]!, area: indigo[8]!, grid: d[4]!, axis: d[1]!, focus: orange[4]!, labelOnDeep: white, labelOnPale: white }
    : {
        unique: indigo[6]!,
        shared: indigo[2]!,
        restUnique: gray[6]!,
        restShared: gray[3]!,
        line: indigo[6]!,
        area: indigo[1]!,
        grid: gray[3]!,
        axis: gray[7]!,
        focus: orange[6]!,
        labelOnDeep: white,
        labelOnPale: { fill: indigo[9]!, halo: 'rgba(255,255,255,0.6)' },
      };
}

/**
 * The width a picture has to draw in: its container's, measured; 800 px until measured (the first
 * paint, or a DOM without layout) so something sensible is always drawn.
 */
export function useChartWidth() {
  const { ref, width } = useElementSize();
  return { ref, width: width > 0 ? Math.floor(width) : 800 };
}
