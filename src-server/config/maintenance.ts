import type { UploadPurgeSettings } from '../storage/upload-purge';
import { parseDuration } from './duration';
import { bool, type ConfigTree, nodeAt, str } from './tree';
import { ConfigError } from './types';

const SECTION = 'storage.maintenance.uploadpurging';

/** registry:2's `storage.maintenance.uploadpurging` keys that Berth reads with the same meaning. */
export const UPLOAD_PURGING_KEYS = ['enabled', 'age', 'interval', 'dryrun'].map((k) => `${SECTION}.${k}`);

/** registry:2's defaults: on, uploads older than a week removed, once a day. */
export const DEFAULT_UPLOAD_PURGING: UploadPurgeSettings = { enabled: true, ageMs: 168 * 3_600_000, intervalMs: 24 * 3_600_000, dryRun: false };

function positiveDuration(tree: ConfigTree, key: 'age' | 'interval', fallback: number): number {
  const v = str(tree, `${SECTION}.${key}`);
  if (v === undefined) return fallback;
  const ms = parseDuration(v);
  if (ms === null) throw new ConfigError(`${SECTION}.${key}: invalid duration "${v}" (e.g. 168h, 30m, 1h30m)`);
  // 0 would remove every upload in progress (age) or purge in a busy loop (interval).
  if (ms <= 0) throw new ConfigError(`${SECTION}.${key}: must be more than 0, got "${v}"`);
  return ms;
}

/**
 * `storage.maintenance.uploadpurging` with registry:2's meaning, or undefined when the config does
 * not mention it. Where registry:2 refuses to start when a section leaves out `age`, `interval` or
 * `dryrun`, Berth takes the default for each missing key. With `enabled: false` the other keys are
 * not read, as in registry:2.
 */
export function uploadPurgingConfig(tree: ConfigTree): UploadPurgeSettings | undefined {
  const section = nodeAt(tree, SECTION);
  if (section === undefined) return undefined;
  // An empty `uploadpurging:` is the section with every default.
  if (Array.isArray(section) || (typeof section === 'string' && str(tree, SECTION) !== undefined)) {
    throw new ConfigError(`${SECTION}: expected a mapping of settings (enabled, age, interval, dryrun)`);
  }
  const enabled = bool(tree, `${SECTION}.enabled`) ?? DEFAULT_UPLOAD_PURGING.enabled;
  if (!enabled) return { ...DEFAULT_UPLOAD_PURGING, enabled: false };
  return {
    enabled,
    ageMs: positiveDuration(tree, 'age', DEFAULT_UPLOAD_PURGING.ageMs),
    intervalMs: positiveDuration(tree, 'interval', DEFAULT_UPLOAD_PURGING.intervalMs),
    dryRun: bool(tree, `${SECTION}.dryrun`) ?? DEFAULT_UPLOAD_PURGING.dryRun,
  };
}
