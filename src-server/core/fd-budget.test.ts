import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_NOFILE, FdBudget, fdBudgetSizes, processNofileLimit, softNofileLimit } from './fd-budget';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max stack size            8388608              unlimited            bytes
Max processes             96367                96367                processes
Max open files            1024                 524288               files
Max locked memory         8388608              8388608              bytes
`;

const total = (s: ReturnType<typeof fdBudgetSizes>) => s.reserve + s.brief + s.reads + s.writes + s.connections;

describe('softNofileLimit', () => {
  it('reads the soft limit of open files from /proc/self/limits text', () => {
    expect(softNofileLimit(LIMITS)).toBe(1024);
  });

  it('is null without such a line, or when it is unlimited', () => {
    expect(softNofileLimit('Limit Soft Hard Units\nMax processes 1 1 processes\n')).toBeNull();
    expect(softNofileLimit(LIMITS.replace('1024                 524288', 'unlimited            unlimited'))).toBeNull();
    expect(softNofileLimit('')).toBeNull();
  });
});

describe('processNofileLimit', () => {
  it('falls back to the default where the limits cannot be read', () => {
    expect(
      processNofileLimit(() => {
        throw Object.assign(new Error('no /proc here'), { code: 'ENOENT' });
      }),
    ).toBe(DEFAULT_NOFILE);
    expect(processNofileLimit(() => 'nothing useful')).toBe(DEFAULT_NOFILE);
    expect(processNofileLimit(() => LIMITS)).toBe(1024);
  });

  it('is the limit a process was started with', () => {
    const script = `const m = await import(${JSON.stringify(resolve(import.meta.dirname, 'fd-budget.ts'))}); console.log(m.processFdBudget().sizes.limit);`;
    const run = spawnSync('prlimit', ['--nofile=300:300', process.execPath, '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('300');
  });
});

describe('fdBudgetSizes', () => {
  it('shares 1024 descriptors out without exceeding them', () => {
    const s = fdBudgetSizes(1024);
    expect(total(s)).toBeLessThanOrEqual(1024);
    expect(s.reserve).toBeGreaterThanOrEqual(64);
    expect(s.connections).toBeGreaterThanOrEqual(200);
    expect(s.reads).toBe(s.connections);
    expect(s.writes).toBe(s.connections);
  });

  it('stays within small and large limits, with room for everything', () => {
    for (const limit of [16, 64, 256, 4096, 65_536, 1_048_576]) {
      const s = fdBudgetSizes(limit);
      expect(total(s), `limit ${limit}`).toBeLessThanOrEqual(limit);
      expect(Math.min(s.brief, s.reads, s.writes, s.connections), `limit ${limit}`).toBeGreaterThanOrEqual(1);
      expect(s.reserve, `limit ${limit}`).toBeLessThanOrEqual(1024);
      expect(s.brief, `limit ${limit}`).toBeLessThanOrEqual(128);
    }
  });

  it('makes a budget whose slots have those sizes', () => {
    const b = FdBudget.forLimit(1024);
    expect([b.brief.size, b.reads.size, b.writes.size, b.connections.size]).toEqual([
      b.sizes.brief,
      b.sizes.reads,
      b.sizes.writes,
      b.sizes.connections,
    ]);
  });
});
