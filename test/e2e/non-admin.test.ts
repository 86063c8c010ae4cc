/**
 * The GUI for users who are not administrators, in real Chromium against a real `berth serve`: a
 * user with pull rights in team/* browses those repositories read-only, never sees the others, and
 * is shown none of the administrator's screens; a user
 * with delete rights in team/* deletes a tag there from the GUI, and the registry agrees.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { berthWorkspace, runBerth } from '../helpers/berth-server';
import { pushRandomImage } from '../helpers/push';
import { buildGui, launchChromium, screenshot, startGuiServer, type GuiServer } from './harness';

const ws = berthWorkspace('berth-e2e-non-admin-');
let browser: Browser;
let server: GuiServer;
const USERS = { reader: 'reader-password-1', member: 'member-password-1' };

beforeAll(async () => {
  const ui = await buildGui();
  const dir = ws.fresh();
  server = await startGuiServer(dir, ui);
  const basic = { authorization: `Basic ${Buffer.from(`admin:${server.password}`).toString('base64')}` };
  await pushRandomImage(server.berth.url, 'team/app', '1.0', [1024], undefined, basic);
  await pushRandomImage(server.berth.url, 'team/app', '2.0', [2048], { os: 'linux', architecture: 'arm64' }, basic);
  await pushRandomImage(server.berth.url, 'other/x', 'v1', [512], undefined, basic);
  for (const [name, rules] of [
    ['reader', 'pull@team/*'],
    ['member', 'pull@*,push@team/*,delete@team/*'],
  ] as const) {
    const added = await runBerth(['user', 'add', name, '--data', dir, '--password-stdin', '--access', rules], { input: `${USERS[name]}\n` });
    expect(added.code, added.stderr).toBe(0);
  }
  // The server re-reads its user files at most once a second: wait until it knows both.
  for (const [name, password] of Object.entries(USERS)) {
    const auth = { authorization: `Basic ${Buffer.from(`${name}:${password}`).toString('base64')}` };
    let status = 0;
    for (const deadline = Date.now() + 10_000; status !== 200 && Date.now() < deadline; ) {
      status = (await fetch(`${server.berth.url}/v2/`, { headers: auth })).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status, `${name} is not known to the server`).toBe(200);
  }
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.berth.kill();
});

async function logIn(name: keyof typeof USERS): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on('pageerror', (err) => {
    throw new Error(`page error: ${err.message}`);
  });
  await page.goto(`${server.berth.url}/`);
  await page.getByLabel(/^User/).fill(name);
  await page.getByLabel(/^Password/).fill(USERS[name]);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
  return page;
}

const tagsOnServer = async (repository: string) => {
  const r = await fetch(`${server.berth.url}/v2/${repository}/tags/list`, { headers: { authorization: `Basic ${Buffer.from(`admin:${server.password}`).toString('base64')}` } });
  return ((await r.json()) as { tags: string[] | null }).tags ?? [];
};

describe('a user with pull rights in team/* only', () => {
  it('logs in, lists only team/*, browses tags and images read-only, and sees none of the administrator screens', async () => {
    const page = await logIn('reader');
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    expect(await nav.getByText('Users', { exact: true }).count()).toBe(0);
    expect(await nav.getByText('Connections', { exact: true }).count()).toBe(0);
    expect(await page.getByTestId('registry-stop').count()).toBe(0);
    await page.goto(`${server.berth.url}/#/browse/local`);
    await page.getByTestId('repository-row').first().waitFor();
    expect(await page.getByTestId('repository-link').allTextContents()).toEqual(['team/app']);
    // Searching tags across repositories finds nothing outside team/* either.
    await page.goto(`${server.berth.url}/#/browse/local?q=v1&find=tag`);
    await page.getByText('Nothing found').waitFor();
    await page.goto(`${server.berth.url}/#/browse/local/team%2Fapp`);
    await page.getByTestId('tag-row').first().waitFor();
    expect(await page.getByTestId('tag-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-tag')))).toEqual(['1.0', '2.0']);
    expect(await page.getByTestId('tags-delete').count()).toBe(0);
    // Reading is all an export needs (issue 20): the tags can be selected for "Export selected tags…" only.
    expect(await page.getByTestId('tag-checkbox').count()).toBe(2);
    expect(await page.getByTestId('tags-export').count()).toBe(1);
    await screenshot(page, 'non-admin-tags');
    await page.goto(`${server.berth.url}/#/browse/local/team%2Fapp/1.0`);
    await page.getByTestId('platform-tabs').waitFor();
    expect(await page.getByTestId('image-copy-open').count()).toBe(0);
    await page.goto(`${server.berth.url}/#/users`);
    await page.getByText('For administrators only').waitFor();
    await page.context().close();
  });
});

describe('a user with delete rights in team/*', () => {
  it('deletes a tag there from the GUI, and the registry no longer has it', async () => {
    const page = await logIn('member');
    await page.goto(`${server.berth.url}/#/browse/local/team%2Fapp`);
    await page.getByTestId('tag-row').first().waitFor();
    await page.locator('[data-testid="tag-row"][data-tag="2.0"]').getByTestId('tag-checkbox').check();
    await page.getByTestId('tags-delete').click();
    const modal = page.getByTestId('delete-tags-modal');
    await modal.getByTestId('delete-summary').waitFor();
    expect(await modal.getByTestId('delete-summary').textContent()).toContain('Deletes 1 tag');
    await modal.getByTestId('delete-tags-confirm').click();
    await expect.poll(() => page.getByTestId('tag-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-tag'))), { timeout: 15_000 }).toEqual(['1.0']);
    expect(await tagsOnServer('team/app')).toEqual(['1.0']);
    await page.context().close();
  });
});
