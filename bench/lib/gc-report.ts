/**
 * The GC section's tables (terminal and Markdown): issue 19's four figures against their targets,
 * then the collectors side by side in the main tables' columns.
 */
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
      '`--dry-run` (end to end / inside the server)',
      r.dryRun.samples.length ? `${secs(median(r.dryRun.samples))} / ${secs(median(r.dryRun.inServerMs))}` : 'error',
      'n/a',
      '—',
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

const TARGET_HEAD = ['Issue 19 figure', 'Berth', 'baseline', 'ratio', 'target', 'met'];

/** Issue 19's four figures: Berth against each baseline, the ratio (Berth / baseline) and the target. */
function targetRows(r: GcResult): string[][] {
  const ok = (x: number | null, limit: number) => (x === null || !Number.isFinite(x) ? 'n/a' : x <= limit ? 'yes' : 'no');
  const ratio = (x: number | null) => (x === null || !Number.isFinite(x) ? 'n/a' : `${x.toFixed(2)}x`);
  const berthOk = !r.berth.error && r.berth.samples.length > 0;
  const vsRegistry = berthOk && r.registry && !r.registry.error ? r.berth.median / r.registry.median : null;
  const vsUnlink = berthOk && !r.unlink.error ? r.berth.median / r.unlink.median : null;
  const vsUnlinkServer = berthOk && !r.unlink.error ? median(r.berth.inServerMs) / r.unlink.median : null;
  const dry = r.dryRun.samples.length ? median(r.dryRun.samples) : null;
  const p95 = r.push ? r.push.duringGc.p95 / r.push.idle.p95 : null;
  const perFolder = (cpu: number) => `${((cpu * 1000) / r.removedFolders).toFixed(0)} µs CPU / folder`;
  return [
    [
      '`berth gc --delete-untagged --grace 0` vs registry:2 `garbage-collect --delete-untagged` (end to end)',
      berthOk ? secs(r.berth.median) : 'error',
      r.registry ? (r.registry.error ? 'error' : secs(r.registry.median)) : 'n/a',
      ratio(vsRegistry),
      'no slower (≤ 1.00x)',
      ok(vsRegistry, 1),
    ],
    [
      `the same GC vs \`rm -rf\` of the ${fmt(r.removedFolders)} folders it removes (end to end; inside the server)`,
      berthOk ? `${secs(r.berth.median)}; ${secs(median(r.berth.inServerMs))}` : 'error',
      r.unlink.error ? 'error' : secs(r.unlink.median),
      `${ratio(vsUnlink)}; ${ratio(vsUnlinkServer)}`,
      '≤ 1.3x',
      ok(vsUnlink, 1.3),
    ],
    [
      'CPU per removed folder (GC process; registry:2; rm)',
      berthOk ? perFolder(median(r.berth.cpuMs)) : 'error',
      `${r.registry && !r.registry.error ? perFolder(median(r.registry.cpuMs)) : 'n/a'}; ${r.unlink.error ? 'error' : perFolder(median(r.unlink.cpuMs))}`,
      r.unlink.error || !berthOk ? 'n/a' : `${(median(r.berth.cpuMs) / median(r.unlink.cpuMs)).toFixed(2)}x rm`,
      '—',
      '—',
    ],
    ['`berth gc --delete-untagged --grace 0 --dry-run` (end to end)', dry === null ? 'error' : secs(dry), '—', '—', '< 1 s', dry === null ? 'n/a' : dry < 1000 ? 'yes' : 'no'],
    [
      'push p95 while collections run vs idle',
      r.push ? ms(r.push.duringGc.p95) : 'error',
      r.push ? `${ms(r.push.idle.p95)} idle` : 'n/a',
      ratio(p95),
      '≤ 1.5x',
      ok(p95, 1.5),
    ],
  ];
}

/** What the rows measured, in words: printed under the table. */
function note(r: GcResult): string {
  const d = r.dataset;
  const e = d.expected;
  const lines = [
    `GC: ${fmt(d.repositories)} repositories, ${fmt(d.tags)} tags, half the manifests untagged; both delete untagged manifests ` +
      `(berth gc --delete-untagged --grace 0 against the running server, after a --dry-run; docker-registry garbage-collect --delete-untagged, offline; ` +
      `xargs rm -rf of the ${fmt(r.removedFolders)} folders they remove), each on a fresh copy; end to end = spawn to exit of the command; ` +
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
  const table = (head: string[], body: string[][]) => {
    const all = [head, ...body];
    const widths = head.map((_, i) => Math.max(...all.map((row) => row[i]!.length)));
    const line = (row: string[]) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
    return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
  };
  return [table(TARGET_HEAD, targetRows(r)), '', table(HEAD, rows(r)), note(r)].join('\n');
}

/** The GC figures in Markdown, for the README, with what they measured under it. */
export function gcMarkdownTable(r: GcResult): string {
  const line = (row: string[]) => `| ${row.join(' | ')} |`;
  return [
    line(TARGET_HEAD),
    line(['---', '---:', '---:', '---:', '---:', '---:']),
    ...targetRows(r).map(line),
    '',
    line(HEAD),
    line(['---', '---:', '---:', '---:']),
    ...rows(r).map(line),
    '',
    `_${note(r).replace(/\n/g, ' ')}_`,
  ].join('\n');
}
