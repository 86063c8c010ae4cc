/**
 * The application menu and the About panel, as plain values: index.ts passes them to
 * `Menu.buildFromTemplate` and `app.setAboutPanelOptions`. Roles do the work wherever Electron has
 * one, so Cut/Copy/Paste reach the window's text fields and the shortcuts match each platform.
 */
import type { MenuItemConstructorOptions } from 'electron';

/** What the menu's own (non-role) items do. */
export interface AppMenuActions {
  /** Shows the main window (macOS: the app can be active with its window closed to the tray). */
  openWindow(): void;
  /** Opens the registry's data folder in the file manager. */
  openDataFolder(): void;
  /** Shows the About panel (Windows and Linux; macOS uses the app menu's `about` role). */
  showAbout(): void;
}

/** Options of {@link buildAppMenu}. */
export interface AppMenuOptions {
  platform: NodeJS.Platform;
  appName: string;
  /** Unpackaged: adds Reload, Force Reload and Toggle Developer Tools. */
  isDev: boolean;
  actions: AppMenuActions;
}

const separator: MenuItemConstructorOptions = { type: 'separator' };

/**
 * The menu bar: on macOS the app-name menu first (About, Services, Hide, Quit; no Preferences, the
 * settings live in the window), then Edit, View, Window and Help on every platform.
 */
export function buildAppMenu({ platform, appName, isDev, actions }: AppMenuOptions): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  const menu: MenuItemConstructorOptions[] = [];
  if (mac) {
    menu.push({
      label: appName,
      submenu: [
        { role: 'about' },
        separator,
        { role: 'services' },
        separator,
        { role: 'hide' },
        { role: 'hideOthers' },
        { role: 'unhide' },
        separator,
        { role: 'quit' },
      ],
    });
  } else {
    // Closing the window only hides it (the tray keeps Berth); Quit must be reachable without a tray
    // too (GNOME shows none without an extension), with the usual Ctrl+Q.
    menu.push({ label: 'File', submenu: [{ id: 'quit', role: 'quit', label: `Quit ${appName}`, accelerator: 'CmdOrCtrl+Q' }] });
  }
  menu.push({
    label: 'Edit',
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      separator,
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      { role: 'selectAll' },
    ],
  });
  menu.push({
    label: 'View',
    submenu: [
      ...(isDev
        ? ([{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, separator] as MenuItemConstructorOptions[])
        : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      separator,
      { role: 'togglefullscreen' },
    ],
  });
  menu.push({
    label: 'Window',
    submenu: mac
      ? [
          { role: 'minimize' },
          { role: 'zoom' },
          { role: 'close' },
          separator,
          { id: 'open-window', label: `Show ${appName}`, click: () => actions.openWindow() },
          separator,
          { role: 'front' },
        ]
      : [{ role: 'minimize' }, { role: 'close' }],
  });
  menu.push({
    // macOS's `help` role adds the menu search field.
    ...(mac ? { role: 'help' as const } : { label: 'Help' }),
    submenu: [
      ...(mac ? [] : [{ id: 'about', label: `About ${appName}`, click: () => actions.showAbout() }, separator]),
      { id: 'open-data-folder', label: 'Open data folder', click: () => actions.openDataFolder() },
    ],
  });
  return menu;
}

/** The versions the About panel names. */
export interface AboutInfo {
  version: string;
  electron?: string;
  chrome?: string;
  node?: string;
}

/** The About panel's content, in the shape of Electron's `app.setAboutPanelOptions`. */
export interface AboutPanel {
  applicationName: string;
  applicationVersion: string;
  version?: string;
  copyright?: string;
  credits?: string;
  website?: string;
}

/**
 * About Berth: its version, and the Electron, Chromium and Node versions under it (in `version`,
 * which macOS shows in parentheses after the app's version, and in `credits`, which macOS and
 * Windows show below it), so a bug report can quote them.
 */
export function aboutPanelOptions(info: AboutInfo): AboutPanel {
  const runtime = [
    info.electron && `Electron ${info.electron}`,
    info.chrome && `Chromium ${info.chrome}`,
    info.node && `Node ${info.node}`,
  ].filter((part): part is string => Boolean(part));
  const credits = ['An OCI registry in the system tray, and a GUI for registries.', ...runtime].join('\n');
  return {
    applicationName: 'Berth',
    applicationVersion: info.version,
    ...(runtime.length > 0 ? { version: runtime.join(', ') } : {}),
    copyright: 'Copyright © the Berth authors. MIT License.',
    credits,
  };
}
