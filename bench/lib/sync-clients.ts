/**
 * The sync clients the bench runs, each as a child process under `/usr/bin/time` (its CPU seconds):
 * `skopeo sync` from a YAML source file, `berth sync` from image-syncer's two files, and `berth sync
 * --job` of a sync.yml job whose destination is the local registry (run by the running server).
 * Also the files they read.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';

/** A finished client run. */
export interface ClientRun {
  wallMs: number;
  /** User + system CPU of the client process (and its children), ms. */
  cpuMs: number;
  stdout: string;
  stderr: string;
}

/** The namespace every dataset repository lives in (skopeo's YAML source keeps only the last path component). */
export const SYNC_NAMESPACE = 'sync-bench';

/** Where skopeo keeps its blob-info cache when run as root: replaced by an empty tmpfs for each run. */
const SKOPEO_CACHE = '/var/lib/containers/cache';

/**
 * Runs `cmd args` under `/usr/bin/time`; resolves its wall time and CPU, rejects with its output when
 * it exits non-zero. `wrap` puts a command in front of /usr/bin/time (e.g. unshare).
 */
export function runTimed(cmd: string, args: string[], o: { timeFile: string; cwd?: string; wrap?: string[]; timeoutMs?: number }): Promise<ClientRun> {
  const argv = [...(o.wrap ?? []), '/usr/bin/time', '-f', '%U %S', '-o', o.timeFile, cmd, ...args];
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const proc = spawn(argv[0]!, argv.slice(1), { cwd: o.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-32_768)));
    const timer = setTimeout(() => proc.kill('SIGKILL'), o.timeoutMs ?? 900_000);
    proc.on('error', reject);
    proc.on('exit', (code, signal) => {
      const wallMs = performance.now() - t0;
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`${cmd} ${args.join(' ')} exited with ${code ?? signal}:\n${stderr.slice(-4000)}\n${stdout.slice(-2000)}`));
      const times = existsSync(o.timeFile) ? readFileSync(o.timeFile, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number) : [NaN, NaN];
      resolve({ wallMs, cpuMs: (times[0]! + times[1]!) * 1000, stdout, stderr });
    });
  });
}

/** skopeo's YAML source: every tag of every repository of `sourceHost`, over plain HTTP. */
export function writeSkopeoSource(file: string, sourceHost: string, repositories: readonly string[]): void {
  writeFileSync(file, stringify({ [sourceHost]: { 'tls-verify': false, images: Object.fromEntries(repositories.map((r) => [r, []])) } }));
}

/** Runs `skopeo sync` of the YAML source into `destHost`, the repositories keeping their names. */
export async function skopeoSync(o: { sourceFile: string; destHost: string; tmp: string; timeFile: string }): Promise<ClientRun> {
  mkdirSync(o.tmp, { recursive: true });
  // As root, skopeo keeps a blob-info cache in /var/lib/containers/cache: give each run an empty
  // one of its own (a private mount namespace), so runs are independent and nothing leaks out.
  const isolate = process.getuid?.() === 0 && existsSync('/usr/bin/unshare');
  if (isolate) mkdirSync(SKOPEO_CACHE, { recursive: true });
  const wrap = isolate ? ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', `mount -t tmpfs tmpfs ${SKOPEO_CACHE} && exec "$@"`, 'sh'] : [];
  const args = ['--tmpdir', o.tmp, 'sync', '--src', 'yaml', '--dest', 'docker', '--all', '--preserve-digests', '--dest-tls-verify=false', o.sourceFile, `${o.destHost}/${SYNC_NAMESPACE}`];
  return runTimed('skopeo', args, { timeFile: o.timeFile, wrap });
}

/** image-syncer's auth file (both hosts over plain HTTP, anonymous) and images file (each repository, all tags). */
export function writeImageSyncerFiles(dir: string, sourceHost: string, destHost: string, repositories: readonly string[]): { auth: string; images: string } {
  mkdirSync(dir, { recursive: true });
  const auth = join(dir, 'auth.yaml');
  const images = join(dir, 'images.yaml');
  writeFileSync(auth, stringify({ [sourceHost]: { insecure: true }, [destHost]: { insecure: true } }));
  writeFileSync(images, stringify(Object.fromEntries(repositories.map((r) => [`${sourceHost}/${r}`, `${destHost}/${r}`]))));
  return { auth, images };
}

/** The sync.yml job copying every `sync-bench/*` repository of `sourceHost` into the local registry. */
export function localJob(name: string, sourceHost: string): Record<string, unknown> {
  return { name, source: { host: sourceHost, insecure: true, repositories: [`${SYNC_NAMESPACE}/*`] }, destination: { connection: 'local' } };
}

/** Writes `<data>/berth/sync.yml` holding `jobs`. */
export function writeSyncYml(dataDir: string, jobs: Record<string, unknown>[]): string {
  const file = join(dataDir, 'berth', 'sync.yml');
  mkdirSync(join(dataDir, 'berth'), { recursive: true });
  writeFileSync(file, stringify({ jobs }));
  return file;
}

/** What `berth sync --json` prints (the fields the bench reads). */
export interface BerthSyncSummary {
  copied: number;
  skipped: number;
  failed: number;
  bytes: number;
  durationMs: number;
  failures: { image: string; message: string }[];
}

/** Runs `berth sync ARGS --json --data DATA` (node with `entry`); its run and parsed summary. */
export async function berthSync(entry: string[], dataDir: string, args: string[], timeFile: string): Promise<ClientRun & { summary: BerthSyncSummary }> {
  const run = await runTimed(process.execPath, [...entry, 'sync', ...args, '--json', '--data', dataDir], { timeFile });
  let summary: BerthSyncSummary;
  try {
    summary = JSON.parse(run.stdout) as BerthSyncSummary;
  } catch {
    throw new Error(`berth sync printed no JSON summary:\n${run.stdout.slice(0, 2000)}\n${run.stderr.slice(-2000)}`);
  }
  return { ...run, summary };
}

/** `skopeo --version`'s version, or "not installed". */
export function skopeoVersion(): Promise<string> {
  return new Promise((res) => execFile('skopeo', ['--version'], { timeout: 5_000 }, (err, out) => res(err ? 'not installed' : (out.trim().split(/\s+/).pop() ?? 'unknown'))));
}
