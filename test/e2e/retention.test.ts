/**
 * Retention and the trash in real Chromium against a real `berth serve --ui` (issue 19): four tags
 * pushed by skopeo one after the other (their names in another order than their pushes, so that
 * "the last 2 pushed" is about time, not names), a policy added in the GUI, a Preview whose list is
 * exactly what the server then removes (checked on `/v2/<repo>/tags/list` and the manifest itself),
 * Run now, Recently deleted listing what went as the server's trash does, a Restore that puts the
 * tag back on the server, and the usage line with the bytes the trash holds.
 * Screenshots: docs/screenshots/retention.png, retention-preview.png, trash.png and dark-trash.png.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RetentionListing, RetentionReport, TrashListing, UsagePage } from '../../src-server/contract';
import { count, formatBytes } from '../../src-renderer/src/app/format';
import { itemReference } from '../../src-renderer/src/features/trash/format';
import { invoke, login, type Login } from '../bridge/client';
import { berthWorkspace } from '../helpers/berth-server';
import { ALL_MANIFEST_TYPES, buildTestImages, type TestImages } from '../helpers/images';
import { buildGui, launchChromium, loggedInPage, screenshot, startGuiServer, type GuiServer } from './harness';

const ws = berthWorkspace('berth-e2e-retention-');
const REPO = 'demo/app';
/** Push order, oldest first: the first two share the amd64 image, the last two the arm64 one. */
const PUSHES = [
  ['zeta', 'amd64'],
  ['alpha', 'amd64'],
  ['mid', 'arm64'],
  ['beta', 'arm64'],
] as const;
let server: GuiServer;
let images: TestImages;
let browser: Browser;
let page: Page;
let admin: Login;
let basic: string;

/** A channel through the bridge, as the GUI calls it; fails the test on an error envelope. */
async function ask<T>(channel: string, args?: unknown): Promise<T> {
  const r = await invoke(server.berth.url, admin, channel, args);
  expect(r.json?.ok, `${channel}: ${r.text}`).toBe(true);
  return r.json.result as T;
}

/** The repository's tags as the registry API lists them. */
async function serverTags(repo = REPO): Promise<string[]> {
  const res = await fetch(`${server.berth.url}/v2/${repo}/tags/list`, { headers: { authorization: basic } });
  expect(res.status).toBe(200);
  return (((await res.json()) as { tags: string[] | null }).tags ?? []).sort();
}

/** The HTTP status of GET manifest `ref` in REPO. */
async function manifestStatus(ref: string): Promise<number> {
  const res = await fetch(`${server.berth.url}/v2/${REPO}/manifests/${ref}`, { headers: { authorization: basic, accept: ALL_MANIFEST_TYPES } });
  await res.arrayBuffer();
  return res.status;
}

/** The test ids' `data-reference` of every row matching `selector`. */
const references = (selector: string) => page.locator(selector).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-reference')!));

beforeAll(async () => {
  const [ui, imgs] = await Promise.all([buildGui(), buildTestImages(join(ws.dir, 'images'), { randomFileSize: 1_500_000 })]);
  images = imgs;
  server = await startGuiServer(ws.fresh(), ui);
  basic = `Basic ${Buffer.from(`admin:${server.password}`).toString('base64')}`;
  const push = (from: string, to: string) =>
    images.sandbox.skopeo(['copy', '--quiet', '--dest-tls-verify=false', '--dest-creds', `admin:${server.password}`, `oci:${images.layout.dir}:${from}`, `docker://${server.berth.host}/${to}`]);
  // One after the other: each tag gets its own push time.
  for (const [tag, arch] of PUSHES) await push(arch, `${REPO}:${tag}`);
  // A repository the policy does not match, sharing the image the policy keeps (not the one it removes, whose bytes are then freed).
  await push('arm64', 'other/tool:latest');
  admin = await login(server.berth.url, { username: 'admin', password: server.password });
  browser = await launchChromium();
  page = await loggedInPage(browser, server);
  await page.setViewportSize({ width: 1280, height: 1100 });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.berth.kill();
  images?.sandbox.cleanup();
});

describe('retention and the trash in the browser', () => {
  let previewed: string[] = [];
  let amd64 = '';

  it('adds a policy in the GUI and shows which tags it keeps and why', async () => {
    await page.goto(`${server.berth.url}/#/storage`);
    await page.getByTestId('storage-tab-retention').click();
    await expect.poll(() => page.evaluate(() => window.location.hash)).toBe('#/storage/retention');
    await page.getByTestId('policy-add').click();
    await page.getByTestId('policy-name').fill('keep-two');
    await page.getByTestId('policy-repos').fill('demo/*');
    await page.getByTestId('policy-keep-last').fill('2');
    await page.getByTestId('policy-untagged').check();
    await page.getByTestId('policy-add-confirm').click();
    const row = page.locator('[data-testid="policy-row"][data-policy="keep-two"]');
    await row.waitFor();

    const listing = await ask<RetentionListing>('retention:list');
    const policy = listing.policies.find((p) => p.name === 'keep-two')!;
    expect(policy).toMatchObject({ repos: 'demo/*', keepLast: 2, untagged: true, repositories: 1, keptCount: 2 });
    expect(await row.getByTestId('policy-keeps').textContent()).toBe('last 2');
    expect(await row.getByTestId('policy-repositories').textContent()).toBe('1 repository');
    await row.getByTestId('policy-kept-toggle').click();
    // The two pushed last, whatever their names' order.
    const kept = await references('[data-testid="kept-row"]');
    expect(kept.sort()).toEqual(['demo/app:beta', 'demo/app:mid']);
    expect(kept).toEqual(policy.kept.map((k) => `${k.repository}:${k.tag}`));
    expect(await page.getByTestId('kept-row').first().textContent()).toContain('among the last 2 pushed');
    await screenshot(page, 'retention');
  });

  it('Preview lists what would go and the bytes, as a dry run on the server says', async () => {
    await page.getByTestId('retention-preview').click();
    await page.getByTestId('retention-preview-result').waitFor();
    previewed = await references('[data-testid="retention-removal"]');
    const dry = await ask<RetentionReport>('retention:run', { dryRun: true });
    expect(dry.dryRun).toBe(true);
    amd64 = dry.manifests[0]?.digest ?? '';
    expect(previewed).toEqual([...dry.tags.map((t) => `${t.repository}:${t.tag}`), ...dry.manifests.map((m) => `${m.repository}@${m.digest}`)]);
    // The oldest two tags, and the amd64 image they leave untagged.
    expect(previewed).toEqual(expect.arrayContaining(['demo/app:zeta', 'demo/app:alpha']));
    expect(dry.manifests).toHaveLength(1);
    expect(await page.getByTestId('retention-preview-summary').textContent()).toBe('Would remove 2 tags and 1 untagged manifest.');
    expect(dry.bytesFreed).toBeGreaterThan(images.randomFileSize);
    expect(await page.getByTestId('retention-bytes-freed').textContent()).toContain(`${formatBytes(dry.bytesFreed)} freed once they leave the trash`);
    await page.getByTestId('retention-run').scrollIntoViewIfNeeded();
    await screenshot(page, 'retention-preview');
  });

  it('Run now removes exactly what the preview listed: the server no longer has those tags nor that manifest', async () => {
    expect(await serverTags()).toEqual(['alpha', 'beta', 'mid', 'zeta']);
    expect(await manifestStatus(amd64)).toBe(200);
    await page.getByTestId('retention-run-now').click();
    expect(await page.getByTestId('retention-confirm-text').textContent()).toContain('This removes 2 tags and 1 untagged manifest, as previewed');
    await page.getByTestId('retention-run-confirm').click();
    await page.getByTestId('retention-run-result').waitFor();
    expect(await page.getByTestId('retention-run-differs').count()).toBe(0);
    expect(await references('[data-testid="retention-run-result"] [data-testid="retention-removal"]')).toEqual(previewed);

    const left = await serverTags();
    const removed = ['alpha', 'beta', 'mid', 'zeta'].filter((t) => !left.includes(t));
    expect(removed.map((t) => `${REPO}:${t}`).sort()).toEqual(previewed.filter((r) => !r.includes('@')).sort());
    expect(left).toEqual(['beta', 'mid']);
    expect(await manifestStatus(amd64)).toBe(404);
    // The policy matched demo/* only.
    expect(await serverTags('other/tool')).toEqual(['latest']);
  });

  it('Recently deleted lists what went, as the server trash does, and Restore puts a tag back on the server', async () => {
    await page.getByTestId('storage-tab-trash').click();
    await page.getByTestId('trash-table').waitFor();
    const trash = await ask<TrashListing>('trash:list');
    expect(trash.items.every((i) => i.source === 'retention' && i.policy === 'keep-two')).toBe(true);
    // Every tag the run removed is in the trash, and so is the untagged image.
    expect(trash.items.flatMap((i) => i.tags).sort()).toEqual(['alpha', 'zeta']);
    expect(trash.items.some((i) => i.digest === amd64)).toBe(true);
    expect(await references('[data-testid="trash-row"]')).toEqual(trash.items.map(itemReference));
    expect(await page.getByTestId('trash-totals').textContent()).toContain(`${count(trash.totals.items, 'item')} · ${formatBytes(trash.totals.heldBytes)} held back`);
    expect(await page.getByTestId('trash-source').first().textContent()).toBe('by retention policy keep-two');
    await screenshot(page, 'trash');

    // Restore the item holding zeta (a tag item, or the image with its tags: the server decides).
    const zeta = trash.items.find((i) => i.tags.includes('zeta'))!;
    const label = itemReference(zeta);
    await page.getByLabel(`Restore ${label}`, { exact: true }).click();
    await expect.poll(() => references('[data-testid="trash-row"]')).not.toContain(label);
    expect(await serverTags()).toEqual(['beta', 'mid', ...zeta.tags].sort());
    expect(await manifestStatus('zeta')).toBe(200);
    expect(await manifestStatus(amd64)).toBe(200);
  });

  it('Usage says how much the trash holds, linking to Recently deleted', async () => {
    // The run's one item (the image with both its tags) came back whole; a delete through the
    // registry API goes to the trash as well.
    const del = await fetch(`${server.berth.url}/v2/other/tool/manifests/latest`, { method: 'DELETE', headers: { authorization: basic } });
    expect(del.status).toBe(202);
    await page.getByTestId('storage-tab-usage').click();
    const line = page.getByTestId('usage-trash');
    await line.waitFor();
    const usage = await ask<UsagePage>('usage:repositories', { sort: 'stored', descending: true, offset: 0, limit: 50 });
    expect(usage.totals.trashItems).toBeGreaterThan(0);
    await expect.poll(() => line.textContent()).toContain(`Held in the trash: ${count(usage.totals.trashItems, 'item')}, ${formatBytes(usage.totals.trashHeldBytes)}`);
    await page.getByTestId('usage-trash-link').click();
    await expect.poll(() => page.evaluate(() => window.location.hash)).toBe('#/storage/trash');
    await page.getByTestId('trash-table').waitFor();
  });

  it('Recently deleted in the dark theme', async () => {
    const dark = await loggedInPage(browser, server, { colorScheme: 'dark' });
    await dark.setViewportSize({ width: 1280, height: 900 });
    await dark.goto(`${server.berth.url}/#/storage/trash`);
    await dark.getByTestId('trash-table').waitFor();
    expect(await dark.locator('html').getAttribute('data-mantine-color-scheme')).toBe('dark');
    await screenshot(dark, 'dark-trash');
    await dark.context().close();
  });
});
