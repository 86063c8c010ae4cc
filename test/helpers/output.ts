import { once } from 'node:events';
import type { RunningBerth } from './berth-server';

/**
 * Waits for a line a running `berth serve` prints after the first URL (its https listener, the
 * "Berth UI:" line): resolves with the match, rejects when the process exits first.
 */
export async function printed(b: RunningBerth, re: RegExp): Promise<RegExpExecArray> {
  for (;;) {
    const m = re.exec(b.output());
    if (m) return m;
    if (b.proc.exitCode !== null) throw new Error(`berth serve exited before printing ${re}:\n${b.output()}`);
    await Promise.race([once(b.proc.stdout!, 'data'), once(b.proc, 'exit')]);
  }
}
