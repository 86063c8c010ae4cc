/**
 * The GUI in real Chromium against a real `berth serve --ui`: logging in (and failing to), the
 * shell, themes, logging out.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { berthWorkspace } from '../helpers/berth-server';
import { buildGui, launchChromium, loggedInPage, screenshot, startGuiServer, type GuiServer } from './harness';

const ws = berthWorkspace('berth-e2e-login-');
let browser: Browser;
let server: GuiServer;

beforeAll(async () => {
  const ui = await buildGui();
  server = await startGuiServer(ws.fresh(), ui);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.berth.kill();
});

describe('logging in to the GUI', () => {
  it('refuses a wrong password in words, then logs in and out', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${server.berth.url}/`);
    await page.getByLabel(/^User/).fill('admin');
    await page.getByLabel(/^Password/).fill('not-the-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/Login failed/);
    await screenshot(page, 'login');
    await page.getByLabel(/^Password/).fill(server.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
    expect(await page.getByTestId('registry-badge').textContent()).toMatch(/running/);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    // The server ended the session too: a reload does not log back in.
    await page.reload();
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    expect(await page.getByRole('navigation', { name: 'Main navigation' }).count()).toBe(0);
    await context.close();
  });

  it('is usable from the keyboard: Tab reaches the navigation, Enter opens a screen', async () => {
    const page = await loggedInPage(browser, server);
    let focused = '';
    for (let i = 0; i < 30 && focused !== 'Storage'; i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => (document.activeElement as HTMLElement | null)?.innerText?.trim() ?? '');
    }
    expect(focused).toBe('Storage');
    await page.keyboard.press('Enter');
    await page.waitForURL(/#\/storage$/);
    await page.getByTestId('usage-totals').or(page.getByText(/Nothing stored yet/i)).first().waitFor();
    await page.context().close();
  });

  it('keeps the session across a reload and offers a dark theme', async () => {
    const page = await loggedInPage(browser, server, { colorScheme: 'dark' });
    await page.reload();
    await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
    expect(await page.locator('html').getAttribute('data-mantine-color-scheme')).toBe('dark');
    await page.getByRole('button', { name: 'Toggle color scheme' }).click();
    expect(await page.locator('html').getAttribute('data-mantine-color-scheme')).toBe('light');
    await page.context().close();
  });
});
