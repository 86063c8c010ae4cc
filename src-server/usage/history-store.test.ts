import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageHistoryStore, type HistoryRow } from './history-store';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function open(): { store: UsageHistoryStore; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'berth-history-'));
  dirs.push(dir);
  const file = join(dir, 'usage-history.db');
  return { store: new UsageHistoryStore(file), file };
}
const row = (day: string, at: number, stored: number): HistoryRow => ({ day, at, stored, repositories: 1, manifests: 2, blobs: 3 });

describe('UsageHistoryStore', () => {
  it('keeps one row per day: the measurement taken last wins, whatever order they are written in', () => {
    const { store } = open();
    store.record(row('2026-03-01', 100, 1000));
    store.record(row('2026-03-01', 300, 3000));
    // Started earlier, finished later: must not replace the later measurement.
    store.record(row('2026-03-01', 200, 2000));
    store.record(row('2026-03-02', 400, 4000));
    expect(store.since('2026-01-01')).toEqual([row('2026-03-01', 300, 3000), row('2026-03-02', 400, 4000)]);
    expect(store.has('2026-03-02')).toBe(true);
    expect(store.has('2026-03-03')).toBe(false);
    store.close();
  });

  it('reads from a day on, oldest first, and prunes older days', () => {
    const { store } = open();
    for (const d of ['2026-03-05', '2026-03-01', '2026-03-03']) store.record(row(d, 1, 1));
    expect(store.since('2026-03-02').map((r) => r.day)).toEqual(['2026-03-03', '2026-03-05']);
    expect(store.pruneBefore('2026-03-03')).toBe(1);
    expect(store.since('2000-01-01').map((r) => r.day)).toEqual(['2026-03-03', '2026-03-05']);
    store.close();
  });

  it('is a file that outlives its process: reopened, the rows are there', () => {
    const { store, file } = open();
    store.record(row('2026-03-01', 5, 55));
    store.close();
    const again = new UsageHistoryStore(file);
    expect(again.since('2026-01-01')).toEqual([row('2026-03-01', 5, 55)]);
    again.close();
  });
});
