/**
 * Garbage collection figures (issue 4): the time to collect a registry of 5,000 manifests / 20,000
 * blobs (bench/lib/gc-dataset.ts) with untagged manifests deleted, Berth vs registry:2, and small-image
 * push latency on Berth while its online collector runs vs idle.
 *
 * GC time: each run collects fresh `cp -a` copies of one generated dataset. Berth: `berth serve` on its
 * copy (the start and its index rebuild are not timed), then `berth gc --delete-untagged --grace 0
 * --dry-run --json` (timed: the dry-run figure), then `berth gc --delete-untagged --grace 0 --json`, the
 * CLI asking the running server to collect, timed from spawn to exit; the server's own durationMs is
 * printed beside it, and the server process's CPU time over the call. registry:2: `docker-registry garbage-collect --delete-untagged CONFIG` (offline,
 * its only mode), timed the same way, with that process's CPU time (steadier than wall time on a
 * shared machine). What each removed is counted on disk (blobs, bytes, manifest
 * revisions, and every folder the dataset says goes) and must be what the dataset predicts, so a fast
 * wrong collection cannot win. Unlink baseline (bench/lib/gc-unlink.ts): `xargs rm -rf` of exactly
 * those folders on another fresh copy, timed the same way.
 *
 * Push latency: one Berth on another copy; sequential tiny-image pushes (two blob uploads and a
 * manifest PUT) while idle, then while `berth gc` runs in a loop in that server. A push counts as
 * "during GC" when it started inside a collection's window (the report's startedAt + durationMs).
 * Every pushed image must still be whole at the end. registry:2 cannot take pushes while it collects.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import type { GcReport } from '../../src-server/contract';
import { countDisk, removedBetween } from './gc-disk';
import { generateGcDataset, type GcDataset } from './gc-dataset';
import { registry2Gc } from './gc-registry2';
import { unlinkPaths, verifyRemoved } from './gc-unlink';
import { expectStatus, request } from './http';
import { checkManifest, pushTinyImage, type TinyImage } from './ops';
import { median } from './report';
import { berthEntry, cpuMs, startBerth, type BerthMode, type Server } from './servers';

const exec = promisify(execFile);

/** Sizes of the GC workload. */
export interface GcSizes {
  manifests: number;
  /** Pushes timed idle, and the least counted during GC. */
  pushSamples: number;
  /** Give up collecting "during GC" samples after this long. */
  maxDuringGcSeconds: number;
}

/** The figures: 5,000 manifests / 20,000 blobs. */
export const GC_FULL: GcSizes = { manifests: 5000, pushSamples: 200, maxDuringGcSeconds: 180 };
/** A smoke run: 500 manifests / 2,000 blobs. */
export const GC_QUICK: GcSizes = { manifests: 500, pushSamples: 30, maxDuringGcSeconds: 30 };

/** What each collector removed, counted on disk. */
export interface Removed {
  manifests: number;
  blobs: number;
  bytes: number;
}

/** One collector's GC-time samples. */
export interface GcSide {
  /** End-to-end wall time of the command, ms. */
  samples: number[];
  median: number;
  /** Berth only: the server's own durationMs of each collection. */
  inServerMs: number[];
  /** CPU time of the collecting process, ms: Berth's server, registry:2's garbage-collect. */
  cpuMs: number[];
  /** Counted on disk after the last run. */
  removed: Removed | null;
  /** Berth only: what its report said it removed (last run). */
  reported: Removed | null;
  error?: string;
}

/** Push latency percentiles, ms. */
export interface Latency {
  count: number;
  p50: number;
  p95: number;
}

/** Berth's dry runs (`--dry-run`, before each real run on the same server). */
export interface DryRunSide {
  /** End-to-end wall time of the command, ms. */
  samples: number[];
  inServerMs: number[];
  cpuMs: number[];
}

/** Everything the GC section measured. */
export interface GcResult {
  dataset: Omit<GcDataset, 'root' | 'removedPaths'>;
  berth: GcSide;
  registry: GcSide | null;
  /** `xargs rm -rf` of the folders the collection removes, on a fresh copy. */
  unlink: GcSide;
  dryRun: DryRunSide;
  /** Folders each collection removes (blob folders, links, revisions, tag-history entries). */
  removedFolders: number;
  /** registry:2 time / Berth time (>1 = Berth faster), or null. */
  ratio: number | null;
  /** registry:2 CPU / Berth CPU (median), or null. */
  cpuRatio: number | null;
  push: {
    idle: Latency;
    duringGc: Latency;
    gcRuns: number;
    /** Pushes refused with MANIFEST_BLOB_UNKNOWN (a collection removed their fresh blobs) and pushed again. */
    retried: number;
    /** Pushes made while the collections looped (inside a collection's window or not). */
    pushesInLoop: number;
  } | null;
}

/** What {@link gcBench} needs from the main bench. */
export interface GcBenchOptions {
  tmp: string;
  berthMode: BerthMode;
  nodeOptions: string[];
  sizes: GcSizes;
  runs: number;
  withRegistry: boolean;
  say: (msg: string) => void;
  /** Called with each server as it starts, so the caller stops it even if the bench throws. */
  started: (s: Server) => void;
}

/** Nearest-rank percentile of `xs` (NaN when empty). */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

const latency = (xs: number[]): Latency => ({ count: xs.length, p50: percentile(xs, 50), p95: percentile(xs, 95) });

/** Runs `berth gc --delete-untagged --json [extra]` against the server on `dataDir`; wall time and its report. */
async function berthGc(entry: string[], dataDir: string, extra: string[] = []): Promise<{ wallMs: number; report: GcReport }> {
  const t0 = performance.now();
  const { stdout } = await exec(process.execPath, [...entry, 'gc', '--data', dataDir, '--delete-untagged', '--json', ...extra], { timeout: 600_000, maxBuffer: 256 * 1024 * 1024 });
  const wallMs = performance.now() - t0;
  return { wallMs, report: JSON.parse(stdout) as GcReport };
}

/** Compares what was removed on disk with what the dataset predicts; throws on a difference. */
function verify(who: string, got: Removed, ds: GcDataset): void {
  const want = { manifests: ds.expected.manifestsRemoved, blobs: ds.expected.blobsRemoved, bytes: ds.expected.bytesRemoved };
  if (got.manifests !== want.manifests || got.blobs !== want.blobs || got.bytes !== want.bytes) {
    throw new Error(`${who} removed ${JSON.stringify(got)} on disk, expected ${JSON.stringify(want)}`);
  }
}

const fmt = (n: number) => n.toLocaleString('en-US');
const describe = (r: Removed) => `removed ${fmt(r.manifests)} manifests, ${fmt(r.blobs)} blobs, ${fmt(r.bytes)} bytes`;

/** One timed Berth dry run, then one timed collection (both `--grace 0`), on a fresh copy. */
async function berthRun(o: GcBenchOptions, ds: GcDataset, side: GcSide, dry: DryRunSide, run: number): Promise<void> {
  const dir = join(o.tmp, `gc-berth-${run}`);
  await exec('cp', ['-a', ds.root, dir]);
  const server = await startBerth(dir, o.berthMode, o.nodeOptions);
  o.started(server);
  try {
    const before = countDisk(dir);
    const entry = await berthEntry(o.berthMode);
    const dcpu0 = cpuMs(server.pid);
    const planned = await berthGc(entry, dir, ['--grace', '0', '--dry-run']);
    const dcpu = cpuMs(server.pid) - dcpu0;
    const announced = { manifests: planned.report.manifestsRemoved.length, blobs: planned.report.blobsRemoved.length, bytes: planned.report.bytesRemoved };
    verify('Berth --dry-run (its report)', announced, ds);
    verify('Berth --dry-run (on disk: nothing)', removedBetween(before, countDisk(dir)), { ...ds, expected: { manifestsRemoved: 0, blobsRemoved: 0, bytesRemoved: 0 } });
    dry.samples.push(planned.wallMs);
    dry.inServerMs.push(planned.report.durationMs);
    dry.cpuMs.push(dcpu);
    const cpu0 = cpuMs(server.pid);
    const { wallMs, report } = await berthGc(entry, dir, ['--grace', '0']);
    const cpu = cpuMs(server.pid) - cpu0;
    const removed = removedBetween(before, countDisk(dir));
    side.reported = { manifests: report.manifestsRemoved.length, blobs: report.blobsRemoved.length, bytes: report.bytesRemoved };
    side.removed = removed;
    verify('Berth', removed, ds);
    verify('Berth (its report)', side.reported, ds);
    verifyRemoved('Berth', dir, ds.removedPaths);
    side.samples.push(wallMs);
    side.inServerMs.push(report.durationMs);
    side.cpuMs.push(cpu);
    o.say(
      `  run ${run + 1} Berth      dry run ${planned.wallMs.toFixed(0)} ms (in the server ${planned.report.durationMs.toFixed(0)} ms, CPU ${dcpu.toFixed(0)} ms); ` +
        `gc ${wallMs.toFixed(0)} ms (in the server ${report.durationMs.toFixed(0)} ms, server CPU ${cpu.toFixed(0)} ms), ${describe(removed)}`,
    );
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One timed `xargs rm -rf` of the folders a collection removes, on a fresh copy. */
async function unlinkRun(o: GcBenchOptions, ds: GcDataset, side: GcSide, run: number): Promise<void> {
  const dir = join(o.tmp, `gc-unlink-${run}`);
  await exec('cp', ['-a', ds.root, dir]);
  try {
    const before = countDisk(dir);
    const { wallMs, cpuMs: cpu } = await unlinkPaths(dir, ds.removedPaths, join(o.tmp, `gc-unlink-${run}.list`));
    const removed = removedBetween(before, countDisk(dir));
    side.removed = removed;
    verify('rm', removed, ds);
    verifyRemoved('rm', dir, ds.removedPaths);
    side.samples.push(wallMs);
    side.cpuMs.push(cpu);
    o.say(`  run ${run + 1} rm -rf     ${wallMs.toFixed(0)} ms (CPU ${cpu.toFixed(0)} ms), ${fmt(ds.removedPaths.length)} folders`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One timed registry:2 collection on a fresh copy. */
async function registryRun(o: GcBenchOptions, ds: GcDataset, side: GcSide, run: number): Promise<void> {
  const dir = join(o.tmp, `gc-registry-${run}`);
  const configDir = join(o.tmp, `gc-registry-config-${run}`);
  await exec('cp', ['-a', ds.root, dir]);
  mkdirSync(configDir, { recursive: true });
  try {
    const before = countDisk(dir);
    const { wallMs, cpuMs: cpu } = await registry2Gc(dir, configDir, ['--delete-untagged']);
    const removed = removedBetween(before, countDisk(dir));
    side.removed = removed;
    verify('registry:2', removed, ds);
    side.samples.push(wallMs);
    side.cpuMs.push(cpu);
    o.say(`  run ${run + 1} registry:2 ${wallMs.toFixed(0)} ms (CPU ${cpu.toFixed(0)} ms), ${describe(removed)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(configDir, { recursive: true, force: true });
  }
}

/** HEADs every blob of the image and GETs its manifest by tag: throws unless all are there. */
async function checkImage(base: string, tag: string, image: TinyImage): Promise<void> {
  await checkManifest(base, image.repo, tag, image);
  for (const d of image.blobs) expectStatus(await request(`${base}/v2/${image.repo}/blobs/${d}`, 'HEAD'), 200, `HEAD ${image.repo}@${d}`);
}

/** Push latency on one Berth, idle and while `berth gc` loops in it. */
async function pushLatency(o: GcBenchOptions, ds: GcDataset): Promise<NonNullable<GcResult['push']>> {
  const dir = join(o.tmp, 'gc-push');
  await exec('cp', ['-a', ds.root, dir]);
  const server = await startBerth(dir, o.berthMode, o.nodeOptions);
  o.started(server);
  const entry = await berthEntry(o.berthMode);
  const pushed: Array<{ tag: string; image: TinyImage }> = [];
  let retried = 0;
  /**
   * One timed push. A collection that starts between a push's blob uploads and its manifest PUT removes
   * the still unreferenced blobs (Berth's gc:run keeps no grace period), and the PUT is refused with
   * MANIFEST_BLOB_UNKNOWN: the client pushes again, and the sample's time includes that.
   */
  const push = async (repo: string, tag: string) => {
    const t0 = performance.now();
    const start = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        const image = await pushTinyImage(server.url, repo, tag);
        pushed.push({ tag, image });
        return { start, ms: performance.now() - t0 };
      } catch (e) {
        if (attempt >= 3 || !/expected 201, got 400 .*MANIFEST_BLOB_UNKNOWN/.test((e as Error).message)) throw e;
        retried++;
      }
    }
  };
  try {
    for (let i = 0; i < 5; i++) await push('gc-push/warmup', `w${i}`); // untimed warm-up
    const idle: number[] = [];
    for (let i = 0; i < o.sizes.pushSamples; i++) idle.push((await push('gc-push/idle', `i${i}`)).ms);
    o.say(`  idle:      p50 ${percentile(idle, 50).toFixed(1)} ms, p95 ${percentile(idle, 95).toFixed(1)} ms (${idle.length} pushes)`);

    // Pushes run back to back while collections follow one another in the server.
    const samples: Array<{ start: number; ms: number }> = [];
    const windows: Array<[number, number]> = [];
    let stop = false;
    let pushError: unknown;
    const pusher = (async () => {
      try {
        for (let i = 0; !stop; i++) samples.push(await push('gc-push/during', `d${i}`));
      } catch (e) {
        pushError = e;
        stop = true;
      }
    })();
    const during = () => samples.filter((s) => windows.some(([a, b]) => s.start >= a && s.start <= b)).map((s) => s.ms);
    const deadline = Date.now() + o.sizes.maxDuringGcSeconds * 1000;
    try {
      while (!stop && during().length < o.sizes.pushSamples && Date.now() < deadline) {
        const { report } = await berthGc(entry, dir);
        const start = Date.parse(report.startedAt);
        windows.push([start, start + report.durationMs]);
      }
    } finally {
      stop = true;
      await pusher;
    }
    if (pushError) throw pushError;
    const gcMs = windows.map(([a, b]) => b - a);
    const duringGc = during();
    o.say(
      `  during GC: p50 ${percentile(duringGc, 50).toFixed(1)} ms, p95 ${percentile(duringGc, 95).toFixed(1)} ms (${duringGc.length} pushes over ${windows.length} collections of median ${median(gcMs).toFixed(0)} ms; ` +
        `${retried} of ${samples.length} pushes in the loop pushed again after MANIFEST_BLOB_UNKNOWN)`,
    );
    // Every image pushed (each under its own tag) must still be whole after all those collections.
    for (const p of pushed) await checkImage(server.url, p.tag, p.image);
    return { idle: latency(idle), duringGc: latency(duringGc), gcRuns: windows.length, retried, pushesInLoop: samples.length };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Generates the dataset, times both collectors `runs` times (alternating who goes first), then push latency. */
export async function gcBench(o: GcBenchOptions): Promise<{ result: GcResult; failures: string[] }> {
  const failures: string[] = [];
  const ds = generateGcDataset(join(o.tmp, 'gc-dataset'), o.sizes.manifests);
  const { root: _root, removedPaths, ...dataset } = ds;
  o.say(
    `  dataset: ${fmt(ds.repositories)} repositories, ${fmt(ds.tags)} tags, ${fmt(ds.manifests)} manifests, ${fmt(ds.blobs)} blobs (${fmt(ds.bytes)} bytes) written in ${(ds.ms / 1000).toFixed(1)} s; ` +
      `a collection deleting untagged manifests must remove ${fmt(ds.expected.manifestsRemoved)} manifests, ${fmt(ds.expected.blobsRemoved)} blobs, ${fmt(ds.expected.bytesRemoved)} bytes`,
  );
  const side = (): GcSide => ({ samples: [], median: NaN, inServerMs: [], cpuMs: [], removed: null, reported: null });
  const berth = side();
  const registry = o.withRegistry ? side() : null;
  const unlink = side();
  const dryRun: DryRunSide = { samples: [], inServerMs: [], cpuMs: [] };
  const attempt = async (who: string, s: GcSide, fn: () => Promise<void>) => {
    if (s.error) return;
    try {
      await fn();
    } catch (e) {
      s.error = (e as Error).message;
      failures.push(`GC time on ${who}: ${s.error}`);
      o.say(`  ${who}: FAILED: ${s.error.split('\n')[0]}`);
    }
  };
  for (let run = 0; run < o.runs; run++) {
    const steps = [
      () => attempt('Berth', berth, () => berthRun(o, ds, berth, dryRun, run)),
      ...(registry ? [() => attempt('registry:2', registry, () => registryRun(o, ds, registry, run))] : []),
      () => attempt('rm', unlink, () => unlinkRun(o, ds, unlink, run)),
    ];
    for (const step of run % 2 === 0 ? steps : steps.reverse()) await step();
  }
  berth.median = median(berth.samples);
  unlink.median = median(unlink.samples);
  if (registry) registry.median = median(registry.samples);
  const both = registry && !registry.error && !berth.error;
  const ratio = both ? registry.median / berth.median : null;
  const cpuRatio = both ? median(registry.cpuMs) / median(berth.cpuMs) : null;

  o.say(`\nPush latency of a tiny image on Berth, idle vs while berth gc runs (registry:2: n/a, offline GC only)`);
  let push: GcResult['push'] = null;
  try {
    push = await pushLatency(o, ds);
  } catch (e) {
    const msg = (e as Error).message;
    failures.push(`GC push latency on Berth: ${msg}`);
    o.say(`  Berth: FAILED: ${msg.split('\n')[0]}`);
  }
  rmSync(ds.root, { recursive: true, force: true });
  return { result: { dataset, berth, registry, unlink, dryRun, removedFolders: removedPaths.length, ratio, cpuRatio, push }, failures };
}
