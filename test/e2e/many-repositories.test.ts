/**
 * The repositories screen with 10,000 repositories, in real Chromium against `berth serve --ui`:
 * the list paints one page with the total, search and paging work, and sorting by size orders all
 * 10,000 on the server (checked against the sizes written), kept in the address across a reload
 * and Back. The times from opening the screen to the painted list, and from the click on Size to
 * the sorted page, are printed (README quotes them), never asserted.
 */
import { describe, expect, it } from 'vitest';
import { screenshot } from './harness';
import { formatBytes } from '../../src-renderer/src/app/format';
import { useManyRepositories } from './many-repos';

const COUNT = 10_000;
const world = useManyRepositories(COUNT, 'many');

describe('10,000 repositories', () => {
  it('paints the first page with the total, and reports how long it took', async () => {
    const { page, server } = world;
    // Twice: the first opening pays for loading code paths; the second is what a user sees each time.
    const times: number[] = [];
    for (let i = 0; i < 2; i++) {
      await page.goto(`${server.berth.url}/#/registry`);
      await page.getByTestId('registry-status').waitFor();
      const started = Date.now();
      await page.getByRole('navigation', { name: 'Main navigation' }).getByText('This computer').click();
      await page.getByTestId('repository-row').first().waitFor();
      await expect.poll(() => page.getByTestId('repositories-total').textContent()).toMatch(/10,000 repositories/);
      times.push(Date.now() - started);
    }
    expect(await page.getByTestId('repository-row').count()).toBe(100);
    expect(await page.getByTestId('repository-link').first().textContent()).toBe('team/app-00000');
    process.stdout.write(`repositories screen, ${COUNT} repositories: painted in ${times[0]} ms (first), ${times[1]} ms (again)\n`);
    await screenshot(page, 'repositories-10k');
  });

  it('searches and pages through them', async () => {
    const { page } = world;
    await page.getByTestId('repositories-search').fill('09999');
    await expect.poll(() => page.getByTestId('repository-link').allTextContents()).toEqual(['team/app-09999']);
    await page.getByTestId('repositories-search').fill('');
    await expect.poll(() => page.getByTestId('repository-link').first().textContent()).toBe('team/app-00000');
    await page.getByTestId('repositories-next').click();
    await expect.poll(() => page.getByTestId('repository-link').first().textContent()).toBe('team/app-00100');
    await page.getByTestId('repositories-previous').click();
    await expect.poll(() => page.getByTestId('repository-link').first().textContent()).toBe('team/app-00000');
  });

  it('sorts all of them by size on the server, and the address keeps the order and the page', async () => {
    const { page, server, written } = world;
    const bySize = [...written].sort((a, b) => b.bytes - a.bytes || (a.name < b.name ? -1 : 1));
    expect(new Set(bySize.slice(0, 200).map((r) => r.bytes)).size).toBeLessThan(200); // ties to break by name
    const links = () => page.getByTestId('repository-link').allTextContents();
    await page.goto(`${server.berth.url}/#/browse/local`);
    await page.getByTestId('repository-row').first().waitFor();
    const started = Date.now();
    await page.getByTestId('sort-size').click();
    await expect.poll(links, { timeout: 30_000 }).toEqual(bySize.slice(0, 100).map((r) => r.name));
    const sortedIn = Date.now() - started;
    expect(page.url()).toMatch(/#\/browse\/local\?sort=size&dir=desc$/);
    const firstRow = await page.getByTestId('repository-row').first().textContent();
    expect(firstRow).toContain(formatBytes(bySize[0]!.bytes));
    await screenshot(page, 'repositories-sorted');

    await page.getByTestId('repositories-next').click();
    await expect.poll(links).toEqual(bySize.slice(100, 200).map((r) => r.name));
    expect(page.url()).toMatch(/sort=size&dir=desc&page=2$/);
    await page.reload();
    await expect.poll(links, { timeout: 30_000 }).toEqual(bySize.slice(100, 200).map((r) => r.name));
    expect(await page.getByTestId('repositories-page').textContent()).toBe('Page 2 of 100');
    await page.goBack();
    await expect.poll(links).toEqual(bySize.slice(0, 100).map((r) => r.name));
    await page.getByTestId('sort-size').click();
    const smallest = [...written].sort((a, b) => a.bytes - b.bytes || (a.name < b.name ? -1 : 1));
    await expect.poll(links).toEqual(smallest.slice(0, 100).map((r) => r.name));
    expect(page.url()).toMatch(/sort=size$/);
    process.stdout.write(`repositories screen, ${COUNT} repositories: sorted by size in ${sortedIn} ms (click to painted page)\n`);
  });
});
