/** registry:2's offline collector, timed: wall time and the CPU time of the `docker-registry` process. */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { REGISTRY2_BIN, registry2Config } from '../../test/helpers/registry2';

/** What one `docker-registry garbage-collect` took. */
export interface Registry2GcRun {
  wallMs: number;
  /** User + system CPU of the collector process, ms. */
  cpuMs: number;
  output: string;
}

/**
 * Runs `docker-registry garbage-collect [flags] CONFIG` over `dataDir` (registry:2 stopped: its only
 * mode). It runs under bash so that `times` can report the child's CPU time once it has exited,
 * which Node's child_process does not give.
 */
export function registry2Gc(dataDir: string, configDir: string, flags: string[]): Promise<Registry2GcRun> {
  const configFile = join(configDir, 'registry2-gc.yml');
  writeFileSync(configFile, registry2Config(dataDir, 0));
  // REGISTRY_* variables would override the config.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('REGISTRY_')));
  const script = `"${REGISTRY2_BIN}" garbage-collect "$@"; rc=$?; times >&2; exit $rc`;
  return new Promise((res, rej) => {
    const t0 = performance.now();
    const proc = spawn('bash', ['-c', script, 'bash', ...flags, configFile], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => proc.kill('SIGKILL'), 600_000);
    proc.on('exit', (code) => {
      const wallMs = performance.now() - t0;
      clearTimeout(timer);
      if (code !== 0) return rej(new Error(`docker-registry garbage-collect exited with ${code}:\n${(out + err).slice(-2000)}`));
      const cpuMs = childCpuMs(err);
      if (cpuMs === null) return rej(new Error(`no CPU times from bash's times in:\n${err.slice(-500)}`));
      res({ wallMs, cpuMs, output: out + err });
    });
  });
}

/**
 * The children's user + system CPU time, ms, from what bash's `times` printed last (the shell's
 * times, then its children's), or null when it is not there.
 */
export function childCpuMs(stderr: string): number | null {
  const m = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/.exec(stderr);
  return m ? (Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4])) * 1000 : null;
}
