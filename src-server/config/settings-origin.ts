/**
 * Where a setting the GUI saves gets its value when something more explicit than settings.json set
 * it (a flag, the environment or the config file), in words that name the flag, variable or file
 * key, so that the GUI never promises a saved value that the next start will not use (issue 17).
 */
import type { ConfigSource, ConfigSources } from './provenance';
import { envVariable } from './tree';

/** The settings the GUI saves in settings.json. */
export const SETTING_KEYS = ['listen', 'tlsListen', 'deleteEnabled', 'proxy'] as const;

/** A key of {@link SETTING_KEYS}. */
export type SettingKey = (typeof SETTING_KEYS)[number];

/** How each setting is set outside the GUI, as resolve.ts reads it: its flag, and its config file key (whose REGISTRY_* variable follows from it). */
const OUTSIDE: Record<SettingKey, { flag?: string; fileKey?: string }> = {
  listen: { flag: '--listen', fileKey: 'http.addr' },
  tlsListen: { flag: '--tls-listen' },
  deleteEnabled: { fileKey: 'storage.delete.enabled' },
  proxy: { fileKey: 'proxy.remoteurl' },
};

/** Why a setting cannot be changed from the GUI: where its value is set and how to change it. */
export interface FixedSetting {
  source: Extract<ConfigSource, 'flag' | 'env' | 'file'>;
  /** E.g. `set by the environment (REGISTRY_HTTP_ADDR)`. */
  where: string;
  /** The whole refusal, e.g. `listen is set by the --listen flag: change it there, or start without it, to set it here`. */
  message: string;
}

function where(key: SettingKey, source: FixedSetting['source'], configFile: string | undefined): string {
  const o = OUTSIDE[key];
  if (source === 'flag') return `set by the ${o.flag ?? 'command-line'} flag`;
  if (source === 'env') return `set by the environment (${o.fileKey ? envVariable(o.fileKey) : 'REGISTRY_*'})`;
  return `set in the config file (${[configFile, o.fileKey].filter(Boolean).join(', ')})`;
}

const ADVICE: Record<FixedSetting['source'], string> = {
  flag: 'change it there, or start without it, to set it here',
  env: 'change it there, or unset it, to set it here',
  file: 'change it there, or remove it, to set it here',
};

/**
 * The settings whose value a flag, the environment or the config file sets (`sources` of the
 * configuration in force), with why; a setting whose source is the default or settings.json is
 * absent: the GUI may change it.
 */
export function fixedSettings(sources: ConfigSources, configFile?: string): Partial<Record<SettingKey, FixedSetting>> {
  const out: Partial<Record<SettingKey, FixedSetting>> = {};
  for (const key of SETTING_KEYS) {
    const source = sources[key];
    if (source === 'default' || source === 'settings') continue;
    const w = where(key, source, configFile);
    out[key] = { source, where: w, message: `${key} is ${w}: ${ADVICE[source]}` };
  }
  return out;
}
