#!/usr/bin/env node
/**
 * Draws Berth's app icon and writes it as PNG with nothing but node:zlib (no ImageMagick needed):
 * a rounded teal square holding a crane over a stack of three containers on a quay.
 *   resources/icon.png  512x512   window icon at run time
 *   build/icon.png      1024x1024 electron-builder's source for every platform's icon
 *   resources/tray-<light>.png 16x16 and tray-<light>@2x.png 32x32, for light in running, stopped,
 *     error, starting: the same square with a bolder crane and two containers, readable at 16 px,
 *     and a status dot in the bottom-right corner, cut free of the square by a transparent ring so
 *     it reads on light and dark panels alike. Electron picks the @2x file on high-DPI screens.
 *   resources/gui/favicon.svg  the app icon as SVG, the GUI's favicon (copied into its build)
 * Run: node build/make-icons.mjs   (deterministic: same bytes every run)
 */
import { deflateSync } from 'node:zlib';
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Signed distance from (x, y) to a circle given in unit coordinates (negative inside). */
function circle(x, y, { cx, cy, r }) {
  return Math.hypot(x - cx, y - cy) - r;
}

/** Signed distance from (x, y) to a rounded rectangle given in unit coordinates (negative inside). */
function roundedRect(x, y, { cx, cy, hw, hh, r }) {
  const qx = Math.abs(x - cx) - (hw - r);
  const qy = Math.abs(y - cy) - (hh - r);
  const outside = Math.hypot(Math.max(qx, 0), Math.max(qy, 0));
  return outside + Math.min(Math.max(qx, qy), 0) - r;
}

// Shapes in unit space [0,1]^2, painted in order; colours are [r, g, b]. A shape is a `rect` or a
// `circle`; one with `erase: true` instead clears what is under it.
const SHAPES = [
  { color: [14, 116, 144], rect: { cx: 0.5, cy: 0.5, hw: 0.46, hh: 0.46, r: 0.2 } },
  { color: [240, 249, 255], rect: { cx: 0.5, cy: 0.77, hw: 0.34, hh: 0.025, r: 0.025 } },
  { color: [251, 191, 36], rect: { cx: 0.44, cy: 0.645, hw: 0.12, hh: 0.075, r: 0.02 } },
  { color: [240, 249, 255], rect: { cx: 0.7, cy: 0.645, hw: 0.12, hh: 0.075, r: 0.02 } },
  { color: [125, 211, 252], rect: { cx: 0.57, cy: 0.475, hw: 0.12, hh: 0.075, r: 0.02 } },
  // A quay crane: mast, jib and the cable holding the top container.
  { color: [240, 249, 255], rect: { cx: 0.2, cy: 0.48, hw: 0.022, hh: 0.28, r: 0.012 } },
  { color: [240, 249, 255], rect: { cx: 0.41, cy: 0.22, hw: 0.23, hh: 0.022, r: 0.012 } },
  { color: [240, 249, 255], rect: { cx: 0.57, cy: 0.31, hw: 0.008, hh: 0.09, r: 0.004 } },
];

const TEAL = [14, 116, 144];
const WHITE = [240, 249, 255];
const AMBER = [251, 191, 36];

/** A rectangle from pixel edges on a 16-pixel grid, so the tray icon's edges fall on whole pixels at 16 and 32. */
function px16(x0, y0, x1, y1, r = 0.25) {
  return { cx: (x0 + x1) / 32, cy: (y0 + y1) / 32, hw: (x1 - x0) / 32, hh: (y1 - y0) / 32, r: r / 16 };
}

// The tray glyph: at 16 px the app icon's thin crane and three containers blur into one, so it is
// redrawn on the pixel grid: a 2-pixel crane, a container on its cable, one on the quay.
const TRAY_GLYPH = [
  { color: TEAL, rect: px16(1, 1, 15, 15, 3) },
  { color: WHITE, rect: px16(3, 3, 5, 14) },
  { color: WHITE, rect: px16(3, 3, 14, 5) },
  { color: WHITE, rect: px16(10, 5, 11, 6, 0) },
  { color: AMBER, rect: px16(7, 6, 13, 9) },
  { color: WHITE, rect: px16(6, 10, 10, 13) },
];

/** Status dot colours of the tray icons: green, slate grey, red, amber (Tailwind's 500s). */
const TRAY_DOTS = {
  running: [34, 197, 94],
  stopped: [148, 163, 184],
  error: [239, 68, 68],
  starting: [245, 158, 11],
};

/** The tray icon for a light: the glyph, a transparent ring cut in its corner, and the dot inside. */
function trayShapes(dot) {
  const at = { cx: 13 / 16, cy: 13 / 16 };
  return [...TRAY_GLYPH, { erase: true, circle: { ...at, r: 3.75 / 16 } }, { color: dot, circle: { ...at, r: 2.75 / 16 } }];
}

/** Renders `shapes` at `size` pixels as RGBA rows, antialiased from the distance fields. */
function render(size, shapes = SHAPES) {
  const px = Buffer.alloc(size * size * 4);
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      const x = (i + 0.5) / size;
      const y = (j + 0.5) / size;
      let [r, g, b, a] = [0, 0, 0, 0];
      for (const shape of shapes) {
        const d = shape.rect ? roundedRect(x, y, shape.rect) : circle(x, y, shape.circle);
        // Coverage from distance in pixels: a one-pixel-wide soft edge.
        const cover = Math.min(1, Math.max(0, 0.5 - d * size));
        if (cover === 0) continue;
        if (shape.erase) {
          a *= 1 - cover;
          continue;
        }
        const { color } = shape;
        const outA = cover + a * (1 - cover);
        r = (color[0] * cover + r * a * (1 - cover)) / outA;
        g = (color[1] * cover + g * a * (1 - cover)) / outA;
        b = (color[2] * cover + b * a * (1 - cover)) / outA;
        a = outA;
      }
      const o = (j * size + i) * 4;
      px[o] = Math.round(r);
      px[o + 1] = Math.round(g);
      px[o + 2] = Math.round(b);
      px[o + 3] = Math.round(a * 255);
    }
  }
  return px;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** Encodes RGBA pixels as a PNG (8-bit, colour type 6, no interlace, filter 0 on every row). */
function encodePng(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let j = 0; j < size; j++) rgba.copy(rows, j * (size * 4 + 1) + 1, j * size * 4, (j + 1) * size * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const outputs = [
  ['resources/icon.png', 512, SHAPES],
  ['build/icon.png', 1024, SHAPES],
  ...Object.entries(TRAY_DOTS).flatMap(([light, dot]) => [
    [`resources/tray-${light}.png`, 16, trayShapes(dot)],
    [`resources/tray-${light}@2x.png`, 32, trayShapes(dot)],
  ]),
];

for (const [file, size, shapes] of outputs) {
  const out = resolve(root, file);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, encodePng(size, render(size, shapes)));
  console.log(`wrote ${file} (${size}x${size})`);
}

/** The shapes as an SVG of rounded rectangles on a 64-unit canvas (only `rect` shapes, as SHAPES has). */
function svgOf(shapes) {
  const n = (v) => Number((v * 64).toFixed(2));
  const rects = shapes.map(({ color, rect: { cx, cy, hw, hh, r } }) =>
    `<rect x="${n(cx - hw)}" y="${n(cy - hh)}" width="${n(2 * hw)}" height="${n(2 * hh)}" rx="${n(r)}" fill="rgb(${color.join(',')})"/>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">${rects.join('')}</svg>\n`;
}

const favicon = resolve(root, 'resources/gui/favicon.svg');
mkdirSync(dirname(favicon), { recursive: true });
writeFileSync(favicon, svgOf(SHAPES));
console.log('wrote resources/gui/favicon.svg');
