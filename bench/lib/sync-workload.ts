/**
 * The sync section (issue 20): syncing a registry:2 of 50 images (about 200 MB; bench/lib/sync-dataset.ts)
 * into a fresh `berth serve` with `skopeo sync`, with `berth sync` driven by image-syncer's two files
 * (destination: the Berth host over HTTP), and with `berth sync --job` of a sync.yml job whose
 * destination is `connection: local` (the running server writes it in-process); then each again with
 * nothing new (the issue's < 2 s).
 *
 * Each path, each run: a fresh Berth data dir and process (its start untimed), the client timed from
 * spawn to exit, CPU of the client (/usr/bin/time), of `berth serve` and of registry:2 (/proc) over the
 * call; the destination checked image by image after both runs (bench/lib/sync-verify.ts), and Berth's
 * summary checked (all copied, then all skipped). In the first round an untimed third run goes through
 * counting proxies in front of both registries: the requests a no-op run makes. Runs alternate the
 * order of the paths. One registry:2 process serves the source for every run.
 */
import { rmSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { median } from './report';
import { berthEntry, cpuMs, startBerth, startRegistry, type BerthMode, type Server } from './servers';
import { berthSync, localJob, skopeoSync, writeImageSyncerFiles, writeSkopeoSource, writeSyncYml, type BerthSyncSummary, type ClientRun } from './sync-clients';
import { generateSyncDataset, type SyncDataset, type SyncSizes } from './sync-dataset';
import { startCountingProxy, type CountingProxy, type RequestCounts } from './sync-proxy';
import { verifySync } from './sync-verify';

const exec = promisify(execFile);

/** The issue's targets: Berth's time ≤ skopeo's; a run with nothing new under 2 s. */
export const SYNC_RATIO_TARGET = 1.0;
export const SYNC_NOOP_TARGET_MS = 2000;

/** The ways the bench syncs. */
export type SyncPathId = 'skopeo' | 'berth-files' | 'berth-local';
export const SYNC_PATH_TITLES: Record<SyncPathId, string> = {
  skopeo: 'skopeo sync --all --preserve-digests (YAML source)',
  'berth-files': 'berth sync --auth --images (image-syncer files)',
  'berth-local': 'berth sync --job (sync.yml, destination local)',
};

/** Short names of the paths, for the second-run rows. */
export const SYNC_PATH_SHORT: Record<SyncPathId, string> = { skopeo: 'skopeo sync', 'berth-files': 'berth sync (image-syncer files)', 'berth-local': 'berth sync --job (local)' };

/** One timed run of one path. */
export interface SyncSample {
  wallMs: number;
  /** CPU ms over the run: the client process, `berth serve`, registry:2. */
  cpu: { client: number; server: number; registry: number };
  /** Berth's own summary (Berth paths only). */
  summary?: { copied: number; skipped: number; failed: number; bytes: number; durationMs: number };
}

/** A path's samples and figures. */
export interface SyncPathResult {
  id: SyncPathId;
  title: string;
  first: SyncSample[];
  again: SyncSample[];
  /** Requests of an untimed no-op run, at the source and at the destination (null when not counted). */
  noopRequests: CountedRun | null;
  /** With `profile`: an untimed first run through the counting proxies, into another fresh Berth. */
  firstRunProfile?: CountedRun | null;
  error?: string;
}

/** A run through counting proxies: its requests by kind, concurrency and bytes (destination empty for the local path). */
export interface CountedRun {
  wallMs: number;
  source: RequestCounts;
  destination: RequestCounts;
  sourceTotal: number;
  destinationTotal: number;
  sourceMaxInFlight: number;
  destinationMaxInFlight: number;
  /** Body bytes the source sent. */
  sourceBytes: number;
}

/** The section's result. */
export interface SyncResult {
  dataset: { images: number; indexes: number; repositories: number; bytes: number; writeMs: number };
  runs: number;
  proc: number | null;
  paths: SyncPathResult[];
  /** Berth's first-run wall time / skopeo's (≤ 1.0 passes), per Berth path. */
  ratios: Partial<Record<SyncPathId, number | null>>;
  targets: { ratio: number; noopMs: number };
}

/** Options of {@link syncBench}. */
export interface SyncBenchOptions {
  tmp: string;
  berthMode: BerthMode;
  nodeOptions: string[];
  sizes: SyncSizes;
  runs: number;
  /** `--proc` for berth sync; undefined: its default. */
  proc?: number;
  /** Also an untimed first run through counting proxies per path (where the time goes). */
  profile?: boolean;
  /** Only these paths (all by default). */
  paths?: SyncPathId[];
  say: (line: string) => void;
  /** Called with each server as it starts, so the caller stops it even if the bench throws. */
  started: (s: Server) => void;
}

/** Everything one run of one path needs. */
interface Ctx {
  o: SyncBenchOptions;
  ds: SyncDataset;
  registry: Server;
  entry: string[];
}

const sourceHost = (s: Server) => s.url.replace('http://', '');

/** One client run, with the CPU the servers spent over it. */
async function measured(ctx: Ctx, berth: Server, run: () => Promise<ClientRun & { summary?: BerthSyncSummary }>): Promise<SyncSample> {
  const server0 = cpuMs(berth.pid);
  const registry0 = cpuMs(ctx.registry.pid);
  const r = await run();
  const sample: SyncSample = { wallMs: r.wallMs, cpu: { client: r.cpuMs, server: cpuMs(berth.pid) - server0, registry: cpuMs(ctx.registry.pid) - registry0 } };
  if (r.summary) {
    const { copied, skipped, failed, bytes, durationMs } = r.summary;
    sample.summary = { copied, skipped, failed, bytes, durationMs };
  }
  return sample;
}

/** Throws unless Berth's summary says every image was copied (first) or skipped (again). */
function checkSummary(s: SyncSample, images: number, again: boolean): void {
  const sum = s.summary;
  if (!sum) return;
  const ok = sum.failed === 0 && (again ? sum.copied === 0 && sum.skipped === images : sum.copied === images && sum.skipped === 0);
  if (!ok) throw new Error(`berth sync ${again ? 'again' : 'first run'} reported copied ${sum.copied}, skipped ${sum.skipped}, failed ${sum.failed}; expected ${again ? `0 copied, ${images} skipped` : `${images} copied, 0 skipped`}`);
}

/** The client call of `path` against `source` → `dest` (host:port each; the local path names a job). */
function client(ctx: Ctx, path: SyncPathId, dir: string, dataDir: string, source: string, dest: string, tag: string): () => Promise<ClientRun & { summary?: BerthSyncSummary }> {
  const timeFile = join(dir, `time-${tag}`);
  const proc = ctx.o.proc ? ['--proc', String(ctx.o.proc)] : [];
  if (path === 'skopeo') {
    const sourceFile = join(dir, `skopeo-${tag}.yaml`);
    writeSkopeoSource(sourceFile, source, ctx.ds.repositories);
    return () => skopeoSync({ sourceFile, destHost: dest, tmp: join(dir, 'skopeo-tmp'), timeFile });
  }
  if (path === 'berth-files') {
    const files = writeImageSyncerFiles(join(dir, `image-syncer-${tag}`), source, dest, ctx.ds.repositories);
    return () => berthSync(ctx.entry, dataDir, ['--auth', files.auth, '--images', files.images, ...proc], timeFile);
  }
  return () => berthSync(ctx.entry, dataDir, ['--job', source === sourceHost(ctx.registry) ? 'bench' : 'bench-counted', ...proc], timeFile);
}

/** A fresh Berth for one path: its data dir holds sync.yml's jobs (the local path) before it starts. */
async function freshBerth(ctx: Ctx, id: SyncPathId, dataDir: string, countedSource?: string): Promise<Server> {
  mkdirSync(dataDir, { recursive: true });
  if (id === 'berth-local') writeSyncYml(dataDir, [localJob('bench', sourceHost(ctx.registry)), ...(countedSource ? [localJob('bench-counted', countedSource)] : [])]);
  const berth = await startBerth(dataDir, ctx.o.berthMode, ctx.o.nodeOptions);
  ctx.o.started(berth);
  return berth;
}

const fmtCounts = (c: RequestCounts) => Object.entries(c).sort().map(([k, v]) => `${k} ${v}`).join(', ') || 'none';

/** Runs the path once through counting proxies in front of registry:2 and (not the local path) Berth. */
async function countedRun(ctx: Ctx, id: SyncPathId, dir: string, dataDir: string, berth: Server, sourceProxy: CountingProxy, tag: 'counted' | 'profile'): Promise<CountedRun> {
  const destProxy = id === 'berth-local' ? null : await startCountingProxy(berth.url);
  try {
    sourceProxy.reset();
    const t0 = performance.now();
    const run = await client(ctx, id, dir, dataDir, sourceProxy.host, destProxy?.host ?? sourceHost(berth), tag)();
    const wallMs = performance.now() - t0;
    if (run.summary) checkSummary({ wallMs, cpu: { client: 0, server: 0, registry: 0 }, summary: run.summary }, ctx.ds.images.length, tag === 'counted');
    return {
      wallMs,
      source: { ...sourceProxy.counts },
      destination: { ...(destProxy?.counts ?? {}) },
      sourceTotal: sourceProxy.total(),
      destinationTotal: destProxy?.total() ?? 0,
      sourceMaxInFlight: sourceProxy.maxInFlight(),
      destinationMaxInFlight: destProxy?.maxInFlight() ?? 0,
      sourceBytes: sourceProxy.bytesOut(),
    };
  } finally {
    await destProxy?.close();
  }
}

/** Describes a counted run in a line. */
function describeCounted(id: SyncPathId, what: string, c: CountedRun): string {
  const dest = id === 'berth-local' ? 'in-process writes' : `${fmtCounts(c.destination)} (at most ${c.destinationMaxInFlight} at once)`;
  return `  ${id.padEnd(11)} ${what} (${(c.wallMs / 1000).toFixed(2)} s through the proxies): ${fmtCounts(c.source)} at the source (at most ${c.sourceMaxInFlight} at once, ${(c.sourceBytes / 1e6).toFixed(0)} MB); ${dest} at the destination`;
}

/** One round of one path: fresh Berth, first run, run again, (round 0) a counted no-op run and the profile. */
async function pathRound(ctx: Ctx, result: SyncPathResult, round: number): Promise<void> {
  const dir = join(ctx.o.tmp, `sync-${result.id}-${round}`);
  const dataDir = join(dir, 'data');
  const sourceProxy = round === 0 ? await startCountingProxy(ctx.registry.url) : null;
  let berth: Server | null = null;
  try {
    berth = await freshBerth(ctx, result.id, dataDir, sourceProxy?.host);
    const b = berth;
    const call = (tag: string) => client(ctx, result.id, dir, dataDir, sourceHost(ctx.registry), sourceHost(b), tag);
    const first = await measured(ctx, b, call('first'));
    checkSummary(first, ctx.ds.images.length, false);
    await verifySync(b.url, ctx.ds.images, `${result.title}, first run`);
    const again = await measured(ctx, b, call('again'));
    checkSummary(again, ctx.ds.images.length, true);
    await verifySync(b.url, ctx.ds.images, `${result.title}, second run`);
    result.first.push(first);
    result.again.push(again);
    // Berth's own duration beside the wall time: the difference is the CLI's start and hand-over.
    const inRun = (x: SyncSample) => (x.summary ? `, the run itself ${(x.summary.durationMs / 1000).toFixed(2)} s` : '');
    const s = (x: SyncSample) => `${(x.wallMs / 1000).toFixed(2)} s (CPU client ${(x.cpu.client / 1000).toFixed(2)} s, berth serve ${(x.cpu.server / 1000).toFixed(2)} s, registry:2 ${(x.cpu.registry / 1000).toFixed(2)} s${inRun(x)})`;
    ctx.o.say(`  run ${round + 1} ${result.id.padEnd(11)} first ${s(first)}; again ${s(again)}`);
    if (!sourceProxy) return;
    result.noopRequests = await countedRun(ctx, result.id, dir, dataDir, b, sourceProxy, 'counted');
    ctx.o.say(describeCounted(result.id, 'a run with nothing new', result.noopRequests));
    await b.stop();
    if (ctx.o.profile) {
      // Another fresh Berth: where a first run's time goes, request by request.
      const profileData = join(dir, 'profile-data');
      berth = await freshBerth(ctx, result.id, profileData, sourceProxy.host);
      result.firstRunProfile = await countedRun(ctx, result.id, dir, profileData, berth, sourceProxy, 'profile');
      await verifySync(berth.url, ctx.ds.images, `${result.title}, profiled first run`);
      ctx.o.say(describeCounted(result.id, 'a first run', result.firstRunProfile));
    }
  } finally {
    await berth?.stop();
    await sourceProxy?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Is there a `berth sync` command in this build? */
async function hasBerthSync(entry: string[]): Promise<boolean> {
  // An unknown command may still print the top-level help and exit 0: look for the command's own option.
  return exec(process.execPath, [...entry, 'sync', '--help'], { timeout: 60_000 }).then(({ stdout }) => stdout.includes('--images'), () => false);
}

/** Generates the dataset once, then runs every path `runs` times (alternating the order). */
export async function syncBench(o: SyncBenchOptions): Promise<{ result: SyncResult; failures: string[] }> {
  const failures: string[] = [];
  const ds = generateSyncDataset(join(o.tmp, 'sync-source'), o.sizes);
  o.say(`  dataset: ${ds.images.length} images (${ds.indexes} two-platform indexes) in ${ds.repositories.length} repositories, ${(ds.bytes / 1e6).toFixed(0)} MB of blobs, written in ${(ds.ms / 1000).toFixed(1)} s`);
  const registry = await startRegistry(ds.root, join(o.tmp, 'sync-registry.yml'));
  o.started(registry);
  const entry = await berthEntry(o.berthMode);
  const ctx: Ctx = { o, ds, registry, entry };
  const ids = o.paths ?? (['skopeo', 'berth-files', 'berth-local'] as SyncPathId[]);
  const paths: SyncPathResult[] = ids.map((id) => ({ id, title: SYNC_PATH_TITLES[id], first: [], again: [], noopRequests: null }));
  try {
    if (ids.some((id) => id !== 'skopeo') && !(await hasBerthSync(entry))) {
      for (const p of paths.filter((p) => p.id !== 'skopeo')) p.error = 'this build has no `berth sync` command';
    }
    for (let round = 0; round < o.runs; round++) {
      for (const p of round % 2 === 0 ? paths : [...paths].reverse()) {
        if (p.error) continue;
        try {
          await pathRound(ctx, p, round);
        } catch (e) {
          p.error = (e as Error).message;
          o.say(`  ${p.id}: FAILED: ${p.error.split('\n')[0]}`);
        }
      }
    }
  } finally {
    await registry.stop();
    rmSync(ds.root, { recursive: true, force: true });
  }
  for (const p of paths) if (p.error) failures.push(`sync, ${p.title}: ${p.error}`);
  const skopeo = paths.find((p) => p.id === 'skopeo');
  const skopeoMs = skopeo && !skopeo.error ? median(skopeo.first.map((s) => s.wallMs)) : null;
  const ratios: SyncResult['ratios'] = {};
  for (const p of paths.filter((p) => p.id !== 'skopeo')) ratios[p.id] = skopeoMs && !p.error ? median(p.first.map((s) => s.wallMs)) / skopeoMs : null;
  return {
    result: {
      dataset: { images: ds.images.length, indexes: ds.indexes, repositories: ds.repositories.length, bytes: ds.bytes, writeMs: ds.ms },
      runs: o.runs,
      proc: o.proc ?? null,
      paths,
      ratios,
      targets: { ratio: SYNC_RATIO_TARGET, noopMs: SYNC_NOOP_TARGET_MS },
    },
    failures,
  };
}
