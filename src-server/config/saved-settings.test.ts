import { describe, expect, it } from 'vitest';
import { resolveConfig } from './resolve';
import { applySavedSettings, patchToSaved } from './saved-settings';

const base = () => resolveConfig({ flags: { data: '/tmp/berth-x', auth: 'basic' }, env: {} });

describe('settings.json', () => {
  it('applies saved settings where nothing more explicit set them, and records them as their source', () => {
    const saved = { listen: '127.0.0.1:6000', tlsListen: '127.0.0.1:6443', deleteEnabled: false, proxy: { remoteUrl: 'https://mirror.example' } };
    const { config, sources, applied } = applySavedSettings(base(), saved);
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 6000 });
    expect(config.tlsListen).toEqual({ host: '127.0.0.1', port: 6443 });
    expect(config.deleteEnabled).toBe(false);
    expect(config.proxy).toMatchObject({ remoteUrl: 'https://mirror.example' });
    expect(applied).toHaveLength(4);
    expect(sources).toMatchObject({ listen: 'settings', tlsListen: 'settings', deleteEnabled: 'settings', proxy: 'settings', dataDir: 'flag' });
  });

  it('leaves what flags, environment or the config file set', () => {
    const saved = { listen: '127.0.0.1:6000', tlsListen: '127.0.0.1:6443', deleteEnabled: false, proxy: { remoteUrl: 'https://mirror.example' } };
    const explicit = resolveConfig({
      flags: { data: '/tmp/berth-x', auth: 'basic', tlsListen: '127.0.0.1:7443' },
      env: { REGISTRY_HTTP_ADDR: '127.0.0.1:7000' },
      fileText: 'storage:\n  delete:\n    enabled: true\nproxy:\n  remoteurl: https://up.example\n',
    });
    const { config, sources, applied } = applySavedSettings(explicit, saved);
    expect(config).toEqual(explicit.config);
    expect(sources).toEqual(explicit.sources);
    expect(applied).toEqual([]);
  });

  it('refuses a saved network listener while auth is off', () => {
    const open = resolveConfig({ flags: { data: '/tmp/berth-x', auth: 'none' }, env: {} });
    expect(() => applySavedSettings(open, { listen: '0.0.0.0:5000' })).toThrow(/auth is off/);
  });

  it('validates a patch and never takes credentials', () => {
    expect(patchToSaved({ listen: ':5000', tlsListen: null, proxy: { remoteUrl: 'http://up.example:5000/' } })).toEqual({
      listen: ':5000',
      tlsListen: null,
      proxy: { remoteUrl: 'http://up.example:5000' },
    });
    expect(() => patchToSaved({ listen: 'localhost' })).toThrow(/HOST:PORT/);
    expect(() => patchToSaved({ tlsListen: '1.2.3.4:99999' })).toThrow(/HOST:PORT/);
    expect(() => patchToSaved({ proxy: { remoteUrl: 'not a url' } })).toThrow(/not a URL/);
    expect(() => patchToSaved({ proxy: { remoteUrl: 'https://u:p@up.example' } })).toThrow(/^proxy credentials: use the config file/);
    expect(() => patchToSaved({ proxy: { remoteUrl: 'https://up.example', password: 'p' } })).toThrow(/^proxy credentials: use the config file/);
  });
});
