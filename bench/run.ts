/**
 * `npm run bench` — the same workload against `berth serve` and registry:2 (`docker-registry`) in one run.
 *
 *   npm run bench                  # full workload, 3 runs per server (about 11 minutes with the auth and GC sections)
 *   npm run bench -- --quick       # small sizes, 1 run: a smoke test of every path in about a minute
 *   npm run bench -- --runs 5      # more repetitions (medians get steadier)
 *   npm run bench -- --berth-only  # skip registry:2 even when installed
 *   npm run bench -- --gc-only     # only the garbage-collection section (GC time, push latency during GC)
 *   npm run bench -- --no-gc       # skip the garbage-collection section
 *   npm run bench -- --browse      # only the app core's browse section: details with sizes of 500 multi-arch tags, cold and warm cache
 *   npm run bench -- --auth-flood  # only the login-flood section: a verified user's latency while 100 wrong passwords arrive from 10 addresses
 *   npm run bench -- --s3          # only the S3 section: Berth on S3 vs Berth on the filesystem vs registry:2 on the same RGW
 *   npm run bench -- --contents    # only the image-contents section: listing a 500 MB gzip layer vs tar -tzf, reopening, RSS
 *   npm run bench -- --no-contents # skip the image-contents section
 *   npm run bench -- --sync        # only the sync section: 50 images (~200 MB) from registry:2 into Berth, berth sync vs skopeo sync, and again with nothing new
 *   npm run bench -- --no-sync     # skip the sync section
 *   npm run bench -- --sync-proc 8 # berth sync's --proc (images at once) in the sync section; default: its own
 *   npm run bench -- --sync --sync-profile  # also one untimed first run per path through counting proxies: requests by kind, concurrency
 *   npm run bench -- --source      # run Berth from src-server through tsx's loader (RSS then includes the loader)
 *   npm run bench -- --keep        # keep the temp dir (data dirs, payloads, registry config) for inspection
 *   npm run bench -- --node-option=--max-semi-space-size=4   # a node flag for the Berth process (repeatable)
 *
 * Servers: Berth as one node process (src-server/cli.ts bundled now with esbuild into
 * node_modules/.cache/berth-bench/, as a release ships it; never a possibly stale out/ build), and `docker-registry serve`
 * with a generated config (filesystem, delete enabled, no access log, level warn). Each has its own temp
 * data dir and free loopback port. Without docker-registry, Berth runs alone and no ratios are given.
 *
 * Workloads (after an untimed warm-up of each server): 256 MiB monolithic upload (POST + streamed PUT),
 * 64 MiB chunked upload (8 MiB PATCHes with Content-Range), 256 MiB download (hashed while streamed),
 * manifest GET (wrk) and HEAD (ab: wrk 4.1 stalls on HEAD) by tag at 32 connections, a walk of a
 * 1,000+ repo catalog with n=100 following Link, a 2,000-tag list walked with n=100 and fetched whole
 * (registry:2 ignores n on tags). Every sample is verified (digests, sizes, complete listings) so a fast
 * wrong answer cannot win; a failure marks that server's row and the exit code, and the bench goes on.
 * Then authenticated vs anonymous reads, Berth only (bench/lib/auth-workload.ts): the same wrk manifest
 * GET against fresh Berth processes with `--auth none`, `--auth basic` (htpasswd from `htpasswd -nbB`,
 * wrk sending a fixed `Authorization: Basic`) and, when it starts, `--auth token` (a token fetched from
 * /token, `Authorization: Bearer`); the ratio authenticated/anonymous against the issue's ≥ 80%.
 * Then a flood of wrong passwords (bench/lib/auth-flood.ts): Berth with Basic auth trusting 127.0.0.1 as a
 * reverse proxy; per run 100 wrong guesses at once from 10 X-Forwarded-For addresses, each at another user
 * name, while a user whose password was verified keeps GETting a manifest; that user's latency p50/p99/max
 * idle and during the flood against the issue's 100 ms (for p99; the maximum is shown beside it), and server CPU per guess.
 * Then garbage collection (bench/lib/gc-workload.ts): the time to collect 5,000 manifests / 20,000 blobs
 * written straight into registry:2's layout (half the manifests untagged), `berth gc` against a running
 * Berth (`--grace 0`, after a timed `--dry-run`) vs `docker-registry garbage-collect` (offline) vs
 * `xargs rm -rf` of exactly the folders a collection removes, all deleting untagged manifests, removals
 * checked on disk; and tiny-image push latency p50/p95 on Berth idle vs while its GC runs: issue 19's
 * four figures against their targets.
 *
 * `--s3` (bench/lib/s3-workload.ts) runs only this: a private single-node Ceph RGW (test/helpers/rgw.ts,
 * data in RAM) with a bucket per server; Berth with `storage.s3` (a config file, chunksize left at 10 MiB),
 * Berth on the filesystem (as above) and registry:2 with its S3 driver on the same RGW (no AWS_CA_BUNDLE or
 * REGISTRY_* in its environment, blob descriptor cache in memory, `redirect.disable` so blob GETs go
 * through it as through Berth); 128 MiB monolithic upload, 64 MiB chunked (8 MiB PATCHes), 128 MiB
 * download and manifest GET by tag (wrk, 32 connections), verified as above (--quick: 16 MiB, 16 MiB).
 * Ratios: Berth on S3 vs Berth on the filesystem, and vs registry:2 on S3; peak RSS of each server;
 * results in bench/results/s3-latest.json.
 *
 * Then image contents (bench/lib/contents-workload.ts): a 500 MB gzip layer of 5,000 files pushed to a
 * Berth serving its app core; `contents:files` over the API bridge on a fresh process with no
 * listing cache, against `tar -tzf` on the same blob file (wall and CPU, alternating which goes first);
 * the same image again on that process (the core's time from Server-Timing, target ≤ 20 ms, and the round
 * trip), after a restart (the SQLite listing cache),
 * and the server's peak RSS while it lists; results in bench/results/contents-latest.json.
 *
 * Then sync (bench/lib/sync-workload.ts): a registry:2 holding 50 images in 10 repositories (about
 * 200 MB: shared base layers, a layer per repository, random layers per image, 5 two-platform indexes,
 * OCI and Docker media types; written once into its layout) copied into a fresh `berth serve` per run by
 * `skopeo sync --all --preserve-digests` (YAML source), by `berth sync --auth --images` (image-syncer's
 * files) and by `berth sync --job` of a sync.yml job whose destination is the local registry; each run
 * again with nothing new. Wall time, CPU of the client, berth serve and registry:2, every image checked
 * at the destination after each run; Berth's time / skopeo's against the issue's ≤ 1.0, the no-op run
 * against < 2 s, and the requests a no-op run makes (counting proxies, once); results in
 * bench/results/sync-latest.json (--quick: 6 images, about 6 MB).
 *
 * Output: per workload, the median of the runs (alternating which server goes first), the ratio in the
 * direction "how many times better Berth is" (throughput B/R, times R/B), the issue's target and
 * PASS/FAIL; peak RSS (VmHWM) of both servers; server CPU per operation (steadier than wall time on a
 * shared machine); a Markdown table for the README; everything in bench/results/latest.json
 * (gitignored). The machine is shared: compare ratios from one run, not absolute figures across runs.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { authFloodBench, authFloodMarkdownTable, authFloodTextTable, type AuthFloodResult } from './lib/auth-flood';
import { authBench, authMarkdownTable, authTextTable, type AuthRow } from './lib/auth-workload';
import { gcMarkdownTable, gcTextTable } from './lib/gc-report';
import { GC_FULL, GC_QUICK, gcBench, type GcResult } from './lib/gc-workload';
import { Payload } from './lib/payload';
import { runBrowseBench } from './browse';
import { contentsBench, contentsMarkdownTable, type ContentsResult } from './lib/contents-workload';
import { s3CpuTable, s3MarkdownTable, s3TextTable } from './lib/s3-report';
import { S3_FULL, S3_QUICK, s3Bench } from './lib/s3-workload';
import { SYNC_FULL, SYNC_QUICK } from './lib/sync-dataset';
import { syncMarkdownTable, syncTextTable } from './lib/sync-report';
import { syncBench, type SyncResult } from './lib/sync-workload';
import { skopeoVersion } from './lib/sync-clients';
import { cpuTable, markdownTable, median, summarize, textTable, type MemoryRow, type Row } from './lib/report';
import { memory, registryInstalled, registryVersion, startBerth, startRegistry, type Server } from './lib/servers';
import { FULL, QUICK, sampleWorkload, warmUp, workloads, type ServerState } from './lib/workloads';

const RSS_TARGET_MB = 150;
/** MiB to MB (10^6 bytes): the issue's RSS target is in MB. */
const mb = (mib: number) => (mib * 1024 * 1024) / 1e6;

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    'berth-only': { type: 'boolean', default: false },
    'gc-only': { type: 'boolean', default: false },
    browse: { type: 'boolean', default: false },
    'auth-flood': { type: 'boolean', default: false },
    s3: { type: 'boolean', default: false },
    contents: { type: 'boolean', default: false },
    'no-contents': { type: 'boolean', default: false },
    'no-gc': { type: 'boolean', default: false },
    sync: { type: 'boolean', default: false },
    'no-sync': { type: 'boolean', default: false },
    'sync-proc': { type: 'string' },
    'sync-profile': { type: 'boolean', default: false },
    source: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    'node-option': { type: 'string', multiple: true, default: [] },
  },
});
const sizes = opts.quick ? QUICK : FULL;
const runs = opts.runs ? Number(opts.runs) : opts.quick ? 1 : 3;
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got ${opts.runs}`);
const syncProc = opts['sync-proc'] === undefined ? undefined : Number(opts['sync-proc']);
if (syncProc !== undefined && (!Number.isInteger(syncProc) || syncProc < 1)) throw new Error(`--sync-proc must be a positive integer, got ${opts['sync-proc']}`);

const say = (msg: string) => process.stdout.write(`${msg}\n`);
const tmp = mkdtempSync(join(tmpdir(), 'berth-bench-'));
const servers: Server[] = [];
let cleaned = false;
async function cleanup() {
  if (cleaned) return;
  cleaned = true;
  await Promise.all(servers.map((s) => s.stop()));
  if (opts.keep) say(`kept ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => void cleanup().finally(() => process.exit(130)));
}

/** The garbage-collection section: its figures, and its failures added to `failures`. */
async function gcSection(withRegistry: boolean, failures: string[]): Promise<GcResult> {
  const sizes = opts.quick ? GC_QUICK : GC_FULL;
  say(`\nGarbage collection of ${sizes.manifests.toLocaleString('en-US')} manifests / ${(sizes.manifests * 4).toLocaleString('en-US')} blobs, deleting untagged manifests (Berth: berth gc against the running server; registry:2: garbage-collect, offline)`);
  const gc = await gcBench({
    tmp, berthMode: opts.source ? 'source' : 'bundle', nodeOptions: opts['node-option'], sizes, runs, withRegistry, say,
    started: (s) => servers.push(s),
  });
  failures.push(...gc.failures);
  return gc.result;
}

/** The login-flood section: its figures, its failure added to `failures`. */
async function authFloodSection(failures: string[]): Promise<AuthFloodResult> {
  say(`\nA verified user's manifest GETs during a flood of wrong passwords (Berth only)`);
  const flood = await authFloodBench({
    tmp, berthMode: opts.source ? 'source' : 'bundle', nodeOptions: opts['node-option'], runs, say,
    started: (s) => servers.push(s),
  });
  if (flood.error) failures.push(`auth flood: ${flood.error}`);
  return flood;
}

/** `--auth-flood`: the login-flood section alone. */
async function authFloodOnly() {
  const failures: string[] = [];
  const flood = await authFloodSection(failures);
  say(`\n${authFloodTextTable(flood)}\n`);
  const context = `_${runs} flood run(s) of ${flood.guesses} guesses; ${cpus().length}-core ${cpus()[0]?.model ?? 'CPU'} shared with other jobs (load average ${loadavg()[0]!.toFixed(1)} at the end); ` +
    `Berth on Node ${process.version}; ${new Date().toISOString().slice(0, 10)}._`;
  say(`Markdown for the README:\n\n${authFloodMarkdownTable(flood)}\n\n${context}\n`);
  writeResults({ date: new Date().toISOString(), machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavgAtEnd: loadavg() }, options: { runs, authFlood: true }, authFlood: flood, context, failures }, 'auth-flood-latest.json');
  if (failures.length > 0) {
    process.exitCode = 1;
    console.error(`\n${failures.length} workload(s) failed:\n\n${failures.join('\n\n')}`);
  }
}

/** Writes bench/results/latest.json (or another file there). */
function writeResults(results: Record<string, unknown>, file = 'latest.json') {
  const outDir = resolve(import.meta.dirname, 'results');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, file), `${JSON.stringify(results, null, 2)}\n`);
  say(`Results written to bench/results/${file}`);
}

/** `--gc-only`: the garbage-collection section alone. */
async function gcOnly(withRegistry: boolean) {
  const failures: string[] = [];
  const gc = await gcSection(withRegistry, failures);
  say(`\n${gcTextTable(gc)}\n`);
  const context = `_${opts.quick ? 'Quick workload (--quick)' : 'Full workload'}, GC time median of ${runs} run(s); ${cpus().length}-core ${cpus()[0]?.model ?? 'CPU'} shared with other jobs (load average ${loadavg()[0]!.toFixed(1)} at the end); ` +
    `registry:2 = Debian docker-registry ${withRegistry ? await registryVersion() : 'not installed'}; ${new Date().toISOString().slice(0, 10)}._`;
  say(`Markdown for the README:\n\n${gcMarkdownTable(gc)}\n\n${context}\n`);
  writeResults({ date: new Date().toISOString(), machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavgAtEnd: loadavg() }, options: { quick: opts.quick, runs, gcOnly: true }, gc, context, failures });
  if (failures.length > 0) {
    process.exitCode = 1;
    console.error(`\n${failures.length} workload(s) failed:\n\n${failures.join('\n\n')}`);
  }
}

/** `--s3`: Berth on S3 vs Berth on the filesystem vs registry:2 on S3, on a private RGW. */
async function s3Only(withRegistry: boolean) {
  const { result, failures } = await s3Bench({
    tmp, berthMode: opts.source ? 'source' : 'bundle', nodeOptions: opts['node-option'], sizes: opts.quick ? S3_QUICK : S3_FULL, runs, withRegistry, say,
    started: (s) => servers.push(s),
  });
  say(`\n${s3TextTable(result.rows, result.memory)}\n`);
  say(`${s3CpuTable(result.rows)}\n`);
  const load = loadavg().map((l) => l.toFixed(1)).join(' ');
  const context =
    `_${opts.quick ? 'Quick workload (--quick)' : 'Full workload'}, medians of ${runs} run(s) per server alternating the order; ratios are how many times better Berth on S3 is (throughput: Berth S3 / other; memory: other / Berth S3). ` +
    `S3 = a single-node Ceph RGW 16.2 on loopback (memstore OSD, data in RAM; radosgw peak RSS ${result.radosgwPeakMB?.toFixed(0) ?? '?'} MB) on the same machine, one bucket per server; registry:2 with redirect.disable (blobs served through it, like Berth). ` +
    `${cpus().length}-core ${cpus()[0]?.model ?? 'CPU'} shared with other jobs (load average ${load} at the end); ` +
    `Berth on Node ${process.version}, registry:2 = Debian docker-registry ${withRegistry ? await registryVersion() : 'not run'}; ${new Date().toISOString().slice(0, 10)}._`;
  say(`Markdown for the README:\n\n${s3MarkdownTable(result.rows, result.memory)}\n\n${context}\n`);
  writeResults({ date: new Date().toISOString(), machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavgAtEnd: loadavg() }, options: { quick: opts.quick, runs, s3: true, berthNodeOptions: opts['node-option'] }, s3: result, context, failures }, 's3-latest.json');
  if (failures.length > 0) {
    process.exitCode = 1;
    console.error(`\n${failures.length} workload(s) failed:\n\n${failures.join('\n\n')}`);
  }
}

/** The image-contents section: its figures, and its failure added to `failures`. */
async function contentsSection(failures: string[]): Promise<ContentsResult | null> {
  say('\nImage contents: listing a big gzip layer through berth serve vs tar -tzf on the same blob file (Berth only)');
  try {
    const result = await contentsBench({
      tmp, mode: opts.source ? 'source' : 'bundle', nodeOptions: opts['node-option'], quick: opts.quick, runs, rssTargetMB: RSS_TARGET_MB, say,
      started: (s) => servers.push(s),
    });
    say(`\n${contentsMarkdownTable(result)}\n`);
    return result;
  } catch (err) {
    failures.push(`image contents: ${(err as Error).message}`);
    return null;
  }
}

/** `--contents`: only the image-contents section. */
async function contentsOnly(): Promise<void> {
  const failures: string[] = [];
  const result = await contentsSection(failures);
  const context = `_${opts.quick ? 'Quick workload (--quick)' : 'Full workload'}, medians of ${runs} run(s); ${cpus().length}-core ${cpus()[0]?.model ?? 'CPU'} shared with other jobs (load average ${loadavg()[0]!.toFixed(1)} at the end); Node ${process.version}; ${new Date().toISOString().slice(0, 10)}._`;
  if (result) say(`Markdown for the README:\n\n${contentsMarkdownTable(result)}\n\n${context}\n`);
  writeResults({ date: new Date().toISOString(), machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavgAtEnd: loadavg() }, options: { quick: opts.quick, runs }, contents: result, context, failures }, 'contents-latest.json');
  if (failures.length > 0) {
    process.exitCode = 1;
    console.error(`\n${failures.join('\n\n')}`);
  }
}

/** The sync section: its figures, and its failures added to `failures`. */
async function syncSection(failures: string[]): Promise<SyncResult | null> {
  if (!registryInstalled()) {
    say('\nSync: skipped, docker-registry (the source registry) is not installed');
    return null;
  }
  say('\nSync from registry:2 into Berth: skopeo sync vs berth sync (image-syncer files; sync.yml job into the local registry), then again with nothing new');
  try {
    const { result, failures: f } = await syncBench({
      tmp, berthMode: opts.source ? 'source' : 'bundle', nodeOptions: opts['node-option'], sizes: opts.quick ? SYNC_QUICK : SYNC_FULL, runs, proc: syncProc, profile: opts['sync-profile'], say,
      started: (s) => servers.push(s),
    });
    failures.push(...f);
    say(`\n${syncTextTable(result)}\n`);
    return result;
  } catch (e) {
    failures.push(`sync: ${(e as Error).message}`);
    return null;
  }
}

/** `--sync`: only the sync section. */
async function syncOnly(): Promise<void> {
  const failures: string[] = [];
  const result = await syncSection(failures);
  const context = `_${opts.quick ? 'Quick workload (--quick)' : 'Full workload'}, medians of ${runs} run(s) alternating the order; CPU per image = all three processes' CPU / images; ` +
    `${cpus().length}-core ${cpus()[0]?.model ?? 'CPU'} shared with other jobs (load average ${loadavg()[0]!.toFixed(1)} at the end); ` +
    `Berth on Node ${process.version}, skopeo ${await skopeoVersion()}, registry:2 = Debian docker-registry ${await registryVersion()}; ${new Date().toISOString().slice(0, 10)}._`;
  if (result) say(`Markdown for the README:\n\n${syncMarkdownTable(result)}\n\n${context}\n`);
  writeResults({ date: new Date().toISOString(), machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavgAtEnd: loadavg() }, options: { quick: opts.quick, runs, syncProc: syncProc ?? null, syncProfile: opts['sync-profile'] }, sync: result, context, failures }, 'sync-latest.json');
  if (failures.length > 0) {
    process.exitCode = 1;
    console.error(`\n${failures.length} workload(s) failed:\n\n${failures.join('\n\n')}`);
  }
}

async function main() {
  const withRegistry = !opts['berth-only'] && registryInstalled();
  say(`Berth bench: ${opts.quick ? 'quick' : 'full'} workload, ${runs} run(s), ${cpus().length} CPUs, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  if (!withRegistry) say(opts['berth-only'] ? 'registry:2 skipped (--berth-only): Berth alone.' : 'docker-registry is not installed: Berth alone, no ratios.');
  if (opts['gc-only']) return gcOnly(withRegistry);
  if (opts.s3) return s3Only(withRegistry);
  if (opts['auth-flood']) return authFloodOnly();
  if (opts.contents) return contentsOnly();
  if (opts.sync) return syncOnly();
  if (opts.browse) {
    await runBrowseBench({ tags: opts.quick ? 50 : 500, mode: opts.source ? 'source' : 'bundle' });
    return;
  }

  say('Generating payloads...');
  const mono = await Payload.create(join(tmp, 'monolithic.bin'), sizes.monolithic);
  const chunked = await Payload.create(join(tmp, 'chunked.bin'), sizes.chunked);
  const small = await Payload.create(join(tmp, 'warmup.bin'), 4 * 1024 * 1024);

  for (const d of ['berth-data', 'registry-data']) mkdirSync(join(tmp, d));
  const berth = await startBerth(join(tmp, 'berth-data'), opts.source ? 'source' : 'bundle', opts['node-option']);
  servers.push(berth);
  say(`Berth:      ${berth.url} (pid ${berth.pid}, ${berth.command})`);
  let registry: Server | null = null;
  if (withRegistry) {
    registry = await startRegistry(join(tmp, 'registry-data'), join(tmp, 'registry.yml'));
    servers.push(registry);
    say(`registry:2: ${registry.url} (pid ${registry.pid}, ${registry.command})`);
  }

  const state = (server: Server): ServerState => ({ server, setupMs: {}, notes: new Set() });
  const states = [state(berth), ...(registry ? [state(registry)] : [])];
  const rows: Row[] = [];
  const failures: string[] = [];
  for (const s of states) await warmUp(s, small);
  // Which workload drives each server's memory peak (VmHWM after it, MB).
  const peaks: Record<string, Record<string, number>> = Object.fromEntries(states.map((s) => [s.server.id, { 'after start + warm-up': mb(memory(s.server.pid).peakMiB) }]));

  for (const w of workloads(sizes, mono, chunked)) {
    say(`\n${w.title}`);
    const [berthSide, registrySide] = await sampleWorkload(w, states, runs, { say, failures });
    rows.push(summarize(w, berthSide!, registrySide ?? null));
    for (const s of states) peaks[s.server.id]![w.id] = mb(memory(s.server.pid).peakMiB);
  }

  // Authenticated vs anonymous reads: fresh Berth processes per auth mode, after the main workloads.
  say('\nAuthenticated vs anonymous manifest GET (Berth only)');
  const auth = await authBench({
    tmp, berthMode: opts.source ? 'source' : 'bundle', nodeOptions: opts['node-option'], sizes, runs, say,
    started: (s) => servers.push(s),
  });
  failures.push(...auth.failures);
  const authRows: AuthRow[] = auth.rows;
  const flood = await authFloodSection(failures);

  // Garbage collection: fresh servers on generated datasets, after everything else.
  const gc = opts['no-gc'] ? null : await gcSection(withRegistry, failures);
  const contents = opts['no-contents'] ? null : await contentsSection(failures);
  const sync = opts['no-sync'] ? null : await syncSection(failures);

  const berthMem = memory(berth.pid);
  const registryMem = registry ? memory(registry.pid) : null;
  const mem: MemoryRow = {
    berthPeakMB: mb(berthMem.peakMiB),
    registryPeakMB: registryMem ? mb(registryMem.peakMiB) : null,
    targetMB: RSS_TARGET_MB,
    pass: mb(berthMem.peakMiB) <= RSS_TARGET_MB,
  };

  say('');
  for (const s of states) {
    for (const [step, ms] of Object.entries(s.setupMs)) say(`setup on ${s.server.name}: ${step} in ${(ms / 1000).toFixed(1)} s`);
    for (const note of s.notes) say(`seen on ${s.server.name}: ${note}`);
    say(`peak RSS of ${s.server.name} (MB) after: ${Object.entries(peaks[s.server.id]!).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}`);
  }
  say(`\n${textTable(rows, mem)}\n`);
  say(`${authTextTable(authRows)}\n`);
  say(`${authFloodTextTable(flood)}\n`);
  if (gc) say(`${gcTextTable(gc)}\n`);
  if (contents) say(`${contentsMarkdownTable(contents)}\n`);
  if (sync) say(`${syncTextTable(sync)}\n`);
  say(cpuTable(rows));
  for (const r of authRows) {
    say(`  server CPU per request (median µs): ${r.title}: ${median(r.authenticated.cpuMs).toFixed(0)}, anonymous ${median(r.anonymous.cpuMs).toFixed(0)}`);
  }
  if (!flood.error) {
    say(`  server CPU: verified manifest GET (idle) ${flood.idleCpuPerRequestUs.toFixed(0)} µs per request; wrong guess during the flood ${median(flood.runs.map((r) => r.cpuPerGuessMs)).toFixed(1)} ms per guess`);
  }
  const context =
    `_${opts.quick ? 'Quick workload (--quick)' : 'Full workload'}, medians of ${runs} run(s) per server alternating which goes first; ` +
    `${cpus().length}-core ${cpus()[0]?.model ?? 'CPU'} shared with other jobs (load average ${loadavg()[0]!.toFixed(1)} at the end); ` +
    `Berth on Node ${process.version} (${berth.command}), registry:2 = Debian docker-registry ${registry ? await registryVersion() : 'not installed'}; ` +
    `${new Date().toISOString().slice(0, 10)}._`;
  say(`\nMarkdown for the README:\n\n${markdownTable(rows, mem)}\n\n${authMarkdownTable(authRows)}\n\n${authFloodMarkdownTable(flood)}\n\n${gc ? `${gcMarkdownTable(gc)}\n\n` : ''}${contents ? `${contentsMarkdownTable(contents)}\n\n` : ''}${sync ? `${syncMarkdownTable(sync)}\n\n` : ''}${context}\n`);

  writeResults({
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavgAtEnd: loadavg() },
    options: { quick: opts.quick, runs, sizes, berthNodeOptions: opts['node-option'] },
    servers: Object.fromEntries(states.map((s) => [s.server.id, { command: s.server.command, setupMs: s.setupMs, notes: [...s.notes] }])),
    workloads: rows,
    auth: authRows,
    authFlood: flood,
    gc,
    contents,
    sync,
    memory: { ...mem, peakAfterWorkloadMB: peaks },
    context,
    failures,
  });
  if (failures.length > 0) {
    process.exitCode = 1;
    console.error(`\n${failures.length} workload(s) failed:\n\n${failures.join('\n\n')}`);
  }
}

try {
  await main();
} catch (e) {
  process.exitCode = 1;
  console.error(`bench failed: ${(e as Error).stack ?? e}`);
} finally {
  await cleanup();
}
