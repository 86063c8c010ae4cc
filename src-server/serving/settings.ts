/** Settings saved from the GUI, applied at the start of a serving process (`berth serve` or the desktop's). */
import { existsSync } from 'node:fs';
import { readTextFile } from '../core/files';
import { applyEnvOverrides, nodeAt, parseConfigText } from '../config/tree';
import { ConfigError, type BerthConfig } from '../config/types';
import { applySavedSettings, readSavedSettings, settingsPath, type ExplicitSettings } from '../config/saved-settings';
import { CliError } from './errors';

/** The start flags that decide whether a saved setting applies (`berth serve`'s, or the desktop's). */
export interface SettingsFlags {
  /** `--config FILE`. */
  config?: string;
  /** `--listen HOST:PORT`. */
  listen?: string;
  /** `--tls-listen HOST:PORT`. */
  tlsListen?: string;
}

/**
 * Applies `<data>/berth/settings.json` (saved from the GUI) below flags, environment and config
 * file: a setting is taken only where none of those set the same thing.
 */
export function withSavedSettings(config: BerthConfig, opts: SettingsFlags): { config: BerthConfig; applied: string[] } {
  if (!existsSync(settingsPath(config.dataDir))) return { config, applied: [] };
  try {
    const tree = opts.config === undefined ? {} : parseConfigText(readTextFile(opts.config, 'config file', ConfigError), opts.config);
    applyEnvOverrides(tree, process.env);
    const explicit: ExplicitSettings = {
      listen: opts.listen !== undefined || nodeAt(tree, 'http.addr') !== undefined,
      tlsListen: opts.tlsListen !== undefined,
      deleteEnabled: nodeAt(tree, 'storage.delete.enabled') !== undefined,
      proxy: nodeAt(tree, 'proxy') !== undefined,
    };
    return applySavedSettings(config, readSavedSettings(config.dataDir), explicit);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
}
