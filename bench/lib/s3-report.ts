import { median, type Side } from './report';

/** The three servers of the S3 section, in table order. */
export const S3_SIDES = ['berthS3', 'berthFs', 'registryS3'] as const;
/** One server of the S3 section. */
export type S3SideId = (typeof S3_SIDES)[number];
/** Column headings of the servers. */
export const S3_SIDE_NAMES: Record<S3SideId, string> = { berthS3: 'Berth S3', berthFs: 'Berth fs', registryS3: 'registry:2 S3' };

/** One workload on the three servers; a side is null when that server did not run (no docker-registry). */
export interface S3Row {
  id: string;
  title: string;
  unit: string;
  higherIsBetter: boolean;
  sides: Record<S3SideId, (Side & { median: number }) | null>;
  /** How many times better Berth on S3 is than Berth on the filesystem (<1: the filesystem is faster). */
  s3VsFs: number | null;
  /** How many times better Berth on S3 is than registry:2 on the same RGW. */
  berthVsRegistry: number | null;
}

/** Peak RSS (VmHWM, MB) of each server after all workloads; null when it did not run. */
export type S3Memory = Record<S3SideId, number | null>;

/** "How many times better `a` is than `b`" for a figure where higher (or lower) is better; null when either is missing. */
function better(a: { median: number; error?: string } | null, b: { median: number; error?: string } | null, higherIsBetter: boolean): number | null {
  if (!a || !b || a.error || b.error || !(a.median > 0) || !(b.median > 0)) return null;
  return higherIsBetter ? a.median / b.median : b.median / a.median;
}

/** Builds a row from each server's raw samples (null for a server that did not run). */
export function summarizeS3(
  w: { id: string; title: string; unit: string; higherIsBetter: boolean },
  raw: Record<S3SideId, Side | null>,
): S3Row {
  const sides = Object.fromEntries(S3_SIDES.map((k) => [k, raw[k] ? { ...raw[k], median: median(raw[k].samples) } : null])) as S3Row['sides'];
  return {
    id: w.id,
    title: w.title,
    unit: w.unit,
    higherIsBetter: w.higherIsBetter,
    sides,
    s3VsFs: better(sides.berthS3, sides.berthFs, w.higherIsBetter),
    berthVsRegistry: better(sides.berthS3, sides.registryS3, w.higherIsBetter),
  };
}

const num = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const ratio = (r: number | null) => (r === null ? 'n/a' : `${num(r)}x`);
const HEAD = ['Workload', ...S3_SIDES.map((k) => S3_SIDE_NAMES[k]), 'Berth S3 vs fs', 'Berth S3 vs registry:2 S3'];

function cells(row: S3Row): string[] {
  const value = (k: S3SideId) => {
    const s = row.sides[k];
    return !s ? 'n/a' : s.error ? 'error' : `${num(s.median)} ${row.unit}`;
  };
  return [row.title, ...S3_SIDES.map(value), ratio(row.s3VsFs), ratio(row.berthVsRegistry)];
}

function memCells(m: S3Memory): string[] {
  // Less memory is better: the ratio is the other server's peak over Berth-on-S3's.
  const vs = (other: number | null) => ratio(other !== null && m.berthS3 !== null && m.berthS3 > 0 ? other / m.berthS3 : null);
  return ['Server peak RSS (VmHWM)', ...S3_SIDES.map((k) => (m[k] === null ? 'n/a' : `${num(m[k])} MB`)), vs(m.berthFs), vs(m.registryS3)];
}

/** A fixed-width table for the terminal: workloads, then peak RSS. */
export function s3TextTable(rows: S3Row[], mem: S3Memory): string {
  const all = [HEAD, ...rows.map(cells), memCells(mem)];
  const widths = HEAD.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(HEAD), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n');
}

/** The same table in Markdown, ready for the README. */
export function s3MarkdownTable(rows: S3Row[], mem: S3Memory): string {
  const line = (r: string[]) => `| ${r.join(' | ')} |`;
  return [line(HEAD), line(['---', ...HEAD.slice(1).map(() => '---:')]), ...rows.map(cells).map(line), line(memCells(mem))].join('\n');
}

/** Server CPU time per operation (median ms) of each server, the figure least disturbed by other load. */
export function s3CpuTable(rows: S3Row[]): string {
  const out = ['Server CPU time per operation (median ms; lower is better; RGW\'s own CPU not included):'];
  for (const r of rows) {
    const cpu = S3_SIDES.map((k) => `${S3_SIDE_NAMES[k]} ${r.sides[k] ? num(median(r.sides[k].cpuMs)).padStart(7) : '    n/a'}`);
    out.push(`  ${r.title.padEnd(48)} ${cpu.join('   ')}`);
  }
  return out.join('\n');
}
