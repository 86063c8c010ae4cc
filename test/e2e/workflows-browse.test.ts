/**
 * The GUI's browse workflows in real Chromium against a real `berth serve --ui`: images pushed with
 * skopeo are listed with their tags and platforms, the image screen's sizes match what skopeo reads
 * from the registry, deleting a selection of tags does in the registry what its preview said (two
 * tags of one image and one other on the local registry, GC figure included; a registry:2
 * connection whose preview names the tag that goes with the manifest), 100 tags keep the dialog
 * small, and the registry screen stops and starts the registry.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatBytes } from '../../src-renderer/src/app/format';
import { invoke, login } from '../bridge/client';
import { berthWorkspace } from '../helpers/berth-server';
import { writeOciLayout } from '../helpers/images';
import { startRegistry2, type RunningRegistry2 } from '../helpers/registry2';
import { guiSession } from './harness';

const ws = berthWorkspace('berth-e2e-browse-');
const creds = () => `admin:${gui.server.password}`;
const push = (src: string, dest: string, extra: string[] = []) =>
  skopeo(['copy', '--quiet', '--dest-tls-verify=false', '--dest-creds', creds(), ...extra, `oci:${gui.images.layout.dir}:${src}`, ref(dest)]);
/** Two hand-made images that share their first layer (a small file) and nothing else. */
let layouts: { x: string; y: string };
let reg2: RunningRegistry2 | undefined;
let reg2Connection = '';
const basic = () => ({ authorization: `Basic ${Buffer.from(creds()).toString('base64')}` });

/** Tags `repo:from`'s manifest again under each of `tags` (one PUT each, as `docker tag` + push would). */
async function retag(repo: string, from: string, tags: string[]): Promise<void> {
  const base = gui.server.berth.url;
  const got = await fetch(`${base}/v2/${repo}/manifests/${from}`, { headers: { ...basic(), accept: 'application/vnd.oci.image.manifest.v1+json' } });
  if (got.status !== 200) throw new Error(`GET ${repo}:${from}: ${got.status}`);
  const body = Buffer.from(await got.arrayBuffer());
  for (const tag of tags) {
    const put = await fetch(`${base}/v2/${repo}/manifests/${tag}`, { method: 'PUT', body, headers: { ...basic(), 'content-type': got.headers.get('content-type')! } });
    if (put.status !== 201) throw new Error(`PUT ${repo}:${tag}: ${put.status}`);
  }
}

const gui = guiSession(ws, {
  prepare: async (s) => {
    await push('multi', 'demo/app:1.0', ['--all']);
    await skopeo(['copy', '--quiet', '--all', '--src-tls-verify=false', '--dest-tls-verify=false', '--src-creds', creds(), '--dest-creds', creds(), ref('demo/app:1.0'), ref('demo/app:latest')]);
    await push('amd64', 'demo/tool:v1');
    layouts = { x: join(ws.dir, 'layout-x'), y: join(ws.dir, 'layout-y') };
    writeOciLayout(layouts.x, { tag: 'x' });
    writeOciLayout(layouts.y, { tag: 'y' });
    const copy = (from: string, to: string, extra: string[] = []) => s.skopeo(['copy', '--quiet', ...extra, from, to]);
    const toLocal = ['--dest-tls-verify=false', '--dest-creds', creds()];
    await copy(`oci:${layouts.x}:x`, ref('demo/del:a'), toLocal);
    await retag('demo/del', 'a', ['b', 'd']);
    await copy(`oci:${layouts.y}:y`, ref('demo/del:c'), toLocal);
    await push('amd64', 'demo/many:t000');
    await retag('demo/many', 't000', Array.from({ length: 99 }, (_, i) => `t${String(i + 1).padStart(3, '0')}`));

    const r2dir = join(ws.dir, 'reg2');
    mkdirSync(r2dir, { recursive: true });
    reg2 = await startRegistry2(join(r2dir, 'data'), r2dir);
    const toReg2 = (tag: string) => `docker://${reg2!.host}/r2/app:${tag}`;
    await copy(`oci:${layouts.x}:x`, toReg2('a'), ['--dest-tls-verify=false']);
    await copy(`docker://${reg2.host}/r2/app:a`, toReg2('b'), ['--src-tls-verify=false', '--dest-tls-verify=false']);
    await copy(`oci:${layouts.y}:y`, toReg2('c'), ['--dest-tls-verify=false']);
    const admin = await login(gui.server.berth.url, { username: 'admin', password: gui.server.password });
    const added = await invoke(gui.server.berth.url, admin, 'connections:add', { name: 'Team registry', kind: 'registry', url: reg2.url });
    if (!added.json?.ok) throw new Error(`connections:add: ${added.text}`);
    reg2Connection = added.json.result.id;
  },
});
afterAll(async () => {
  await reg2?.kill();
});
const { skopeo, ref, go, shot } = gui;
const inspectRaw = async (repoTag: string) =>
  JSON.parse((await skopeo(['inspect', '--raw', '--tls-verify=false', '--creds', creds(), ref(repoTag)])).stdout);
const digestOf = async (image: string, tlsCreds: string[] = ['--creds', creds()]) =>
  (await skopeo(['inspect', '--tls-verify=false', ...tlsCreds, '--format', '{{.Digest}}', image])).stdout.trim();
const listTags = async (image: string, tlsCreds: string[] = ['--creds', creds()]) =>
  (JSON.parse((await skopeo(['list-tags', '--tls-verify=false', ...tlsCreds, image])).stdout).Tags as string[]).sort();
/** What a GC that deletes untagged manifests would free now (a dry run on the real server). */
async function gcWouldFree(): Promise<number> {
  const admin = await login(gui.server.berth.url, { username: 'admin', password: gui.server.password });
  const r = await invoke(gui.server.berth.url, admin, 'gc:run', { dryRun: true, deleteUntagged: true, graceSeconds: 0 });
  if (!r.json?.ok) throw new Error(`gc:run: ${r.text}`);
  return r.json.result.bytesRemoved;
}

describe('browsing pushed images', () => {
  it('lists the local repositories with their tag counts', async () => {
    await go('/browse/local');
    const app = gui.page.getByTestId('repository-row').filter({ hasText: 'demo/app' });
    const tool = gui.page.getByTestId('repository-row').filter({ hasText: 'demo/tool' });
    await app.waitFor();
    await tool.waitFor();
    expect(await app.locator('td').nth(1).textContent()).toBe('2');
    expect(await tool.locator('td').nth(1).textContent()).toBe('1');
    expect(await gui.page.getByTestId('repositories-total').textContent()).toMatch(/4 repositories/);
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

  it('previews and deletes two tags of one image plus one other: the registry ends as the preview said', async () => {
    const [x, y] = [await digestOf(ref('demo/del:a')), await digestOf(ref('demo/del:c'))];
    const freeBefore = await gcWouldFree();
    await go('/browse/local/demo%2Fdel');
    for (const tag of ['a', 'b', 'c']) await gui.page.locator(`[data-testid="tag-row"][data-tag="${tag}"]`).getByTestId('tag-checkbox').check();
    await gui.page.getByTestId('tags-delete').click();
    const modal = gui.page.getByTestId('delete-tags-modal');
    const summary = modal.getByTestId('delete-summary');
    await summary.waitFor();
    const said = (await summary.textContent())!;
    expect(said).toContain('Deletes 3 tags');
    expect(said).toContain('2 images: 1 keeps other tags, 1 left untagged');
    const freed = /frees ([\d.]+ [KMG]?B)/.exec(said)?.[1];
    expect(freed).toBeTruthy();
    await modal.getByTestId('delete-details-toggle').click();
    const rowX = modal.locator(`[data-testid="delete-image"][data-digest="${x}"]`);
    const rowY = modal.locator(`[data-testid="delete-image"][data-digest="${y}"]`);
    expect(await rowX.getByTestId('delete-image-tags').textContent()).toBe('Deleted: a, b');
    expect(await rowX.getByTestId('delete-image-kept').textContent()).toBe('Stays: d');
    expect(await rowY.getByTestId('delete-image-tags').textContent()).toBe('Deleted: c');
    expect(await rowY.textContent()).toContain('left untagged');
    const confirm = modal.getByTestId('delete-tags-confirm');
    expect(await confirm.textContent()).toBe('Delete 3 tags');
    await shot('delete-tags');
    await confirm.click();
    await expect.poll(() => gui.page.getByTestId('tag-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-tag'))), { timeout: 15_000 }).toEqual(['d']);

    // The registry, asked with skopeo: only d is left; y stays untagged, by digest; x still has d.
    expect(await listTags(ref('demo/del'))).toEqual(['d']);
    expect(await digestOf(ref('demo/del:d'))).toBe(x);
    expect(await digestOf(ref(`demo/del@${y}`))).toBe(y);
    // The deleted tags went to the trash, which holds their image back from a collection; once it lets
    // go, a GC deleting untagged manifests frees what the preview said (the layer y shares with x excluded).
    expect(said).toContain('only after they leave the trash');
    expect(await gcWouldFree()).toBe(freeBefore);
    const admin = await login(gui.server.berth.url, { username: 'admin', password: gui.server.password });
    const emptied = await invoke(gui.server.berth.url, admin, 'trash:empty', {});
    expect(emptied.json?.ok, emptied.text).toBe(true);
    expect(formatBytes((await gcWouldFree()) - freeBefore)).toBe(freed);
    // The size line says what the repository still stores; the list, opened in the same page, its tag count now.
    await expect.poll(() => gui.page.getByTestId('repository-size').textContent()).toMatch(/^[\d.]+ [KMG]?B · 1 tag · 1 image · [\d.]+ [KMG]?B stored in all/);
    await shot('delete-tags-done');
    await gui.page.getByLabel('Breadcrumbs').getByRole('link').first().click();
    const row = gui.page.getByTestId('repository-row').filter({ hasText: 'demo/del' });
    await expect.poll(() => row.locator('td').nth(1).textContent()).toBe('1');
  });

  it('100 selected tags keep the dialog within the window, totals first', async () => {
    await go('/browse/local/demo%2Fmany');
    await gui.page.locator('[data-testid="tag-row"][data-tag="t099"]').waitFor();
    await gui.page.getByTestId('tags-select-all').check();
    expect(await gui.page.getByTestId('tags-delete').textContent()).toBe('Delete 100 tags');
    await gui.page.getByTestId('tags-delete').click();
    const modal = gui.page.getByTestId('delete-tags-modal');
    await modal.getByTestId('delete-summary').waitFor();
    expect(await modal.getByTestId('delete-summary').textContent()).toContain('Deletes 100 tags · 1 image: 1 left untagged');
    expect(await modal.getByTestId('delete-tags-confirm').textContent()).toBe('Delete 100 tags');
    await modal.getByTestId('delete-details-toggle').click();
    await modal.getByTestId('delete-image').waitFor();
    const box = await gui.page.locator('.mantine-Modal-content').boundingBox();
    expect(box!.height).toBeLessThan(800);
    await shot('delete-tags-100');
    await gui.page.keyboard.press('Escape');
    await expect.poll(() => gui.page.getByTestId('delete-tags-modal').count()).toBe(0);
    expect(await listTags(ref('demo/many'))).toHaveLength(100);
  });

  it('a registry:2 connection: the first preview names the tag that goes with the manifest, and that is what goes', async () => {
    const noCreds = ['--no-creds'];
    const x = await digestOf(`docker://${reg2!.host}/r2/app:a`, noCreds);
    await go(`/browse/${encodeURIComponent(reg2Connection)}/r2%2Fapp`);
    await gui.page.locator('[data-testid="tag-row"][data-tag="a"]').getByTestId('tag-checkbox').check();
    expect(await gui.page.getByTestId('tags-delete').textContent()).toBe('Delete 1 tag');
    await gui.page.getByTestId('tags-delete').click();
    const modal = gui.page.getByTestId('delete-tags-modal');
    await modal.getByTestId('delete-summary').waitFor();
    expect(await modal.getByTestId('delete-summary').textContent()).toContain('Deletes 2 tags · 1 image deleted');
    expect(await modal.getByTestId('delete-method').textContent()).toMatch(/whole manifests only/);
    expect(await modal.getByTestId('delete-also').textContent()).toBe('Not selected, deleted too: b');
    const confirm = modal.getByTestId('delete-tags-confirm');
    expect(await confirm.textContent()).toBe('Delete 2 tags');
    expect(await confirm.isDisabled()).toBe(true);
    // Finding that out deleted nothing.
    expect(await listTags(`docker://${reg2!.host}/r2/app`, noCreds)).toEqual(['a', 'b', 'c']);
    await modal.getByTestId('delete-tags-siblings-ack').check();
    await shot('delete-tags-registry2');
    await confirm.click();
    await expect.poll(() => gui.page.getByTestId('tag-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-tag'))), { timeout: 15_000 }).toEqual(['c']);
    expect(await listTags(`docker://${reg2!.host}/r2/app`, noCreds)).toEqual(['c']);
    const gone = await skopeo(['inspect', '--raw', '--tls-verify=false', '--no-creds', `docker://${reg2!.host}/r2/app@${x}`], true);
    expect(gone.code).not.toBe(0);
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
