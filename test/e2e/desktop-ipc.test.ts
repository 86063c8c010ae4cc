/**
 * The GUI in real Chromium over the desktop app's IPC path, as Electron runs it: the desktop
 * controller (`createDesktop`) lives in this test process and supervises a really forked registry
 * process (src-main/registry-host.ts, run from source through tsx), with recorders for the bits of
 * Electron it is handed (clipboard, dialogs, notifications, windows). The built renderer is served
 * from a loopback static server (Chromium blocks module scripts from file://; Electron has its own
 * file protocol), CSP meta included.
 *
 * Stand-in for Electron's contextBridge + ipcRenderer: before the app loads, `exposeBinding`
 * gives the page a function that calls `desktop.route(channel, payload)` (what the ipcMain handlers
 * call once the sender is checked), and an init script defines `window.berth = { invoke, on }`
 * exactly as src-main/preload.ts does (only the contract's channels, a listener registry for
 * events). Events the controller sends through `sendToWindows` are pushed into that registry with
 * `page.evaluate`, as `webContents.send` would.
 *
 * A user's view: no login screen, the local registry running at its address, an image pushed with
 * skopeo (with the first-run password of the dialog) listed with its tag, stop and start from the
 * GUI close and reopen the port, and a killed registry process shows as down, then running again
 * after the automatic restart.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { basename, extname, join, normalize, resolve, sep } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_CHANNELS, INVOKE_CHANNELS, type EventChannel, type InvokeChannel } from '../../src-server/contract';
import { MemorySecretStore } from '../../src-server/connections/secret-store';
import { HOST_ARGS_ENV } from '../../src-server/host/protocol';
import { createDesktop, type Desktop } from '../../src-main/desktop';
import { PreferencesStore } from '../../src-main/preferences';
import type { HostChild } from '../../src-main/supervisor';
import { tempDir } from '../helpers/berth-server';
import { listening } from '../helpers/net';
import { containersSandbox, writeOciLayout } from '../helpers/images';
import { freePort } from '../helpers/registry2';
import { buildGui, launchChromium, screenshot } from './harness';

const ROOT = resolve(import.meta.dirname, '../..');
const HOST_ENTRY = join(ROOT, 'src-main/registry-host.ts');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

/** Serves the built renderer folder on 127.0.0.1 (GET only, nothing outside the folder). */
function serveStatic(dir: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (path === '/favicon.ico') {
      // Chromium asks every site for one; an Electron window does not.
      res.writeHead(204).end();
      return;
    }
    const file = normalize(join(dir, path === '/' ? 'index.html' : path));
    let ok = file.startsWith(dir + sep) && req.method === 'GET';
    try {
      ok &&= statSync(file).isFile();
    } catch {
      ok = false;
    }
    if (!ok) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  return new Promise((res) => server.listen(0, '127.0.0.1', () => res({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` })));
}

/** Polls `test` until true, for at most `ms`. */
async function until(test: () => boolean | Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * What src-main/preload.ts does, for a page without Electron: `invoke` through the exposed binding,
 * `on` into a listener registry that the test fills. Runs in the page before any of its scripts.
 */
function installBridge(channels: { invoke: string[]; events: string[] }): void {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const w = window as unknown as Record<string, unknown>;
  const call = w.__berthInvoke as (channel: string, payload: unknown) => Promise<unknown>;
  w.__berthEmit = (channel: string, payload: unknown) => {
    for (const l of listeners.get(channel) ?? []) l(payload);
  };
  w.berth = Object.freeze({
    invoke(channel: string, payload: unknown) {
      if (!channels.invoke.includes(channel)) {
        return Promise.resolve({ ok: false, error: { code: 'CHANNEL_UNKNOWN', message: `unknown channel: ${String(channel)}` } });
      }
      return call(channel, payload);
    },
    on(channel: string, listener: (payload: unknown) => void) {
      if (!channels.events.includes(channel)) throw new Error(`unknown event channel: ${String(channel)}`);
      // Wrapped, as the preload drops the IPC event: each subscription is its own entry.
      const wrapped = (payload: unknown) => listener(payload);
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(wrapped);
      return () => void listeners.get(channel)?.delete(wrapped);
    },
  });
}

describe('the GUI over the desktop IPC path in Chromium', () => {
  const tmp = tempDir('berth-desktop-ipc-');
  const dataDir = join(tmp.dir, 'data');
  const children: ChildProcess[] = [];
  const notifications: Array<{ title: string; body: string }> = [];
  const clipboard: string[] = [];
  const sent: Array<{ channel: EventChannel; payload: unknown }> = [];
  const pageErrors: string[] = [];
  let firstRunDetail = '';
  let messageBoxes = 0;
  let password = '';
  let port = 0;
  let desktop: Desktop;
  let site: { server: Server; url: string } | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;
  let hostLog = '';

  const current = () => children.at(-1);
  const badge = () => page!.getByTestId('registry-status');

  /** The registry process, from source, as Node's stand-in for Electron's utilityProcess.fork. */
  function forkHost(args: string[]): HostChild {
    const child = fork(HOST_ENTRY, [], {
      execArgv: ['--import', 'tsx'],
      cwd: ROOT,
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: {
        ...process.env,
        [HOST_ARGS_ENV]: JSON.stringify(args),
        BERTH_DATA: dataDir,
        REGISTRY_HTTP_ADDR: `127.0.0.1:${port}`,
        // No D-Bus session: keytar fails fast and the registry process uses its file store.
        DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent',
      },
    });
    children.push(child);
    return {
      postMessage: (m) => void child.send(m),
      kill: () => child.kill('SIGKILL'),
      on: (event, listener) => child.on(event, listener),
      stderr: child.stderr,
    };
  }

  beforeAll(async () => {
    const [ui, p] = await Promise.all([buildGui(), freePort()]);
    port = p;
    desktop = createDesktop({
      fork: forkHost,
      prefs: new PreferencesStore(join(tmp.dir, 'userData', 'desktop.json')),
      launchAtLogin: {
        supported: false,
        get: () => false,
        set() {
          throw new Error('launch at login is not supported here');
        },
        openedAtLogin: () => false,
      },
      keychain: new MemorySecretStore(),
      clipboard: { writeText: (t) => void clipboard.push(t) },
      dialog: {
        showMessageBox: async (opts) => {
          messageBoxes++;
          firstRunDetail = opts.detail;
          return { response: opts.cancelId };
        },
        // Saving an image's file goes where the test says; the bundle export is cancelled.
        showSaveDialog: async (opts) => (opts.title.startsWith('Save ') ? { canceled: false, filePath: join(tmp.dir, 'Downloads', basename(opts.defaultPath)) } : { canceled: true }),
      },
      notify: (title, body) => void notifications.push({ title, body }),
      writeFile: async () => {
        throw new Error('no files are written in this test');
      },
      downloadsDir: join(tmp.dir, 'Downloads'),
      openWindow: () => undefined,
      sendToWindows: (channel, payload) => {
        sent.push({ channel, payload });
        // webContents.send: delivered if the window is there, dropped otherwise.
        void page
          ?.evaluate(([c, p]) => (window as unknown as { __berthEmit?: (c: string, p: unknown) => void }).__berthEmit?.(c, p), [channel, payload] as const)
          .catch(() => undefined);
      },
      render: () => undefined,
      quit: () => undefined,
      log: (text) => (hostLog = (hostLog + text).slice(-8000)),
    });
    desktop.start();
    await until(() => desktop.state().host.phase === 'ready' && firstRunDetail !== '', 'the registry process and the first-run dialog', 60_000).catch((err: Error) => {
      throw new Error(`${err.message}; state ${JSON.stringify(desktop.state().host)}; log:\n${hostLog}`);
    });
    password = /Password: (\S+)/.exec(firstRunDetail)?.[1] ?? '';

    site = await serveStatic(ui);
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(`page error: ${err.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(`console: ${m.text()} ${m.location().url}`);
    });
    await page.exposeBinding('__berthInvoke', (_source, channel: InvokeChannel, payload: unknown) => desktop.route(channel, payload));
    await page.addInitScript(installBridge, { invoke: [...INVOKE_CHANNELS], events: [...EVENT_CHANNELS] });
    await page.goto(`${site.url}/#/registry`);
  }, 180_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await new Promise<void>((res) => (site ? site.server.close(() => res()) : res()));
    await Promise.race([desktop?.shutdown(), new Promise((r) => setTimeout(r, 15_000))]);
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    tmp.cleanup();
  }, 60_000);

  it('opens on the local registry, running at its address, with no login screen', async () => {
    expect(password.length).toBeGreaterThanOrEqual(16);
    const nav = page!.getByRole('navigation', { name: 'Main navigation' });
    await nav.waitFor({ timeout: 20_000 });
    expect(await page!.getByRole('button', { name: 'Log in', exact: true }).count()).toBe(0);
    expect(await page!.getByLabel(/^Password/).count()).toBe(0);
    await expect.poll(() => badge().textContent(), { timeout: 20_000 }).toBe('running');
    expect(await page!.getByTestId('registry-url').textContent()).toBe(`http://127.0.0.1:${port}`);
    expect(await page!.getByTestId('registry-badge').textContent()).toContain(`127.0.0.1:${port}`);
    expect(await page!.getByTestId('registry-start').isDisabled()).toBe(true);
    expect(await listening(port)).toBe(true);
    // The desktop has no logout: the GUI got no user.
    expect(await page!.getByRole('button', { name: /log out/i }).count()).toBe(0);
    // The first-run password was shown once, in the desktop's dialog: the window does not show it again.
    expect(await page!.getByTestId('initial-password-notice').count()).toBe(0);
    expect(await desktop.route('users:initial-password', undefined)).toMatchObject({ ok: true, result: null });
    expect(await page!.content()).not.toContain(password);
  });

  it('lists an image pushed with skopeo, with the first-run password, and its tag', async () => {
    const images = tempDir('berth-desktop-ipc-img-');
    try {
      writeOciLayout(join(images.dir, 'layout'));
      const sandbox = containersSandbox(join(images.dir, 'sandbox'));
      try {
        await sandbox.skopeo(['copy', '--quiet', '--dest-tls-verify=false', '--dest-creds', `admin:${password}`, `oci:${join(images.dir, 'layout')}:latest`, `docker://127.0.0.1:${port}/desk/app:1.0`], { timeoutMs: 60_000 });
      } finally {
        sandbox.cleanup();
      }
    } finally {
      images.cleanup();
    }
    await page!.goto(`${site!.url}/#/browse/local`);
    const row = page!.getByTestId('repository-row').filter({ hasText: 'desk/app' });
    await row.waitFor({ timeout: 20_000 });
    await row.getByTestId('repository-link').click();
    await page!.waitForURL(/#\/browse\/local\/desk%2Fapp$/);
    const tag = page!.locator('[data-testid="tag-row"][data-tag="1.0"]');
    await tag.waitFor({ timeout: 20_000 });
    await expect.poll(() => tag.textContent(), { timeout: 10_000 }).toMatch(/linux\/amd64/);
  });

  it("reads the image's files over IPC, and saves one where the main process's dialog says", async () => {
    await page!.goto(`${site!.url}/#/browse/local/desk%2Fapp/1.0`);
    await page!.getByTestId('image-tab-files').click();
    await page!.getByTestId('files-tree').waitFor({ timeout: 30_000 });
    const paths = () => page!.getByTestId('file-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-path')));
    await expect.poll(paths).toEqual(['data', 'etc']);
    expect(await page!.getByTestId('files-no-download').count()).toBe(0);
    await page!.getByLabel('Open etc', { exact: true }).click();
    await page!.getByLabel('Preview etc/berth-test').click();
    await expect.poll(() => page!.getByTestId('preview-text').textContent()).toBe('linux/amd64\n');
    mkdirSync(join(tmp.dir, 'Downloads'), { recursive: true });
    await page!.getByLabel('Download etc/berth-test', { exact: true }).click();
    const saved = join(tmp.dir, 'Downloads', 'berth-test');
    await expect.poll(() => existsSync(saved), { timeout: 20_000 }).toBe(true);
    expect(readFileSync(saved, 'utf8')).toBe('linux/amd64\n');
    await page!.getByText(`Saved ${saved}`).waitFor();
  });

  it('stops the registry from the GUI: the port closes and the screen says stopped; Start reopens it', async () => {
    await page!.goto(`${site!.url}/#/registry`);
    await expect.poll(() => badge().textContent(), { timeout: 20_000 }).toBe('running');
    await screenshot(page!, 'desktop-registry');
    const since = sent.length;
    await page!.getByTestId('registry-stop').click();
    await page!.getByTestId('registry-stop-confirm').click();
    await expect.poll(() => badge().textContent(), { timeout: 20_000 }).toBe('stopped');
    expect(await listening(port)).toBe(false);
    // The registry process told the window, through sendToWindows.
    await until(() => sent.slice(since).some((e) => e.channel === 'registry:status-changed' && (e.payload as { running: boolean }).running === false), 'the stop event', 5000);
    await expect.poll(() => page!.getByTestId('registry-badge').textContent()).toBe('stopped');
    expect(await page!.getByTestId('registry-url').textContent()).toBe('—');
    expect(desktop.state().host.phase).toBe('ready');

    await page!.getByTestId('registry-start').click();
    await expect.poll(() => badge().textContent(), { timeout: 20_000 }).toBe('running');
    expect(await listening(port)).toBe(true);
    expect(await page!.getByTestId('registry-url').textContent()).toBe(`http://127.0.0.1:${port}`);
  });

  it('shows a killed registry process as down, and running again after the automatic restart', async () => {
    const killed = current()!;
    expect(killed.pid).toBeGreaterThan(0);
    const since = sent.length;
    process.kill(killed.pid!, 'SIGKILL');
    // The status-changed event createDesktop sends while no registry process answers.
    await expect.poll(() => badge().textContent(), { timeout: 10_000 }).toBe('stopped');
    await expect.poll(() => page!.getByTestId('registry-error').textContent(), { timeout: 10_000 }).toMatch(/killed by a signal.*restarting/);
    expect(sent.slice(since).some((e) => e.channel === 'registry:status-changed' && (e.payload as { error: string | null }).error !== null)).toBe(true);
    expect(notifications.some((n) => /registry stopped/.test(n.title))).toBe(true);

    await until(() => desktop.state().host.phase === 'ready' && current() !== killed, 'the restarted registry process', 60_000);
    await expect.poll(() => badge().textContent(), { timeout: 20_000 }).toBe('running');
    expect(await page!.getByTestId('registry-error').count()).toBe(0);
    expect(await page!.getByTestId('registry-url').textContent()).toBe(`http://127.0.0.1:${port}`);
    expect(await listening(port)).toBe(true);
    // The restart is no first run: the password dialog came once, and "Not now" copied nothing.
    expect(messageBoxes).toBe(1);
    expect(clipboard).toEqual([]);
  });

  it('logged no error in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
