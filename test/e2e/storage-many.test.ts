/**
 * The storage screen with 10,000 repositories, in real Chromium against `berth serve --ui`: the
 * treemap draws one page (50 rectangles and the group of the other 9,950, with the figures `berth
 * usage --json` gives), so the page holds a bounded number of SVG nodes, and the group opens the
 * next page. The time from opening the screen to the painted treemap is printed, never asserted.
 */
import { describe, expect, it } from 'vitest';
import type { UsageReport } from '../../src-server/contract';
import { describeRest } from '../../src-renderer/src/features/storage/figures';
import { runBerth } from '../helpers/berth-server';
import { useManyRepositories } from './many-repos';

const COUNT = 10_000;
const world = useManyRepositories(COUNT, 'storage-many');

describe('storage with 10,000 repositories', () => {
  it('draws 50 rectangles and the group of the other 9,950, as berth usage counts them, and reports how long it took', async () => {
    const { page, server, data } = world;
    await page.goto(`${server.berth.url}/#/registry`);
    await page.getByTestId('registry-status').waitFor();
    const started = Date.now();
    await page.getByRole('navigation', { name: 'Main navigation' }).getByText('Storage').click();
    await page.getByTestId('treemap-rest').waitFor({ timeout: 60_000 });
    const painted = Date.now() - started;
    expect(await page.getByTestId('treemap-cell').count()).toBe(50);

    const r = await runBerth(['usage', '--json', '--data', data]);
    expect(r.code, r.stderr).toBe(0);
    const usage = JSON.parse(r.stdout) as UsageReport;
    expect(usage.totals.repositories).toBe(COUNT);
    // Largest first; repositories of equal size (many-repos writes some) by name.
    const names = [...usage.repositories].sort((a, b) => b.stored - a.stored || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((x) => x.name);
    expect(await page.getByTestId('treemap-cell').evaluateAll((els) => els.map((e) => e.getAttribute('data-repository')))).toEqual(names.slice(0, 50));
    const tail = usage.repositories.filter((x) => !names.slice(0, 50).includes(x.name));
    const rest = { repositories: tail.length, stored: 0, shared: 0, unique: 0 };
    for (const x of tail) {
      rest.stored += x.stored;
      rest.shared += x.shared;
      rest.unique += x.unique;
    }
    expect(await page.getByTestId('treemap-rest').getAttribute('aria-label')).toBe(`${describeRest(rest)}. Show them.`);
    // Bounded work for the browser: the whole treemap is a few hundred SVG nodes.
    const nodes = await page.getByTestId('usage-treemap').evaluate((e) => e.querySelectorAll('svg *').length);
    expect(nodes).toBeLessThan(600);
    process.stdout.write(`storage screen, ${COUNT} repositories: treemap painted in ${painted} ms, ${nodes} SVG nodes\n`);

    await page.getByTestId('treemap-rest').click();
    await expect.poll(() => page.getByTestId('treemap-cell').first().getAttribute('data-repository')).toBe(names[50]);
    expect(await page.getByTestId('treemap-caption').textContent()).toContain('Repositories 51–100 of 10,000, by size.');
  });
});
