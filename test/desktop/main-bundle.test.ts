/**
 * The built desktop app, run under plain Node: `electron-vite build`, then out/main/index.js is
 * started with a stand-in `electron` module (test/fixtures/electron-stub), which proves every other
 * import of the main bundle resolves, and lets the test drive it as a user would: the registry
 * process is really forked (out/main/registry-host.js, as Electron's utilityProcess would), the
 * first-run password dialog appears, skopeo pushes with that password, the GUI's IPC calls are
 * answered (and refused from a foreign page), the tray starts and stops the registry, a killed
 * registry process is reported and restarted, the client bundle is exported, the window hides to
 * the tray and Quit shuts everything down.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/berth-server';
import { electronViteBuild } from '../helpers/electron-vite';
import { listening } from '../helpers/net';
import { containersSandbox, runTool, writeOciLayout } from '../helpers/images';
import { freePort } from '../helpers/registry2';

const ROOT = resolve(import.meta.dirname, '../..');
const STUB = join(ROOT, 'test/fixtures/electron-stub/register.mjs');

interface Record_ {
  type: string;
  data: any;
}


/** The main process under the stand-in, with its records and a command channel. */
class DesktopUnderTest {
  readonly records: Record_[] = [];
  private nextId = 1;
  private readonly replies = new Map<number, (v: any) => void>();
  private waiters: Array<{ test: (r: Record_) => boolean; resolve: (r: Record_) => void }> = [];
  readonly exited: Promise<number | null>;
  stderr = '';
  stdout = '';

  constructor(readonly child: ChildProcess) {
    child.on('message', (m: any) => {
      if (m?.kind === 'record') {
        const r = { type: m.type, data: m.data };
        this.records.push(r);
        this.waiters = this.waiters.filter((w) => {
          if (!w.test(r)) return true;
          w.resolve(r);
          return false;
        });
      } else if (m?.kind === 'reply') {
        this.replies.get(m.id)?.(m.error ? Promise.reject(new Error(m.error)) : m.value);
        this.replies.delete(m.id);
      }
    });
    child.stderr?.on('data', (d) => (this.stderr += d));
    child.stdout?.on('data', (d) => (this.stdout += d));
    this.exited = new Promise((res) => child.on('exit', (code) => res(code)));
  }

  /** The first record at index `since` or later (already recorded, or yet to come) that passes `test`. */
  waitFor(test: (r: Record_) => boolean, what: string, timeoutMs = 30_000, since = 0): Promise<Record_> {
    const seen = this.records.slice(since).find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`timed out waiting for ${what}; records:\n${this.records.map((r) => `${r.type} ${JSON.stringify(r.data).slice(0, 300)}`).join('\n')}\nstderr:\n${this.stderr}`)), timeoutMs);
      this.waiters.push({
        test,
        resolve: (r) => {
          clearTimeout(timer);
          res(r);
        },
      });
    });
  }

  command(cmd: string, extra: Record<string, unknown> = {}): Promise<any> {
    const id = this.nextId++;
    return new Promise((res) => {
      this.replies.set(id, res);
      this.child.send({ cmd, id, ...extra });
    });
  }

  invoke(channel: string, payload?: unknown, from: Record<string, unknown> = {}): Promise<any> {
    return this.command('invoke', { channel, payload, ...from });
  }

  lastTray(): Record_ | undefined {
    return this.records.filter((r) => r.type === 'tray').at(-1);
  }
}

const trayShows = (light: string) => (r: Record_) => r.type === 'tray' && String(r.data.image).endsWith(`tray-${light}.png`);
const item = (r: Record_ | undefined, id: string) => r?.data.items.find((i: any) => i.id === id);

describe('the built desktop app under a stand-in electron module', () => {
  // Inside the repository, so out/main's imports of koa, better-sqlite3, ... resolve from node_modules.
  const work = join(ROOT, 'node_modules/.cache', `berth-desktop-test-${process.pid}`);
  const out = join(work, 'out');
  const tmp = tempDir('berth-desktop-');
  const dataDir = join(tmp.dir, 'data');
  const savePath = join(tmp.dir, 'bundle.tar.gz');
  let port: number;
  let app: DesktopUnderTest;
  let password: string;

  beforeAll(async () => {
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    // out/main finds resources/ (icons) at ../../resources, as in the packaged app.
    symlinkSync(join(ROOT, 'resources'), join(work, 'resources'));
    const built = await electronViteBuild(out);
    if (built.code !== 0) throw new Error(`electron-vite build failed (${built.code}):\n${built.output}`);
    port = await freePort();
    const child = fork(join(out, 'main/index.js'), [], {
      execArgv: ['--import', STUB],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: {
        ...process.env,
        STUB_HOME: join(tmp.dir, 'home'),
        HOME: join(tmp.dir, 'home'),
        XDG_CONFIG_HOME: join(tmp.dir, 'home/.config'),
        BERTH_DATA: dataDir,
        REGISTRY_HTTP_ADDR: `127.0.0.1:${port}`,
        // "Copy password" in the first-run dialog (no Secret Service runs in this test).
        STUB_MESSAGE_BOX_RESPONSE: '1',
        STUB_SAVE_PATH: savePath,
        // No D-Bus session: keytar fails fast instead of waiting for one.
        DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent',
      },
    });
    app = new DesktopUnderTest(child);
  }, 180_000);

  afterAll(async () => {
    if (app && app.child.exitCode === null) {
      app.child.kill('SIGKILL');
    }
    rmSync(work, { recursive: true, force: true });
    tmp.cleanup();
  });

  it('starts: one instance, sandbox on, a locked-down window showing the built page, the app menu, the About panel', async () => {
    const win = await app.waitFor((r) => r.type === 'window-created', 'the window');
    const prefs = win.data.options.webPreferences;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
    expect(existsSync(prefs.preload), prefs.preload).toBe(true);
    const load = await app.waitFor((r) => r.type === 'window-load', 'the page load');
    expect(load.data).toMatchObject({ exists: true });
    expect(load.data.file).toBe(join(out, 'renderer/index.html'));
    const types = app.records.map((r) => r.type);
    expect(types).toEqual(expect.arrayContaining(['single-instance-lock', 'enable-sandbox', 'app-menu', 'about-panel']));
    const fork = await app.waitFor((r) => r.type === 'utility-fork', 'the registry process');
    expect(fork.data).toMatchObject({ modulePath: join(out, 'main/registry-host.js'), exists: true });
  });

  it('offers the first-run admin password, and the tray turns green with the address', async () => {
    const box = await app.waitFor((r) => r.type === 'message-box', 'the first-run password dialog');
    expect(box.data.buttons).toEqual(expect.arrayContaining(['Store in keychain', 'Copy password']));
    const copied = await app.waitFor((r) => r.type === 'clipboard', 'the copied password');
    password = copied.data.text;
    expect(password.length).toBeGreaterThanOrEqual(16);
    expect(box.data.detail).toContain(password);
    const tray = await app.waitFor(trayShows('running'), 'a running tray');
    expect(tray.data.imageExists).toBe(true);
    expect(tray.data.tooltip).toContain(`127.0.0.1:${port}`);
    expect(item(tray, 'address')?.label).toContain(`127.0.0.1:${port}`);
    expect(item(tray, 'stop')?.enabled).toBe(true);
    // No keychain here: the registry process says where connection passwords went.
    await app.waitFor((r) => r.type === 'notification' && /keychain/i.test(r.data.title + r.data.body), 'the no-keychain notice');
  });

  it('answers the GUI over IPC: skopeo pushes with the first-run password and the image is browsed', async () => {
    const status = await app.invoke('registry:status');
    expect(status).toMatchObject({ ok: true, result: { running: true, url: `http://127.0.0.1:${port}` } });

    const images = tempDir('berth-desktop-img-');
    try {
      writeOciLayout(join(images.dir, 'layout'));
      const sandbox = containersSandbox(join(images.dir, 'sandbox'));
      try {
        await sandbox.skopeo(['copy', '--dest-tls-verify=false', '--dest-creds', `admin:${password}`, `oci:${join(images.dir, 'layout')}:latest`, `docker://127.0.0.1:${port}/desk/app:1`]);
      } finally {
        sandbox.cleanup();
      }
    } finally {
      images.cleanup();
    }
    const repos = await app.invoke('browse:repositories', { connection: 'local' });
    expect(repos.ok, JSON.stringify(repos)).toBe(true);
    expect(repos.result.items.map((r: { name: string }) => r.name)).toContain('desk/app');
  });

  it('refuses IPC from a foreign page, a subframe or another web contents, and bad payloads get the contract error', async () => {
    for (const from of [{ frameUrl: 'https://evil.example/' }, { subframe: true }, { contentsId: 999 }, { noFrame: true }]) {
      const answer = await app.invoke('registry:status', undefined, from);
      expect(answer, JSON.stringify(from)).toMatchObject({ ok: false, error: { code: 'DENIED' } });
    }
    expect(await app.invoke('not:a-channel')).toEqual({ noHandler: true });
    const bad = await app.invoke('browse:tags', { connection: 'local' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'ARGS_INVALID' } });
  });

  it('stops and starts the registry from the tray: the port closes and opens, the window hears of it', async () => {
    const since = app.records.length;
    expect(await app.command('tray-click', { itemId: 'stop' })).toEqual({ clicked: true });
    await app.waitFor(trayShows('stopped'), 'a stopped tray', 30_000, since);
    expect(await listening(port)).toBe(false);
    await app.waitFor((r) => r.type === 'send' && r.data.channel === 'registry:status-changed' && r.data.payload.running === false, 'the stop event', 5000, since);
    expect(item(app.lastTray(), 'address')).toBeUndefined();

    const again = app.records.length;
    expect(await app.command('tray-click', { itemId: 'start' })).toEqual({ clicked: true });
    await app.waitFor(trayShows('running'), 'a running tray again', 30_000, again);
    expect(await listening(port)).toBe(true);
  });

  it('reports a killed registry process, restarts it by itself, and the content is still there', async () => {
    const { pid } = await app.command('host-pid');
    expect(pid).toBeGreaterThan(0);
    const since = app.records.length;
    process.kill(pid, 'SIGKILL');
    const crash = await app.waitFor((r) => r.type === 'notification' && /registry stopped/.test(r.data.title), 'the crash notification', 10_000, since);
    expect(crash.data.body).toMatch(/killed by a signal.*restarting/);
    const red = await app.waitFor(trayShows('error'), 'a red tray', 10_000, since);
    expect(item(red, 'restart')).toBeDefined();
    await app.waitFor(trayShows('running'), 'a running tray after the restart', 60_000, since);
    const { pid: newPid } = await app.command('host-pid');
    expect(newPid).not.toBe(pid);
    const manifest = await fetch(`http://127.0.0.1:${port}/v2/desk/app/manifests/1`, {
      method: 'HEAD',
      headers: { Authorization: `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`, Accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
    expect(manifest.status).toBe(200);
    // No second first-run dialog: the admin user exists now.
    expect(app.records.filter((r) => r.type === 'message-box')).toHaveLength(1);
  });

  it('exports the client bundle from the tray: a tar.gz holding the CA the registry uses', async () => {
    const since = app.records.length;
    expect(await app.command('tray-click', { itemId: 'export-bundle' })).toEqual({ clicked: true });
    const saved = await app.waitFor((r) => r.type === 'notification' && /bundle exported/.test(r.data.title), 'the export', 20_000, since);
    expect(saved.data.body).toContain(savePath);
    const dialog = app.records.slice(since).find((r) => r.type === 'save-dialog');
    expect(dialog?.data.defaultPath).toContain(join(tmp.dir, 'home/Downloads'));
    const list = await runTool('tar', ['-tzf', savePath]);
    const caEntry = list.stdout.split('\n').find((l) => l.endsWith('ca.crt'));
    expect(caEntry).toBeDefined();
    const extracted = join(tmp.dir, 'bundle');
    mkdirSync(extracted, { recursive: true });
    await runTool('tar', ['-xzf', savePath, '-C', extracted]);
    const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
    const caOnDisk = (await app.invoke('cert:info')).result;
    expect(caOnDisk).toBeDefined();
    expect(readFileSync(join(extracted, caEntry!), 'utf8')).toContain('BEGIN CERTIFICATE');
    expect(sha(join(extracted, caEntry!))).toBe(sha(join(dataDir, 'berth', 'tls', 'ca.crt')));
  });

  it('hides the window to the tray on close, once telling the user where Berth went', async () => {
    const since = app.records.length;
    const answer = await app.command('close-window');
    expect(answer.windows).toBe(1);
    await app.waitFor((r) => r.type === 'window-hide', 'the hidden window', 5000, since);
    await app.waitFor((r) => r.type === 'notification' && /tray|running/i.test(r.data.body), 'the close-to-tray notice', 5000, since);
    const prefs = JSON.parse(readFileSync(join(tmp.dir, 'home/userData/desktop.json'), 'utf8'));
    expect(prefs.closeToTrayNoticeShown).toBe(true);
    expect(await listening(port)).toBe(true);
  });

  it('quits from the tray: the registry process shuts down cleanly and the app exits 0', async () => {
    const { pid } = await app.command('host-pid');
    await app.command('tray-click', { itemId: 'quit' });
    const code = await Promise.race([app.exited, new Promise((r) => setTimeout(() => r('timeout'), 20_000))]);
    expect(code).toBe(0);
    expect(await listening(port)).toBe(false);
    expect(() => process.kill(pid, 0)).toThrow();
    // The registry process's log went to the app's log folder, and never holds the password.
    const log = readFileSync(join(tmp.dir, 'home/userData/logs/registry.log'), 'utf8');
    expect(log).toContain('registry process ready');
    expect(log).not.toContain(password);
    // Nor did the main process print it, or keep it in its preferences.
    expect(app.stderr + app.stdout).not.toContain(password);
    expect(readFileSync(join(tmp.dir, 'home/userData/desktop.json'), 'utf8')).not.toContain(password);
  });
});
