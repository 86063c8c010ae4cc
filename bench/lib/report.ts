/** One server's raw samples of a workload; `error` when it failed setup or verification. */
export interface Side {
  samples: number[];
  cpuMs: number[];
  error?: string;
}

/** Samples and summary of one workload on both servers. */
export interface Row {
  id: string;
  title: string;
  unit: string;
  higherIsBetter: boolean;
  target?: number;
  berth: Side & { median: number };
  registry: (Side & { median: number }) | null;
  /** How many times better Berth is (>1 = Berth wins), or null without registry:2. */
  ratio: number | null;
  pass: boolean | null;
}

/** Peak memory figures. */
export interface MemoryRow {
  berthPeakMB: number;
  registryPeakMB: number | null;
  targetMB: number;
  pass: boolean;
}

/** Median of a list (NaN when empty). */
export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Builds a row from raw samples. */
export function summarize(
  w: { id: string; title: string; unit: string; higherIsBetter: boolean; target?: number },
  berth: Side,
  registry: Side | null,
): Row {
  const b = { ...berth, median: median(berth.samples) };
  const r = registry ? { ...registry, median: median(registry.samples) } : null;
  const ratio = r && !b.error && !r.error ? (w.higherIsBetter ? b.median / r.median : r.median / b.median) : null;
  // A Berth failure fails the row; a registry:2 failure only leaves it without a ratio.
  const pass = b.error ? false : ratio !== null && w.target !== undefined ? ratio >= w.target : null;
  return { id: w.id, title: w.title, unit: w.unit, higherIsBetter: w.higherIsBetter, target: w.target, berth: b, registry: r, ratio, pass };
}

const num = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const cells = (row: Row): string[] => [
  row.title,
  row.berth.error ? 'error' : `${num(row.berth.median)} ${row.unit}`,
  !row.registry ? 'n/a' : row.registry.error ? 'error' : `${num(row.registry.median)} ${row.unit}`,
  row.ratio === null ? 'n/a' : `${num(row.ratio)}x`,
  row.target === undefined ? '—' : `≥ ${row.target}x`,
  row.pass === null ? '—' : row.pass ? 'PASS' : 'FAIL',
];
const memCells = (m: MemoryRow): string[] => [
  'Server peak RSS (VmHWM)',
  `${num(m.berthPeakMB)} MB`,
  m.registryPeakMB === null ? 'n/a' : `${num(m.registryPeakMB)} MB`,
  m.registryPeakMB === null ? 'n/a' : `${num(m.registryPeakMB / m.berthPeakMB)}x`,
  `≤ ${m.targetMB} MB`,
  m.pass ? 'PASS' : 'FAIL',
];
const HEAD = ['Workload', 'Berth', 'registry:2', 'Berth vs registry:2', 'Target', 'Result'];

/** A fixed-width table for the terminal. */
export function textTable(rows: Row[], mem: MemoryRow): string {
  const all = [HEAD, ...rows.map(cells), memCells(mem)];
  const widths = HEAD.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(HEAD), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n');
}

/** The same table in Markdown, ready for the README. */
export function markdownTable(rows: Row[], mem: MemoryRow): string {
  const line = (r: string[]) => `| ${r.join(' | ')} |`;
  return [line(HEAD), line(['---', '---:', '---:', '---:', '---:', ':---:']), ...rows.map(cells).map(line), line(memCells(mem))].join('\n');
}

/** Server CPU time per operation (median), the figure least disturbed by other load on a shared machine. */
export function cpuTable(rows: Row[]): string {
  const out = ['Server CPU time per operation (median ms; lower is better; least disturbed by other load):'];
  for (const r of rows) {
    const b = num(median(r.berth.cpuMs)).padStart(7);
    const g = r.registry ? num(median(r.registry.cpuMs)).padStart(7) : 'n/a';
    out.push(`  ${r.title.padEnd(52)} Berth ${b}   registry:2 ${g}`);
  }
  return out.join('\n');
}
