import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SyncRunRecord } from '../contract';
import { MAX_RECORD_FAILURES, SyncHistory } from './history';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sync-history-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const record = (i: number, jobs = ['a']): SyncRunRecord => ({
  id: `run-${i}`,
  jobs,
  trigger: 'cli',
  dryRun: false,
  startedAt: new Date(i * 1000).toISOString(),
  endedAt: new Date(i * 1000 + 10).toISOString(),
  durationMs: 10,
  copied: i,
  skipped: 0,
  failed: 0,
  bytes: 0,
  outcome: 'done',
  failures: Array.from({ length: 30 }, (_, k) => ({ job: 'a', image: `x:${k}`, code: 'UNREACHABLE', message: 'm' })),
});

describe('the sync history', () => {
  it('keeps the newest runs within its bound, newest first, and bounds failures', () => {
    const h = new SyncHistory(join(dir, 'h.jsonl'), 5);
    for (let i = 1; i <= 8; i++) h.add(record(i, i % 2 ? ['a'] : ['b']));
    expect(h.list().map((r) => r.id)).toEqual(['run-8', 'run-7', 'run-6', 'run-5', 'run-4']);
    expect(h.list({ job: 'b', limit: 2 }).map((r) => r.id)).toEqual(['run-8', 'run-6']);
    expect(h.list()[0]!.failures).toHaveLength(MAX_RECORD_FAILURES);
    expect(readFileSync(join(dir, 'h.jsonl'), 'utf8').trim().split('\n')).toHaveLength(5);
    expect(h.lastRuns().get('a')?.id).toBe('run-7');
  });

  it('passes over a line cut by a crash', () => {
    const file = join(dir, 'h.jsonl');
    const h = new SyncHistory(file);
    h.add(record(1));
    appendFileSync(file, '{"id": "run-2", "jobs": [');
    const again = new SyncHistory(file);
    expect(again.list().map((r) => r.id)).toEqual(['run-1']);
  });
});
