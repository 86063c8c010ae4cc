import { describe, expect, it } from 'vitest';
import { closeAction, closeToTrayNotice, shouldQuitWhenAllWindowsClosed } from './close-to-tray';
import { DEFAULT_PREFERENCES } from './state';

describe('closeAction', () => {
  it.each([
    [false, true, 'hide'],
    [true, true, 'close'],
    [false, false, 'close'],
    [true, false, 'close'],
  ] as const)('quitting=%s trayAvailable=%s -> %s', (quitting, trayAvailable, action) => {
    expect(closeAction({ quitting, trayAvailable })).toBe(action);
  });
});

describe('closeToTrayNotice', () => {
  it('names the menu bar on macOS', () => {
    const n = closeToTrayNotice(DEFAULT_PREFERENCES, 'darwin');
    expect(n?.title).toBe('Berth is still running');
    expect(n?.body).toContain('menu bar');
    expect(n?.body).not.toContain('tray');
  });

  it('names the notification area on Windows and the system tray on Linux', () => {
    expect(closeToTrayNotice(DEFAULT_PREFERENCES, 'win32')?.body).toContain('notification area');
    expect(closeToTrayNotice(DEFAULT_PREFERENCES, 'linux')?.body).toContain('system tray');
    expect(closeToTrayNotice(DEFAULT_PREFERENCES, 'linux')?.body).not.toContain('menu bar');
  });

  it('is shown only once', () => {
    for (const platform of ['darwin', 'win32', 'linux'] as const) {
      expect(closeToTrayNotice({ ...DEFAULT_PREFERENCES, closeToTrayNoticeShown: true }, platform)).toBeNull();
    }
  });
});

describe('shouldQuitWhenAllWindowsClosed', () => {
  it('keeps running with a tray and quits without one', () => {
    expect(shouldQuitWhenAllWindowsClosed({ trayAvailable: true })).toBe(false);
    expect(shouldQuitWhenAllWindowsClosed({ trayAvailable: false })).toBe(true);
  });
});
