import { readFileSync } from 'node:fs';
import type { RunningBerth } from '../helpers/berth-server';

/** Child pids of a process, from /proc (Linux). */
function children(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** A process and all its descendants, deepest first. */
function tree(pid: number): number[] {
  return [...children(pid).flatMap(tree), pid];
}

/**
 * SIGKILLs the process that really serves: `startBerth` runs the CLI under tsx, which runs it in a
 * child node process, and a SIGKILL to tsx alone (RunningBerth.kill) would leave that child
 * serving. Every descendant gets SIGKILL first, then the launcher; resolves once it has exited.
 */
export async function killServer(berth: RunningBerth): Promise<void> {
  const pid = berth.proc.pid;
  if (pid !== undefined && berth.proc.exitCode === null) {
    for (const p of tree(pid)) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
  await berth.kill();
}

/** Pids of the launcher's descendants (to check that none survives a kill). */
export function descendants(berth: RunningBerth): number[] {
  return berth.proc.pid === undefined ? [] : tree(berth.proc.pid).slice(0, -1);
}

/** True while a pid runs (a zombie waiting to be reaped counts as gone). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}
