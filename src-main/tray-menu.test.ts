import { readFileSync, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { REGISTRY_STOPPED_BY_USER, type RegistryStatus } from '../src-server/contract';
import { DEFAULT_PREFERENCES, trayLight, type DesktopState, type HostState } from './state';
import { buildTrayMenu, dockerLoginCommand, hostPort, TRAY_LIGHTS, trayIconFile, trayTooltip, type TrayActions } from './tray-menu';

const resources = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'resources');

const RUNNING: RegistryStatus = { running: true, url: 'http://127.0.0.1:5000', tlsUrl: null, controllable: true };

function state(host: Partial<HostState> = {}, registry: RegistryStatus | null = RUNNING, more: Partial<DesktopState> = {}): DesktopState {
  return {
    host: { phase: 'ready', error: null, crashes: 0, restartAt: null, ...host },
    registry,
    loginUser: 'admin',
    passwordInKeychain: true,
    prefs: { ...DEFAULT_PREFERENCES },
    launchAtLoginSupported: true,
    ...more,
  };
}

const states = {
  running: state(),
  stoppedByUser: state({}, { running: false, url: null, error: REGISTRY_STOPPED_BY_USER, controllable: true }),
  portInUse: state({}, { running: false, url: null, error: 'listen EADDRINUSE: address already in use 127.0.0.1:5000', controllable: true }),
  starting: state({ phase: 'starting' }, null),
  crashed: state({ phase: 'crashed', error: 'exited with code 1\nTypeError: boom\n    at x.js:1', crashes: 1, restartAt: 1_700_000_000_000 }, null),
  failed: state({ phase: 'failed', error: 'crashed 5 times in a minute', crashes: 5 }, null),
  tls: state({}, { ...RUNNING, tlsUrl: 'https://localhost:5443' }),
};

type Call = [name: keyof TrayActions, ...args: unknown[]];

/** A TrayActions that records each call. */
function recorder(): { actions: TrayActions; calls: Call[] } {
  const calls: Call[] = [];
  const names: Array<keyof TrayActions> = [
    'copy', 'startRegistry', 'stopRegistry', 'restartRegistry', 'openWindow', 'copyPassword',
    'exportBundle', 'setLaunchAtLogin', 'setStartRegistryOnLaunch', 'quit',
  ];
  const actions = Object.fromEntries(names.map((name) => [name, (...args: unknown[]) => calls.push([name, ...args])]));
  return { actions: actions as unknown as TrayActions, calls };
}

function menu(s: DesktopState) {
  const rec = recorder();
  const items = buildTrayMenu(s, rec.actions);
  const byId = (id: string): MenuItemConstructorOptions | undefined => items.find((i) => i.id === id);
  /** Clicks the item with `id` (optionally as Electron would, with the flipped menu item) and returns the calls it made. */
  const click = (id: string, menuItem?: { checked: boolean }): Call[] => {
    const item = byId(id);
    if (!item?.click) throw new Error(`no clickable item ${id}`);
    rec.calls.length = 0;
    (item.click as unknown as (m: unknown) => void)(menuItem);
    return [...rec.calls];
  };
  return { items, byId, click, ids: items.map((i) => i.id ?? i.type) };
}

describe('buildTrayMenu', () => {
  it('running: status, address, stop, copy items, preferences, quit', () => {
    const m = menu(states.running);
    expect(m.ids).toEqual([
      'status', 'separator', 'address', 'separator', 'stop', 'separator',
      'open', 'docker-login', 'password', 'export-bundle', 'separator',
      'launch-at-login', 'start-on-launch', 'separator', 'quit',
    ]);
    expect(m.byId('status')).toMatchObject({ label: 'Registry running', enabled: false });
    expect(m.byId('status')?.click).toBeUndefined();
    expect(m.byId('address')?.label).toContain('127.0.0.1:5000');
    expect(m.byId('stop')?.enabled).toBe(true);
    expect(m.byId('password')?.label).toBe('Copy admin password');
    expect(m.byId('export-bundle')).toMatchObject({ enabled: true, label: 'Export client certificate bundle…' });
    expect(m.byId('launch-at-login')).toMatchObject({ type: 'checkbox', checked: false });
    expect(m.byId('start-on-launch')).toMatchObject({ type: 'checkbox', checked: true });
  });

  it('each click calls exactly one action with the right argument', () => {
    const m = menu(states.running);
    expect(m.click('address')).toEqual([['copy', '127.0.0.1:5000', 'address']]);
    expect(m.click('stop')).toEqual([['stopRegistry']]);
    expect(m.click('open')).toEqual([['openWindow']]);
    expect(m.click('docker-login')).toEqual([['copy', 'docker login 127.0.0.1:5000 --username admin', 'docker login command']]);
    expect(m.click('password')).toEqual([['copyPassword']]);
    expect(m.click('export-bundle')).toEqual([['exportBundle']]);
    expect(m.click('quit')).toEqual([['quit']]);
    // Without a menu item the new value is the opposite of the state; with one, Electron's flipped value wins.
    expect(m.click('launch-at-login')).toEqual([['setLaunchAtLogin', true]]);
    expect(m.click('start-on-launch')).toEqual([['setStartRegistryOnLaunch', false]]);
    expect(m.click('start-on-launch', { checked: true })).toEqual([['setStartRegistryOnLaunch', true]]);
    const on = menu(state({}, RUNNING, { prefs: { ...DEFAULT_PREFERENCES, launchAtLogin: true } }));
    expect(on.byId('launch-at-login')?.checked).toBe(true);
    expect(on.click('launch-at-login')).toEqual([['setLaunchAtLogin', false]]);
  });

  it('stopped by the user: start, no address, no docker login, no error line', () => {
    const m = menu(states.stoppedByUser);
    expect(m.byId('status')?.label).toBe('Registry stopped');
    expect(m.byId('error')).toBeUndefined();
    expect(m.byId('address')).toBeUndefined();
    expect(m.byId('docker-login')).toBeUndefined();
    expect(m.byId('stop')).toBeUndefined();
    expect(m.byId('start')?.enabled).toBe(true);
    expect(m.click('start')).toEqual([['startRegistry']]);
    expect(m.byId('password')).toBeDefined();
    expect(m.byId('export-bundle')?.enabled).toBe(true);
  });

  it('no registry process (stopped, as before launch or after quitting it): start stays possible, the bundle does not', () => {
    const m = menu(state({ phase: 'stopped' }, null));
    expect(m.byId('start')?.enabled).toBe(true);
    expect(m.click('start')).toEqual([['startRegistry']]);
    expect(m.byId('export-bundle')?.enabled).toBe(false);
    expect(m.byId('address')).toBeUndefined();
  });

  it('registry error (port in use): the error in words, start offered again', () => {
    const m = menu(states.portInUse);
    expect(m.byId('status')?.label).toBe('Registry not running');
    expect(m.byId('error')).toMatchObject({ enabled: false });
    expect(m.byId('error')?.label).toContain('EADDRINUSE');
    expect(m.byId('start')?.enabled).toBe(true);
    expect(m.byId('restart')).toBeUndefined();
  });

  it('starting: start disabled, export disabled, nothing to copy but the password', () => {
    const m = menu(states.starting);
    expect(m.byId('status')?.label).toBe('Registry starting…');
    expect(m.byId('start')?.enabled).toBe(false);
    expect(m.byId('export-bundle')?.enabled).toBe(false);
    expect(m.byId('address')).toBeUndefined();
    expect(m.byId('docker-login')).toBeUndefined();
    expect(m.byId('password')).toBeDefined();
    expect(menu(state({}, { running: true, url: 'http://127.0.0.1:5000' }, { host: { ...states.starting.host, phase: 'stopping' } })).byId('stop')?.enabled).toBe(false);
  });

  it('crashed with a restart scheduled: restart now, the first line of the error, shortened', () => {
    const m = menu(states.crashed);
    expect(m.byId('status')?.label).toBe('Registry crashed, restarting…');
    expect(m.byId('error')?.label).toBe('exited with code 1');
    expect(m.byId('error')?.toolTip).toBe(states.crashed.host.error);
    expect(m.byId('start')).toBeUndefined();
    expect(m.byId('stop')).toBeUndefined();
    expect(m.click('restart')).toEqual([['restartRegistry']]);
    expect(m.byId('export-bundle')?.enabled).toBe(false);
    const long = menu(state({ phase: 'crashed', error: 'x'.repeat(300) }, null)).byId('error')?.label ?? '';
    expect(long.length).toBeLessThanOrEqual(70);
    expect(long.endsWith('…')).toBe(true);
  });

  it('failed: restart, and the reason', () => {
    const m = menu(states.failed);
    expect(m.byId('status')?.label).toBe('Registry failed');
    expect(m.byId('error')?.label).toBe('crashed 5 times in a minute');
    expect(m.click('restart')).toEqual([['restartRegistry']]);
    expect(menu(state({ phase: 'failed' }, null)).byId('error')?.label).toMatch(/could not start/);
  });

  it('tls: both addresses, each copying its host:port', () => {
    const m = menu(states.tls);
    expect(m.ids.slice(0, 5)).toEqual(['status', 'separator', 'address', 'tls-address', 'separator']);
    expect(m.click('tls-address')).toEqual([['copy', 'localhost:5443', 'HTTPS address']]);
    const tlsOnly = menu(state({}, { running: true, url: null, tlsUrl: 'https://localhost:5443' }));
    expect(tlsOnly.byId('address')).toBeUndefined();
    expect(tlsOnly.click('docker-login')).toEqual([['copy', 'docker login localhost:5443 --username admin', 'docker login command']]);
  });

  it('hides what does not apply: no user, no keychain, no launch at login, not controllable', () => {
    const m = menu(state({}, RUNNING, { loginUser: null, passwordInKeychain: false, launchAtLoginSupported: false }));
    expect(m.byId('docker-login')).toBeUndefined();
    expect(m.byId('password')).toBeUndefined();
    expect(m.byId('launch-at-login')).toBeUndefined();
    expect(m.byId('start-on-launch')).toBeDefined();
    expect(menu(state({}, RUNNING, { passwordInKeychain: false })).byId('password')).toBeUndefined();
    expect(menu(state({}, { ...RUNNING, controllable: false })).byId('stop')?.enabled).toBe(false);
  });

  it('never starts or ends with a separator, never has two in a row', () => {
    for (const s of Object.values(states)) {
      const types = buildTrayMenu(s, recorder().actions).map((i) => i.type ?? 'normal');
      expect(types[0]).not.toBe('separator');
      expect(types.at(-1)).not.toBe('separator');
      expect(types.join(' ')).not.toContain('separator separator');
    }
  });
});

describe('dockerLoginCommand and hostPort', () => {
  it('takes host:port from the URL and never a password', () => {
    expect(dockerLoginCommand('http://127.0.0.1:5000', 'admin')).toBe('docker login 127.0.0.1:5000 --username admin');
    expect(dockerLoginCommand('https://[::1]:5443/', 'ci-bot')).toBe(`docker login '[::1]:5443' --username ci-bot`); // zsh would glob the brackets
    expect(dockerLoginCommand('http://127.0.0.1:5000', "o'brien x")).toBe(`docker login 127.0.0.1:5000 --username 'o'\\''brien x'`);
    expect(hostPort('registry.local:5000/path')).toBe('registry.local:5000');
  });
});

describe('trayTooltip and trayIconFile', () => {
  it('says what the registry does, per light', () => {
    expect(trayTooltip(states.running)).toBe('Berth: registry running at 127.0.0.1:5000');
    expect(trayTooltip(states.stoppedByUser)).toBe('Berth: registry stopped');
    expect(trayTooltip(states.starting)).toBe('Berth: registry starting');
    expect(trayTooltip(states.portInUse)).toMatch(/^Berth: registry not running: listen EADDRINUSE/);
    expect(trayTooltip(states.failed)).toBe('Berth: registry failed: crashed 5 times in a minute');
    expect(trayTooltip(state({ phase: 'failed', error: 'y'.repeat(400) }, null)).length).toBeLessThanOrEqual(127);
  });

  it('names one icon per light', () => {
    expect(TRAY_LIGHTS.map(trayIconFile)).toEqual(['tray-running.png', 'tray-stopped.png', 'tray-error.png', 'tray-starting.png']);
    expect(trayIconFile(trayLight(states.crashed))).toBe('tray-error.png');
    expect(trayIconFile(trayLight(states.portInUse))).toBe('tray-error.png');
  });

  it('every icon file exists in resources/ with its @2x, as a 16 and a 32 pixel PNG', () => {
    for (const light of TRAY_LIGHTS) {
      const file = trayIconFile(light);
      for (const [name, size] of [[file, 16], [file.replace(/\.png$/, '@2x.png'), 32]] as const) {
        const path = resolve(resources, name);
        expect(existsSync(path), path).toBe(true);
        const png = readFileSync(path);
        expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), name).toBe(true);
        expect(png.toString('ascii', 12, 16)).toBe('IHDR');
        expect([png.readUInt32BE(16), png.readUInt32BE(20)], name).toEqual([size, size]);
      }
    }
  });
});
