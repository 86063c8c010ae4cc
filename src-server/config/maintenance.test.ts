import { describe, expect, it } from 'vitest';
import { DEFAULT_UPLOAD_PURGING } from './maintenance';
import { configErrorOf as errorOf, resolveForTest as resolve } from '../../test/helpers/config';

const H = 3_600_000;

/** registry:2's documented example section. */
const REGISTRY2 = `
storage:
  filesystem:
    rootdirectory: /var/lib/registry
  maintenance:
    uploadpurging:
      enabled: true
      age: 168h
      interval: 24h
      dryrun: false
`;

describe('storage.maintenance.uploadpurging', () => {
  it("reads registry:2's section without warnings; absent means registry:2's defaults", () => {
    const { config, warnings } = resolve({ fileText: REGISTRY2 });
    expect(warnings).toEqual([]);
    expect(config.uploadPurging).toEqual({ enabled: true, ageMs: 168 * H, intervalMs: 24 * H, dryRun: false });
    expect(config.uploadPurging).toEqual(DEFAULT_UPLOAD_PURGING);
    expect(resolve({}).config.uploadPurging).toBeUndefined();
    expect(resolve({ fileText: 'version: 0.1\n' }).config.uploadPurging).toBeUndefined();
  });

  it('takes Go durations and the default for each key left out (registry:2 would refuse to start)', () => {
    const section = (body: string) => `storage:\n  maintenance:\n    uploadpurging:\n${body}`;
    expect(resolve({ fileText: section('      age: 1h30m\n      dryrun: true\n') }).config.uploadPurging).toEqual({
      enabled: true,
      ageMs: 90 * 60_000,
      intervalMs: 24 * H,
      dryRun: true,
    });
    expect(resolve({ fileText: section('      interval: 30m\n') }).config.uploadPurging).toMatchObject({ ageMs: 168 * H, intervalMs: 30 * 60_000 });
    expect(resolve({ fileText: 'storage:\n  maintenance:\n    uploadpurging:\n' }).config.uploadPurging).toEqual(DEFAULT_UPLOAD_PURGING);
  });

  it('reads REGISTRY_STORAGE_MAINTENANCE_UPLOADPURGING_* over the file', () => {
    const { config, warnings } = resolve({
      fileText: REGISTRY2,
      env: {
        REGISTRY_STORAGE_MAINTENANCE_UPLOADPURGING_AGE: '2h',
        REGISTRY_STORAGE_MAINTENANCE_UPLOADPURGING_INTERVAL: '10m',
        REGISTRY_STORAGE_MAINTENANCE_UPLOADPURGING_DRYRUN: 'true',
      },
    });
    expect(warnings).toEqual([]);
    expect(config.uploadPurging).toEqual({ enabled: true, ageMs: 2 * H, intervalMs: 10 * 60_000, dryRun: true });
    expect(resolve({ env: { REGISTRY_STORAGE_MAINTENANCE_UPLOADPURGING_ENABLED: 'false' } }).config.uploadPurging?.enabled).toBe(false);
  });

  it('when disabled, reads nothing else (as registry:2 returns at enabled: false)', () => {
    const off = 'storage:\n  maintenance:\n    uploadpurging:\n      enabled: false\n      age: soon\n';
    expect(resolve({ fileText: off }).config.uploadPurging).toMatchObject({ enabled: false });
  });

  it('refuses bad values with a message naming the key', () => {
    const env = (k: string, v: string) => ({ env: { [`REGISTRY_STORAGE_MAINTENANCE_UPLOADPURGING_${k}`]: v } });
    expect(errorOf(env('AGE', 'abc'))).toBe('storage.maintenance.uploadpurging.age: invalid duration "abc" (e.g. 168h, 30m, 1h30m)');
    expect(errorOf(env('AGE', '168'))).toMatch(/^storage.maintenance.uploadpurging.age: invalid duration "168"/);
    expect(errorOf(env('AGE', '-1h'))).toMatch(/^storage.maintenance.uploadpurging.age: invalid duration/);
    expect(errorOf(env('AGE', '0'))).toBe('storage.maintenance.uploadpurging.age: must be more than 0, got "0"');
    expect(errorOf(env('INTERVAL', '0s'))).toBe('storage.maintenance.uploadpurging.interval: must be more than 0, got "0s"');
    expect(errorOf(env('INTERVAL', '1d'))).toMatch(/^storage.maintenance.uploadpurging.interval: invalid duration "1d"/);
    expect(errorOf(env('DRYRUN', 'perhaps'))).toBe('storage.maintenance.uploadpurging.dryrun: expected true or false, got "perhaps"');
    expect(errorOf(env('ENABLED', 'sometimes'))).toBe('storage.maintenance.uploadpurging.enabled: expected true or false, got "sometimes"');
    expect(errorOf({ fileText: 'storage:\n  maintenance:\n    uploadpurging: true\n' })).toMatch(/^storage.maintenance.uploadpurging: expected a mapping/);
    expect(errorOf({ fileText: 'storage:\n  maintenance:\n    uploadpurging: [a]\n' })).toMatch(/^storage.maintenance.uploadpurging: expected a mapping/);
    expect(errorOf({ fileText: 'storage:\n  maintenance:\n    uploadpurging:\n      age: [1h]\n' })).toMatch(/^storage.maintenance.uploadpurging.age: expected a single value/);
  });

  it('still warns about the maintenance keys Berth does not act on, each by name', () => {
    const fileText = `${REGISTRY2}    readonly:\n      enabled: true\n`;
    const { warnings } = resolve({ fileText, env: { REGISTRY_STORAGE_MAINTENANCE_UPLOADPURGING_WHEN: 'night' } });
    expect(warnings).toEqual([
      'config key storage.maintenance.uploadpurging.when is not supported by Berth and is ignored',
      'config key storage.maintenance.readonly is not supported by Berth and is ignored',
    ]);
    expect(resolve({ fileText: 'storage:\n  maintenance:\n    readonly:\n      enabled: false\n' }).warnings).toEqual([
      'config key storage.maintenance.readonly is not supported by Berth and is ignored',
    ]);
  });
});
