/** The GC section's table (terminal and Markdown), in the main tables' columns. */
import type { GcResult, GcSide, Latency, Removed } from './gc-workload';
import { median } from './report';

const fmt = (n: number) => n.toLocaleString('en-US');
const secs = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 1000).toFixed(2)} s`);
const ms = (x: number) => `${x >= 100 ? x.toFixed(0) : x.toFixed(1)} ms`;
const removed = (r: Removed | null) => (r ? `${fmt(r.blobs)} / ${fmt(r.bytes)} B` : 'n/a');
const HEAD = ['GC workload', 'Berth', 'registry:2', 'Berth vs registry:2'];

function rows(r: GcResult): string[][] {
  const d = r.dataset;
  const side = (s: GcSide | null, f: (s: GcSide) => string) => (!s ? 'n/a' : s.error ? 'error' : f(s));
  const lat = (l: Latency) => `${ms(l.p50)} / ${ms(l.p95)}`;
  const out = [
    [
      `GC time, ${fmt(d.manifests)} manifests / ${fmt(d.blobs)} blobs, delete untagged (end to end)`,
      side(r.berth, (s) => secs(s.median)),
      side(r.registry, (s) => secs(s.median)),
      r.ratio === null ? 'n/a' : `${r.ratio.toFixed(2)}x`,
    ],
    [
      'GC time inside the server (Berth online; registry:2 offline only)',
      side(r.berth, (s) => secs(median(s.inServerMs))),
      'n/a',
      '—',
    ],
    [
      `Blobs / bytes removed (expected ${fmt(d.expected.blobsRemoved)} / ${fmt(d.expected.bytesRemoved)} B)`,
      side(r.berth, (s) => removed(s.removed)),
      side(r.registry, (s) => removed(s.removed)),
      !r.registry?.removed || !r.berth.removed ? 'n/a' : r.registry.removed.blobs === r.berth.removed.blobs && r.registry.removed.bytes === r.berth.removed.bytes ? 'same' : 'differ',
    ],
    [
      `Manifests removed (expected ${fmt(d.expected.manifestsRemoved)})`,
      side(r.berth, (s) => (s.removed ? fmt(s.removed.manifests) : 'n/a')),
      side(r.registry, (s) => (s.removed ? fmt(s.removed.manifests) : 'n/a')),
      '—',
    ],
  ];
  if (r.push) {
    const ratio = (f: (l: Latency) => number) => `${(f(r.push!.duringGc) / f(r.push!.idle)).toFixed(2)}x idle`;
    out.push(
      ['Tiny-image push latency p50 / p95, idle', lat(r.push.idle), 'n/a (offline only)', '—'],
      [`Tiny-image push latency p50 / p95, during GC (${r.push.duringGc.count} pushes, ${r.push.gcRuns} collections; ${r.push.retried} of ${r.push.pushesInLoop} pushed again after MANIFEST_BLOB_UNKNOWN)`, lat(r.push.duringGc), 'n/a (offline only)', `p50 ${ratio((l) => l.p50)}, p95 ${ratio((l) => l.p95)}`],
    );
  } else {
    out.push(['Tiny-image push latency, idle vs during GC', 'error', 'n/a (offline only)', '—']);
  }
  return out;
}

/** A fixed-width table of the GC figures for the terminal. */
export function gcTextTable(r: GcResult): string {
  const all = [HEAD, ...rows(r)];
  const widths = HEAD.map((_, i) => Math.max(...all.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(HEAD), widths.map((w) => '-'.repeat(w)).join('  '), ...rows(r).map(line)].join('\n');
}

/** The GC figures in Markdown, for the README. */
export function gcMarkdownTable(r: GcResult): string {
  const line = (row: string[]) => `| ${row.join(' | ')} |`;
  return [line(HEAD), line(['---', '---:', '---:', '---:']), ...rows(r).map(line)].join('\n');
}
