/**
 * The GUI's connections workflow in real Chromium against a real `berth serve --ui`: a connection
 * to a second `berth serve --auth basic` is tested and saved through the form, browsed, and an
 * image is copied to it from the image screen; skopeo then finds the copy in the second registry.
 * Then its URL is moved to another registry: the form asks for the password again, and the
 * saved one never reaches the new address.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startRecordingRegistry, type RecordingRegistry } from '../connections/recording-registry';
import { berthWorkspace, runBerth, type RunningBerth } from '../helpers/berth-server';
import { guiSession } from './harness';

const ws = berthWorkspace('berth-e2e-connections-');
const REMOTE_USER = 'mirror';
const REMOTE_PASSWORD = 'mirror-Secret-456';
let remote: RunningBerth;
const gui = guiSession(ws, {
  prepare: async (s) => {
    // The second registry: Basic auth with one user made up front.
    const remoteData = ws.fresh('remote');
    const added = await runBerth(['user', 'add', REMOTE_USER, '--password-stdin', '--access', 'admin@*', '--data', remoteData], { input: `${REMOTE_PASSWORD}\n` });
    expect(added.code, added.stderr).toBe(0);
    remote = await ws.serve(remoteData, ['--auth', 'basic']);
    await s.skopeo(['copy', '--quiet', '--all', '--dest-tls-verify=false', '--dest-creds', `admin:${s.server.password}`, `oci:${s.images.layout.dir}:multi`, s.ref('demo/app:1.0')]);
  },
});
const { skopeo, go, shot } = gui;

describe('connections', () => {
  it('adds a connection to a second registry after a successful test, and browses it', async () => {
    await go('/connections');
    await gui.page.getByTestId('connection-row').first().waitFor();
    await gui.page.getByTestId('add-connection').click();
    await gui.page.getByTestId('connection-name').fill('second');
    await gui.page.getByTestId('connection-url').fill(remote.url);
    await gui.page.getByTestId('connection-username').fill(REMOTE_USER);
    await gui.page.getByTestId('connection-password').fill(REMOTE_PASSWORD);

    await gui.page.getByTestId('connection-test').click();
    const result = gui.page.getByTestId('connection-test-result');
    await result.waitFor({ timeout: 20_000 });
    expect(await result.getAttribute('data-code')).toBeNull();
    expect(await result.textContent()).toMatch(/answered/);

    await gui.page.getByTestId('connection-save').click();
    const row = gui.page.locator('[data-testid="connection-row"][aria-label="second"]');
    await row.waitFor();
    const nav = gui.page.getByRole('navigation', { name: 'Main navigation' });
    await nav.getByRole('link', { name: 'second' }).waitFor();
    await shot('connections');

    await nav.getByRole('link', { name: 'second' }).click();
    await gui.page.getByTestId('repositories-empty').waitFor({ timeout: 20_000 });
    expect(await gui.page.getByTestId('repository-row').count()).toBe(0);
  });

  it('copies a multi-platform image to it from the image screen', async () => {
    await go('/browse/local/demo%2Fapp/1.0');
    await gui.page.getByTestId('platform-tabs').waitFor();
    await gui.page.getByTestId('image-copy-open').click();
    const dialog = gui.page.getByRole('dialog');
    await dialog.getByTestId('copy-target-connection').waitFor();
    expect(await dialog.getByTestId('copy-target-connection').inputValue()).toBe('second');
    expect(await dialog.getByTestId('copy-target-repository').inputValue()).toBe('demo/app');
    expect(await dialog.getByTestId('copy-target-tag').inputValue()).toBe('1.0');
    await dialog.getByTestId('copy-start').click();
    await dialog.getByTestId('copy-progress').waitFor();
    await dialog.getByTestId('copy-result').waitFor({ timeout: 60_000 });
    const bar = dialog.getByRole('progressbar', { name: 'Copy progress' });
    expect(await bar.getAttribute('aria-valuenow')).toBe('100');

    const creds = `${REMOTE_USER}:${REMOTE_PASSWORD}`;
    const copied = JSON.parse((await skopeo(['inspect', '--raw', '--tls-verify=false', '--creds', creds, `docker://${remote.host}/demo/app:1.0`])).stdout);
    const source = JSON.parse((await skopeo(['inspect', '--raw', '--tls-verify=false', '--creds', `admin:${gui.server.password}`, `docker://${gui.server.berth.host}/demo/app:1.0`])).stdout);
    expect(copied).toEqual(source);
    const digest = (await skopeo(['inspect', '--tls-verify=false', '--creds', creds, '--format', '{{.Digest}}', `docker://${remote.host}/demo/app:1.0`])).stdout.trim();
    expect(digest).toBe(gui.images.layout.descriptor('multi').digest);
    // Each platform's image is there too.
    for (const arch of ['amd64', 'arm64']) {
      await skopeo(['inspect', '--tls-verify=false', '--creds', creds, '--override-arch', arch, '--override-os', 'linux', `docker://${remote.host}/demo/app:1.0`]);
    }

    // And the GUI browses it on the second connection.
    await gui.page.keyboard.press('Escape');
    await gui.page.getByRole('dialog').waitFor({ state: 'hidden' });
    await gui.page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'second' }).click();
    await gui.page.getByTestId('repository-row').filter({ hasText: 'demo/app' }).waitFor({ timeout: 20_000 });
  });
});

describe('a connection moved to another address', () => {
  let elsewhere: RecordingRegistry | undefined;
  afterAll(async () => {
    await elsewhere?.close();
  });

  it('asks for the password again, and the saved one never reaches the new address', async () => {
    const dir = join(ws.dir, 'elsewhere');
    mkdirSync(dir);
    elsewhere = await startRecordingRegistry(dir, REMOTE_USER, REMOTE_PASSWORD);
    const newUrl = `http://127.0.0.1:${elsewhere.port}`;
    await go('/connections');
    const row = gui.page.locator('[data-testid="connection-row"][aria-label="second"]');
    await row.getByTestId('password-stored').waitFor();
    await row.getByRole('button', { name: 'Edit second' }).click();
    const dialog = gui.page.getByRole('dialog', { name: 'Edit second' });
    await dialog.getByTestId('connection-url').fill(newUrl);
    const warning = dialog.getByTestId('connection-origin-changed');
    await warning.waitFor();
    expect(await warning.textContent()).toContain(`is not sent to ${newUrl}`);
    await shot('connection-moved');
    await dialog.getByTestId('connection-save').click();
    await gui.page.getByTestId('connection-password-dropped').waitFor();
    await dialog.waitFor({ state: 'hidden' });
    await row.getByText(newUrl).waitFor();
    expect(await row.getByTestId('password-stored').count()).toBe(0);

    await row.getByRole('button', { name: 'Test second' }).click();
    const result = gui.page.getByTestId('connection-list-test-result');
    await result.waitFor({ timeout: 20_000 });
    expect(await result.getAttribute('data-code')).toBe('AUTH_REQUIRED');
    expect(elsewhere.seen.length).toBeGreaterThan(0);
    expect(elsewhere.seen.filter((r) => r.authorization !== undefined)).toEqual([]);
  });
});
