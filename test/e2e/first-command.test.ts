/**
 * A newcomer's first command: in a checkout that has never built its GUI, `npm run berth -- serve`
 * builds it, prints the registry's address, the admin password and the GUI's address, and that
 * address opened in Chromium reaches the login and, with the printed password, the registry screen,
 * with no request for a file that is not there (the favicon). A second start reuses the build; with
 * `--no-ui` nothing is built, `/` is not found and `/v2/` still answers.
 *
 * The checkout is a copy of this one's sources with its own node_modules folder (links to the
 * installed packages, but no GUI build cache), so nothing built before helps or gets in the way:
 * every run pays for one real build (the first start took 24 s here, on a shared 2-core machine, the
 * second 4 s; the test prints both).
 * Only two flags differ from a newcomer's command: `--listen 127.0.0.1:0` (5000 may be taken on a
 * test machine; a free loopback port instead) and `--data` (a fresh data directory in the temp dir).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, existsSync, mkdirSync, readdirSync, realpathSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/berth-server';
import { launchChromium } from './harness';

const ROOT = resolve(import.meta.dirname, '../..');
const tmp = tempDir('berth-e2e-first-');
let checkout = '';
let browser: Browser | undefined;
const running = new Set<() => Promise<unknown>>();

beforeAll(() => {
  checkout = freshCheckout();
});

afterAll(async () => {
  await browser?.close();
  for (const stop of running) await stop();
  tmp.cleanup();
});

/** A checkout of these sources that never ran: no out/, no GUI build cache. */
function freshCheckout(): string {
  const dir = join(tmp.dir, 'berth');
  for (const f of ['package.json', 'tsconfig.json', 'bin', 'build', 'resources', 'src-server', 'src-renderer']) {
    cpSync(join(ROOT, f), join(dir, f), { recursive: true });
  }
  const modules = join(ROOT, 'node_modules');
  mkdirSync(join(dir, 'node_modules'));
  for (const name of readdirSync(modules)) {
    if (name === '.cache' || name === '.vite') continue;
    symlinkSync(realpathSync(join(modules, name)), join(dir, 'node_modules', name));
  }
  return dir;
}

/** The GUI builds kept in the checkout (see build/gui-build.mjs). */
const guiCache = () => join(checkout, 'node_modules', '.cache', 'berth-gui');

/** `npm run berth -- serve ARGS` in the checkout, on a free loopback port and the data directory `data`. */
function npmServe(data: string, args: string[] = []) {
  const started = Date.now();
  const proc = spawn('npm', ['run', 'berth', '--', 'serve', '--listen', '127.0.0.1:0', '--data', data, ...args], {
    cwd: checkout,
    // Its own process group: npm, its shell and the server stop together.
    detached: true,
    // Where a default would reach outside the temp dir (secrets file, XDG data): inside it.
    env: { ...process.env, BERTH_DATA: '', XDG_DATA_HOME: join(tmp.dir, 'xdg'), XDG_CONFIG_HOME: join(tmp.dir, 'xdg-config') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (out += d));
  const exited = once(proc, 'exit');
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) process.kill(-proc.pid!, 'SIGTERM');
    await exited;
    running.delete(stop);
  };
  running.add(stop);
  /** Waits until the output matches `re` (or the command exits). */
  const printed = async (re: RegExp): Promise<RegExpExecArray> => {
    for (;;) {
      const m = re.exec(out);
      if (m) return m;
      if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`npm run berth -- serve exited (${proc.exitCode ?? proc.signalCode}):\n${out}`);
      await Promise.race([once(proc.stdout, 'data'), once(proc.stderr, 'data'), exited]);
    }
  };
  return { printed, stop, output: () => out, seconds: () => (Date.now() - started) / 1000 };
}

describe("a newcomer's first command", () => {
  it('with --no-ui: nothing is built, / is not found, /v2/ answers as the registry', async () => {
    const berth = npmServe(join(tmp.dir, 'data-no-ui'), ['--no-ui']);
    const url = (await berth.printed(/Berth registry listening on (http:\/\/127\.0\.0\.1:\d+)\n/))[1]!;
    await berth.printed(/password: \S+/);
    expect(url).not.toMatch(/:5000$/);
    const root = await fetch(`${url}/`);
    expect(root.status).toBe(404);
    expect((await fetch(`${url}/_berth/api/session`, { method: 'POST' })).status).toBe(404);
    const v2 = await fetch(`${url}/v2/`);
    expect(v2.status).toBe(401);
    expect(v2.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
    await berth.stop();
    expect(berth.output()).not.toMatch(/Berth UI|building the GUI/);
    expect(existsSync(guiCache())).toBe(false);
  }, 120_000);

  it('npm run berth -- serve builds the GUI, prints its address, and the address leads to the registry screen', async () => {
    expect(existsSync(join(checkout, 'out'))).toBe(false);
    expect(existsSync(guiCache())).toBe(false);
    const data = join(tmp.dir, 'data');
    const berth = npmServe(data);
    const ui = (await berth.printed(/Berth UI: (http:\/\/127\.0\.0\.1:\d+\/)\n/))[1]!;
    const firstStart = berth.seconds();
    console.log(`first start in a fresh checkout, GUI build included: ${firstStart.toFixed(1)} s`);
    const password = (await berth.printed(/password: (\S+)/))[1]!;
    expect(berth.output()).toMatch(/building the GUI/);
    expect(berth.output()).toContain(`Berth registry listening on ${ui.slice(0, -1)}\n`);
    expect(ui).not.toMatch(/:5000\/$/);
    expect(readdirSync(guiCache())).toHaveLength(1);

    // The page names its icon, and the icon is there.
    const page0 = await (await fetch(ui)).text();
    expect(page0).toContain('rel="icon"');
    const icon = await fetch(`${ui}favicon.svg`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toBe('image/svg+xml');

    browser = await launchChromium();
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    const missing: string[] = [];
    page.on('response', (r) => {
      if (r.status() >= 400 && !['fetch', 'xhr', 'eventsource'].includes(r.request().resourceType())) missing.push(`${r.status()} ${r.url()}`);
    });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(ui);
    await page.getByLabel(/^User/).fill('admin');
    await page.getByLabel(/^Password/).fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
    await page.getByRole('heading', { name: 'Local registry' }).waitFor();
    expect(await page.getByTestId('registry-badge').textContent()).toMatch(/running/i);
    expect(missing).toEqual([]);
    expect(errors).toEqual([]);
    await berth.stop();

    // The second start finds the build of the same sources: no build, the GUI at once.
    const again = npmServe(data);
    const ui2 = (await again.printed(/Berth UI: (http:\/\/127\.0\.0\.1:\d+\/)\n/))[1]!;
    console.log(`second start, GUI build reused: ${again.seconds().toFixed(1)} s`);
    expect(again.output()).not.toMatch(/building the GUI/);
    expect((await fetch(ui2)).status).toBe(200);
    expect(readdirSync(guiCache())).toHaveLength(1);
    await again.stop();
  }, 400_000);
});
