/**
 * Electron main process: a thin shell. One instance, one window, and hardening for every web contents
 * (no popups, no navigation away, no webviews, no permissions). The registry, tray and IPC handlers
 * arrive in later issues; their logic lives in plain modules like ./windows.
 */
import { app, BrowserWindow, session, type WebContents } from 'electron';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isAllowedNavigation, mainWindowOptions, rendererLocation } from './windows';
// electron-vite copies the file next to the bundle and hands back its path at run time.
import iconPath from '../resources/icon.png?asset';

// Paths are relative to the built bundle (out/main/index.js), not to this source file.
const preloadPath = fileURLToPath(new URL('../preload/index.cjs', import.meta.url));
const rendererHtml = fileURLToPath(new URL('../renderer/index.html', import.meta.url));

let mainWindow: BrowserWindow | null = null;

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

function createMainWindow(): BrowserWindow {
  const win = new BrowserWindow(mainWindowOptions(preloadPath, iconPath));
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => {
    mainWindow = null;
  });
  const where = rendererLocation(process.env, app.isPackaged, rendererHtml);
  void (where.kind === 'url' ? win.loadURL(where.url) : win.loadFile(where.path));
  return win;
}

function focusMainWindow(): void {
  if (!mainWindow) {
    mainWindow = createMainWindow();
    return;
  }
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.focus();
}

if (!app.requestSingleInstanceLock()) {
  // Another Berth owns the data directory and the port; it gets focus through 'second-instance'.
  app.quit();
} else {
  app.enableSandbox();
  app.on('second-instance', focusMainWindow);
  app.on('web-contents-created', (_event, contents) => harden(contents));
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', focusMainWindow);
  void app.whenReady().then(() => {
    session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
    session.defaultSession.setPermissionCheckHandler(() => false);
    mainWindow = createMainWindow();
  });
}
