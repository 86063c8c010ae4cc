/**
 * The Sync screen in Chromium against a real `berth serve --ui` (issue 20, "The Sync screen in
 * Chromium"): a registry:2 saved as a connection holds a multi-arch image and two single ones; a job
 * created in the GUI (its patterns, tag rule, namespace and strip prefix) is in sync.yml as the form
 * said; its dry run lists exactly what the server's dry `sync:run` answers; Run now shows progress,
 * then the summary with the server's counts, and the images are in the local registry with the
 * source's digests (checked through the registry API); the run is in the history; a second dry run
 * would copy nothing. Screenshots: docs/screenshots/sync.png and dark-sync.png.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SyncJob, SyncListing, SyncRunRecord, SyncSummary } from '../../src-server/contract';
import { invoke, login, type Login } from '../bridge/client';
import { berthWorkspace } from '../helpers/berth-server';
import { ALL_MANIFEST_TYPES } from '../helpers/images';
import { startRegistry2, type RunningRegistry2 } from '../helpers/registry2';
import { guiSession, loggedInPage, screenshot } from './harness';

const ws = berthWorkspace('berth-e2e-sync-');
let reg2: RunningRegistry2 | undefined;
let connection = '';
let admin: Login;

const gui = guiSession(ws, {
  prepare: async (s) => {
    const dir = join(ws.dir, 'reg2');
    mkdirSync(dir, { recursive: true });
    reg2 = await startRegistry2(join(dir, 'data'), dir);
    const toReg2 = (src: string, dest: string, extra: string[] = []) =>
      s.skopeo(['copy', '--quiet', '--dest-tls-verify=false', ...extra, `oci:${s.images.layout.dir}:${src}`, `docker://${reg2!.host}/${dest}`]);
    await toReg2('multi', 'team/app:v1', ['--all']);
    await toReg2('amd64', 'team/app:v2');
    // Not a version tag: the job's rule leaves it out.
    await toReg2('arm64', 'team/app:nightly');
    await toReg2('arm64', 'team/tool:v1');
    // Outside the job's pattern.
    await toReg2('amd64', 'other/thing:v1');
    admin = await login(s.server.berth.url, { username: 'admin', password: s.server.password });
    const added = await invoke(s.server.berth.url, admin, 'connections:add', { name: 'Team registry', kind: 'registry', url: reg2.url });
    if (!added.json?.ok) throw new Error(`connections:add: ${added.text}`);
    connection = added.json.result.id;
  },
});
afterAll(async () => {
  await reg2?.kill();
});
const { go, shot } = gui;

/** A channel through the bridge, as the GUI calls it; fails the test on an error envelope. */
async function ask<T>(channel: string, args?: unknown): Promise<T> {
  const r = await invoke(gui.server.berth.url, admin, channel, args);
  expect(r.json?.ok, `${channel}: ${r.text}`).toBe(true);
  return r.json.result as T;
}

/** The digest a registry answers for `repo:ref` (null when it has none). */
async function digestAt(base: string, repo: string, ref: string, authorization?: string): Promise<string | null> {
  const res = await fetch(`${base}/v2/${repo}/manifests/${ref}`, { method: 'HEAD', headers: { accept: ALL_MANIFEST_TYPES, ...(authorization ? { authorization } : {}) } });
  return res.status === 200 ? res.headers.get('docker-content-digest') : null;
}
const basic = () => `Basic ${Buffer.from(`admin:${gui.server.password}`).toString('base64')}`;

/** Clicks Dry run and answers the server's reply to the page's own call. */
async function dryRunInPage(): Promise<SyncSummary> {
  const answer = gui.page.waitForResponse((r) => r.url().endsWith('/_berth/api/invoke/sync:run'));
  await gui.page.getByTestId('sync-job-dry-run').click();
  const body = (await (await answer).json()) as { ok: boolean; result: SyncSummary };
  expect(body.ok).toBe(true);
  return body.result;
}
const rowsOf = (s: SyncSummary) => (s.images ?? []).map((i) => [i.source, i.destination, i.action]);
const sorted = <T>(list: T[]) => [...list].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

/** The dry-run rows the page shows: source, destination, action. */
const dryRows = () =>
  gui.page.locator('[data-testid="sync-dry-image"]').evaluateAll((rows) =>
    rows.map((r) => [r.querySelector('[data-testid="sync-dry-source"]')!.textContent, r.querySelector('[data-testid="sync-dry-destination"]')!.textContent, r.getAttribute('data-action')]),
  );

describe('the Sync screen in Chromium', () => {
  const expected = (): SyncJob => ({
    name: 'mirror-team',
    source: { connection, repositories: ['team/*'] },
    tags: { include: ['^v\\d+$'] },
    destination: { connection: 'local', namespace: 'mirror', stripPrefix: 'team/' },
    interval: '6h',
  });

  it('creates a job from the form: sync.yml holds what the form said', async () => {
    await go('/sync');
    await gui.page.getByText('No sync jobs').waitFor();
    await gui.page.getByTestId('sync-add').click();
    const form = gui.page.getByTestId('sync-job-form');
    await form.getByTestId('sync-job-name').fill('mirror-team');
    // The first saved connection is offered as the source.
    expect(await form.getByTestId('sync-job-source').inputValue()).toBe('Team registry');
    await form.getByTestId('sync-job-repositories').fill('team/*');
    await form.getByTestId('sync-job-include').fill('^v\\d+$');
    await form.getByTestId('sync-job-namespace').fill('mirror');
    await form.getByTestId('sync-job-strip').fill('team/');
    await form.getByTestId('sync-job-interval').fill('6h');
    await form.getByTestId('sync-job-save').click();
    const row = gui.page.locator('[data-testid="sync-job-row"][data-job="mirror-team"]');
    await row.waitFor();
    const listing = await ask<SyncListing>('sync:list');
    expect(listing.jobs.map((j) => j.job)).toEqual([expected()]);
    expect(await row.getByTestId('sync-job-route').textContent()).toBe('Team registry → This computer');
    expect(await row.getByTestId('sync-job-schedule').textContent()).toBe('every 6h');
  });

  it("dry run lists exactly what the server's dry run answers", async () => {
    const answered = await dryRunInPage();
    await gui.page.getByTestId('sync-dry-list').waitFor();
    const rows = await dryRows();
    // Exactly the page's own answer, in its order; and the same images as another dry run (which may finish them in another order).
    expect(rows).toEqual(rowsOf(answered));
    const dry = await ask<SyncSummary>('sync:run', { job: 'mirror-team', dryRun: true });
    expect(sorted(rows)).toEqual(sorted(rowsOf(dry)));
    // v1 and v2 of team/app and v1 of team/tool; not nightly, not other/thing.
    expect(rows.map((r) => r[0]!.replace(/^[^/]+\//, '')).sort()).toEqual(['team/app:v1', 'team/app:v2', 'team/tool:v1']);
    expect(rows.every((r) => r[2] === 'copy')).toBe(true);
    expect(await gui.page.getByTestId('sync-dry-summary').textContent()).toBe('Would copy 3 and skip 0 (already at the destination).');
  });

  it('Run now shows progress, then the summary with the counts the server keeps; the images are in the local registry with their digests', async () => {
    // Records whether the progress block was ever on the page (the run may be quick).
    await gui.page.evaluate(() => {
      const w = window as unknown as { sawProgress: boolean };
      w.sawProgress = false;
      new MutationObserver(() => {
        if (document.querySelector('[data-testid="sync-progress"]')) w.sawProgress = true;
      }).observe(document.body, { childList: true, subtree: true });
    });
    await gui.page.getByTestId('sync-job-run').click();
    const summary = gui.page.getByTestId('sync-run-summary');
    await summary.waitFor({ timeout: 120_000 });
    expect(await gui.page.evaluate(() => (window as unknown as { sawProgress: boolean }).sawProgress)).toBe(true);
    const { runs } = await ask<{ runs: SyncRunRecord[] }>('sync:history', {});
    const last = runs[0]!;
    expect(last).toMatchObject({ jobs: ['mirror-team'], trigger: 'gui', dryRun: false, outcome: 'done', copied: 3, skipped: 0, failed: 0 });
    expect(await summary.textContent()).toContain(`${last.copied} copied, ${last.skipped} skipped, ${last.failed} failed`);
    const copies: Array<[string, string]> = [
      ['team/app:v1', 'mirror/app:v1'],
      ['team/app:v2', 'mirror/app:v2'],
      ['team/tool:v1', 'mirror/tool:v1'],
    ];
    for (const [src, dest] of copies) {
      const [srcRepo, srcTag] = src.split(':') as [string, string];
      const [destRepo, destTag] = dest.split(':') as [string, string];
      const want = await digestAt(reg2!.url, srcRepo, srcTag);
      expect(want).toMatch(/^sha256:/);
      expect(await digestAt(gui.server.berth.url, destRepo, destTag, basic())).toBe(want);
    }
    expect(await digestAt(gui.server.berth.url, 'mirror/app', 'nightly', basic())).toBeNull();
  });

  it('the history shows the run: when, trigger, counts', async () => {
    const { runs } = await ask<{ runs: SyncRunRecord[] }>('sync:history', {});
    const row = gui.page.locator(`[data-testid="sync-history-row"][data-run="${runs[0]!.id}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('from the GUI');
    expect((await row.getByTestId('sync-history-copied').textContent())!.startsWith(String(runs[0]!.copied))).toBe(true);
    expect(await row.getByTestId('sync-history-skipped').textContent()).toBe(String(runs[0]!.skipped));
    expect(await row.getByTestId('sync-history-failed').textContent()).toBe('0');
    expect(await gui.page.locator('[data-testid="sync-job-row"]').getByTestId('sync-job-last').textContent()).toContain('3 copied, 0 skipped, 0 failed');
  });

  it('a second dry run would copy nothing: every image is at the destination', async () => {
    const answered = await dryRunInPage();
    await expect.poll(() => gui.page.getByTestId('sync-dry-summary').textContent()).toBe('Would copy 0 and skip 3 (already at the destination).');
    expect(await dryRows()).toEqual(rowsOf(answered));
    expect(answered.images?.every((i) => i.action === 'skip')).toBe(true);
    await gui.page.setViewportSize({ width: 1280, height: 1000 });
    await shot('sync');
  });

  it('the Sync screen in the dark theme', async () => {
    const browser = gui.page.context().browser()!;
    const dark = await loggedInPage(browser, gui.server, { colorScheme: 'dark' });
    await dark.setViewportSize({ width: 1280, height: 900 });
    await dark.goto(`${gui.server.berth.url}/#/sync`);
    await dark.getByTestId('sync-history').waitFor();
    expect(await dark.locator('html').getAttribute('data-mantine-color-scheme')).toBe('dark');
    await screenshot(dark, 'dark-sync');
    await dark.context().close();
  });
});
