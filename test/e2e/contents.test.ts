/**
 * Image contents in real Chromium against a real `berth serve --ui` (issue 18): a hand-made image
 * (two layers, the second overwriting a file and deleting a folder by whiteout) opened on the Files,
 * Layers and Compare views; what they show is checked against what the server answers through the
 * bridge, a file and a folder (.tar) are downloaded and their bytes checked, and the screenshots are saved.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageDiff, ImageFiles, ImageLayers } from '../../src-server/contract';
import { invoke, login, type Login } from '../bridge/client';
import { berthWorkspace } from '../helpers/berth-server';
import { CONTENTS_FILES, pushContentsImages } from '../helpers/contents-image';
import { buildGui, launchChromium, loggedInPage, screenshot, startGuiServer, type GuiServer } from './harness';

const ws = berthWorkspace('berth-e2e-contents-');
const REPO = 'demo/contents';
let server: GuiServer;
let browser: Browser;
let page: Page;
let admin: Login;

async function ask<T>(channel: string, args: unknown): Promise<T> {
  const r = await invoke(server.berth.url, admin, channel, args);
  expect(r.json?.ok, `${channel}: ${r.text}`).toBe(true);
  return r.json.result as T;
}

const rowPaths = () => page.getByTestId('file-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-path')));

beforeAll(async () => {
  const ui = await buildGui();
  server = await startGuiServer(ws.fresh(), ui);
  const basic = { authorization: `Basic ${Buffer.from(`admin:${server.password}`).toString('base64')}` };
  await pushContentsImages(server.berth.url, REPO, basic);
  admin = await login(server.berth.url, { username: 'admin', password: server.password });
  browser = await launchChromium();
  page = await loggedInPage(browser, server);
  // Tall enough for the header and a view below it in the screenshots.
  await page.setViewportSize({ width: 1280, height: 1000 });
}, 180_000);

/** Scrolls the element with this test id to the top of the window (what a screenshot should show). */
const scrollTo = (testId: string) => page.getByTestId(testId).evaluate((e) => e.scrollIntoView({ block: 'start' }));

afterAll(async () => {
  await browser?.close();
  await server?.berth.kill();
});

describe('image contents in the browser', () => {
  it('Files: the merged tree as the server lists it, hidden files marked, a preview and a download', async () => {
    const files = await ask<ImageFiles>('contents:files', { connection: 'local', repository: REPO, reference: 'v2' });
    // What the image holds, merged: the overwrite and the whiteout applied.
    const paths = files.entries.filter((e) => e.type !== 'dir').map((e) => e.path);
    expect(paths).toEqual(['bin/tool', 'etc/motd', 'etc/os-release', 'opt/new.txt', 'usr/share/doc/readme.txt']);
    expect(files.hidden.map((h) => `${h.how} ${h.path}`).sort()).toEqual(expect.arrayContaining(['overwritten etc/motd']));
    expect(files.hidden.some((h) => h.how === 'deleted' && h.path.startsWith('tmp/cache'))).toBe(true);

    await page.goto(`${server.berth.url}/#/browse/local/${encodeURIComponent(REPO)}/v2`);
    await page.getByTestId('image-tab-files').click();
    await page.getByTestId('files-tree').waitFor();
    const top = [...new Set(files.entries.map((e) => e.path.split('/')[0]!))].sort();
    expect(await rowPaths()).toEqual(top);
    expect(await page.getByTestId('files-summary').textContent()).toContain(`${files.entries.length} entries`);

    await page.getByLabel('Open etc', { exact: true }).click();
    await page.getByTestId('files-show-hidden').click();
    await expect.poll(rowPaths).toContain('etc/motd');
    const hiddenMotd = page.locator('[data-testid="file-row"][data-path="etc/motd"][data-hidden="overwritten"]');
    expect(await hiddenMotd.getByTestId('hidden-badge').textContent()).toBe('overwritten by layer 1');
    await expect.poll(rowPaths).toContain('tmp');

    await page.getByTestId('files-search').fill('readme');
    await expect.poll(rowPaths).toEqual(['usr', 'usr/share', 'usr/share/doc', 'usr/share/doc/readme.txt']);
    await page.getByTestId('files-search').fill('');
    await expect.poll(rowPaths).toContain('etc/motd');

    await page.getByLabel('Preview etc/motd').click();
    await expect.poll(() => page.getByTestId('preview-text').textContent()).toBe(CONTENTS_FILES.motdV2.toString());
    await scrollTo('image-tabs');
    await screenshot(page, 'files-tab');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByLabel('Download etc/motd', { exact: true }).click()]);
    expect(download.suggestedFilename()).toBe('motd');
    expect(readFileSync((await download.path())!)).toEqual(CONTENTS_FILES.motdV2);

    const [folder] = await Promise.all([page.waitForEvent('download'), page.getByLabel('Download etc as .tar', { exact: true }).click()]);
    expect(folder.suggestedFilename()).toBe('etc.tar');
    const tar = readFileSync((await folder.path())!);
    expect(tar.includes(CONTENTS_FILES.motdV2)).toBe(true);
    expect(tar.includes(CONTENTS_FILES.osRelease)).toBe(true);

    await page.getByLabel('Open bin', { exact: true }).click();
    const [tool] = await Promise.all([page.waitForEvent('download'), page.getByLabel('Download bin/tool', { exact: true }).click()]);
    expect(readFileSync((await tool.path())!)).toEqual(CONTENTS_FILES.tool);
  });

  it('Layers: each layer and its changes, as the server reports them', async () => {
    const layers = await ask<ImageLayers>('contents:layers', { connection: 'local', repository: REPO, reference: 'v2' });
    expect(layers.layers).toHaveLength(2);
    await page.getByTestId('image-tab-layers').click();
    await page.getByTestId('layers-table').waitFor();
    expect(await page.getByTestId('layer-row').count()).toBe(2);
    expect(await page.getByTestId('layer-row').nth(1).textContent()).toContain('RUN echo v2');
    await page.getByTestId('layer-row').nth(1).click();
    const shown = () => page.getByTestId('change-row').evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-kind')} ${r.getAttribute('data-path')}`));
    await expect.poll(shown).toEqual(layers.layers[1]!.changes.map((c) => `${c.kind} ${c.path}`));
    expect(await page.getByTestId('layer-wasted').first().textContent()).not.toBe('0 B');
    await scrollTo('image-tabs');
    await screenshot(page, 'layers-tab');
  });

  it('Compare: two tags from the tags screen, and the server diff', async () => {
    const diff = await ask<ImageDiff>('contents:diff', {
      left: { connection: 'local', repository: REPO, reference: 'v1' },
      right: { connection: 'local', repository: REPO, reference: 'v2' },
    });
    await page.goto(`${server.berth.url}/#/browse/local/${encodeURIComponent(REPO)}`);
    await page.getByTestId('tags-compare').click();
    await page.getByTestId('compare-left-tag').fill('v1');
    await page.getByTestId('compare-right-tag').fill('v2');
    await page.getByTestId('compare-run').click();
    await page.getByTestId('compare-result').waitFor();
    const added = diff.files.filter((f) => f.kind === 'added').length;
    const removed = diff.files.filter((f) => f.kind === 'removed').length;
    const changed = diff.files.length - added - removed;
    const counts = await page.getByTestId('compare-counts').textContent();
    expect(counts).toContain(`${diff.files.length} paths differ: ${added} added · ${removed} removed · ${changed} changed`);
    expect(diff.files.find((f) => f.path === 'etc/motd')?.kind).toBe('changed');
    expect(diff.layers.shared).toHaveLength(1);
    const rows = await page.getByTestId('diff-row').evaluateAll((r) => r.map((x) => `${x.getAttribute('data-kind')} ${x.getAttribute('data-path')}`));
    expect(rows).toEqual(diff.files.map((f) => `${f.kind} ${f.path}`));
    expect(await page.getByTestId('compare-config').textContent()).toContain('VERSION');
    await scrollTo('compare-result');
    await screenshot(page, 'compare');
  });
});
