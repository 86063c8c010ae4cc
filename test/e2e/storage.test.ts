/**
 * The storage screen's pictures in real Chromium against a real `berth serve --ui`, every figure
 * checked against `berth usage --json` (the CLI, through the server's control listener): the
 * treemap's rectangles, labels, readout and the group of smaller repositories (65 repositories: 5
 * pushed by skopeo, 60 small ones written in registry:2's layout before the start), the table, and
 * the history chart's last point after a repository is deleted and garbage-collected in the GUI.
 * Screenshots: docs/screenshots/storage.png and dark-storage.png.
 *
 * The days before today in the history are written by this test before the server starts (the
 * past cannot be waited for); today's point is the server's own measurement.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postInvoke } from '../../src-server/cli/control-client';
import type { Envelope, RepositoryUsage, UsageHistorySeries, UsageReport } from '../../src-server/contract';
import { readControlFile } from '../../src-server/http/control/control-server';
import { usageHistoryPath } from '../../src-server/services';
import { addDays, DAY_MS, dayOf } from '../../src-server/usage/days';
import { UsageHistoryStore } from '../../src-server/usage/history-store';
import { formatBytes } from '../../src-renderer/src/app/format';
import { describePoint, describeRepository, describeRest } from '../../src-renderer/src/features/storage/figures';
import { berthWorkspace, runBerth } from '../helpers/berth-server';
import { buildTestImages, type TestImages } from '../helpers/images';
import { buildGui, launchChromium, loggedInPage, screenshot, startGuiServer, type GuiServer } from './harness';
import { writeManyRepositories } from './many-repos';

const ws = berthWorkspace('berth-e2e-storage-');
let server: GuiServer;
let big: TestImages;
let small: TestImages;
let browser: Browser;
let page: Page;
let dataDir: string;

/** `berth usage --json` of the served data directory. */
async function cliUsage(): Promise<UsageReport> {
  const r = await runBerth(['usage', '--json', '--data', dataDir]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as UsageReport;
}

/** The repositories in the treemap's order: largest first, then by name. */
const bySize = (rows: RepositoryUsage[]) => [...rows].sort((a, b) => b.stored - a.stored || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

/** The history as the server keeps it (the channel the chart reads, through the control listener). */
async function serverHistory(): Promise<UsageHistorySeries> {
  const env = (await postInvoke(readControlFile(dataDir)!, 'usage:history', { days: 90 }, () => {})) as Envelope<UsageHistorySeries>;
  if (!env.ok) throw new Error(env.error.message);
  return env.result;
}

const cell = (name: string) => page.locator(`[data-testid="treemap-cell"][data-repository="${name}"]`);

beforeAll(async () => {
  const [ui, a, b] = await Promise.all([buildGui(), buildTestImages(join(ws.dir, 'big')), buildTestImages(join(ws.dir, 'small'), { randomFileSize: 1_500_000 })]);
  big = a;
  small = b;
  dataDir = ws.fresh();
  // Sixty small repositories sharing one small image: more than a treemap page.
  writeManyRepositories(dataDir, 60, 'cache/layer-');
  // Four weeks of history before today: growth, a collection half-way, growth again.
  mkdirSync(join(dataDir, 'berth'), { recursive: true });
  const store = new UsageHistoryStore(usageHistoryPath(dataDir));
  const today = dayOf(Date.now());
  for (let i = 28; i >= 1; i--) {
    const stored = Math.round((i > 14 ? 2_000_000 + (28 - i) * 550_000 : 1_200_000 + (14 - i) * 760_000) * (1 + ((i * 37) % 7) / 100));
    store.record({ day: addDays(today, -i), at: Date.now() - i * DAY_MS, stored, repositories: 60 + Math.floor((28 - i) / 6), manifests: 61 + Math.floor((28 - i) / 5), blobs: 70 + 28 - i });
  }
  store.close();

  server = await startGuiServer(dataDir, ui);
  const creds = `admin:${server.password}`;
  const push = (layout: string, tag: string, dest: string) =>
    big.sandbox.skopeo(['copy', '--quiet', '--all', '--dest-tls-verify=false', '--dest-creds', creds, `oci:${layout}:${tag}`, `docker://${server.berth.host}/${dest}`]);
  // web/frontend holds both platforms; staging and api share one each with it; tools/* are unique.
  await push(big.layout.dir, 'multi', 'web/frontend:1.0');
  await push(big.layout.dir, 'arm64', 'web/frontend-staging:1.0');
  await push(big.layout.dir, 'amd64', 'api/server:2.3');
  await push(small.layout.dir, 'amd64', 'tools/builder:latest');
  await push(small.layout.dir, 'arm64', 'tools/lint:latest');
  browser = await launchChromium();
  page = await loggedInPage(browser, server);
  // Tall enough for the whole screen in one screenshot.
  await page.setViewportSize({ width: 1280, height: 1500 });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.berth.kill();
  big?.sandbox.cleanup();
  small?.sandbox.cleanup();
});

describe('the treemap', () => {
  it('draws the 50 largest repositories with the figures berth usage gives, and groups the other 15', async () => {
    await page.goto(`${server.berth.url}/#/storage`);
    await expect.poll(() => page.getByTestId('treemap-cell').count(), { timeout: 30_000 }).toBe(50);
    const usage = await cliUsage();
    expect(usage.totals.repositories).toBe(65);
    const ordered = bySize(usage.repositories);
    expect(ordered.slice(0, 5).map((r) => r.name).sort()).toEqual(['api/server', 'tools/builder', 'tools/lint', 'web/frontend', 'web/frontend-staging']);
    expect(await page.getByTestId('total-stored').textContent()).toContain(formatBytes(usage.totals.stored));
    expect(await page.getByTestId('total-repositories').textContent()).toContain('65');

    // Every rectangle: the repository in its place, with its exact figures.
    const cells = await page.getByTestId('treemap-cell').evaluateAll((els) => els.map((e) => [e.getAttribute('data-repository'), e.getAttribute('aria-label')]));
    expect(cells).toEqual(ordered.slice(0, 50).map((r) => [r.name, describeRepository(r)]));
    // Shared bytes are real: web/frontend shares both platforms with staging and api.
    const frontend = usage.repositories.find((r) => r.name === 'web/frontend')!;
    expect(frontend.shared).toBeGreaterThan(2 * big.randomFileSize);
    expect(usage.repositories.find((r) => r.name === 'tools/builder')!.shared).toBe(0);

    // The largest rectangle has its name and size written in it.
    expect(await cell(ordered[0]!.name).getByTestId('treemap-label').textContent()).toBe(ordered[0]!.name);
    expect(await cell(ordered[0]!.name).getByTestId('treemap-size').textContent()).toBe(formatBytes(ordered[0]!.stored));

    // The group: the 15 smallest, summed.
    const tail = ordered.slice(50);
    const rest = { repositories: tail.length, stored: 0, shared: 0, unique: 0 };
    for (const r of tail) {
      rest.stored += r.stored;
      rest.shared += r.shared;
      rest.unique += r.unique;
    }
    expect(await page.getByTestId('treemap-rest').getAttribute('aria-label')).toBe(`${describeRest(rest)}. Show them.`);
    expect(await page.getByTestId('treemap-caption').textContent()).toContain('The 50 largest of 65 repositories.');
    expect(await page.getByTestId('treemap-next').textContent()).toBe('Show the 15 smaller repositories ›');

    // Pointing at a rectangle shows its figures.
    await cell('tools/builder').hover();
    expect(await page.getByTestId('treemap-readout').textContent()).toBe(describeRepository(usage.repositories.find((r) => r.name === 'tools/builder')!));
  });

  it('opens the group from the keyboard, then goes back, and a rectangle opens its repository', async () => {
    const usage = await cliUsage();
    const tail = bySize(usage.repositories).slice(50);
    await page.getByTestId('treemap-rest').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('treemap-cell').count()).toBe(15);
    const cells = await page.getByTestId('treemap-cell').evaluateAll((els) => els.map((e) => [e.getAttribute('data-repository'), e.getAttribute('aria-label')]));
    expect(cells).toEqual(tail.map((r) => [r.name, describeRepository(r)]));
    expect(await page.getByTestId('treemap-caption').textContent()).toContain('Repositories 51–65 of 65, by size.');
    await page.getByTestId('treemap-level-0').click();
    await expect.poll(() => page.getByTestId('treemap-cell').count()).toBe(50);

    // Tab reaches the rectangles, largest first; Enter on one opens its tags.
    await page.getByTestId('treemap-next').focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-repository'))).toBe(bySize(usage.repositories)[0]!.name);
    await cell('api/server').focus();
    expect(await page.getByTestId('treemap-readout').textContent()).toBe(describeRepository(usage.repositories.find((r) => r.name === 'api/server')!));
    await page.keyboard.press('Enter');
    await page.waitForURL(/#\/browse\/local\/api%2Fserver$/);
    await page.getByText('2.3', { exact: true }).first().waitFor();
  });

  it('shows the same figures in the table', async () => {
    await page.goto(`${server.berth.url}/#/storage`);
    await page.getByTestId('repository-usage').getByText('Table', { exact: true }).click();
    await expect.poll(() => page.getByTestId('usage-row').count()).toBe(50);
    const usage = await cliUsage();
    const rows = await page.getByTestId('usage-row').evaluateAll((els) =>
      els.map((e) => [e.getAttribute('data-repository'), ...['stored', 'unique', 'shared', 'untagged'].map((k) => e.querySelector(`[data-testid="usage-${k}"]`)!.getAttribute('title'))]),
    );
    expect(rows).toEqual(bySize(usage.repositories).slice(0, 50).map((r) => [r.name, ...[r.stored, r.unique, r.shared, r.untagged].map((n) => `${n.toLocaleString()} ${n === 1 ? 'byte' : 'bytes'}`)]));
  });
});

describe('the history', () => {
  it('after a delete and a collection in the GUI, the last point is what berth usage measures, and the drop shows', async () => {
    await page.goto(`${server.berth.url}/#/storage`);
    await page.getByTestId('usage-history-chart').waitFor();
    const before = await cliUsage();
    const lint = before.repositories.find((r) => r.name === 'tools/lint')!;
    expect(lint.unique).toBeGreaterThan(1_500_000);

    await page.getByTestId('repository-usage').getByText('Table', { exact: true }).click();
    await page.getByTestId('delete-repository-tools/lint').click();
    await page.getByTestId('delete-repository-confirm-input').fill('tools/lint');
    await page.getByTestId('delete-repository-confirm').click();
    await expect.poll(() => page.locator('[data-testid="usage-row"][data-repository="tools/lint"]').count(), { timeout: 15_000 }).toBe(0);
    // The repository went to the trash, which holds its blobs back from a collection: let it go first.
    const emptied = await runBerth(['trash', 'empty', '--data', dataDir]);
    expect(emptied.stdout).toMatch(/^removed [1-9]\d* items? from the trash/);
    await page.getByTestId('gc-grace').fill('0');
    await page.getByTestId('gc-run').click();
    await page.getByTestId('gc-confirm').click();
    await page.getByTestId('gc-report').waitFor({ timeout: 60_000 });

    const after = await cliUsage();
    expect(after.totals.stored).toBeLessThanOrEqual(before.totals.stored - lint.unique);
    const today = dayOf(Date.now());
    const latest = { day: today, stored: after.totals.stored, repositories: after.totals.repositories, manifests: after.totals.manifests, blobs: after.totals.blobs };
    const marker = page.getByTestId('history-marker');
    await expect.poll(() => marker.getAttribute('data-stored'), { timeout: 15_000 }).toBe(String(after.totals.stored));
    expect(await marker.getAttribute('data-day')).toBe(today);
    const series = await serverHistory();
    const last = series.points.at(-1)!;
    expect(last).toMatchObject(latest);
    expect(await page.getByTestId('history-readout').textContent()).toBe(`${describePoint(last)} (latest)`);
    expect(await page.getByTestId('history-readout').textContent()).toContain(`${formatBytes(after.totals.stored)} stored (${after.totals.stored.toLocaleString()} bytes), 64 repositories`);
    // The 28 days before stay as they were; the axis is tall enough for the largest of them.
    expect(series.points).toHaveLength(29);
    const [value, unit] = (await page.getByTestId('history-y-tick').last().textContent())!.split(' ');
    const scale: Record<string, number> = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9 };
    expect(Number(value) * scale[unit!]!).toBeGreaterThanOrEqual(Math.max(...series.points.map((p) => p.stored)));

    // The previous day, read with the keyboard, is the one kept.
    await page.getByTestId('usage-history-chart').locator('svg').focus();
    await page.keyboard.press('ArrowLeft');
    expect(await page.getByTestId('history-readout').textContent()).toBe(describePoint(series.points.at(-2)!));
    await page.keyboard.press('End');

    // The table view of the history holds the same last point.
    await page.getByTestId('usage-history').getByText('Table', { exact: true }).click();
    const row = page.locator(`[data-testid="history-row"][data-day="${today}"]`);
    expect(await row.locator('td').nth(1).getAttribute('title')).toBe(`${after.totals.stored.toLocaleString()} bytes`);
    await page.getByTestId('usage-history').getByText('Chart', { exact: true }).click();
  });

  it('saves the screen in the light and the dark theme', async () => {
    // A fresh screen: no report of the collection above, the treemap shown.
    await page.reload();
    await expect.poll(() => page.getByTestId('treemap-cell').count(), { timeout: 30_000 }).toBe(50);
    await page.getByTestId('usage-history-chart').waitFor();
    const largest = bySize((await cliUsage()).repositories)[0]!.name;
    await cell(largest).hover();
    await screenshot(page, 'storage');

    const dark = await loggedInPage(browser, server, { colorScheme: 'dark' });
    await dark.setViewportSize({ width: 1280, height: 1500 });
    await dark.goto(`${server.berth.url}/#/storage`);
    await expect.poll(() => dark.getByTestId('treemap-cell').count(), { timeout: 30_000 }).toBe(50);
    await dark.getByTestId('usage-history-chart').waitFor();
    await screenshot(dark, 'dark-storage');
    await dark.context().close();
  });
});
