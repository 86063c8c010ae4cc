/**
 * Electron main process: a thin shell that builds Electron's pieces and hands them to plain modules
 * (./desktop for the registry process, tray actions and the GUI's calls; ./tray-menu, ./app-menu,
 * ./windows, ./ipc, ./close-to-tray for the rules), which are tested under Node. One instance; the
 * window hides to the tray; every web contents is hardened (no popups, no navigation away, no
 * webviews, no permissions); IPC answers only Berth's own page.
 */
import { app, BrowserWindow, clipboard, dialog, ipcMain, Menu, nativeImage, Notification, session, shell, Tray, utilityProcess, type WebContents } from 'electron';
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { defaultDataDir } from '../src-server/config/defaults';
import { HOST_ARGS_ENV } from '../src-server/host/protocol';
import { aboutPanelOptions, buildAppMenu } from './app-menu';
import { closeAction, closeToTrayNotice, shouldQuitWhenAllWindowsClosed } from './close-to-tray';
import { createDesktop, type Desktop } from './desktop';
import { broadcast, createSenderCheck, registerIpc } from './ipc';
import { keychainForMain } from './keychain';
import { createLaunchAtLogin } from './login-item';
import { PreferencesStore } from './preferences';
import { trayLight, type DesktopState } from './state';
import type { HostChild } from './supervisor';
import { buildTrayMenu, trayIconFile, trayTooltip } from './tray-menu';
import { isAllowedNavigation, mainWindowOptions, rendererLocation } from './windows';
// electron-vite resolves this to the file's path at run time (resources/ ships with the app).
import iconPath from '../resources/icon.png?asset';

// Paths are relative to the built bundle (out/main/index.js), not to this source file.
const preloadPath = fileURLToPath(new URL('../preload/index.cjs', import.meta.url));
const rendererHtml = fileURLToPath(new URL('../renderer/index.html', import.meta.url));
const hostPath = fileURLToPath(new URL('./registry-host.js', import.meta.url));
const resourcesDir = dirname(iconPath);

let mainWindow: BrowserWindow | null = null;
let tray: Tray | null = null;
let desktop: Desktop | null = null;
let quitting = false;

function appUrl(): string {
  const where = rendererLocation(process.env, app.isPackaged, rendererHtml);
  return where.kind === 'url' ? where.url : pathToFileURL(where.path).href;
}

function harden(contents: WebContents): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  const guard = (event: { preventDefault(): void; url: string }) => {
    if (!isAllowedNavigation(event.url, appUrl())) event.preventDefault();
  };
  contents.on('will-navigate', guard);
  contents.on('will-redirect', guard);
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

function notify(title: string, body: string): void {
  if (Notification.isSupported()) new Notification({ title, body }).show();
}

function createMainWindow(): BrowserWindow {
  const win = new BrowserWindow(mainWindowOptions(preloadPath, iconPath));
  win.once('ready-to-show', () => win.show());
  win.on('close', (event) => {
    if (closeAction({ quitting, trayAvailable: tray !== null }) === 'close') return;
    event.preventDefault();
    win.hide();
    const notice = desktop && closeToTrayNotice(prefs.get(), process.platform);
    if (notice) {
      notify(notice.title, notice.body);
      try {
        prefs.set({ closeToTrayNoticeShown: true });
      } catch {
        // Not saved: the notice comes once more next time, nothing worse.
      }
    }
  });
  // Windows logs off or shuts down: the window must close, not hide, or it vetoes the session's end.
  win.on('session-end', () => {
    quitting = true;
  });
  win.on('closed', () => {
    mainWindow = null;
  });
  const where = rendererLocation(process.env, app.isPackaged, rendererHtml);
  void (where.kind === 'url' ? win.loadURL(where.url) : win.loadFile(where.path));
  return win;
}

function showMainWindow(): void {
  if (!mainWindow) {
    mainWindow = createMainWindow();
    return;
  }
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

function renderTray(state: DesktopState): void {
  if (!tray || !desktop) return;
  tray.setImage(nativeImage.createFromPath(join(resourcesDir, trayIconFile(trayLight(state)))));
  tray.setToolTip(trayTooltip(state));
  tray.setContextMenu(Menu.buildFromTemplate(buildTrayMenu(state, desktop.tray)));
}

/** Whether two paths name one folder (case-insensitive where the file systems usually are). */
function samePath(a: string, b: string): boolean {
  const norm = (p: string) => (process.platform === 'darwin' || process.platform === 'win32' ? resolve(p).toLowerCase() : resolve(p));
  return norm(a) === norm(b);
}

function forkHost(args: string[]): HostChild {
  return utilityProcess.fork(hostPath, [], {
    serviceName: 'Berth registry',
    // stderr is the registry's log (to registry.log); stdout stays unread, so it is not piped.
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, [HOST_ARGS_ENV]: JSON.stringify(args) },
  }) as unknown as HostChild;
}

// On macOS and Windows Electron's userData folder is the registry's default data directory: keep
// Chromium's files out of the registry's root.
const dataDir = process.env.BERTH_DATA || defaultDataDir();
if (samePath(app.getPath('userData'), dataDir)) app.setPath('userData', join(dataDir, 'desktop'));
// Windows attributes notifications to the app whose shortcut carries this id (the installer's appId).
if (process.platform === 'win32') app.setAppUserModelId('dev.berth.app');
const prefs = new PreferencesStore(join(app.getPath('userData'), 'desktop.json'), { onWarning: (m) => console.warn(`preferences: ${m}`) });

if (!app.requestSingleInstanceLock()) {
  // Another Berth owns the data directory and the port; it gets focus through 'second-instance'.
  app.quit();
} else {
  app.enableSandbox();
  const launchAtLogin = createLaunchAtLogin({
    platform: process.platform,
    app,
    isPackaged: app.isPackaged,
    execPath: process.execPath,
    env: process.env,
    homeDir: homedir(),
  });
  app.on('second-instance', showMainWindow);
  app.on('web-contents-created', (_event, contents) => harden(contents));
  app.on('window-all-closed', () => {
    if (shouldQuitWhenAllWindowsClosed({ trayAvailable: tray !== null })) app.quit();
  });
  app.on('activate', showMainWindow);
  app.on('before-quit', (event) => {
    if (!desktop || quitting) return;
    // Shut the registry process down cleanly (uploads finish, the index is closed), then quit.
    event.preventDefault();
    quitting = true;
    void desktop.shutdown().finally(() => app.quit());
  });

  void app.whenReady().then(async () => {
    session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
    session.defaultSession.setPermissionCheckHandler(() => false);
    app.setAboutPanelOptions(aboutPanelOptions({ version: app.getVersion(), ...process.versions }));
    Menu.setApplicationMenu(
      Menu.buildFromTemplate(
        buildAppMenu({
          platform: process.platform,
          appName: app.name,
          isDev: !app.isPackaged,
          actions: {
            openWindow: showMainWindow,
            // The registry process knows the directory it resolved (config file, REGISTRY_* variables).
            openDataFolder: () => void shell.openPath(desktop?.state().registry?.dataDir ?? dataDir),
            showAbout: () => app.showAboutPanel(),
          },
        }),
      ),
    );
    const logDir = join(app.getPath('userData'), 'logs');
    await mkdir(logDir, { recursive: true });
    const hostLog = createWriteStream(join(logDir, 'registry.log'), { flags: 'a' });

    desktop = createDesktop({
      fork: forkHost,
      prefs,
      launchAtLogin,
      keychain: await keychainForMain(),
      clipboard,
      dialog,
      notify,
      writeFile: (path, data) => writeFile(path, data),
      downloadsDir: app.getPath('downloads'),
      openWindow: showMainWindow,
      sendToWindows: (channel, payload) => broadcast(BrowserWindow.getAllWindows().map((w) => w.webContents), channel, payload),
      render: renderTray,
      quit: () => app.quit(),
      log: (text) => hostLog.write(text),
    });
    registerIpc({
      ipcMain,
      route: desktop.route,
      isTrustedSender: createSenderCheck({ appUrl, windowContentsIds: () => BrowserWindow.getAllWindows().map((w) => w.webContents.id) }),
      onRefused: (channel, reason) => console.warn(`IPC ${channel} refused: ${reason}`),
    });
    tray = new Tray(nativeImage.createFromPath(join(resourcesDir, trayIconFile('starting'))));
    tray.on('click', showMainWindow);
    renderTray(desktop.state());
    desktop.start();
    // Launched at login: stay in the tray until the user opens the window.
    // (A second start during the keychain probe may have opened the window already.)
    if (!launchAtLogin.openedAtLogin(process.argv)) showMainWindow();
  });
}
