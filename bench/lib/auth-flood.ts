import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectStatus, request } from './http';
import { MANIFEST_ACCEPT, pushTinyImage } from './ops';
import { median } from './report';
import { cpuMs, startBerth, type BerthMode, type Server } from './servers';
import { AUTH_USER, writeUsers } from './auth-workload';

const REPO = 'bench/flood';
/** The issue's target: a verified user's request stays under 100 ms during the flood. */
export const FLOOD_TARGET_MS = 100;
/** The issue's flood: 100 wrong guesses from 10 addresses. */
const GUESSES = 100;
const ADDRESSES = 10;
/** The verified user's pace: one manifest GET every 10 ms. */
const PACE_MS = 10;

/** Latency of the verified user's manifest GETs, ms. */
export interface LatencyStats {
  requests: number;
  p50: number;
  p99: number;
  max: number;
}

/** One flood: the verified user's latency during it, and what the guesses got. */
export interface FloodRun {
  during: LatencyStats;
  /** From the first guess sent to the last answered, ms. */
  floodMs: number;
  /** How the guesses were answered (status code to count). */
  answers: Record<string, number>;
  /** Server CPU per guess over the flood, ms. */
  cpuPerGuessMs: number;
}

/** The auth-flood section's result. */
export interface AuthFloodResult {
  guesses: number;
  addresses: number;
  idle: LatencyStats;
  /** Server CPU per verified manifest GET while idle, µs. */
  idleCpuPerRequestUs: number;
  runs: FloodRun[];
  /** The worst run by p99 latency (the one PASS/FAIL is decided on). */
  worst: FloodRun | null;
  targetMs: number;
  pass: boolean;
  error?: string;
}

/** What {@link authFloodBench} needs from the main bench. */
export interface AuthFloodOptions {
  tmp: string;
  berthMode: BerthMode;
  nodeOptions: string[];
  runs: number;
  say: (msg: string) => void;
  /** Called with the server as it starts, so the caller stops it even if the bench throws. */
  started: (s: Server) => void;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function stats(ms: number[]): LatencyStats {
  const s = [...ms].sort((a, b) => a - b);
  return { requests: s.length, p50: percentile(s, 50), p99: percentile(s, 99), max: s.at(-1) ?? NaN };
}

/** One wrong guess, on its own connection, from `address` as the trusted proxy says. */
function guess(base: string, address: string, user: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const auth = `Basic ${Buffer.from(`${user}:${randomBytes(9).toString('base64url')}`).toString('base64')}`;
    const req = http.request(`${base}/v2/`, { agent: false, headers: { Authorization: auth, 'X-Forwarded-For': address } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.setTimeout(120_000, () => req.destroy(new Error('guess timed out')));
    req.on('error', reject);
    req.end();
  });
}

/**
 * A flood of wrong passwords against Berth with Basic auth while a user whose password the server
 * has verified keeps pulling a manifest. Berth trusts 127.0.0.1 as a reverse proxy
 * (`http.trustedproxies`), so X-Forwarded-For gives the guesses their 10 addresses. Each run sends
 * the 100 guesses at once, each at a different user name (none exists, so every one that gets
 * through the throttle costs a bcrypt compare at the users' cost, 10), with new addresses per run;
 * the verified user's manifest GETs go one after another until the last guess is answered. Reports
 * that user's latency idle and during each flood, how the guesses were answered, and server CPU per
 * guess; PASS when the worst run's p99 stays under 100 ms (the maximum is reported beside it).
 */
export async function authFloodBench(o: AuthFloodOptions): Promise<AuthFloodResult> {
  const result: AuthFloodResult = {
    guesses: GUESSES,
    addresses: ADDRESSES,
    idle: stats([]),
    idleCpuPerRequestUs: NaN,
    runs: [],
    worst: null,
    targetMs: FLOOD_TARGET_MS,
    pass: false,
  };
  let server: Server | undefined;
  try {
    const dir = join(o.tmp, 'auth-flood');
    mkdirSync(dir, { recursive: true });
    const password = randomBytes(12).toString('base64url');
    await writeUsers(dir, password);
    const config = join(o.tmp, 'auth-flood.yml');
    writeFileSync(config, 'http:\n  trustedproxies: [127.0.0.1/32]\n');
    server = await startBerth(dir, o.berthMode, o.nodeOptions, ['--config', config, '--auth', 'basic']);
    o.started(server);
    o.say(`Berth (auth flood): ${server.url} (pid ${server.pid})`);
    const basic = { Authorization: `Basic ${Buffer.from(`${AUTH_USER}:${password}`).toString('base64')}` };
    await pushTinyImage(server.url, REPO, 'latest', basic);
    const url = `${server.url}/v2/${REPO}/manifests/latest`;
    const pull = async (): Promise<number> => {
      const t = performance.now();
      expectStatus(await request(url, 'GET', { headers: { ...basic, Accept: MANIFEST_ACCEPT } }), 200, 'verified manifest GET');
      return performance.now() - t;
    };
    // A client pulling steadily (one request every PACE_MS), not a hot loop that would take a core
    // of this 2-core machine from the server it measures.
    const pacedPull = async (): Promise<number> => {
      const ms = await pull();
      if (ms < PACE_MS) await new Promise((r) => setTimeout(r, PACE_MS - ms));
      return ms;
    };
    // Untimed warm-up of the JIT and of the verified-password cache.
    for (let i = 0; i < 200; i++) await pull();

    const idle: number[] = [];
    const cpu0 = cpuMs(server.pid);
    for (let i = 0; i < 500; i++) idle.push(await pacedPull());
    result.idleCpuPerRequestUs = ((cpuMs(server.pid) - cpu0) * 1000) / idle.length;
    result.idle = stats(idle);
    o.say(`  idle: p50 ${result.idle.p50.toFixed(2)} ms, p99 ${result.idle.p99.toFixed(2)} ms, max ${result.idle.max.toFixed(2)} ms`);

    for (let r = 0; r < o.runs; r++) {
      const during: number[] = [];
      const cpuStart = cpuMs(server.pid);
      const t0 = performance.now();
      let done = false;
      const guesses = Promise.all(
        Array.from({ length: GUESSES }, (_, i) => guess(server!.url, `198.51.${100 + r}.${(i % ADDRESSES) + 1}`, `guess-${r}-${i}`)),
      ).finally(() => (done = true));
      while (!done) during.push(await pacedPull());
      const statuses = await guesses;
      const floodMs = performance.now() - t0;
      const answers: Record<string, number> = {};
      for (const s of statuses) answers[s] = (answers[s] ?? 0) + 1;
      if (statuses.some((s) => s !== 401 && s !== 429)) throw new Error(`guesses answered ${JSON.stringify(answers)}, expected only 401 and 429`);
      const run: FloodRun = { during: stats(during), floodMs, answers, cpuPerGuessMs: (cpuMs(server.pid) - cpuStart) / GUESSES };
      result.runs.push(run);
      o.say(
        `  run ${r + 1}: flood answered in ${(floodMs / 1000).toFixed(1)} s (${Object.entries(answers).map(([k, v]) => `${v}× ${k}`).join(', ')}); ` +
          `verified user: ${run.during.requests} requests, p50 ${run.during.p50.toFixed(2)} ms, p99 ${run.during.p99.toFixed(2)} ms, max ${run.during.max.toFixed(2)} ms`,
      );
    }
    // p99, not the single slowest request: on a shared machine the OS alone holds a process back for
    // 50-100 ms now and then (seen idle too, and in the server's own event-loop delay without a flood).
    result.worst = result.runs.reduce<FloodRun | null>((w, run) => (!w || run.during.p99 > w.during.p99 ? run : w), null);
    result.pass = result.worst !== null && result.worst.during.p99 < FLOOD_TARGET_MS;
  } catch (e) {
    result.error = (e as Error).message;
    o.say(`  auth flood: FAILED: ${result.error.split('\n')[0]}${server ? `\n--- last server output ---\n${server.output().slice(-2000)}` : ''}`);
  }
  return result;
}

const HEAD = ['Verified user during a flood (Berth only)', 'p50', 'p99', 'max', 'Idle p50 / p99 / max', 'Guesses answered', 'Server CPU per guess', 'Target', 'Result'];
const ms = (x: number) => (Number.isNaN(x) ? 'n/a' : `${x.toFixed(x >= 10 ? 0 : 1)} ms`);

function cells(r: AuthFloodResult): string[] {
  const w = r.worst;
  return [
    `Manifest GET with verified Basic credentials while ${r.guesses} wrong guesses come from ${r.addresses} addresses (worst of ${r.runs.length} run(s) by p99)`,
    w ? ms(w.during.p50) : 'error',
    w ? ms(w.during.p99) : 'error',
    w ? ms(w.during.max) : 'error',
    `${ms(r.idle.p50)} / ${ms(r.idle.p99)} / ${ms(r.idle.max)}`,
    w ? `${Object.entries(w.answers).map(([k, v]) => `${v}× ${k}`).join(', ')} in ${(w.floodMs / 1000).toFixed(1)} s` : 'n/a',
    w ? `${median(r.runs.map((x) => x.cpuPerGuessMs)).toFixed(0)} ms` : 'n/a',
    `p99 < ${r.targetMs} ms`,
    r.pass ? 'PASS' : 'FAIL',
  ];
}

/** A fixed-width table of the flood row for the terminal. */
export function authFloodTextTable(r: AuthFloodResult): string {
  const all = [HEAD, cells(r)];
  const widths = HEAD.map((_, i) => Math.max(...all.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(HEAD), widths.map((w) => '-'.repeat(w)).join('  '), line(cells(r))].join('\n');
}

/** The flood row in Markdown, for the README. */
export function authFloodMarkdownTable(r: AuthFloodResult): string {
  const line = (row: string[]) => `| ${row.join(' | ')} |`;
  return [line(HEAD), line(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', ':---:']), line(cells(r))].join('\n');
}
