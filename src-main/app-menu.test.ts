import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { aboutPanelOptions, buildAppMenu, type AppMenuActions } from './app-menu';

function build(platform: NodeJS.Platform, isDev: boolean) {
  const calls: string[] = [];
  const actions: AppMenuActions = {
    openWindow: () => calls.push('openWindow'),
    openDataFolder: () => calls.push('openDataFolder'),
    showAbout: () => calls.push('showAbout'),
  };
  const menu = buildAppMenu({ platform, appName: 'Berth', isDev, actions });
  const sub = (label: string): MenuItemConstructorOptions[] => {
    const top = menu.find((m) => m.label === label || (label === 'Help' && m.role === 'help'));
    if (!top || !Array.isArray(top.submenu)) throw new Error(`no menu ${label}`);
    return top.submenu;
  };
  /** Roles (or ids, or "-" for a separator) of a submenu, in order. */
  const entries = (label: string) => sub(label).map((i) => (i.type === 'separator' ? '-' : (i.role ?? i.id)));
  const click = (label: string, id: string): string[] => {
    const item = sub(label).find((i) => i.id === id);
    if (!item?.click) throw new Error(`no item ${id} in ${label}`);
    calls.length = 0;
    (item.click as unknown as () => void)();
    return [...calls];
  };
  return { menu, sub, entries, click, tops: menu.map((m) => m.label ?? m.role) };
}

describe('buildAppMenu', () => {
  it('macOS: the app-name menu with its roles and no preferences', () => {
    const m = build('darwin', false);
    expect(m.tops).toEqual(['Berth', 'Edit', 'View', 'Window', 'help']);
    expect(m.entries('Berth')).toEqual(['about', '-', 'services', '-', 'hide', 'hideOthers', 'unhide', '-', 'quit']);
    expect(m.entries('Window')).toEqual(['minimize', 'zoom', 'close', '-', 'open-window', '-', 'front']);
    expect(m.sub('Window').find((i) => i.id === 'open-window')?.label).toBe('Show Berth');
    expect(m.click('Window', 'open-window')).toEqual(['openWindow']);
    // About is the app menu's role on macOS, so Help has only the data folder.
    expect(m.entries('Help')).toEqual(['open-data-folder']);
    expect(m.click('Help', 'open-data-folder')).toEqual(['openDataFolder']);
  });

  for (const platform of ['win32', 'linux'] as const) {
    it(`${platform}: File with Quit (Ctrl+Q: closing the window only hides it); About in Help`, () => {
      const m = build(platform, false);
      expect(m.tops).toEqual(['File', 'Edit', 'View', 'Window', 'Help']);
      expect(m.sub('File')).toEqual([expect.objectContaining({ role: 'quit', accelerator: 'CmdOrCtrl+Q', label: 'Quit Berth' })]);
      expect(m.entries('Window')).toEqual(['minimize', 'close']);
      expect(m.entries('Help')).toEqual(['about', '-', 'open-data-folder']);
      expect(m.sub('Help')[0]?.label).toBe('About Berth');
      expect(m.click('Help', 'about')).toEqual(['showAbout']);
      expect(m.click('Help', 'open-data-folder')).toEqual(['openDataFolder']);
    });
  }

  for (const platform of ['darwin', 'win32', 'linux'] as const) {
    it(`${platform}: Edit roles so copy and paste work in the window; developer items only in dev`, () => {
      const prod = build(platform, false);
      expect(prod.entries('Edit')).toEqual(['undo', 'redo', '-', 'cut', 'copy', 'paste', 'selectAll']);
      expect(prod.entries('View')).toEqual(['resetZoom', 'zoomIn', 'zoomOut', '-', 'togglefullscreen']);
      const dev = build(platform, true);
      expect(dev.entries('View')).toEqual([
        'reload', 'forceReload', 'toggleDevTools', '-', 'resetZoom', 'zoomIn', 'zoomOut', '-', 'togglefullscreen',
      ]);
    });
  }
});

describe('aboutPanelOptions', () => {
  it('names the app, its version and the runtime under it', () => {
    const about = aboutPanelOptions({ version: '0.1.0', electron: '41.7.1', chrome: '146.0.1', node: '24.1.0' });
    expect(about.applicationName).toBe('Berth');
    expect(about.applicationVersion).toBe('0.1.0');
    expect(about.version).toBe('Electron 41.7.1, Chromium 146.0.1, Node 24.1.0');
    expect(about.credits).toContain('Electron 41.7.1');
    expect(about.credits).toContain('Chromium 146.0.1');
    expect(about.credits).toContain('Node 24.1.0');
    expect(about.copyright).toMatch(/MIT/);
  });

  it('leaves out versions it was not given', () => {
    const about = aboutPanelOptions({ version: '1.2.3', node: '20.0.0' });
    expect(about.version).toBe('Node 20.0.0');
    expect(about.credits).not.toContain('Electron');
    expect(aboutPanelOptions({ version: '1.2.3' }).version).toBeUndefined();
  });
});
