/**
 * End-to-end harness for the GUI: the renderer built once (cached by the hash of its sources), a
 * real `berth serve --ui` on a fresh data directory, and Debian's Chromium driven by
 * playwright-core (never a downloaded browser). Screenshots go to docs/screenshots for README.
 */
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ensureGuiBuild } from '../../build/gui-build.mjs';
import { afterAll, beforeAll } from 'vitest';
import { startBerth, type BerthWorkspace, type RunningBerth } from '../helpers/berth-server';
import { buildTestImages, type TestImages, type ToolResult } from '../helpers/images';

const ROOT = join(import.meta.dirname, '..', '..');
/** Where the tests save a screenshot of each screen (linked from README). */
export const SCREENSHOTS = join(ROOT, 'docs', 'screenshots');

/** Builds the GUI (build/gui-build.mjs, as `berth serve` does in a checkout) unless a build of these sources exists. */
export function buildGui(): Promise<string> {
  return ensureGuiBuild();
}

/** A `berth serve --ui` with Basic auth and the admin password it printed. */
export interface GuiServer {
  berth: RunningBerth;
  password: string;
}

/** Starts `berth serve --ui --auth basic` on `dataDir` serving the GUI built in `uiDir`. */
export async function startGuiServer(dataDir: string, uiDir: string, extra: string[] = []): Promise<GuiServer> {
  const berth = await startBerth(dataDir, ['--auth', 'basic', '--ui', '--ui-dir', uiDir, ...extra]);
  const m = /password: (\S+)/.exec(berth.output());
  if (!m) throw new Error(`no admin password in the output:\n${berth.output()}`);
  return { berth, password: m[1]! };
}

/** Debian's Chromium, headless. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** A new page logged in as admin, on the local registry screen. */
export async function loggedInPage(browser: Browser, server: GuiServer, opts: { colorScheme?: 'light' | 'dark' } = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: opts.colorScheme ?? 'light' });
  const page = await context.newPage();
  page.on('pageerror', (err) => {
    throw new Error(`page error: ${err.message}`);
  });
  await page.goto(`${server.berth.url}/`);
  await page.getByLabel(/^User/).fill('admin');
  await page.getByLabel(/^Password/).fill(server.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
  return page;
}

/** Saves a screenshot of the page as docs/screenshots/NAME.png, without notifications earlier steps left in a corner. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  const toasts = (visibility: string) =>
    page.evaluate((v) => document.querySelectorAll<HTMLElement>('.mantine-Notifications-root').forEach((e) => e.style.setProperty('visibility', v)), visibility);
  await toasts('hidden');
  await page.screenshot({ path });
  await toasts('');
  if (statSync(path).size < 1000) throw new Error(`screenshot ${name} looks empty`);
  return path;
}

/** A GUI workflow file's world: images built offline, a `berth serve --ui`, Chromium, a logged-in page. */
export interface GuiSession {
  readonly server: GuiServer;
  readonly images: TestImages;
  readonly page: Page;
  /** The served data directory. */
  readonly dataDir: string;
  /** skopeo in the images' sandbox. */
  skopeo(args: string[], allowFailure?: boolean): Promise<ToolResult>;
  /** `docker://HOST/REPO:TAG` on the GUI's server. */
  ref(repoTag: string): string;
  /** Opens a screen by its hash (`/storage`). */
  go(hash: string): Promise<unknown>;
  /** {@link screenshot} of the page. */
  shot(name: string): Promise<string>;
}

/**
 * Registers the hooks of a GUI workflow file: builds the GUI and the test images, starts the server
 * (with `serveArgs`), runs `prepare` (pushes) before the browser logs in, and tears all down after.
 * Browser console errors are printed at the end.
 */
export function guiSession(ws: BerthWorkspace, opts: { serveArgs?: string[]; prepare?: (s: GuiSession) => Promise<void> } = {}): GuiSession {
  let server: GuiServer | undefined;
  let images: TestImages | undefined;
  let page: Page | undefined;
  let browser: Browser | undefined;
  let dataDir = '';
  const consoleErrors: string[] = [];
  const need = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`the GUI session has no ${what} yet (used before beforeAll?)`);
    return v;
  };
  const session: GuiSession = {
    get server() {
      return need(server, 'server');
    },
    get images() {
      return need(images, 'images');
    },
    get page() {
      return need(page, 'page');
    },
    get dataDir() {
      return dataDir;
    },
    skopeo: (args, allowFailure = false) => session.images.sandbox.skopeo(args, { allowFailure }),
    ref: (repoTag) => `docker://${session.server.berth.host}/${repoTag}`,
    go: (hash) => session.page.goto(`${session.server.berth.url}/#${hash}`),
    shot: (name) => screenshot(session.page, name),
  };
  beforeAll(async () => {
    const [ui, imgs] = await Promise.all([buildGui(), buildTestImages(join(ws.dir, 'images'))]);
    images = imgs;
    dataDir = ws.fresh();
    server = await startGuiServer(dataDir, ui, opts.serveArgs);
    browser = await launchChromium();
    await opts.prepare?.(session);
    page = await loggedInPage(browser, server);
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
  }, 180_000);
  afterAll(async () => {
    if (consoleErrors.length) console.warn(`browser console errors:\n${consoleErrors.join('\n')}`);
    await browser?.close();
    await server?.berth.kill();
    images?.sandbox.cleanup();
  });
  return session;
}
