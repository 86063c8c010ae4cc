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
      `GC time, ${fmt(d.manifests)} manifests / ${fmt(d.blobs)} blobs (end to end)`,
      side(r.berth, (s) => secs(s.median)),
      side(r.registry, (s) => secs(s.median)),
      r.ratio === null ? 'n/a' : `${r.ratio.toFixed(2)}x`,
    ],
    [
      'GC CPU time (collecting process)',
      side(r.berth, (s) => secs(median(s.cpuMs))),
      side(r.registry, (s) => secs(median(s.cpuMs))),
      r.cpuRatio === null ? 'n/a' : `${r.cpuRatio.toFixed(2)}x`,
    ],
    [
      'GC time inside the server (online)',
      side(r.berth, (s) => secs(median(s.inServerMs))),
      'n/a',
      '—',
    ],
    [
      'Blobs / bytes removed',
      side(r.berth, (s) => removed(s.removed)),
      side(r.registry, (s) => removed(s.removed)),
      !r.registry?.removed || !r.berth.removed ? 'n/a' : r.registry.removed.blobs === r.berth.removed.blobs && r.registry.removed.bytes === r.berth.removed.bytes ? 'same' : 'differ',
    ],
    [
      'Manifests removed',
      side(r.berth, (s) => (s.removed ? fmt(s.removed.manifests) : 'n/a')),
      side(r.registry, (s) => (s.removed ? fmt(s.removed.manifests) : 'n/a')),
      '—',
    ],
  ];
  if (r.push) {
    const ratio = (f: (l: Latency) => number) => `${(f(r.push!.duringGc) / f(r.push!.idle)).toFixed(2)}x idle`;
    out.push(
      ['Push p50 / p95, idle', lat(r.push.idle), 'n/a', '—'],
      ['Push p50 / p95, during GC', lat(r.push.duringGc), 'n/a (offline GC only)', `p50 ${ratio((l) => l.p50)}, p95 ${ratio((l) => l.p95)}`],
    );
  } else {
    out.push(['Push p50 / p95, idle vs during GC', 'error', 'n/a (offline GC only)', '—']);
  }
  return out;
}

/** What the rows measured, in words: printed under the table. */
function note(r: GcResult): string {
  const d = r.dataset;
  const e = d.expected;
  const lines = [
    `GC: ${fmt(d.repositories)} repositories, ${fmt(d.tags)} tags, half the manifests untagged; both delete untagged manifests ` +
      `(berth gc --delete-untagged against the running server; docker-registry garbage-collect --delete-untagged, offline); ` +
      `expected removals ${fmt(e.manifestsRemoved)} manifests, ${fmt(e.blobsRemoved)} blobs, ${fmt(e.bytesRemoved)} B, counted on disk.`,
  ];
  if (r.push) {
    lines.push(
      `Push: a tiny image (two blob uploads, manifest PUT) on Berth, ${r.push.idle.count} idle; ${r.push.duringGc.count} started inside one of ` +
        `${r.push.gcRuns} back-to-back collections (${r.push.retried} of ${r.push.pushesInLoop} pushes meanwhile refused with MANIFEST_BLOB_UNKNOWN and pushed again). ` +
        'registry:2 collects only offline (stopped or read-only).',
    );
  }
  return lines.join('\n');
}

/** A fixed-width table of the GC figures for the terminal, with what they measured under it. */
export function gcTextTable(r: GcResult): string {
  const all = [HEAD, ...rows(r)];
  const widths = HEAD.map((_, i) => Math.max(...all.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(HEAD), widths.map((w) => '-'.repeat(w)).join('  '), ...rows(r).map(line), note(r)].join('\n');
}

/** The GC figures in Markdown, for the README, with what they measured under it. */
export function gcMarkdownTable(r: GcResult): string {
  const line = (row: string[]) => `| ${row.join(' | ')} |`;
  return [line(HEAD), line(['---', '---:', '---:', '---:']), ...rows(r).map(line), '', `_${note(r).replace(/\n/g, ' ')}_`].join('\n');
}
