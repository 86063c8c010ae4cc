/**
 * The GUI's browse workflows in real Chromium against a real `berth serve --ui`: images pushed with
 * skopeo are listed with their tags and platforms, the image screen's sizes match what skopeo reads
 * from the registry, deleting a tag really deletes it in the registry (and only it), and the
 * registry screen stops and starts the registry.
 */
import { describe, expect, it } from 'vitest';
import { formatBytes } from '../../src-renderer/src/app/format';
import { berthWorkspace } from '../helpers/berth-server';
import { guiSession } from './harness';

const ws = berthWorkspace('berth-e2e-browse-');
const creds = () => `admin:${gui.server.password}`;
const push = (src: string, dest: string, extra: string[] = []) =>
  skopeo(['copy', '--quiet', '--dest-tls-verify=false', '--dest-creds', creds(), ...extra, `oci:${gui.images.layout.dir}:${src}`, ref(dest)]);
const gui = guiSession(ws, {
  prepare: async () => {
    await push('multi', 'demo/app:1.0', ['--all']);
    await skopeo(['copy', '--quiet', '--all', '--src-tls-verify=false', '--dest-tls-verify=false', '--src-creds', creds(), '--dest-creds', creds(), ref('demo/app:1.0'), ref('demo/app:latest')]);
    await push('amd64', 'demo/tool:v1');
  },
});
const { skopeo, ref, go, shot } = gui;
const inspectRaw = async (repoTag: string) =>
  JSON.parse((await skopeo(['inspect', '--raw', '--tls-verify=false', '--creds', creds(), ref(repoTag)])).stdout);

describe('browsing pushed images', () => {
  it('lists the local repositories with their tag counts', async () => {
    await go('/browse/local');
    const app = gui.page.getByTestId('repository-row').filter({ hasText: 'demo/app' });
    const tool = gui.page.getByTestId('repository-row').filter({ hasText: 'demo/tool' });
    await app.waitFor();
    await tool.waitFor();
    expect(await app.locator('td').nth(1).textContent()).toBe('2');
    expect(await tool.locator('td').nth(1).textContent()).toBe('1');
    expect(await gui.page.getByTestId('repositories-total').textContent()).toMatch(/2 repositories/);
    await shot('repositories');

    await gui.page.getByRole('button', { name: 'Toggle color scheme' }).click();
    expect(await gui.page.locator('html').getAttribute('data-mantine-color-scheme')).toBe('dark');
    await shot('dark-repositories');
    await gui.page.getByRole('button', { name: 'Toggle color scheme' }).click();
    expect(await gui.page.locator('html').getAttribute('data-mantine-color-scheme')).toBe('light');
  });

  it('shows the tags of demo/app with both platforms', async () => {
    await gui.page.getByTestId('repository-link').filter({ hasText: 'demo/app' }).click();
    await gui.page.waitForURL(/#\/browse\/local\/demo%2Fapp$/);
    for (const tag of ['1.0', 'latest']) {
      const row = gui.page.locator(`[data-testid="tag-row"][data-tag="${tag}"]`);
      await row.waitFor();
      await expect.poll(() => row.textContent()).toMatch(/linux\/amd64/);
      expect(await row.textContent()).toMatch(/linux\/arm64/);
    }
    await shot('tags');
  });

  it('shows the image with a size per platform that matches the registry', async () => {
    await gui.page.locator('[data-testid="tag-row"][data-tag="1.0"]').getByTestId('tag-link').click();
    await gui.page.getByTestId('platform-tabs').waitFor();

    // What skopeo reads from the registry: the index, and per platform its manifest's config + layers.
    const index = await inspectRaw('demo/app:1.0');
    const indexBytes = Buffer.byteLength((await skopeo(['inspect', '--raw', '--tls-verify=false', '--creds', creds(), ref('demo/app:1.0')])).stdout);
    const distinct = new Map<string, number>([['index', indexBytes]]);
    const perPlatform: Record<string, number> = {};
    for (const child of index.manifests as { digest: string; size: number; platform: { os: string; architecture: string } }[]) {
      const m = await inspectRaw(`demo/app@${child.digest}`);
      const blobs = [m.config, ...m.layers] as { digest: string; size: number }[];
      perPlatform[`${child.platform.os}/${child.platform.architecture}`] = blobs.reduce((s, b) => s + b.size, 0);
      distinct.set(child.digest, child.size);
      for (const b of blobs) distinct.set(b.digest, b.size);
    }
    expect(Object.keys(perPlatform).sort()).toEqual(['linux/amd64', 'linux/arm64']);
    const total = [...distinct.values()].reduce((s, n) => s + n, 0);
    expect(await gui.page.getByTestId('image-total-size').textContent()).toContain(`${formatBytes(total)} over 2 platforms`);
    expect(await gui.page.getByTestId('image-other-tags').textContent()).toContain('latest');

    for (const platform of ['linux/amd64', 'linux/arm64']) {
      await gui.page.getByTestId(`platform-tab-${platform}`).click();
      const panel = gui.page.getByRole('tabpanel').filter({ has: gui.page.getByTestId('platform-panel') });
      await expect.poll(() => gui.page.getByTestId(`platform-tab-${platform}`).getAttribute('aria-selected')).toBe('true');
      const sizes = panel.getByTestId('platform-sizes');
      expect(await sizes.textContent()).toContain(`Size (what a pull downloads)${formatBytes(perPlatform[platform])}`);
      expect(await panel.getByTestId('layers-table').locator('tbody tr').count()).toBeGreaterThan(0);
      expect(await panel.getByTestId('history-table').locator('tbody tr').count()).toBeGreaterThan(0);
      if (platform === 'linux/amd64') await shot('image');
    }
  });

  it('deletes one tag of two: the other tag and the image stay, in the GUI and in the registry', async () => {
    const digest = (await skopeo(['inspect', '--tls-verify=false', '--creds', creds(), '--format', '{{.Digest}}', ref('demo/app:latest')])).stdout.trim();
    await go('/browse/local/demo%2Fapp');
    const latest = gui.page.locator('[data-testid="tag-row"][data-tag="latest"]');
    await latest.getByTestId('tag-checkbox').check();
    await gui.page.getByTestId('tags-delete').click();
    const plan = gui.page.locator('[data-testid="delete-plan"][data-tag="latest"]');
    await plan.waitFor();
    const text = (await plan.textContent())!;
    expect(text).toContain(digest.slice(0, 'sha256:'.length + 12));
    expect(text).toMatch(/1\.0/);
    expect(await gui.page.getByTestId('delete-tags-modal').textContent()).toMatch(/stay|kept|keep/i);
    await gui.page.getByTestId('delete-tags-confirm').click();
    await expect.poll(() => gui.page.locator('[data-testid="tag-row"][data-tag="latest"]').count(), { timeout: 15_000 }).toBe(0);
    await gui.page.locator('[data-testid="tag-row"][data-tag="1.0"]').waitFor();

    const gone = await skopeo(['inspect', '--raw', '--tls-verify=false', '--creds', creds(), ref('demo/app:latest')], true);
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toMatch(/manifest unknown|not found/i);
    expect((await inspectRaw('demo/app:1.0')).manifests).toHaveLength(2);
  });
});

describe('the registry screen', () => {
  it('shows the status and commands, stops and starts the registry', async () => {
    await go('/registry');
    await expect.poll(() => gui.page.getByTestId('registry-status').textContent()).toBe('running');
    await gui.page.getByTestId('commands-image').waitFor();
    expect(await gui.page.getByTestId('registry-commands').textContent()).toContain(gui.server.berth.host);
    expect(await gui.page.getByTestId('registry-url').textContent()).toContain(gui.server.berth.host);
    await shot('registry');

    await gui.page.getByTestId('registry-stop').click();
    await gui.page.getByTestId('registry-stop-confirm').click();
    await expect.poll(() => gui.page.getByTestId('registry-status').textContent(), { timeout: 15_000 }).toBe('stopped');
    await expect.poll(() => gui.page.getByTestId('registry-badge').textContent()).toMatch(/stopped/);
    expect((await fetch(`${gui.server.berth.url}/v2/`)).status).toBe(503);

    await gui.page.getByTestId('registry-start').click();
    await expect.poll(() => gui.page.getByTestId('registry-status').textContent(), { timeout: 15_000 }).toBe('running');
    await expect.poll(() => gui.page.getByTestId('registry-badge').textContent()).toMatch(/running/);
    const res = await fetch(`${gui.server.berth.url}/v2/`, { headers: { authorization: `Basic ${Buffer.from(creds()).toString('base64')}` } });
    expect(res.status).toBe(200);
  });
});
