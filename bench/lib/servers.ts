import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { freePort, registry2Config } from '../../test/helpers/registry2';
import { dirname, join, relative, resolve } from 'node:path';
import { request } from './http';

const ROOT = resolve(import.meta.dirname, '../..');

/** A registry server process under test. */
export interface Server {
  /** "berth" or "registry". */
  id: 'berth' | 'registry';
  /** Display name. */
  name: string;
  url: string;
  pid: number;
  /** How it was started, for the report. */
  command: string;
  /** The last lines it printed (for errors). */
  output(): string;
  /** SIGTERM, then SIGKILL after 10 s; resolves when it has exited. */
  stop(): Promise<void>;
}

/** `docker-registry --version`'s version field (e.g. "2.8.2+ds1"), or "unknown". */
export async function registryVersion(): Promise<string> {
  const { execFile } = await import('node:child_process');
  return new Promise((res) => execFile('docker-registry', ['--version'], { timeout: 5_000 }, (err, out) => res(err ? 'unknown' : (out.trim().split(/\s+/).pop() ?? 'unknown'))));
}

/** Is `docker-registry` (Debian's registry:2) on the PATH? */
export function registryInstalled(): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(join(dir, 'docker-registry')));
}

/** The built CLI bundle, when `npm run build:cli` has made one. */

function track(proc: ChildProcess): { output: () => string; exited: Promise<void> } {
  let out = '';
  const keep = (d: Buffer) => (out = (out + d.toString()).slice(-16_384));
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const exited = new Promise<void>((res) => proc.on('exit', () => res()));
  return { output: () => out, exited };
}

function stopper(proc: ChildProcess, exited: Promise<void>): () => Promise<void> {
  return async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
}

/** Where the bench bundles the CLI itself when there is no build (packages resolve from ./node_modules). */
const BENCH_BUNDLE = join(ROOT, 'node_modules/.cache/berth-bench/berth.mjs');

/** How to run Berth: `source` = tsx loader; `bundle` = esbuild the current source now. */
export type BerthMode = 'source' | 'bundle';

/** Bundles src-server/cli.ts with esbuild (dependencies stay external), as a release would ship it. */
let bundled: Promise<string> | undefined;
async function bundleCli(): Promise<string> {
  bundled ??= bundleNow();
  return bundled;
}
async function bundleNow(): Promise<string> {
  const { build } = await import('esbuild');
  mkdirSync(dirname(BENCH_BUNDLE), { recursive: true });
  await build({
    entryPoints: { berth: join(ROOT, 'src-server/cli.ts') },
    outdir: dirname(BENCH_BUNDLE),
    outExtension: { '.js': '.mjs' },
    // As build/build-cli.mjs: the S3 driver and the AWS SDK load only when storage.s3 asks for them.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  // As build/build-cli.mjs: the password-check thread's file beside the bundle. Under node_modules
  // Node looks no further up for a package.json, so this folder says itself that .js is ESM.
  copyFileSync(join(ROOT, 'src-server/auth/bcrypt-worker.js'), join(dirname(BENCH_BUNDLE), 'bcrypt-worker.js'));
  writeFileSync(join(dirname(BENCH_BUNDLE), 'package.json'), '{ "type": "module" }\n');
  return BENCH_BUNDLE;
}

/** Node's arguments that run Berth's CLI in `mode` (for `berth <command>` beside a started server). */
export async function berthEntry(mode: BerthMode): Promise<string[]> {
  return mode === 'source' ? ['--import', 'tsx', join(ROOT, 'src-server/cli.ts')] : [await bundleCli()];
}

/**
 * Starts `berth serve` on a free loopback port, as a single node process (so the pid is the server):
 * the TypeScript source through tsx's loader, or a bundle of it made now with esbuild.
 * The loader adds tens of MB of RSS, so memory figures are only fair for the bundles.
 * `authArgs` choose the access mode (open by default, as registry:2 runs in the bench); `uiDir`
 * serves that folder as the GUI, with the app core (its channels) behind it.
 */
export async function startBerth(dataDir: string, mode: BerthMode, nodeOptions: string[] = [], authArgs: string[] = ['--auth', 'none'], uiDir?: string): Promise<Server> {
  const entry = await berthEntry(mode);
  // The registry alone is measured: no GUI (and no build of it) beside it, unless `uiDir` asks for the
  // app core (the contents section calls it); that folder stands in for the GUI's build.
  const ui = uiDir ? ['--ui', '--ui-dir', uiDir] : ['--no-ui'];
  const args = [...nodeOptions, ...entry, 'serve', '--data', dataDir, '--listen', '127.0.0.1:0', ...ui, ...authArgs];
  const proc = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const { output, exited } = track(proc);
  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`berth serve did not start in 30 s:\n${output()}`)), 30_000);
    proc.stdout!.on('data', () => {
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output());
      if (m) {
        clearTimeout(timer);
        res(m[1]!);
      }
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`berth serve exited with ${code}:\n${output()}`));
    });
  });
  return {
    id: 'berth',
    name: 'Berth',
    url,
    pid: proc.pid!,
    command: `node ${[...nodeOptions, ...entry.map((a) => relative(ROOT, a) || a)].join(' ')} serve`,
    output,
    stop: stopper(proc, exited),
  };
}

/**
 * Starts `docker-registry serve CONFIG` with registry:2's stock settings for the filesystem driver
 * (in-memory blob descriptor cache, as the official image ships) and logging that does not cost time.
 */
export async function startRegistry(dataDir: string, configPath: string): Promise<Server> {
  const port = await freePort();
  writeFileSync(configPath, registry2Config(dataDir, port, { blobDescriptorCache: true }));
  const proc = spawn('docker-registry', ['serve', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  const { output, exited } = track(proc);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`docker-registry exited with ${proc.exitCode}:\n${output()}`);
    const ok = await request(`${url}/v2/`, 'GET', { timeoutMs: 2_000 }).then((r) => r.status === 200, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`docker-registry did not answer in 15 s:\n${output()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { id: 'registry', name: 'registry:2', url, pid: proc.pid!, command: 'docker-registry serve', output, stop: stopper(proc, exited) };
}

/** Peak and current resident memory of a process, in MiB (VmHWM and VmRSS of /proc/PID/status). */
export function memory(pid: number): { peakMiB: number; rssMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { peakMiB: kib('VmHWM') / 1024, rssMiB: kib('VmRSS') / 1024 };
}

/** CPU time (user + system) a process has used so far, in ms (/proc/PID/stat, 100 ticks/s on Linux). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
