import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'src-server/cli.ts');
// `node --import tsx` keeps the server in this very process, so SIGKILL reaches it (the tsx
// launcher would leave its child running).
const NODE_ARGS = ['--import', 'tsx', CLI];

/** A `berth` child process serving on a free loopback port. */
export interface RunningBerth {
  url: string;
  /** host:port, as clients name the registry. */
  host: string;
  dataDir: string;
  proc: ChildProcess;
  /** Everything the process printed so far. */
  output(): string;
  /** SIGTERM and wait for exit; resolves the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait. */
  kill(): Promise<void>;
}

/** Makes a temp folder removed by the returned cleanup. */
export function tempDir(prefix = 'berth-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * `berth serve` serves the GUI by default, and from the sources builds it first when its sources
 * changed: a test that does not ask for the GUI (`--ui`, `--ui-dir`, `--no-ui`) gets `--no-ui`, so
 * that no test waits for a build it does not need.
 */
export function withoutUnaskedGui(args: string[]): string[] {
  if (args[0] !== 'serve' || args.some((a) => a === '--ui' || a === '--no-ui' || a === '--ui-dir')) return args;
  return [...args, '--no-ui'];
}

/** Runs a `berth` command to completion (e.g. `['reindex', '--data', dir]`); `serve` as {@link withoutUnaskedGui} says. */
export function runBerth(args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((res) => {
    const p = spawn(process.execPath, [...NODE_ARGS, ...withoutUnaskedGui(args)], {
      cwd: ROOT, env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.stdin.end(opts.input ?? '');
    p.on('close', (code) => res({ code, stdout, stderr }));
  });
}

/** How a served process is started beyond its arguments and environment. */
export interface ServeLimits {
  /** Soft and hard RLIMIT_NOFILE of the process (started through `prlimit`, which execs it). */
  nofile?: number;
}

/**
 * Runs `berth ARGS` (a serve command) and waits for the URL it prints (http or https). Without the
 * GUI unless ARGS ask for it (see {@link withoutUnaskedGui}).
 */
export async function spawnServe(args: string[], env: NodeJS.ProcessEnv = {}, limits: ServeLimits = {}): Promise<RunningBerth> {
  const argv = [process.execPath, ...NODE_ARGS, ...withoutUnaskedGui(args)];
  if (limits.nofile !== undefined) argv.unshift('prlimit', `--nofile=${limits.nofile}:${limits.nofile}`, '--');
  const proc = spawn(argv[0]!, argv.slice(1), {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((res) => proc.on('exit', (code) => res(code)));
  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`berth serve did not start:\n${out}`)), 30_000);
    proc.stdout!.on('data', () => {
      const m = /Berth registry listening on (https?:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        res(m[1]!);
      }
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`berth serve exited with ${code}:\n${out}`));
    });
  });
  return {
    url,
    host: url.replace(/^https?:\/\//, ''),
    dataDir: args[args.indexOf('--data') + 1] ?? '',
    proc,
    output: () => out,
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (proc.exitCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * Starts `berth serve --data DIR --listen 127.0.0.1:0 [extra]` and waits for the URL it prints.
 * Without an `--auth` or `--config` in `extra` it adds `--auth none`: tests of the registry itself
 * run it open on loopback; tests of access control say which mode they want. Without `--ui` or
 * `--ui-dir` in `extra` it adds `--no-ui`: tests of the GUI ask for it.
 */
export function startBerth(dataDir: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}, limits: ServeLimits = {}): Promise<RunningBerth> {
  const open = extra.includes('--auth') || extra.includes('--config') ? [] : ['--auth', 'none'];
  return spawnServe(['serve', '--data', dataDir, '--listen', '127.0.0.1:0', ...open, ...extra], env, limits);
}

/** A test file's temp folder and the servers it started, all cleaned up after the file's tests. */
export interface BerthWorkspace {
  /** The temp folder (valid once the file's tests run). */
  readonly dir: string;
  /** A new, not yet existing data directory path inside it. */
  fresh(name?: string): string;
  /** {@link startBerth}, remembered so that a failed test leaves no server behind. */
  serve(dataDir: string, extra?: string[], env?: NodeJS.ProcessEnv, limits?: ServeLimits): Promise<RunningBerth>;
}

/** Registers beforeAll/afterAll hooks for a temp folder and the servers started through it. */
export function berthWorkspace(prefix: string): BerthWorkspace {
  let tmp: ReturnType<typeof tempDir> | undefined;
  let n = 0;
  const running: RunningBerth[] = [];
  beforeAll(() => {
    tmp = tempDir(prefix);
  });
  afterAll(async () => {
    await Promise.all(running.map((r) => r.kill()));
    tmp?.cleanup();
  });
  return {
    get dir() {
      return tmp!.dir;
    },
    fresh: (name = 'data') => join(tmp!.dir, `${name}-${++n}`),
    async serve(dataDir, extra, env, limits) {
      const b = await startBerth(dataDir, extra, env, limits);
      running.push(b);
      return b;
    },
  };
}

/** True while a process exists (signal 0 probes without killing). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
