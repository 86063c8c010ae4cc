import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from 'electron';
import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import { autostartPath, createLaunchAtLogin, execValue, HIDDEN_ARG, launchedHidden, type LoginItemApi } from './login-item';

/** Records every call and keeps openAtLogin per (path, args), as Windows' Run key comparison does. */
class FakeApp implements LoginItemApi {
  readonly calls: Array<{ method: string; arg: unknown }> = [];
  private readonly items = new Map<string, boolean>();
  wasOpenedAtLogin = false;

  setLoginItemSettings(s: { openAtLogin: boolean; args?: string[]; path?: string }): void {
    this.calls.push({ method: 'set', arg: s });
    this.items.set(JSON.stringify([s.path ?? null, s.args ?? []]), s.openAtLogin);
  }

  getLoginItemSettings(o?: { args?: string[]; path?: string }): { openAtLogin: boolean; wasOpenedAtLogin: boolean } {
    this.calls.push({ method: 'get', arg: o });
    const openAtLogin = this.items.get(JSON.stringify([o?.path ?? null, o?.args ?? []])) ?? false;
    return { openAtLogin, wasOpenedAtLogin: this.wasOpenedAtLogin };
  }
}

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'berth-login-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const make = (platform: NodeJS.Platform, over: Partial<Parameters<typeof createLaunchAtLogin>[0]> = {}) => {
  const app = new FakeApp();
  const launch = createLaunchAtLogin({ platform, app, isPackaged: true, execPath: '/opt/Berth/berth', env: {}, homeDir: home, ...over });
  return { app, launch };
};

it("matches Electron's app", () => {
  expectTypeOf<App>().toExtend<LoginItemApi>();
});

describe('launchedHidden', () => {
  it('looks for --hidden', () => {
    expect(HIDDEN_ARG).toBe('--hidden');
    expect(launchedHidden(['/opt/Berth/berth', '--hidden'])).toBe(true);
    expect(launchedHidden(['/opt/Berth/berth'])).toBe(false);
    expect(launchedHidden(['/opt/Berth/berth', '--hidden=no'])).toBe(false);
  });
});

describe('unpackaged', () => {
  it.each(['darwin', 'win32', 'linux'] as const)('is unsupported on %s and touches nothing', (platform) => {
    const { app, launch } = make(platform, { isPackaged: false });
    expect(launch.supported).toBe(false);
    expect(launch.get()).toBe(false);
    expect(() => launch.set(true)).toThrow(/unpackaged/);
    expect(app.calls).toEqual([]);
    expect(existsSync(join(home, '.config'))).toBe(false);
  });

  it('is unsupported on other platforms', () => {
    const { launch } = make('freebsd');
    expect(launch.supported).toBe(false);
    expect(() => launch.set(true)).toThrow(/freebsd/);
  });
});

describe('macOS', () => {
  it('sets and reads the login item without the deprecated openAsHidden', () => {
    const { app, launch } = make('darwin');
    expect(launch.supported).toBe(true);
    expect(launch.get()).toBe(false);
    launch.set(true);
    expect(launch.get()).toBe(true);
    launch.set(false);
    expect(launch.get()).toBe(false);
    expect(app.calls.filter((c) => c.method === 'set').map((c) => c.arg)).toEqual([{ openAtLogin: true }, { openAtLogin: false }]);
  });

  it('knows it was opened at login from the OS, as macOS passes no arguments', () => {
    const { app, launch } = make('darwin');
    expect(launch.openedAtLogin(['/Applications/Berth.app/Contents/MacOS/Berth'])).toBe(false);
    app.wasOpenedAtLogin = true;
    expect(launch.openedAtLogin(['/Applications/Berth.app/Contents/MacOS/Berth'])).toBe(true);
  });
});

describe('Windows', () => {
  it('registers the executable with --hidden and reads it back with the same path and args', () => {
    const { app, launch } = make('win32', { execPath: 'C:\\Program Files\\Berth\\Berth.exe' });
    const item = { path: 'C:\\Program Files\\Berth\\Berth.exe', args: ['--hidden'] };
    launch.set(true);
    expect(launch.get()).toBe(true);
    launch.set(false);
    expect(launch.get()).toBe(false);
    expect(app.calls).toEqual([
      { method: 'set', arg: { openAtLogin: true, ...item } },
      { method: 'get', arg: item },
      { method: 'set', arg: { openAtLogin: false, ...item } },
      { method: 'get', arg: item },
    ]);
  });

  it('is started hidden by its argument, not by asking the OS', () => {
    const { app, launch } = make('win32');
    app.wasOpenedAtLogin = true;
    expect(launch.openedAtLogin(['Berth.exe'])).toBe(false);
    expect(launch.openedAtLogin(['Berth.exe', '--hidden'])).toBe(true);
  });
});

/** Reads an Exec= value back as a desktop environment does: string escapes, then quoting, then %%. */
function parseExec(value: string): string[] {
  let s = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\') {
      const n = value[++i];
      s += n === 's' ? ' ' : n === 'n' ? '\n' : n === 't' ? '\t' : n === 'r' ? '\r' : n;
    } else s += c;
  }
  const args: string[] = [];
  let cur: string | null = null;
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quoted) {
      if (c === '\\' && '"`$\\'.includes(s[i + 1] ?? '')) cur += s[++i]!;
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === ' ') {
      if (cur !== null) args.push(cur);
      cur = null;
    } else if (c === '"') {
      quoted = true;
      cur ??= '';
    } else cur = (cur ?? '') + c;
  }
  if (cur !== null) args.push(cur);
  return args.map((a) => a.replace(/%%/g, '%'));
}

describe('execValue', () => {
  it('leaves plain paths bare, quotes a path with spaces, and escapes per the spec', () => {
    expect(execValue(['/opt/Berth/berth', '--hidden'])).toBe('/opt/Berth/berth --hidden');
    expect(execValue(['/home/ann/My Apps/Berth.AppImage', '--hidden'])).toBe('"/home/ann/My Apps/Berth.AppImage" --hidden');
    // The spec's own examples: a quoted $ is \\$ in the file, a quoted backslash is four.
    expect(execValue(['/a$b'])).toBe('"/a\\\\$b"');
    expect(execValue(['/a\\b'])).toBe('"/a\\\\\\\\b"');
    expect(execValue(['/opt/100%'])).toBe('/opt/100%%');
  });

  it.each([
    '/home/ann/My Apps/Berth.AppImage',
    '/tmp/quote"d/`cmd`/$HOME/back\\slash',
    "/it's/(odd)/a;b&c|d*e?f#g~h<i>j",
    '/tab\there/new\nline/100%',
  ])('round-trips %j', (path) => {
    expect(parseExec(execValue([path, '--hidden']))).toEqual([path, '--hidden']);
  });
});

describe('Linux', () => {
  const file = () => join(home, '.config', 'autostart', 'berth.desktop');

  it('writes an XDG autostart entry for the installed binary and removes it', () => {
    const { app, launch } = make('linux');
    expect(launch.supported).toBe(true);
    expect(launch.get()).toBe(false);
    launch.set(true);
    expect(readFileSync(file(), 'utf8')).toBe(
      [
        '[Desktop Entry]',
        'Type=Application',
        'Version=1.0',
        'Name=Berth',
        'Comment=Starts the Berth registry in the tray at login',
        'Exec=/opt/Berth/berth --hidden',
        'Terminal=false',
        'X-GNOME-Autostart-enabled=true',
        'X-Berth-Autostart=true',
        '',
      ].join('\n'),
    );
    // Readable by its owner, writable by no one else (0644 less the umask).
    expect(statSync(file()).mode & 0o622).toBe(0o600);
    expect(launch.get()).toBe(true);
    launch.set(false);
    expect(existsSync(file())).toBe(false);
    expect(launch.get()).toBe(false);
    launch.set(false);
    expect(app.calls).toEqual([]);
  });

  it('starts the AppImage file, quoted when its path has spaces, not the mounted binary', () => {
    const appImage = join(home, 'My Apps', 'Berth-1.0.0.AppImage');
    const { launch } = make('linux', { execPath: '/tmp/.mount_BerthX/berth', env: { APPIMAGE: appImage } });
    launch.set(true);
    expect(readFileSync(file(), 'utf8')).toContain(`\nExec="${appImage}" --hidden\n`);
    expect(launch.get()).toBe(true);
  });

  it('honours an absolute XDG_CONFIG_HOME and ignores a relative one', () => {
    expect(autostartPath({ XDG_CONFIG_HOME: '/x/conf' }, '/home/ann')).toBe('/x/conf/autostart/berth.desktop');
    expect(autostartPath({ XDG_CONFIG_HOME: 'conf' }, '/home/ann')).toBe('/home/ann/.config/autostart/berth.desktop');
    expect(autostartPath({ XDG_CONFIG_HOME: '' }, '/home/ann')).toBe('/home/ann/.config/autostart/berth.desktop');
    const conf = join(home, 'xdg');
    const { launch } = make('linux', { env: { XDG_CONFIG_HOME: conf } });
    launch.set(true);
    expect(existsSync(join(conf, 'autostart', 'berth.desktop'))).toBe(true);
    expect(existsSync(file())).toBe(false);
  });

  it('reads an entry the desktop switched off, or one for a moved AppImage, as off', () => {
    const { launch } = make('linux');
    launch.set(true);
    const text = readFileSync(file(), 'utf8');
    writeFileSync(file(), text.replace('X-GNOME-Autostart-enabled=true', 'X-GNOME-Autostart-enabled=false'));
    expect(launch.get()).toBe(false);
    writeFileSync(file(), text + 'Hidden=true\n');
    expect(launch.get()).toBe(false);
    writeFileSync(file(), text.replace('/opt/Berth/berth', '/old/place/Berth.AppImage'));
    expect(launch.get()).toBe(false);
    // Switching it on again repairs it.
    launch.set(true);
    expect(launch.get()).toBe(true);
  });

  it('leaves a berth.desktop it did not write alone', () => {
    const { launch } = make('linux');
    mkdirSync(join(home, '.config', 'autostart'), { recursive: true });
    const foreign = '[Desktop Entry]\nType=Application\nName=Berth\nExec=/usr/local/bin/berth-wrapper\n';
    writeFileSync(file(), foreign);
    expect(launch.get()).toBe(false);
    launch.set(false);
    expect(readFileSync(file(), 'utf8')).toBe(foreign);
  });

  it('is started hidden by its argument', () => {
    const { launch } = make('linux');
    expect(launch.openedAtLogin(['berth', '--hidden'])).toBe(true);
    expect(launch.openedAtLogin(['berth'])).toBe(false);
  });
});
