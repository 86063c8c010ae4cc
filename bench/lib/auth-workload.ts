import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expectStatus, request } from './http';
import { wrkGet } from './load';
import { MANIFEST_ACCEPT, checkManifest, pushTinyImage, type TinyImage } from './ops';
import { median } from './report';
import { cpuMs, startBerth, type BerthMode, type Server } from './servers';
import type { Sizes } from './workloads';

const run = promisify(execFile);
const REPO = 'bench/manifest';
/** The user the auth sections log in as. */
export const AUTH_USER = 'bench';
/** The issue's target: authenticated manifest GET throughput at least 80% of anonymous. */
export const AUTH_TARGET = 0.8;

/** One side (anonymous or authenticated) of an auth row. */
export interface AuthSide {
  samples: number[];
  /** Server CPU per request, µs (despite the name, kept like report.ts's Side). */
  cpuMs: number[];
  median: number;
  error?: string;
}

/** Authenticated vs anonymous manifest GET throughput, both on Berth. */
export interface AuthRow {
  id: string;
  title: string;
  unit: string;
  anonymous: AuthSide;
  authenticated: AuthSide;
  /** authenticated / anonymous, or null when a side failed. */
  ratio: number | null;
  target: number;
  pass: boolean;
}

/** What {@link authBench} needs from the main bench. */
export interface AuthBenchOptions {
  tmp: string;
  berthMode: BerthMode;
  nodeOptions: string[];
  sizes: Sizes;
  runs: number;
  say: (msg: string) => void;
  /** Called with each server as it starts, so the caller stops it even if the bench throws. */
  started: (s: Server) => void;
}

/** How one server is reached: its Authorization header (fresh per sample for tokens). */
interface Target {
  name: string;
  server: Server;
  /** The header for pulls, or (`push`) for pushing the image. */
  authorization: (push?: boolean) => Promise<string | undefined>;
  side: Omit<AuthSide, 'median'>;
}

/** Parses `Bearer realm="...",service="...",scope="..."` into its parameters. */
function challengeParams(header: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of header.matchAll(/(\w+)="([^"]*)"/g)) out[m[1]!] = m[2]!;
  return out;
}

/** Gets a token for REPO the way a client does: 401 challenge on /v2/, then the realm with Basic. */
async function fetchToken(base: string, basic: string, actions: string): Promise<string> {
  const ping = await request(`${base}/v2/`, 'GET');
  const challenge = String(ping.headers['www-authenticate'] ?? '');
  if (ping.status !== 401 || !/^Bearer /i.test(challenge)) throw new Error(`GET /v2/ without a token: ${ping.status} ${challenge}, expected 401 with a Bearer challenge`);
  const { realm, service } = challengeParams(challenge);
  if (!realm) throw new Error(`Bearer challenge without realm: ${challenge}`);
  const url = new URL(realm, base);
  if (service) url.searchParams.set('service', service);
  url.searchParams.set('scope', `repository:${REPO}:${actions}`);
  const reply = expectStatus(await request(url, 'GET', { headers: { Authorization: basic } }), 200, 'GET token');
  const body = JSON.parse(reply.body.toString('utf8')) as { token?: string; access_token?: string };
  const token = body.token ?? body.access_token;
  if (!token) throw new Error(`token endpoint answered no token: ${reply.body.toString('utf8').slice(0, 200)}`);
  return token;
}

/** Writes `<data>/berth/htpasswd` with `htpasswd -nbB` and an access file giving the user push (so pull) on bench/*. */
export async function writeUsers(dataDir: string, password: string): Promise<void> {
  const { stdout } = await run('htpasswd', ['-nbB', '-C', '10', AUTH_USER, password], { timeout: 30_000 });
  mkdirSync(join(dataDir, 'berth'), { recursive: true });
  writeFileSync(join(dataDir, 'berth/htpasswd'), `${stdout.trim()}\n`, { mode: 0o600 });
  writeFileSync(join(dataDir, 'berth/access.yml'), `users:\n  ${AUTH_USER}: "push@bench/*"\n`);
}

/** Pushes the tiny image and proves the server's mode: 401 without credentials when auth is on. */
async function prepare(t: Target, secured: boolean): Promise<TinyImage> {
  const pushAuth = await t.authorization(true);
  const image = await pushTinyImage(t.server.url, REPO, 'latest', pushAuth ? { Authorization: pushAuth } : {});
  const pullAuth = await t.authorization();
  await checkManifest(t.server.url, REPO, 'latest', image, pullAuth ? { Authorization: pullAuth } : {});
  if (secured) {
    const anon = await request(`${t.server.url}/v2/${REPO}/manifests/latest`, 'GET', { headers: { Accept: MANIFEST_ACCEPT } });
    if (anon.status !== 401) throw new Error(`anonymous manifest GET on ${t.name}: ${anon.status}, expected 401 (is auth on?)`);
  }
  return image;
}

async function load(t: Target, sizes: Sizes, seconds: number) {
  const authorization = await t.authorization();
  const r = await wrkGet({
    url: `${t.server.url}/v2/${REPO}/manifests/latest`,
    connections: sizes.connections,
    seconds,
    headers: { Accept: MANIFEST_ACCEPT, ...(authorization ? { Authorization: authorization } : {}) },
  });
  // A refused request (401/403/429) is a non-2xx answer: the figure only counts when all were served.
  if (r.errors > 0) throw new Error(`wrk GET on ${t.name}: ${r.errors} errors or non-2xx answers of ${r.requests}`);
  return r.requestsPerSec;
}

/**
 * Manifest GET by tag at `sizes.connections` connections with wrk against Berth with auth off, with
 * Basic auth (htpasswd made by `htpasswd -nbB`, a bcrypt cost of 10), and with Bearer tokens from
 * Berth's /token when `--auth token` starts. Each mode is its own fresh Berth process, warmed up
 * the same way; runs alternate which goes first. Returns one row per authenticated mode.
 */
export async function authBench(o: AuthBenchOptions): Promise<{ rows: AuthRow[]; failures: string[] }> {
  const password = randomBytes(12).toString('base64url');
  const basic = `Basic ${Buffer.from(`${AUTH_USER}:${password}`).toString('base64')}`;
  const failures: string[] = [];
  const start = async (name: string, auth: string[], withUsers: boolean) => {
    const dir = join(o.tmp, `auth-${name.replace(/\W+/g, '-')}`);
    mkdirSync(dir, { recursive: true });
    if (withUsers) await writeUsers(dir, password);
    const server = await startBerth(dir, o.berthMode, o.nodeOptions, auth);
    o.started(server);
    o.say(`Berth (${name}): ${server.url} (pid ${server.pid})`);
    return server;
  };
  const side = () => ({ samples: [], cpuMs: [] });
  const targets: Target[] = [];
  try {
    targets.push({ name: 'auth none', server: await start('auth none', ['--auth', 'none'], false), authorization: async () => undefined, side: side() });
    targets.push({ name: 'Basic auth', server: await start('Basic auth', ['--auth', 'basic'], true), authorization: async () => basic, side: side() });
  } catch (e) {
    return { rows: [], failures: [`auth bench: ${(e as Error).message}`] };
  }
  try {
    const server = await start('Bearer token', ['--auth', 'token'], true);
    targets.push({ name: 'Bearer token', server, authorization: async (push) => `Bearer ${await fetchToken(server.url, basic, push ? 'pull,push' : 'pull')}`, side: side() });
  } catch (e) {
    o.say(`Bearer token row left out: berth serve --auth token did not start (${(e as Error).message.split('\n').slice(0, 2).join(' ')})`);
  }

  const fail = (t: Target, e: unknown) => {
    t.side.error = (e as Error).message;
    failures.push(`auth bench on ${t.name}: ${t.side.error}\n--- last server output ---\n${t.server.output().slice(-2000)}`);
    o.say(`  ${t.name}: FAILED: ${t.side.error.split('\n')[0]}`);
  };
  for (const t of targets) {
    try {
      await prepare(t, t.name !== 'auth none');
      await load(t, o.sizes, 1); // untimed warm-up of the JIT and the verified-password cache
    } catch (e) {
      fail(t, e);
    }
  }
  for (let r = 0; r < o.runs; r++) {
    for (const t of r % 2 === 0 ? targets : [...targets].reverse()) {
      if (t.side.error) continue;
      const cpu0 = cpuMs(t.server.pid);
      try {
        const value = await load(t, o.sizes, o.sizes.wrkSeconds);
        t.side.samples.push(value);
        // Server CPU per request, µs.
        t.side.cpuMs.push(((cpuMs(t.server.pid) - cpu0) * 1000) / Math.max(1, value * o.sizes.wrkSeconds));
        o.say(`  run ${r + 1} ${t.name.padEnd(12)} ${value.toFixed(1)} req/s`);
      } catch (e) {
        fail(t, e);
      }
    }
  }

  const summed = (s: Omit<AuthSide, 'median'>): AuthSide => ({ ...s, median: median(s.samples) });
  const anonymous = summed(targets[0]!.side);
  const rows = targets.slice(1).map((t): AuthRow => {
    const authenticated = summed(t.side);
    const ratio = anonymous.error || authenticated.error ? null : authenticated.median / anonymous.median;
    return {
      id: `manifest-get-${t.name === 'Basic auth' ? 'basic' : 'token'}`,
      title: `Manifest GET by tag, ${o.sizes.connections} connections, ${t.name} (wrk)`,
      unit: 'req/s',
      anonymous,
      authenticated,
      ratio,
      target: AUTH_TARGET,
      pass: ratio !== null && ratio >= AUTH_TARGET,
    };
  });
  return { rows, failures };
}

const num = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const HEAD = ['Workload (Berth only)', 'Authenticated', 'Anonymous (auth none)', 'Authenticated / anonymous', 'Target', 'Result'];
const cells = (r: AuthRow): string[] => [
  r.title,
  r.authenticated.error ? 'error' : `${num(r.authenticated.median)} ${r.unit}`,
  r.anonymous.error ? 'error' : `${num(r.anonymous.median)} ${r.unit}`,
  r.ratio === null ? 'n/a' : `${(r.ratio * 100).toFixed(0)}%`,
  `≥ ${r.target * 100}%`,
  r.pass ? 'PASS' : 'FAIL',
];

/** A fixed-width table of the auth rows for the terminal. */
export function authTextTable(rows: AuthRow[]): string {
  const all = [HEAD, ...rows.map(cells)];
  const widths = HEAD.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(HEAD), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(cells).map(line)].join('\n');
}

/** The auth rows in Markdown, for the README. */
export function authMarkdownTable(rows: AuthRow[]): string {
  const line = (r: string[]) => `| ${r.join(' | ')} |`;
  return [line(HEAD), line(['---', '---:', '---:', '---:', '---:', ':---:']), ...rows.map(cells).map(line)].join('\n');
}
