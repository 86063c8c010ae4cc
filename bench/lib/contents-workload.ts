/**
 * The image-contents section (issue 18): listing a big gzip layer through a running `berth serve`
 * against `tar -tzf` on the same blob file, reopening the image (from memory, and after a restart
 * from the SQLite listing cache), and the server's peak RSS while it lists.
 *
 * Berth is asked over its API bridge (`contents:files`, as the GUI asks), each cold run on a fresh
 * process with the listing cache removed. tar runs under /usr/bin/time for its CPU.
 * Every answer is checked (entry count, bytes) so a fast wrong listing cannot pass.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pushBenchImage, writeBenchLayer, type BenchLayer } from './contents-layer';
import { median } from './report';
import { cpuMs, memory, startBerth, type BerthMode, type Server } from './servers';

/** Sizes of the section. */
export const CONTENTS_FULL = { files: 5000, fileSize: 200_000 };
export const CONTENTS_QUICK = { files: 250, fileSize: 200_000 };

/** The section's figures. */
export interface ContentsResult {
  layer: { compressedMB: number; uncompressedMB: number; files: number };
  tar: { wallMs: number[]; cpuMs: number[] };
  berthCold: { wallMs: number[]; cpuMs: number[] };
  /** The same image listed again on the same process: the core's time (Server-Timing). */
  berthWarmMs: number[];
  /** The same, as the client sees it: the answer's transfer and parse included. */
  berthWarmRoundTripMs: number[];
  /** Bytes of the JSON answer. */
  answerBytes: number;
  /** After a restart: listings from the SQLite cache only. */
  berthReopenMs: number[];
  peakRssMB: number;
  rssTargetMB: number;
  ratio: number;
  ratioTarget: number;
  pass: { ratio: boolean; warm: boolean; rss: boolean };
}

/** Options of {@link contentsBench}. */
export interface ContentsBenchOptions {
  tmp: string;
  mode: BerthMode;
  nodeOptions: string[];
  quick: boolean;
  runs: number;
  rssTargetMB: number;
  say: (line: string) => void;
  started: (s: Server) => void;
}

const RATIO_TARGET = 1.3;
const WARM_TARGET_MS = 20;
const REPO = 'bench/contents';

/** Runs the section; throws on a wrong answer. */
export async function contentsBench(o: ContentsBenchOptions): Promise<ContentsResult> {
  const sizes = o.quick ? CONTENTS_QUICK : CONTENTS_FULL;
  o.say(`Writing a gzip layer of ${sizes.files} files of ${sizes.fileSize / 1000} kB...`);
  const layer = await writeBenchLayer(join(o.tmp, 'contents-layer.tar.gz'), sizes.files, sizes.fileSize);
  o.say(`layer: ${(layer.size / 1e6).toFixed(0)} MB gzip, ${(layer.uncompressed / 1e6).toFixed(0)} MB tar`);
  const dataDir = join(o.tmp, 'contents-data');
  const uiDir = join(o.tmp, 'contents-ui');
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(uiDir, { recursive: true });
  writeFileSync(join(uiDir, 'index.html'), '<!doctype html><title>bench</title>');
  const start = async () => {
    const s = await startBerth(dataDir, o.mode, o.nodeOptions, ['--auth', 'none'], uiDir);
    o.started(s);
    return { server: s, session: await login(s) };
  };

  let { server, session } = await start();
  await pushBenchImage(server.url, REPO, 'big', layer);
  const result: ContentsResult = {
    layer: { compressedMB: layer.size / 1e6, uncompressedMB: layer.uncompressed / 1e6, files: layer.files },
    tar: { wallMs: [], cpuMs: [] },
    berthCold: { wallMs: [], cpuMs: [] },
    berthWarmMs: [],
    berthWarmRoundTripMs: [],
    answerBytes: 0,
    berthReopenMs: [],
    peakRssMB: 0,
    rssTargetMB: o.rssTargetMB,
    ratio: 0,
    ratioTarget: RATIO_TARGET,
    pass: { ratio: false, warm: false, rss: false },
  };
  for (let run = 0; run < o.runs; run++) {
    // Alternate which goes first, so the page cache favours neither.
    const tarFirst = run % 2 === 0;
    if (tarFirst) await timeTar(layer, result);
    await server.stop();
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(dataDir, 'berth', `layer-listings.db${suffix}`), { force: true });
    ({ server, session } = await start());
    const cpu0 = cpuMs(server.pid);
    const t0 = performance.now();
    check(await listFiles(session), layer);
    result.berthCold.wallMs.push(performance.now() - t0);
    result.berthCold.cpuMs.push(cpuMs(server.pid) - cpu0);
    result.peakRssMB = Math.max(result.peakRssMB, (memory(server.pid).peakMiB * 1024 * 1024) / 1e6);
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      const answer = await listFiles(session);
      result.berthWarmRoundTripMs.push(performance.now() - t);
      result.berthWarmMs.push(answer.coreMs);
      result.answerBytes = answer.bytes;
      check(answer, layer);
    }
    if (!tarFirst) await timeTar(layer, result);
    o.say(`run ${run + 1}: tar -tzf ${result.tar.wallMs.at(-1)!.toFixed(0)} ms, Berth cold ${result.berthCold.wallMs.at(-1)!.toFixed(0)} ms, again ${median(result.berthWarmMs.slice(-5)).toFixed(1)} ms (round trip ${median(result.berthWarmRoundTripMs.slice(-5)).toFixed(1)} ms)`);
  }
  // Reopen after a restart: the SQLite listing cache, nothing in memory.
  await server.stop();
  ({ server, session } = await start());
  for (let i = 0; i < o.runs; i++) {
    const t = performance.now();
    check(await listFiles(session), layer);
    result.berthReopenMs.push(performance.now() - t);
  }
  await server.stop();
  result.ratio = median(result.berthCold.wallMs) / median(result.tar.wallMs);
  result.pass = {
    ratio: result.ratio <= RATIO_TARGET,
    warm: median(result.berthWarmMs) <= WARM_TARGET_MS,
    rss: result.peakRssMB <= o.rssTargetMB,
  };
  return result;
}

async function timeTar(layer: BenchLayer, result: ContentsResult): Promise<void> {
  const t0 = performance.now();
  const stderr = await run('/usr/bin/time', ['-f', '%U %S', 'tar', '-tzf', layer.path]);
  result.tar.wallMs.push(performance.now() - t0);
  const [user, sys] = stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
  result.tar.cpuMs.push((user! + sys!) * 1000);
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (c: Buffer) => (err += c.toString()));
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve(err) : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}: ${err}`))));
  });
}

interface FilesAnswer {
  entries: { type: string; size: number }[];
  totalSize: number;
  /** The core's time from the answer's Server-Timing header. */
  coreMs: number;
  bytes: number;
}

/** A logged-in session of the server's API bridge (`--auth none`: the token its start printed). */
interface Session {
  url: string;
  cookie: string;
  csrf: string;
}

async function login(server: Server): Promise<Session> {
  // The login link is printed just after the registry's address: wait for it.
  let token: string | undefined;
  for (const until = Date.now() + 15_000; !token && Date.now() < until; await new Promise((r) => setTimeout(r, 50))) {
    token = /#token=([A-Za-z0-9_-]+)/.exec(server.output())?.[1];
  }
  if (!token) throw new Error(`berth serve printed no login token:\n${server.output()}`);
  const res = await fetch(`${server.url}/_berth/api/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token }) });
  const cookie = res.headers.get('set-cookie')?.split(';')[0];
  const body = (await res.json()) as { csrfToken?: string };
  if (!res.ok || !cookie || !body.csrfToken) throw new Error(`login to the API bridge failed: ${res.status}`);
  return { url: server.url, cookie, csrf: body.csrfToken };
}

/** `contents:files` over the API bridge, as the GUI asks. */
async function listFiles(session: Session): Promise<FilesAnswer> {
  const res = await fetch(`${session.url}/_berth/api/invoke/contents:files`, {
    method: 'POST',
    headers: { Cookie: session.cookie, 'X-Berth-CSRF': session.csrf, 'Content-Type': 'application/json' },
    body: JSON.stringify({ connection: 'local', repository: REPO, reference: 'big' }),
  });
  const text = await res.text();
  const envelope = JSON.parse(text) as { ok: boolean; result?: FilesAnswer; error?: { message: string } };
  if (!envelope.ok) throw new Error(`contents:files failed: ${envelope.error?.message}`);
  const coreMs = Number(/core;dur=([\d.]+)/.exec(res.headers.get('server-timing') ?? '')?.[1] ?? NaN);
  return { ...envelope.result!, coreMs, bytes: Buffer.byteLength(text) };
}

function check(answer: FilesAnswer, layer: BenchLayer): void {
  const files = answer.entries.filter((e) => e.type === 'file');
  const dirs = answer.entries.filter((e) => e.type === 'dir');
  const expectedDirs = Math.ceil(layer.files / 100) + 1;
  if (files.length !== layer.files || dirs.length !== expectedDirs) throw new Error(`contents:files listed ${files.length} files and ${dirs.length} folders; the layer has ${layer.files} and ${expectedDirs}`);
  const bytes = files.reduce((s, f) => s + f.size, 0);
  if (bytes !== answer.totalSize) throw new Error(`contents:files totalSize ${answer.totalSize} is not the sum of its files (${bytes})`);
}

/** The section as README tables: the ratio against tar, reopening, memory. */
export function contentsMarkdownTable(r: ContentsResult): string {
  const ms = (xs: number[]) => median(xs).toFixed(xs.length && median(xs) < 100 ? 1 : 0);
  const ok = (b: boolean) => (b ? 'PASS' : 'FAIL');
  return [
    `| Listing a ${r.layer.compressedMB.toFixed(0)} MB gzip layer (${r.layer.files.toLocaleString('en-US')} files) | Berth | tar -tzf | Ratio (≤ ${r.ratioTarget}x) |`,
    '| --- | ---: | ---: | ---: |',
    `| First listing, wall (ms) | ${ms(r.berthCold.wallMs)} | ${ms(r.tar.wallMs)} | ${r.ratio.toFixed(2)}x ${ok(r.pass.ratio)} |`,
    `| CPU (ms) | ${ms(r.berthCold.cpuMs)} | ${ms(r.tar.cpuMs)} | ${(median(r.berthCold.cpuMs) / median(r.tar.cpuMs)).toFixed(2)}x |`,
    `| Same image again: the server's time (ms, target ≤ ${WARM_TARGET_MS}) | ${ms(r.berthWarmMs)} ${ok(r.pass.warm)} | | |`,
    `| Same image again: round trip with the ${(r.answerBytes / 1e6).toFixed(1)} MB answer (ms) | ${ms(r.berthWarmRoundTripMs)} | | |`,
    `| After a restart, from the listing cache (ms) | ${ms(r.berthReopenMs)} | | |`,
    `| Server peak RSS (MB, target ≤ ${r.rssTargetMB}) | ${r.peakRssMB.toFixed(0)} ${ok(r.pass.rss)} | | |`,
  ].join('\n');
}
