/**
 * The GUI's forms tell the truth, in real Chromium against a real `berth serve --ui` with no HTTPS
 * yet (so no CA): a setting the --listen flag sets is shown as not editable, saying so; settings
 * the next start could not use are refused next to their field and nothing is saved; a client bundle that makes the CA is followed by the screen showing it (the
 * CA on disk); a bundle for a name the certificate lacks is warned about before the download and in
 * its README; Stop asks first and then shows a calm stopped state while /v2 answers 503; Add user
 * states the password rule and offers Change password for a name that exists; the connection form
 * names the file the server keeps passwords in.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { berthWorkspace, runBerth } from '../helpers/berth-server';
import { runTool } from '../helpers/images';
import { buildGui, launchChromium, loggedInPage, screenshot, startGuiServer, type GuiServer } from './harness';

const ws = berthWorkspace('berth-e2e-forms-');
let server: GuiServer;
let browser: Browser;
let page: Page;
let dataDir: string;
const pageErrors: string[] = [];

beforeAll(async () => {
  const ui = await buildGui();
  dataDir = ws.fresh();
  server = await startGuiServer(dataDir, ui);
  browser = await launchChromium();
  page = await loggedInPage(browser, server);
  page.on('console', (m) => {
    // A refusal is an HTTP error status, which Chromium notes as a failed resource load: not a page error.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(m.text());
  });
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await server?.berth.kill();
});

const go = (hash: string) => page.goto(`${server.berth.url}/#${hash}`);
const settingsFile = () => join(dataDir, 'berth', 'settings.json');
/** The error Mantine shows under the input `testId`. */
const fieldError = (testId: string) =>
  page.getByTestId(testId).evaluate((input) => {
    const ids = (input.getAttribute('aria-describedby') ?? '').split(/\s+/);
    return ids.map((id) => document.getElementById(id)).find((e) => e?.id.endsWith('-error'))?.textContent ?? null;
  });
const v2Status = async () => (await fetch(`${server.berth.url}/v2/`, { headers: { authorization: `Basic ${Buffer.from(`admin:${server.password}`).toString('base64')}` } })).status;

describe('settings', () => {
  it('shows what a flag sets as not editable; refuses what the next start could not use, next to the field, and saves nothing; saves what it can', async () => {
    await go('/registry');
    const save = page.getByTestId('settings-save');
    // The server runs with --listen: the next start keeps it, so the form does not offer to change it.
    const listen = page.getByTestId('settings-listen');
    await listen.waitFor();
    expect(await listen.isDisabled()).toBe(true);
    expect(await listen.inputValue()).toBe('127.0.0.1:0');
    expect(await listen.evaluate((e) => e.closest('.mantine-InputWrapper-root')!.textContent)).toContain('Set by the --listen flag: change it there');

    // Only the server knows this machine's addresses: its refusal lands under the field.
    await page.getByTestId('settings-tls-listen').fill('203.0.113.9:5443');
    await save.click();
    await expect.poll(() => fieldError('settings-tls-listen')).toMatch(/^HTTPS listen address 203\.0\.113\.9:5443: 203\.0\.113\.9 is not an address of this machine/);
    expect(await page.getByTestId('settings-restart-required').count()).toBe(0);
    expect(existsSync(settingsFile())).toBe(false);
    await page.getByTestId('settings-tls-listen').fill('127.0.0.1:5998');
    expect(await fieldError('settings-tls-listen')).toBeNull();

    await save.click();
    await page.getByTestId('settings-restart-required').waitFor();
    expect(JSON.parse(readFileSync(settingsFile(), 'utf8'))).toEqual({ tlsListen: '127.0.0.1:5998' });
    expect(await page.getByTestId('settings-data-dir').evaluate((e) => e.closest('.mantine-InputWrapper-root')!.textContent)).toContain('--data DIR');
  });
});

describe('certificates', () => {
  it('shows the CA a bundle download made, as it is on disk, instead of "No certificates yet"', async () => {
    const caFile = join(dataDir, 'berth', 'tls', 'ca.crt');
    await go('/certificates');
    await page.getByText('No certificates yet').waitFor();
    expect(existsSync(caFile)).toBe(false);
    const host = page.getByTestId('cert-bundle-host');
    expect(await host.inputValue()).toBe('127.0.0.1:5443');
    expect(await page.getByTestId('cert-bundle-not-covered').count()).toBe(0);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('cert-bundle-download').click()]);
    await download.saveAs(join(ws.dir, 'first.tar.gz'));
    const ca = page.getByTestId('cert-ca');
    await ca.waitFor({ timeout: 30_000 });
    const onDisk = new X509Certificate(readFileSync(caFile, 'utf8'));
    expect((await ca.textContent())!.replace(/\s/g, '')).toContain(onDisk.fingerprint256.replace(/\s/g, ''));
    await page.getByTestId('cert-server').waitFor();
    expect(await page.getByText('No certificates yet').count()).toBe(0);
  });

  it('warns before downloading a bundle for a name the certificate lacks, says so in its README, and adds the name on request', async () => {
    await go('/certificates');
    await page.getByTestId('cert-bundle-host').fill('registry.other.test:5443');
    const warning = page.getByTestId('cert-bundle-not-covered');
    await warning.waitFor();
    expect(await warning.textContent()).toContain('registry.other.test is not in the server certificate');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('cert-bundle-download').click()]);
    const file = join(ws.dir, 'other.tar.gz');
    await download.saveAs(file);
    const out = join(ws.dir, 'other');
    mkdirSync(out);
    await runTool('tar', ['xzf', file, '-C', out]);
    const readme = readFileSync(join(out, 'berth-client-registry.other.test-5443', 'README.md'), 'utf8');
    expect(readme).toMatch(/> \*\*Warning\.\*\* The server certificate does not name registry\.other\.test, so clients dialing registry\.other\.test:5443 will refuse it\./);
    expect(await page.getByTestId('cert-bundle-result').textContent()).toContain('does not name registry.other.test');

    await warning.getByRole('button', { name: 'Add registry.other.test to the certificate names' }).click();
    await page.getByTestId('cert-extra-names-list').getByText('registry.other.test').waitFor();
  });

  it('checks each name as the server will before regenerating', async () => {
    await go('/certificates');
    // Start from what the server holds, not from the name the previous test added without saving.
    await page.reload();
    await page.getByTestId('cert-name-input').fill('999.1.1.1 exa_mple..com 10.9.8.7');
    await page.getByTestId('cert-name-add').click();
    await page.getByText('999.1.1.1: neither an IPv4 address (four numbers 0 to 255) nor a DNS name (its last label is all digits)').waitFor();
    await page.getByText('exa_mple..com: an empty label (two dots in a row, or a dot at the start)').waitFor();
    const list = page.getByTestId('cert-extra-names-list');
    await list.getByText('10.9.8.7').waitFor();
    expect(await list.getByText('999.1.1.1').count()).toBe(0);
    await page.getByTestId('cert-name-input').evaluate((e) => e.scrollIntoView({ block: 'center' }));
    await screenshot(page, 'certificate-names');
    await page.getByTestId('cert-regenerate').click();
    await page.getByTestId('cert-regenerate-confirm').click();
    // What the screen lists is what the server now holds.
    await expect.poll(async () => JSON.parse((await runBerth(['cert', 'info', '--json', '--data', dataDir])).stdout).extraNames, { timeout: 30_000 }).toEqual(['10.9.8.7']);
    await expect.poll(() => page.getByTestId('cert-server-names').textContent(), { timeout: 30_000 }).toContain('10.9.8.7');
  });
});

describe('stopping the registry', () => {
  it('asks first; Cancel keeps it serving; a confirmed stop is a calm state while /v2 answers 503', async () => {
    await go('/registry');
    await expect.poll(() => page.getByTestId('registry-status').textContent()).toBe('running');
    await page.getByTestId('registry-stop').click();
    const dialog = page.getByRole('dialog', { name: 'Stop the registry?' });
    expect(await dialog.textContent()).toMatch(/Pushes and pulls in progress are cut off.*503 Service Unavailable/);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await v2Status()).toBe(200);

    await page.getByTestId('registry-stop').click();
    await dialog.getByTestId('registry-stop-confirm').click();
    await expect.poll(() => page.getByTestId('registry-status').textContent(), { timeout: 15_000 }).toBe('stopped');
    const note = page.getByTestId('registry-stopped');
    await note.waitFor();
    expect(await note.textContent()).toContain('503 Service Unavailable');
    expect(await page.getByTestId('registry-error').count()).toBe(0);
    expect(await v2Status()).toBe(503);
    await screenshot(page, 'registry-stopped');

    await page.getByTestId('registry-start').click();
    await expect.poll(() => page.getByTestId('registry-status').textContent(), { timeout: 15_000 }).toBe('running');
    expect(await page.getByTestId('registry-stopped').count()).toBe(0);
    expect(await v2Status()).toBe(200);
  });
});

describe('users', () => {
  it('states the password rule before saving, and offers Change password for a name that exists', async () => {
    await go('/users');
    await page.getByTestId('add-user').click();
    const dialog = page.getByRole('dialog', { name: 'Add a user' });
    expect(await dialog.textContent()).toContain('At least 12 characters');
    await page.getByTestId('user-name').fill('shorty');
    await page.getByTestId('user-password').fill('abc');
    await dialog.getByText('The password has 3 characters; use at least 12.').waitFor();
    await page.getByTestId('save-user').click();
    const listed = async () => (JSON.parse((await runBerth(['user', 'list', '--json', '--data', dataDir])).stdout) as { users: Array<{ name: string }> }).users.map((u) => u.name);
    expect(await listed()).toEqual(['admin']);

    await page.getByTestId('user-name').fill('admin');
    await page.getByTestId('user-password').fill('another-admin-pw');
    await page.getByTestId('save-user').click();
    const exists = dialog.getByTestId('user-exists');
    await exists.waitFor();
    expect(await dialog.textContent()).not.toContain('berth user passwd');
    await exists.getByRole('button', { name: 'Change the password of admin' }).click();
    const change = page.getByRole('dialog', { name: 'New password for admin' });
    await change.waitFor();
    // Not changed here: that would end this session.
    await change.getByRole('button', { name: 'Cancel' }).click();
    await change.waitFor({ state: 'detached' });
    expect(await listed()).toEqual(['admin']);
  });
});

describe('connections', () => {
  it('names the file berth serve keeps connection passwords in', async () => {
    await go('/connections');
    await page.getByTestId('add-connection').click();
    const dialog = page.getByRole('dialog', { name: 'Add a connection' });
    const file = join(dataDir, 'berth', 'secrets.json');
    await dialog.getByText(`Kept in ${file}, readable only by you (in plain text).`).waitFor();
    expect(await dialog.textContent()).not.toMatch(/keychain/i);
  });

  it('logged no error in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
