/**
 * Launch at login: Berth starts hidden, in the tray, when the user logs in.
 *
 * - macOS: a login item through Electron (`SMAppService` main app service on macOS 13 and up). macOS
 *   cannot pass arguments to a login item and `openAsHidden` is deprecated (ignored since macOS 13), so
 *   the app asks `getLoginItemSettings().wasOpenedAtLogin` at start instead ({@link LaunchAtLogin.openedAtLogin}).
 * - Windows: the Run registry key through Electron, with {@link HIDDEN_ARG}. Electron compares the
 *   path and arguments when reading it back, so get passes the same ones as set.
 * - Linux: Electron has no login items; an XDG autostart entry `$XDG_CONFIG_HOME/autostart/berth.desktop`
 *   (https://specifications.freedesktop.org/autostart-spec/latest/) starts the AppImage (`$APPIMAGE`,
 *   the path of the .AppImage file, not its temporary mount) or the installed binary with {@link HIDDEN_ARG}.
 *
 * An unpackaged app (a dev checkout) would register the bare Electron binary, which opens Electron's
 * default app at login: launch at login is unsupported there, on every platform.
 */
import { readFileSync, rmSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { writeFileAtomic } from '../src-server/core/files';

/** The part of Electron's `app` used for login items (macOS and Windows). */
export interface LoginItemApi {
  setLoginItemSettings(s: { openAtLogin: boolean; args?: string[]; path?: string }): void;
  getLoginItemSettings(o?: { args?: string[]; path?: string }): { openAtLogin: boolean; wasOpenedAtLogin?: boolean };
}

/** Launch at login on this platform and packaging. */
export interface LaunchAtLogin {
  /** False when not packaged, or on a platform without a way to do it: then `get` is false and `set` throws. */
  readonly supported: boolean;
  /** Whether Berth is set to start at login now (the OS is the truth: the user may change it there). */
  get(): boolean;
  /** Registers (true) or removes (false) Berth as a login item. Throws when unsupported or the OS refuses. */
  set(on: boolean): void;
  /** Whether this run was started at login (so should stay hidden in the tray): `argv` or, on macOS, the OS says so. */
  openedAtLogin(argv: readonly string[]): boolean;
}

/** The argument a login start passes (Windows, Linux): start in the tray without showing the window. */
export const HIDDEN_ARG = '--hidden';

/** Whether `argv` asks to start hidden ({@link HIDDEN_ARG}). On macOS use {@link LaunchAtLogin.openedAtLogin}. */
export function launchedHidden(argv: readonly string[]): boolean {
  return argv.includes(HIDDEN_ARG);
}

/** Marks an autostart entry as written by Berth, so that only ours is ever removed. */
const MARKER = 'X-Berth-Autostart=true';

/** Creates launch at login for `platform`. `env` and `homeDir` locate the Linux autostart folder and AppImage. */
export function createLaunchAtLogin(opts: {
  platform: NodeJS.Platform;
  app: LoginItemApi;
  isPackaged: boolean;
  execPath: string;
  env: Record<string, string | undefined>;
  homeDir: string;
}): LaunchAtLogin {
  const { platform, app, isPackaged, execPath, env, homeDir } = opts;
  if (!isPackaged || (platform !== 'darwin' && platform !== 'win32' && platform !== 'linux')) {
    const why = isPackaged ? `not available on ${platform}` : 'not available in an unpackaged (development) build';
    return {
      supported: false,
      get: () => false,
      set: () => {
        throw new Error(`launch at login is ${why}`);
      },
      openedAtLogin: launchedHidden,
    };
  }
  if (platform === 'darwin') {
    return {
      supported: true,
      get: () => app.getLoginItemSettings().openAtLogin,
      set: (on) => app.setLoginItemSettings({ openAtLogin: on }),
      openedAtLogin: (argv) => launchedHidden(argv) || app.getLoginItemSettings().wasOpenedAtLogin === true,
    };
  }
  if (platform === 'win32') {
    const item = { path: execPath, args: [HIDDEN_ARG] };
    return {
      supported: true,
      get: () => app.getLoginItemSettings(item).openAtLogin,
      set: (on) => app.setLoginItemSettings({ openAtLogin: on, ...item }),
      openedAtLogin: launchedHidden,
    };
  }
  const file = autostartPath(env, homeDir);
  const entry = () => autostartEntry(env.APPIMAGE || execPath);
  return {
    supported: true,
    get: () => {
      const text = readIfExists(file);
      return text !== null && isEnabledEntryOf(text, entry());
    },
    set: (on) => {
      if (on) {
        writeFileAtomic(file, entry(), 0o644);
        return;
      }
      const text = readIfExists(file);
      // A berth.desktop someone else wrote is left alone.
      if (text !== null && text.split(/\r?\n/).includes(MARKER)) rmSync(file, { force: true });
    },
    openedAtLogin: launchedHidden,
  };
}

/**
 * The Linux autostart entry's path: `$XDG_CONFIG_HOME/autostart/berth.desktop`, where a relative or
 * empty XDG_CONFIG_HOME is ignored (the Base Directory spec) for `~/.config`.
 */
export function autostartPath(env: Record<string, string | undefined>, homeDir: string): string {
  const xdg = env.XDG_CONFIG_HOME;
  const config = xdg && isAbsolute(xdg) ? xdg : join(homeDir, '.config');
  return join(config, 'autostart', 'berth.desktop');
}

/** The autostart entry that starts `program` hidden. */
export function autostartEntry(program: string): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.0',
    'Name=Berth',
    'Comment=Starts the Berth registry in the tray at login',
    `Exec=${execValue([program, HIDDEN_ARG])}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    MARKER,
    '',
  ].join('\n');
}

/**
 * An `Exec=` value for `argv`, per the Desktop Entry spec ("The Exec key"): an argument with a
 * reserved character is double-quoted with `"`, `` ` ``, `$` and `\` backslash-escaped inside; a
 * literal `%` is `%%` (field codes); then the value is escaped as a string value (`\` as `\\`, and
 * newline, tab and carriage return as `\n`, `\t`, `\r`), which the reader undoes first.
 */
export function execValue(argv: readonly string[]): string {
  const quoted = argv.map((arg) => {
    const a = arg.replace(/%/g, '%%');
    return a !== '' && !/[\s"'\\><~|&;$*?#()`]/.test(a) ? a : `"${a.replace(/["`$\\]/g, '\\$&')}"`;
  });
  return quoted
    .join(' ')
    .replace(/\\/g, '\\\\')
    .replace(/\n/g, '\\n')
    .replace(/\t/g, '\\t')
    .replace(/\r/g, '\\r');
}

/**
 * True when `text` is our entry, is not disabled (Hidden=true, or GNOME's X-GNOME-Autostart-enabled=false,
 * as desktop settings write to switch it off) and starts what `expected` starts (an entry left by an
 * AppImage since moved would start nothing).
 */
function isEnabledEntryOf(text: string, expected: string): boolean {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  if (!lines.includes(MARKER)) return false;
  if (lines.includes('Hidden=true') || lines.includes('X-GNOME-Autostart-enabled=false')) return false;
  const exec = (t: string[]) => t.find((l) => l.startsWith('Exec='));
  return exec(lines) === exec(expected.split('\n'));
}

/** The file's text, or null when it is missing or unreadable (then it is not ours to judge or remove). */
function readIfExists(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}
