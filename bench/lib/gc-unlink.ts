/**
 * The "unlink" baseline of the GC section: on a fresh copy of the dataset, `rm -rf` of exactly the
 * folders a collection deleting untagged manifests removes (blob folders, `_layers` links, manifest
 * revision links, tag-history entries), in one `xargs` run, timed as the collectors are: wall time
 * from spawn to exit, and the CPU time of the processes doing the work.
 */
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { childCpuMs } from './gc-registry2';

/** What removing the files took. */
export interface UnlinkRun {
  wallMs: number;
  /** User + system CPU of the `xargs` and `rm` processes, ms. */
  cpuMs: number;
}

/** Removes `paths` (relative to `root`) with `xargs rm -rf`, the list read from `listFile`. */
export function unlinkPaths(root: string, paths: readonly string[], listFile: string): Promise<UnlinkRun> {
  writeFileSync(listFile, `${paths.join('\n')}\n`);
  const script = 'cd "$1" && xargs -d "\\n" -a "$2" rm -rf --; rc=$?; times >&2; exit $rc';
  return new Promise((res, rej) => {
    const t0 = performance.now();
    const proc = spawn('bash', ['-c', script, 'bash', root, listFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    proc.stderr.on('data', (d) => (err += d));
    proc.on('exit', (code) => {
      const wallMs = performance.now() - t0;
      if (code !== 0) return rej(new Error(`xargs rm -rf exited with ${code}:\n${err.slice(-2000)}`));
      const cpuMs = childCpuMs(err);
      if (cpuMs === null) return rej(new Error(`no CPU times from bash's times in:\n${err.slice(-500)}`));
      res({ wallMs, cpuMs });
    });
  });
}

/** Throws unless every one of `paths` (relative to `root`) is gone: what the dataset says a collection removes. */
export function verifyRemoved(who: string, root: string, paths: readonly string[]): void {
  const left = paths.filter((p) => existsSync(join(root, p)));
  if (left.length > 0) throw new Error(`${who} left ${left.length} of the ${paths.length} folders a collection must remove, e.g. ${left.slice(0, 3).join(', ')}`);
}
