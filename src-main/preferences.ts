/**
 * The desktop app's preferences (launch at login, start the registry on launch, notices shown): a
 * small JSON file in Electron's userData folder. It holds no secrets. A missing, damaged or
 * hand-edited file never stops Berth from starting: what cannot be used falls back to the defaults.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../src-server/core/files';
import { DEFAULT_PREFERENCES, type DesktopPreferences } from './state';

/** Options of {@link PreferencesStore}. */
export interface PreferencesStoreOptions {
  /** Told once per load when the file could not be used in whole or in part (the app logs it). */
  onWarning?(message: string): void;
}

const KEYS = Object.keys(DEFAULT_PREFERENCES) as Array<keyof DesktopPreferences>;

/**
 * The preferences file. Read once, on the first `get` or `set`, then kept in memory (Berth runs as a
 * single instance, so no one else writes it); every `set` replaces the file atomically.
 */
export class PreferencesStore {
  private current: DesktopPreferences | null = null;

  /** `filePath`: the JSON file (its folder is created on the first `set`). */
  constructor(
    readonly filePath: string,
    private readonly opts: PreferencesStoreOptions = {},
  ) {}

  /** The preferences: the file's values, with defaults for what is missing or invalid. */
  get(): DesktopPreferences {
    this.current ??= this.load();
    return this.current;
  }

  /**
   * Changes some preferences and writes the file; returns them all. Throws TypeError for a key that
   * is not a preference or a value that is not a boolean (nothing is changed then), and the file
   * system's error when the file cannot be written (the preferences in memory stay as they were).
   */
  set(patch: Partial<DesktopPreferences>): DesktopPreferences {
    if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
      throw new TypeError('preferences must be an object');
    }
    const next: DesktopPreferences = { ...this.get() };
    for (const [key, value] of Object.entries(patch)) {
      if (!isKey(key)) throw new TypeError(`unknown preference ${JSON.stringify(key)}`);
      if (value === undefined) continue;
      if (typeof value !== 'boolean') throw new TypeError(`preference ${key} must be true or false, not ${typeof value}`);
      next[key] = value;
    }
    writeFileAtomic(this.filePath, JSON.stringify(next, null, 2) + '\n');
    this.current = Object.freeze(next);
    return this.current;
  }

  private load(): DesktopPreferences {
    let text: string;
    try {
      text = readFileSync(this.filePath, 'utf8');
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code !== 'ENOENT') this.warn(`cannot read the preferences file ${this.filePath} (${e.code ?? e.message}); using the defaults`);
      return DEFAULT_PREFERENCES;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      this.warn(`the preferences file ${this.filePath} is not valid JSON; using the defaults`);
      return DEFAULT_PREFERENCES;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      this.warn(`the preferences file ${this.filePath} does not hold an object; using the defaults`);
      return DEFAULT_PREFERENCES;
    }
    const file = parsed as Record<string, unknown>;
    const prefs: DesktopPreferences = { ...DEFAULT_PREFERENCES };
    const invalid: string[] = [];
    // Unknown keys (a newer Berth's, or typos) are not copied, so the next write drops them.
    for (const key of KEYS) {
      if (!Object.hasOwn(file, key)) continue;
      const value = file[key];
      if (typeof value === 'boolean') prefs[key] = value;
      else invalid.push(key);
    }
    if (invalid.length > 0) {
      this.warn(`the preferences file ${this.filePath} has invalid values for ${invalid.join(', ')}; using the defaults for them`);
    }
    return Object.freeze(prefs);
  }

  private warn(message: string): void {
    this.opts.onWarning?.(message);
  }
}

function isKey(key: string): key is keyof DesktopPreferences {
  return (KEYS as string[]).includes(key);
}
