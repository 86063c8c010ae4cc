/**
 * The sync section's tables (terminal and Markdown): each path's first run and its run with nothing
 * new, wall time and CPU seconds of every process involved, CPU per image, Berth's time against
 * skopeo's (the issue's ≤ 1.0x) and the no-op run against the 2 s, with the requests it made.
 */
import { median } from './report';
import { SYNC_PATH_SHORT, type SyncPathResult, type SyncResult, type SyncSample } from './sync-workload';

const HEAD = ['Sync from registry:2 into Berth', 'Wall', 'CPU client', 'CPU berth serve', 'CPU registry:2', 'CPU per image', 'Requests (src / dst)', 'Berth / skopeo', 'Target', 'Result'];

const secs = (ms: number) => (Number.isNaN(ms) ? 'n/a' : `${(ms / 1000).toFixed(2)} s`);
const ms = (x: number) => (Number.isNaN(x) ? 'n/a' : `${x >= 100 ? x.toFixed(0) : x.toFixed(1)} ms`);

function sampleCells(samples: SyncSample[], images: number): string[] {
  const m = (f: (s: SyncSample) => number) => median(samples.map(f));
  const total = m((s) => s.cpu.client + s.cpu.server + s.cpu.registry);
  return [secs(m((s) => s.wallMs)), secs(m((s) => s.cpu.client)), secs(m((s) => s.cpu.server)), secs(m((s) => s.cpu.registry)), ms(total / images)];
}

/** The rows: every path's first run, then every path's run with nothing new. */
export function syncRows(r: SyncResult): string[][] {
  const images = r.dataset.images;
  const failed = (_p: SyncPathResult, title: string) => [title, 'error', '', '', '', '', '', '', '', 'FAIL'];
  const first = r.paths.map((p) => {
    if (p.error) return failed(p, p.title);
    const ratio = p.id === 'skopeo' ? undefined : r.ratios[p.id];
    const pass = ratio === undefined || ratio === null ? '—' : ratio <= r.targets.ratio ? 'PASS' : 'FAIL';
    return [p.title, ...sampleCells(p.first, images), '', ratio === undefined ? '—' : ratio === null ? 'n/a' : `${ratio.toFixed(2)}x`, ratio === undefined ? '—' : `≤ ${r.targets.ratio.toFixed(1)}x`, pass];
  });
  const again = r.paths.map((p) => {
    const title = `Again, nothing new: ${SYNC_PATH_SHORT[p.id]}`;
    if (p.error) return failed(p, title);
    const wall = median(p.again.map((s) => s.wallMs));
    const req = p.noopRequests ? `${p.noopRequests.sourceTotal} / ${p.id === 'berth-local' ? 'in-process' : p.noopRequests.destinationTotal}` : 'n/a';
    const berth = p.id !== 'skopeo';
    return [title, ...sampleCells(p.again, images), req, '—', berth ? `< ${r.targets.noopMs / 1000} s` : '—', berth ? (wall < r.targets.noopMs ? 'PASS' : 'FAIL') : '—'];
  });
  return [...first, ...again];
}

/** A fixed-width table for the terminal. */
export function syncTextTable(r: SyncResult): string {
  const all = [HEAD, ...syncRows(r)];
  const widths = HEAD.map((_, i) => Math.max(...all.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(HEAD), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n');
}

/** The same table in Markdown, titled with the dataset's size. */
export function syncMarkdownTable(r: SyncResult): string {
  const d = r.dataset;
  const head = [`${HEAD[0]}: ${d.images} images (${d.indexes} two-platform), ${(d.bytes / 1e6).toFixed(0)} MB`, ...HEAD.slice(1)];
  const line = (row: string[]) => `| ${row.join(' | ')} |`;
  return [line(head), line(['---', ...HEAD.slice(1, -1).map(() => '---:'), ':---:']), ...syncRows(r).map(line)].join('\n');
}
