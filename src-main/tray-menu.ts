/**
 * The tray: its menu, tooltip and icon as pure functions of the desktop state (./state), so each
 * state's menu is tested under Node. index.ts rebuilds the menu on every state change and passes
 * the actions that talk to Electron, the keychain and the registry process.
 */
import type { MenuItemConstructorOptions } from 'electron';
import { REGISTRY_STOPPED_BY_USER } from '../src-server/contract';
import { trayLight, type DesktopState, type TrayLight } from './state';

/** What the tray's items do; every click calls exactly one of these. */
export interface TrayActions {
  /** Puts text on the clipboard; `what` names it for a confirmation ("address", "docker login command"). */
  copy(text: string, what: string): void;
  /** Starts the registry's listeners (`registry:start`). */
  startRegistry(): void;
  /** Stops the registry's listeners (`registry:stop`). */
  stopRegistry(): void;
  /** Restarts the registry process after a crash or a failure. */
  restartRegistry(): void;
  openWindow(): void;
  /** Reads the login user's password from the keychain and copies it. */
  copyPassword(): void;
  /** Asks where to save, then writes the client certificate bundle. */
  exportBundle(): void;
  setLaunchAtLogin(on: boolean): void;
  setStartRegistryOnLaunch(on: boolean): void;
  quit(): void;
}

/** Longest error text in a menu line; a menu as wide as a stack trace helps nobody. */
const MENU_ERROR_CHARS = 70;
/** Windows cuts tray tooltips at 127 characters. */
const TOOLTIP_CHARS = 127;

/** `text` cut to `max` characters with an ellipsis. */
function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/** The first line of `text`, cut to `max` characters. */
function shorten(text: string, max: number): string {
  return clip((text.trim().split(/\r?\n/)[0] ?? '').trim(), max);
}

/** `host:port` of a URL (what docker and podman take), or the text without its scheme if it does not parse. */
export function hostPort(url: string): string {
  const bare = url.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/.*$/, '');
  if (!url.includes('://')) return bare;
  try {
    return new URL(url).host || bare;
  } catch {
    return bare;
  }
}

/** Quotes a shell word only when it needs it (POSIX single quotes). */
function shellWord(word: string): string {
  return /^[A-Za-z0-9._@%+=:,/-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command a user pastes to log in to the registry: `docker login 127.0.0.1:5000 --username admin`.
 * Never carries a password: docker prompts for it (or takes `--password-stdin`).
 */
export function dockerLoginCommand(registryUrl: string, user: string): string {
  return `docker login ${shellWord(hostPort(registryUrl))} --username ${shellWord(user)}`;
}

/** The registry's error when it is one (a stop the user asked for is not), else null. */
function registryError(state: DesktopState): string | null {
  const error = state.registry?.error;
  return error && error !== REGISTRY_STOPPED_BY_USER ? error : null;
}

/** The status in words, and the error to show under it (full text; callers shorten it). */
function status(state: DesktopState): { line: string; error: string | null } {
  const { host, registry } = state;
  switch (host.phase) {
    case 'starting':
      return { line: 'Registry starting…', error: null };
    case 'stopping':
      return { line: 'Registry stopping…', error: null };
    case 'stopped':
      return { line: 'Registry process stopped', error: null };
    case 'crashed':
      return {
        line: host.restartAt === null ? 'Registry crashed' : 'Registry crashed, restarting…',
        error: host.error ?? 'the registry process exited unexpectedly',
      };
    case 'failed':
      return { line: 'Registry failed', error: host.error ?? 'the registry process could not start' };
    case 'ready':
      if (!registry) return { line: 'Registry starting…', error: null };
      if (registry.running) return { line: 'Registry running', error: null };
      return { line: registryError(state) ? 'Registry not running' : 'Registry stopped', error: registryError(state) };
  }
}

/** The tray icon's tooltip, e.g. "Berth: registry running at 127.0.0.1:5000". */
export function trayTooltip(state: DesktopState): string {
  const { line, error } = status(state);
  const url = state.registry?.url ?? state.registry?.tlsUrl;
  let text: string;
  if (trayLight(state) === 'running' && url) text = `Berth: registry running at ${hostPort(url)}`;
  else text = `Berth: ${line.charAt(0).toLowerCase()}${line.slice(1).replace(/…$/, '')}${error ? `: ${error}` : ''}`;
  return shorten(text, TOOLTIP_CHARS);
}

/** The icon's file name in resources/ for a light; `name@2x.png` next to it is the high-DPI variant. */
export function trayIconFile(light: TrayLight): string {
  return `tray-${light}.png`;
}

/** The light of each icon file, for a packaging check that all exist. */
export const TRAY_LIGHTS: readonly TrayLight[] = ['running', 'stopped', 'error', 'starting'];

/** Reads the new state of a checkbox: Electron flips `checked` before calling click. */
function checkedAfterClick(item: unknown, fallback: boolean): boolean {
  const checked = (item as { checked?: unknown } | undefined)?.checked;
  return typeof checked === 'boolean' ? checked : fallback;
}

/** The status lines: what the registry does, and why it does not when it failed. */
function statusGroup(state: DesktopState): MenuItemConstructorOptions[] {
  const { line, error } = status(state);
  const items: MenuItemConstructorOptions[] = [{ id: 'status', label: line, enabled: false }];
  if (error) items.push({ id: 'error', label: shorten(error, MENU_ERROR_CHARS), enabled: false, toolTip: clip(error.trim(), 500) });
  return items;
}

/** The addresses clients push to, each copying its `host:port`; only while the registry listens. */
function addressGroup(state: DesktopState, actions: TrayActions): MenuItemConstructorOptions[] {
  const registry = state.registry;
  if (trayLight(state) !== 'running' || !registry) return [];
  const items: MenuItemConstructorOptions[] = [];
  if (registry.url) {
    const address = hostPort(registry.url);
    items.push({ id: 'address', label: `Copy address ${address}`, click: () => actions.copy(address, 'address') });
  }
  if (registry.tlsUrl) {
    const address = hostPort(registry.tlsUrl);
    items.push({ id: 'tls-address', label: `Copy HTTPS address ${address}`, click: () => actions.copy(address, 'HTTPS address') });
  }
  return items;
}

/** Start, stop, or restart the process, whichever the state allows. */
function controlGroup(state: DesktopState, actions: TrayActions): MenuItemConstructorOptions[] {
  const { phase } = state.host;
  if (phase === 'crashed' || phase === 'failed') {
    return [{ id: 'restart', label: 'Restart registry', click: () => actions.restartRegistry() }];
  }
  const registry = state.registry;
  // Stopped (no process): starting the registry starts its process too.
  const controllable = (phase === 'ready' && registry !== null && registry.controllable !== false) || phase === 'stopped';
  if (registry?.running) {
    return [{ id: 'stop', label: 'Stop registry', enabled: controllable, click: () => actions.stopRegistry() }];
  }
  return [{ id: 'start', label: 'Start registry', enabled: controllable, click: () => actions.startRegistry() }];
}

/** The window, and what a user copies or exports to point a client at the registry. */
function useGroup(state: DesktopState, actions: TrayActions): MenuItemConstructorOptions[] {
  const items: MenuItemConstructorOptions[] = [{ id: 'open', label: 'Open Berth', click: () => actions.openWindow() }];
  const user = state.loginUser;
  const url = state.registry?.url ?? state.registry?.tlsUrl;
  if (user && url && trayLight(state) === 'running') {
    const command = dockerLoginCommand(url, user);
    items.push({ id: 'docker-login', label: 'Copy docker login command', click: () => actions.copy(command, 'docker login command') });
  }
  if (user && state.passwordInKeychain) {
    items.push({ id: 'password', label: `Copy ${user} password`, click: () => actions.copyPassword() });
  }
  items.push({
    id: 'export-bundle',
    label: 'Export client certificate bundle…',
    enabled: state.host.phase === 'ready',
    click: () => actions.exportBundle(),
  });
  return items;
}

/** The desktop preferences as checkboxes. */
function preferenceGroup(state: DesktopState, actions: TrayActions): MenuItemConstructorOptions[] {
  const { prefs } = state;
  const items: MenuItemConstructorOptions[] = [];
  if (state.launchAtLoginSupported) {
    items.push({
      id: 'launch-at-login',
      label: 'Launch at login',
      type: 'checkbox',
      checked: prefs.launchAtLogin,
      click: (item) => actions.setLaunchAtLogin(checkedAfterClick(item, !prefs.launchAtLogin)),
    });
  }
  items.push({
    id: 'start-on-launch',
    label: 'Start registry when Berth starts',
    type: 'checkbox',
    checked: prefs.startRegistryOnLaunch,
    click: (item) => actions.setStartRegistryOnLaunch(checkedAfterClick(item, !prefs.startRegistryOnLaunch)),
  });
  return items;
}

/** The tray's context menu for a state: groups of items with a separator between non-empty groups. */
export function buildTrayMenu(state: DesktopState, actions: TrayActions): MenuItemConstructorOptions[] {
  const groups = [
    statusGroup(state),
    addressGroup(state, actions),
    controlGroup(state, actions),
    useGroup(state, actions),
    preferenceGroup(state, actions),
    [{ id: 'quit', label: 'Quit Berth', click: () => actions.quit() } satisfies MenuItemConstructorOptions],
  ].filter((group) => group.length > 0);
  return groups.flatMap((group, i) => (i === 0 ? group : [{ type: 'separator' as const }, ...group]));
}
