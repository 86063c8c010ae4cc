/**
 * Window rules as plain functions, so they are tested under Node without Electron: the options every
 * Berth window is created with, and which URLs a window may navigate to.
 */
import type { BrowserWindowConstructorOptions } from 'electron';

/** Where the renderer is loaded from: the dev server in `electron-vite dev`, the built file otherwise. */
export type RendererLocation = { kind: 'url'; url: string } | { kind: 'file'; path: string };

/**
 * Options for the main window. The renderer is untrusted web content: no Node, a sandboxed preload,
 * isolated contexts, no webviews, and the same-origin policy kept on.
 */
export function mainWindowOptions(preloadPath: string, iconPath?: string): BrowserWindowConstructorOptions {
  return {
    title: 'Berth',
    width: 1100,
    height: 720,
    minWidth: 720,
    minHeight: 480,
    // Shown on 'ready-to-show', so the user never sees an empty white frame.
    show: false,
    backgroundColor: '#0f172a',
    autoHideMenuBar: true,
    ...(iconPath ? { icon: iconPath } : {}),
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  };
}

/**
 * Picks the renderer to load. The dev server URL is honoured only in an unpackaged app, so a packaged
 * build can never be pointed at a remote page through the environment.
 */
export function rendererLocation(
  env: Record<string, string | undefined>,
  isPackaged: boolean,
  builtHtmlPath: string,
): RendererLocation {
  const devUrl = env.ELECTRON_RENDERER_URL;
  if (!isPackaged && devUrl && isLoopbackHttpUrl(devUrl)) return { kind: 'url', url: devUrl };
  return { kind: 'file', path: builtHtmlPath };
}

/**
 * True when a window showing `appUrl` may navigate to `target`: only within the app itself (same
 * origin for the dev server, the same file for the built renderer, where only the hash may change).
 * Everything else, including other file:// paths and any remote site, is refused.
 */
export function isAllowedNavigation(target: string, appUrl: string): boolean {
  const to = safeUrl(target);
  const app = safeUrl(appUrl);
  if (!to || !app) return false;
  // The host too: file://server/share/... (a UNC path on Windows) is another file.
  if (app.protocol === 'file:') return to.protocol === 'file:' && to.host === app.host && to.pathname === app.pathname;
  if (app.protocol === 'http:' || app.protocol === 'https:') return to.origin === app.origin;
  return false;
}

function isLoopbackHttpUrl(value: string): boolean {
  const url = safeUrl(value);
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) return false;
  return url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
}

function safeUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}
