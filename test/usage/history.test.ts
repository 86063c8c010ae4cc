/**
 * The usage history in a serving process, with real services (real disk, real SQLite, the real Koa
 * app on loopback) and a clock the test moves: a point at start when the day has none, one at the
 * start of every UTC day, one after each garbage collection replacing the day's, one row per day,
 * bounded retention, the `usage:history` and `usage:repositories` channels, timers stopped on
 * close, and `berth reindex` keeping the file.
 */
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createCoreHandlers, dispatch } from '../../src-server/api/handlers';
import { reindex } from '../../src-server/cli/reindex';
import type { Envelope, InvokeChannel, UsageHistorySeries, UsagePage } from '../../src-server/contract';
import { silentLogger } from '../../src-server/logger';
import { usageHistoryPath, type Services } from '../../src-server/services';
import { addDays, DAY_MS, dayOf } from '../../src-server/usage/days';
import { HISTORY_RETENTION_DAYS, systemClock, UsageHistory } from '../../src-server/usage/history';
import { UsageHistoryStore } from '../../src-server/usage/history-store';
import { registryTotals, registryUsage } from '../../src-server/usage/usage';
import { startApi, type ApiRegistry } from '../api/harness';
import { runBerth, tempDir } from '../helpers/berth-server';
import { ManualClock } from '../helpers/manual-clock';
import { pushRandomImage } from '../helpers/push';

const T0 = Date.parse('2026-03-10T09:30:00Z');
const open: ApiRegistry[] = [];
const dirs: Array<{ cleanup(): void }> = [];
afterEach(async () => {
  for (const a of open.splice(0)) await a.stop();
  for (const d of dirs.splice(0)) d.cleanup();
});

function clockAt(t: number): ManualClock {
  const c = new ManualClock();
  c.t = t;
  return c;
}

/** A serving registry (daily sampling on) on `dataDir`, with the test's clock; waits for the start's point. */
async function serve(dataDir: string, clock: ManualClock): Promise<ApiRegistry> {
  const api = await startApi({ dataDir, sampleUsage: true, clock });
  open.push(api);
  await api.services.usageHistory.settled();
  return api;
}

function freshDir(): string {
  const d = tempDir('berth-history-');
  dirs.push(d);
  return d.dir;
}

async function call<T>(services: Services, channel: InvokeChannel, args: unknown): Promise<Envelope<T>> {
  return (await dispatch(createCoreHandlers(services), channel, args, () => {}, silentLogger)) as Envelope<T>;
}

async function points(services: Services, days = 30) {
  const r = await call<UsageHistorySeries>(services, 'usage:history', { days });
  if (!r.ok) throw new Error(r.error.message);
  return r.result.points;
}

describe('sampling', () => {
  it('takes a point at start when today has none, and none when it has one', async () => {
    const dir = freshDir();
    const clock = clockAt(T0);
    let api = await serve(dir, clock);
    expect(await points(api.services)).toEqual([
      { day: '2026-03-10', at: new Date(T0).toISOString(), stored: 0, repositories: 0, manifests: 0, blobs: 0 },
    ]);
    await pushRandomImage(api.base, 'team/app', 'v1', [5000]);
    await api.stop();

    // Restarted later the same day: today has its point already.
    clock.t = T0 + 3_600_000;
    api = await serve(dir, clock);
    expect((await points(api.services)).map((p) => [p.day, p.at, p.stored])).toEqual([['2026-03-10', new Date(T0).toISOString(), 0]]);
    await api.stop();

    // Started on a later day: a point for that day, measuring what is stored.
    clock.t = T0 + 2 * DAY_MS;
    api = await serve(dir, clock);
    const totals = await registryTotals(api.services.registry);
    expect(totals.stored).toBeGreaterThan(5000);
    const ps = await points(api.services);
    expect(ps.map((p) => p.day)).toEqual(['2026-03-10', '2026-03-12']);
    expect(ps[1]).toMatchObject({ stored: totals.stored, repositories: 1, manifests: 1, blobs: totals.blobs });
  });

  it('takes a point at the start of every UTC day while it runs, and re-arms its one timer', async () => {
    const clock = clockAt(T0);
    const api = await serve(freshDir(), clock);
    expect(clock.pending).toBe(1);
    await pushRandomImage(api.base, 'team/app', 'v1', [4000]);
    const afterPush = (await registryTotals(api.services.registry)).stored;

    // Just before midnight nothing happens; at midnight the new day gets its point.
    clock.advance(Date.parse('2026-03-10T23:59:59Z') - clock.t);
    await api.services.usageHistory.settled();
    expect((await points(api.services)).map((p) => p.day)).toEqual(['2026-03-10']);
    clock.advance(1000);
    await api.services.usageHistory.settled();
    let ps = await points(api.services);
    expect(ps.map((p) => [p.day, p.stored])).toEqual([
      ['2026-03-10', 0],
      ['2026-03-11', afterPush],
    ]);
    expect(ps[1]!.at).toBe('2026-03-11T00:00:00.000Z');
    expect(clock.pending).toBe(1);

    // Three more days, one point each.
    for (let i = 0; i < 3; i++) {
      clock.advance(DAY_MS);
      await api.services.usageHistory.settled();
    }
    ps = await points(api.services);
    expect(ps.map((p) => p.day)).toEqual(['2026-03-10', '2026-03-11', '2026-03-12', '2026-03-13', '2026-03-14']);
    expect(clock.pending).toBe(1);
  });

  it('takes a point after a garbage collection, replacing the day\'s, so the drop shows', async () => {
    const clock = clockAt(T0);
    const api = await serve(freshDir(), clock);
    await pushRandomImage(api.base, 'team/app', 'v1', [3000]);
    await pushRandomImage(api.base, 'team/old', 'v1', [20_000]);
    clock.advance(DAY_MS);
    await api.services.usageHistory.settled();
    const full = (await registryTotals(api.services.registry)).stored;
    expect((await points(api.services)).at(-1)).toMatchObject({ day: '2026-03-11', stored: full, repositories: 2 });

    clock.t += 3_600_000;
    expect((await call(api.services, 'repository:delete', { name: 'team/old' })).ok).toBe(true);
    // The repository waits in the trash; emptied, a collection may free it.
    expect((await call(api.services, 'trash:empty', {})).ok).toBe(true);
    // A preview changes nothing and adds no point.
    expect((await call(api.services, 'gc:run', { dryRun: true, graceSeconds: 0 })).ok).toBe(true);
    expect((await points(api.services)).at(-1)!.stored).toBe(full);
    expect((await call(api.services, 'gc:run', { graceSeconds: 0 })).ok).toBe(true);

    // No settle needed: the collection answers after its point is written.
    const after = await registryUsage(api.services.registry);
    expect(after.totals.stored).toBeLessThan(full - 20_000);
    const ps = await points(api.services);
    expect(ps.map((p) => p.day)).toEqual(['2026-03-10', '2026-03-11']);
    expect(ps.at(-1)).toEqual({
      day: '2026-03-11',
      at: new Date(clock.t).toISOString(),
      stored: after.totals.stored,
      repositories: 1,
      manifests: after.totals.manifests,
      blobs: after.totals.blobs,
    });
  });

  it('keeps the retention: the oldest days go as new ones come', async () => {
    const clock = clockAt(T0);
    const api = await startApi({ dataDir: freshDir() });
    open.push(api);
    const store = new UsageHistoryStore(usageHistoryPath(api.dataDir) + '.short');
    const history = new UsageHistory({ store, measure: () => registryTotals(api.services.registry), clock, retentionDays: 3 });
    const daily = history.startDaily();
    await history.settled();
    for (let i = 0; i < 5; i++) {
      clock.advance(DAY_MS);
      await history.settled();
    }
    expect(store.since('2000-01-01').map((r) => r.day)).toEqual(['2026-03-13', '2026-03-14', '2026-03-15']);
    daily.stop();
    history.close();
    store.close();
  });

  it('keeps two years by default: one row per day, at most ' + HISTORY_RETENTION_DAYS, async () => {
    const clock = clockAt(T0);
    const api = await startApi({ dataDir: freshDir() });
    open.push(api);
    const store = new UsageHistoryStore(usageHistoryPath(api.dataDir));
    // Three years of days already there (a long-running registry).
    const today = dayOf(T0);
    for (let i = 1; i <= 3 * 365; i++) store.record({ day: addDays(today, -i), at: T0 - i * DAY_MS, stored: i, repositories: 0, manifests: 0, blobs: 0 });
    const history = new UsageHistory({ store, measure: () => registryTotals(api.services.registry), clock });
    await history.sample();
    const rows = store.since('2000-01-01');
    expect(rows).toHaveLength(HISTORY_RETENTION_DAYS);
    expect(rows[0]!.day).toBe(addDays(today, -(HISTORY_RETENTION_DAYS - 1)));
    expect(rows.at(-1)!.day).toBe(today);
    expect(history.series(HISTORY_RETENTION_DAYS).points).toHaveLength(HISTORY_RETENTION_DAYS);
    expect(history.series(7).points.map((p) => p.day)).toEqual([-6, -5, -4, -3, -2, -1, 0].map((n) => addDays(today, n)));
    history.close();
    store.close();
  });

  it('stops its timer and writes nothing more once closed; the system clock\'s timers never hold the process', async () => {
    const clock = clockAt(T0);
    const api = await serve(freshDir(), clock);
    expect(clock.pending).toBe(1);
    await api.stop();
    expect(clock.pending).toBe(0);
    const timer = systemClock.setTimeout(() => {}, DAY_MS) as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    systemClock.clearTimeout(timer);
  });

  it('samples nothing in a process that does not serve (a CLI working in-process)', async () => {
    const clock = clockAt(T0);
    const api = await startApi({ dataDir: freshDir(), clock });
    open.push(api);
    await api.services.usageHistory.settled();
    expect(clock.pending).toBe(0);
    expect(await points(api.services)).toEqual([]);
  });
});

describe('channels', () => {
  it('usage:history returns the last N days and refuses days outside 1..retention', async () => {
    const clock = clockAt(T0);
    const api = await serve(freshDir(), clock);
    for (let i = 0; i < 4; i++) {
      clock.advance(DAY_MS);
      await api.services.usageHistory.settled();
    }
    const r = await call<UsageHistorySeries>(api.services, 'usage:history', { days: 2 });
    expect(r.ok && r.result.points.map((p) => p.day)).toEqual(['2026-03-13', '2026-03-14']);
    expect(r.ok && r.result.retentionDays).toBe(HISTORY_RETENTION_DAYS);
    const all = await call<UsageHistorySeries>(api.services, 'usage:history', {});
    expect(all.ok && all.result.points).toHaveLength(5);
    for (const days of [0, HISTORY_RETENTION_DAYS + 1, 1.5, '7']) {
      const bad = await call(api.services, 'usage:history', { days });
      expect(bad.ok ? 'ok' : bad.error.code, String(days)).toBe('ARGS_INVALID');
    }
  });

  it('usage:repositories pages the same figures as usage:registry, with the rest summed', async () => {
    const api = await serve(freshDir(), clockAt(T0));
    for (const [name, size] of [['a', 9000], ['b', 3000], ['c', 6000]] as const) await pushRandomImage(api.base, `team/${name}`, 'v1', [size]);
    const full = await registryUsage(api.services.registry);
    const r = await call<UsagePage>(api.services, 'usage:repositories', { limit: 1 });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.result.totals).toEqual(full.totals);
    expect(r.result.repositories).toEqual([full.repositories.find((x) => x.name === 'team/a')]);
    const rest = full.repositories.filter((x) => x.name !== 'team/a');
    expect(r.result.rest).toEqual({
      repositories: 2,
      stored: rest.reduce((s, x) => s + x.stored, 0),
      shared: rest.reduce((s, x) => s + x.shared, 0),
      unique: rest.reduce((s, x) => s + x.unique, 0),
    });
    const byName = await call<UsagePage>(api.services, 'usage:repositories', { sort: 'name', offset: 1, limit: 5 });
    expect(byName.ok && byName.result.repositories.map((x) => x.name)).toEqual(['team/b', 'team/c']);
    for (const args of [{ sort: 'size' }, { limit: 0 }, { limit: 501 }, { offset: -1 }, { descending: 'yes' }, { page: 1 }]) {
      const bad = await call(api.services, 'usage:repositories', args);
      expect(bad.ok ? 'ok' : bad.error.code, JSON.stringify(args)).toBe('ARGS_INVALID');
    }
  });
});

describe('berth gc without a server', () => {
  it('records its point too, so a collection made while the registry is down shows', async () => {
    const dir = freshDir();
    const api = await startApi({ dataDir: dir });
    open.push(api);
    await pushRandomImage(api.base, 'team/old', 'v1', [7000]);
    expect((await call(api.services, 'repository:delete', { name: 'team/old' })).ok).toBe(true);
    await api.stop();
    expect((await runBerth(['trash', 'empty', '--data', dir])).code).toBe(0);
    const r = await runBerth(['gc', '--grace', '0', '--data', dir]);
    expect(r.code, r.stderr).toBe(0);
    const store = new UsageHistoryStore(usageHistoryPath(dir));
    const rows = store.since('2000-01-01');
    store.close();
    expect(rows).toEqual([expect.objectContaining({ day: dayOf(Date.now()), stored: 0, repositories: 0, blobs: 0 })]);
  });
});

describe('berth reindex', () => {
  it('keeps the history: it is not derived from the content', async () => {
    const dir = freshDir();
    const api = await serve(dir, clockAt(T0));
    await api.stop();
    const before = new UsageHistoryStore(usageHistoryPath(dir));
    expect(before.since('2000-01-01').map((r) => r.day)).toEqual(['2026-03-10']);
    before.close();
    await reindex({ data: dir });
    expect(existsSync(usageHistoryPath(dir))).toBe(true);
    const after = new UsageHistoryStore(usageHistoryPath(dir));
    expect(after.since('2000-01-01').map((r) => r.day)).toEqual(['2026-03-10']);
    after.close();
  });
});
