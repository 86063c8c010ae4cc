/**
 * A remote that refuses the user, in real Chromium against `berth serve --ui`: a second `berth
 * serve --auth token` is added as a connection once with a wrong password and once as a user who
 * may pull nothing there. The first shows the refusal with the connection's name and a way to edit
 * it (never an empty list); the second shows an empty catalog for that user, and DENIED on a
 * repository it may not pull.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteSource } from '../../src-server/browse/remote-source';
import { RemoteRegistry } from '../../src-server/remote/client';
import { invoke, login } from '../bridge/client';
import { bytes, putImage } from '../browse/fixtures';
import { berthWorkspace, runBerth, type RunningBerth } from '../helpers/berth-server';
import { buildGui, launchChromium, loggedInPage, screenshot, startGuiServer, type GuiServer } from './harness';

const ws = berthWorkspace('berth-e2e-refusals-');
const PASSWORD = 'team-Secret-2c3d';
let remote: RunningBerth;
let server: GuiServer;
let browser: Browser;
let page: Page;
const ids: Record<'wrong' | 'nopull', string> = { wrong: '', nopull: '' };

beforeAll(async () => {
  const remoteData = ws.fresh('remote');
  for (const [user, access] of [['alice', 'admin@*'], ['carol', 'pull@other/*']]) {
    const added = await runBerth(['user', 'add', user!, '--password-stdin', '--access', access!, '--data', remoteData], { input: `${PASSWORD}\n` });
    expect(added.code, added.stderr).toBe(0);
  }
  const [ui] = await Promise.all([buildGui(), (async () => (remote = await ws.serve(remoteData, ['--auth', 'token'])))()]);
  const client = new RemoteRegistry({ url: remote.url, credentials: { username: 'alice', password: PASSWORD } });
  await putImage(new RemoteSource({ id: 'push', client, kind: 'registry' }), 'team/app', '1.0', { layers: [bytes('refusals', 3000)] });
  await client.close();

  server = await startGuiServer(ws.fresh('ui'), ui);
  const admin = await login(server.berth.url, { username: 'admin', password: server.password });
  const add = async (name: string, username: string, password: string) => {
    const r = await invoke(server.berth.url, admin, 'connections:add', { name, kind: 'registry', url: remote.url, username, password });
    expect(r.json?.ok, r.text).toBe(true);
    return r.json.result.id as string;
  };
  ids.wrong = await add('Team registry', 'alice', 'not-the-password');
  ids.nopull = await add('Team as carol', 'carol', PASSWORD);
  browser = await launchChromium();
  page = await loggedInPage(browser, server);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.berth.kill();
});

describe('a remote that refuses the user', () => {
  it('a wrong password is shown as such, naming the connection, never as an empty registry', async () => {
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Team registry' }).click();
    const alert = page.getByTestId('browse-refused');
    await alert.waitFor({ timeout: 20_000 });
    expect(await alert.getAttribute('data-code')).toBe('AUTH_FAILED');
    expect(await alert.textContent()).toContain('Team registry refused the user name or password');
    expect(await alert.textContent()).toContain('the password of “alice”');
    expect(await page.getByTestId('repositories-empty').count()).toBe(0);
    await screenshot(page, 'repositories-refused');
    await alert.getByRole('link', { name: 'Edit the connection' }).click();
    await page.waitForURL(/#\/connections$/);
  });

  it('a user who may pull nothing sees an empty catalog in words, and DENIED on a repository', async () => {
    await page.goto(`${server.berth.url}/#/browse/${encodeURIComponent(ids.nopull)}`);
    const empty = page.getByTestId('repositories-empty');
    await empty.waitFor({ timeout: 20_000 });
    expect(await empty.textContent()).toContain('Team as carol lists no repository that “carol” may see');
    await page.goto(`${server.berth.url}/#/browse/${encodeURIComponent(ids.nopull)}/team%2Fapp`);
    const alert = page.getByTestId('browse-refused');
    await alert.waitFor({ timeout: 20_000 });
    expect(await alert.getAttribute('data-code')).toBe('DENIED');
    expect(await alert.textContent()).toContain('Team as carol does not allow “carol” this');
  });
});
