/**
 * What closing the main window does. With a tray icon Berth keeps running (the registry serves
 * docker and podman while no window is open) and the window is only hidden; the first time, a
 * notice says where Berth went. Without a tray (a Linux desktop without a StatusNotifier host)
 * nothing would be left to reopen or quit Berth with, so closing the window quits.
 */
import type { DesktopPreferences } from './state';

/**
 * What a window's 'close' event should do: 'hide' (prevent the close and hide the window) unless
 * Berth is quitting (from the tray, the app menu, or the OS logging out) or there is no tray.
 */
export function closeAction(s: { quitting: boolean; trayAvailable: boolean }): 'hide' | 'close' {
  return !s.quitting && s.trayAvailable ? 'hide' : 'close';
}

/**
 * The notice shown the first time the window is hidden to the tray (a notification), or null once it
 * was shown (`prefs.closeToTrayNoticeShown`; the caller sets it after showing). The wording names
 * where the icon is on `platform`: the menu bar on macOS, the notification area on Windows, the
 * system tray elsewhere.
 */
export function closeToTrayNotice(prefs: DesktopPreferences, platform: NodeJS.Platform): { title: string; body: string } | null {
  if (prefs.closeToTrayNoticeShown) return null;
  const where = platform === 'darwin' ? 'menu bar' : platform === 'win32' ? 'notification area' : 'system tray';
  return {
    title: 'Berth is still running',
    body: `The registry keeps serving while the window is closed. Open Berth or quit it from its icon in the ${where}.`,
  };
}

/**
 * Whether 'window-all-closed' should quit the app: only when there is no tray to keep Berth
 * reachable. With a tray, Berth (and its registry) keeps running on every platform, macOS included.
 */
export function shouldQuitWhenAllWindowsClosed(s: { trayAvailable: boolean }): boolean {
  return !s.trayAvailable;
}
