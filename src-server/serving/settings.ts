/** Settings saved from the GUI, applied at the start of a serving process (`berth serve` or the desktop's). */
import { applySavedSettings, readSavedSettings, type SourcedConfig } from '../config/saved-settings';
import { CliError } from './errors';

/**
 * Applies `<data>/berth/settings.json` (saved from the GUI) below flags, environment and config
 * file: a setting is taken only where the resolved configuration's value is the default (its
 * recorded source says so; nothing is read twice).
 */
export function withSavedSettings<R extends SourcedConfig>(resolved: R): R & { applied: string[] } {
  try {
    return { ...resolved, ...applySavedSettings(resolved, readSavedSettings(resolved.config.dataDir)) };
  } catch (err) {
    throw new CliError((err as Error).message);
  }
}
