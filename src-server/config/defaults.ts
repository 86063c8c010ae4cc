import { homedir } from 'node:os';
import { join, win32 } from 'node:path';

/** Where `berth serve` listens when nothing else says. */
export const DEFAULT_LISTEN = '127.0.0.1:5000';

/** Realm used when `auth.htpasswd.realm` is not set. */
export const DEFAULT_REALM = 'Berth Registry';

/** Human-readable description of the default data directory, for `--help`. */
export const DEFAULT_DATA_DIR_HELP =
  'Linux: $XDG_DATA_HOME/berth or ~/.local/share/berth; macOS: ~/Library/Application Support/Berth; ' +
  'Windows: %APPDATA%\\Berth';

/**
 * The per-user default data directory, following each platform's convention (XDG base directories
 * on Linux and other Unixes, Application Support on macOS, roaming AppData on Windows).
 */
export function defaultDataDir(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home: string = homedir(),
): string {
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Berth');
  if (platform === 'win32') return win32.join(env.APPDATA || win32.join(home, 'AppData', 'Roaming'), 'Berth');
  // The XDG spec says relative values are invalid and must be ignored.
  const xdg = env.XDG_DATA_HOME;
  return xdg && xdg.startsWith('/') ? join(xdg, 'berth') : join(home, '.local', 'share', 'berth');
}
