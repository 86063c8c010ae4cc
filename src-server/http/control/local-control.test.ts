import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REGISTRY_STOPPED_BY_USER, type LocalSettingsPatch } from '../../contract';
import { resolveConfig } from '../../config/resolve';
import { RegistryError } from '../../core/errors';
import { silentLogger } from '../../logger';
import { applySavedSettings, settingsPath, writeSavedSettings, type SavedSettings } from '../../config/saved-settings';
import type { ConfigFlags } from '../../config/types';
import { ServerLocalControl, type ServerLocalControlDeps } from './local-control';

const root = mkdtempSync(join(tmpdir(), 'berth-local-control-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

/**
 * A control over a fresh data directory: HTTP on 127.0.0.1:5000, HTTPS on 127.0.0.1:5443 (saved
 * from the GUI earlier, so the GUI's to change), this machine at 192.168.1.20. `flags`, `env` and
 * `file` (a config file's text) set values the GUI may not change.
 */
function control(
  over: { auth?: 'basic' | 'none'; tlsListen?: string; flags?: ConfigFlags; env?: NodeJS.ProcessEnv; file?: string; settings?: SavedSettings; deps?: Partial<ServerLocalControlDeps> } = {},
) {
  const data = join(root, `d${++n}`);
  const configFile = over.file === undefined ? undefined : join(root, `config-${n}.yml`);
  if (configFile) writeFileSync(configFile, over.file!);
  const resolved = resolveConfig({ flags: { data, auth: over.auth ?? 'basic', ...over.flags }, env: over.env ?? {}, fileText: over.file, fileName: configFile });
  const { config, sources } = applySavedSettings(resolved, { listen: '127.0.0.1:5000', tlsListen: over.tlsListen ?? '127.0.0.1:5443' });
  if (over.settings) writeSavedSettings(data, over.settings);
  const c = new ServerLocalControl({
    config,
    sources,
    configFile,
    urls: () => ({ url: 'http://127.0.0.1:5000', tlsUrl: 'https://127.0.0.1:5443' }),
    log: silentLogger,
    machineAddresses: () => ['127.0.0.1', '::1', '192.168.1.20', 'fd00::20'],
    lookup: async (host) => (host === 'registry.lan' ? ['192.168.1.20'] : host === 'elsewhere.lan' ? ['198.51.100.7'] : []),
    lowestUnprivilegedPort: () => 0,
    ...over.deps,
  });
  return { c, file: settingsPath(data) };
}

/** The refusal of a patch: its code, field and message. */
async function refusal(c: ServerLocalControl, patch: LocalSettingsPatch) {
  const err = await c.setSettings(patch).catch((e: unknown) => e);
  expect(err, JSON.stringify(patch)).toBeInstanceOf(RegistryError);
  const e = err as RegistryError;
  return { code: e.code, field: (e.detail as { field?: string } | undefined)?.field, message: e.message };
}

describe('settings the next start could not use are refused, naming the field', () => {
  it.each<[string, LocalSettingsPatch, string, RegExp]>([
    ['HTTPS on the HTTP address', { tlsListen: '127.0.0.1:5000' }, 'tlsListen', /HTTPS listen address 127\.0\.0\.1:5000 uses port 5000, as the HTTP listener 127\.0\.0\.1:5000 does/],
    ['HTTPS on every interface at the HTTP port', { tlsListen: ':5000' }, 'tlsListen', /uses port 5000/],
    ['HTTP moved onto the HTTPS port', { listen: '0.0.0.0:5443' }, 'listen', /HTTP listen address 0\.0\.0\.0:5443 uses port 5443, as the HTTPS listener 127\.0\.0\.1:5443 does/],
    ['localhost beside 127.0.0.1 on one port', { listen: 'localhost:5443' }, 'listen', /uses port 5443/],
    ['a host name that resolves to the other listener', { tlsListen: 'registry.lan:5000', listen: '192.168.1.20:5000' }, 'tlsListen', /registry\.lan .*192\.168\.1\.20.*port 5000/],
    ['not HOST:PORT', { listen: 'localhost' }, 'listen', /HOST:PORT/],
    ['a port out of range', { tlsListen: '127.0.0.1:70000' }, 'tlsListen', /HOST:PORT/],
    ['a host that is no name', { listen: 'exa mple:5000' }, 'listen', /not an IP address or a host name/],
    ['an address this machine does not have', { listen: '203.0.113.9:5000' }, 'listen', /203\.0\.113\.9 is not an address of this machine \(it has 127\.0\.0\.1, ::1, 192\.168\.1\.20, fd00::20\)/],
    ['a name that resolves elsewhere', { tlsListen: 'elsewhere.lan:5443' }, 'tlsListen', /elsewhere\.lan resolves to 198\.51\.100\.7, not an address of this machine/],
    ['a name that does not resolve', { tlsListen: 'nowhere.lan:5443' }, 'tlsListen', /nowhere\.lan does not resolve here/],
  ])('%s', async (_desc, patch, field, message) => {
    const { c, file } = control();
    const r = await refusal(c, patch);
    expect(r).toMatchObject({ code: 'SETTINGS_INVALID', field });
    expect(r.message).toMatch(message);
    expect(existsSync(file)).toBe(false);
  });

  it('refuses a listener other machines reach while auth is off, unless the network was allowed', async () => {
    const { c } = control({ auth: 'none' });
    const r = await refusal(c, { listen: '0.0.0.0:5000' });
    expect(r).toMatchObject({ code: 'SETTINGS_INVALID', field: 'listen' });
    expect(r.message).toMatch(/reachable from the network and auth is off/);
    expect((await refusal(c, { tlsListen: '192.168.1.20:5443' })).field).toBe('tlsListen');
    const open = control({ auth: 'none' });
    (open.c as unknown as { deps: { config: { allowOpenNetwork: boolean } } }).deps.config.allowOpenNetwork = true;
    await expect(open.c.setSettings({ listen: '0.0.0.0:5000' })).resolves.toMatchObject({ restartRequired: true });
  });

  it('refuses a plain-HTTP listener other machines reach without HTTPS while the GUI is served over HTTP', async () => {
    const { c } = control({ deps: { guiOverHttp: true } });
    const r = await refusal(c, { listen: '0.0.0.0:5000', tlsListen: null });
    expect(r).toMatchObject({ code: 'SETTINGS_INVALID', field: 'tlsListen' });
    expect(r.message).toMatch(/admin password .* in clear/);
    // With HTTPS beside it the GUI moves there: accepted.
    await expect(c.setSettings({ listen: '0.0.0.0:5000' })).resolves.toMatchObject({ restartRequired: true });
    // The desktop's window talks over IPC: no such rule.
    const desktop = control();
    await expect(desktop.c.setSettings({ listen: '0.0.0.0:5000', tlsListen: null })).resolves.toMatchObject({ restartRequired: true });
  });

  it('refuses a port below the unprivileged range when the process may not bind it', async () => {
    const { c } = control({ deps: { lowestUnprivilegedPort: () => 1024 } });
    const r = await refusal(c, { tlsListen: '127.0.0.1:443' });
    expect(r).toMatchObject({ code: 'SETTINGS_INVALID', field: 'tlsListen' });
    expect(r.message).toMatch(/port 443 .*1024/);
    await expect(c.setSettings({ tlsListen: '127.0.0.1:8443' })).resolves.toMatchObject({ restartRequired: true });
  });

  it('saves what it can start with, and does not re-check an address it runs on now', async () => {
    const { c, file } = control({ deps: { lookup: async () => { throw new Error('no DNS here'); } } });
    const r = await c.setSettings({ listen: '127.0.0.1:6000', tlsListen: '[::1]:6443' });
    expect(r).toMatchObject({ restartRequired: true, settings: { listen: '127.0.0.1:6000', tlsListen: '[::1]:6443' } });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ listen: '127.0.0.1:6000', tlsListen: '[::1]:6443' });
    // deleteEnabled alone: the (unchanged) addresses are not looked up again.
    await expect(c.setSettings({ deleteEnabled: false })).resolves.toMatchObject({ settings: { deleteEnabled: false } });
    // Port 0 picks a free port: never a collision.
    await expect(c.setSettings({ listen: '127.0.0.1:0', tlsListen: '127.0.0.1:0' })).resolves.toBeTruthy();
  });
});

describe('settings a flag, the environment or the config file sets are not the GUI to change', () => {
  it('shows the value from the environment, not a saved one the next start will not use, and refuses changing it', async () => {
    const { c, file } = control({ env: { REGISTRY_HTTP_ADDR: '127.0.0.1:7000' }, settings: { listen: '127.0.0.1:6000' } });
    const before = readFileSync(file, 'utf8');
    expect(await c.getSettings()).toMatchObject({ listen: '127.0.0.1:7000', fixed: { listen: 'set by the environment (REGISTRY_HTTP_ADDR)' } });
    const r = await refusal(c, { listen: '127.0.0.1:6001' });
    expect(r).toEqual({
      code: 'SETTINGS_INVALID',
      field: 'listen',
      message: 'listen is set by the environment (REGISTRY_HTTP_ADDR): change it there, or unset it, to set it here',
    });
    expect(readFileSync(file, 'utf8')).toBe(before);
    // The value it already has is no change: not refused, not saved, nothing to restart for.
    const same = await c.setSettings({ listen: '127.0.0.1:7000', deleteEnabled: true });
    expect(same).toMatchObject({ restartRequired: false, settings: { listen: '127.0.0.1:7000' } });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ listen: '127.0.0.1:6000', deleteEnabled: true });
  });

  it('still saves a setting whose value is the default, and says a restart applies it', async () => {
    const { c, file } = control({ env: { REGISTRY_HTTP_ADDR: '127.0.0.1:7000' } });
    const r = await c.setSettings({ deleteEnabled: false });
    expect(r).toMatchObject({ restartRequired: true, settings: { deleteEnabled: false, listen: '127.0.0.1:7000' } });
    expect(r.settings.fixed).not.toHaveProperty('deleteEnabled');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ deleteEnabled: false });
  });

  it.each<[string, Parameters<typeof control>[0], LocalSettingsPatch, string, RegExp]>([
    ['a flag', { flags: { tlsListen: '127.0.0.1:7443' } }, { tlsListen: null }, 'tlsListen', /^tlsListen is set by the --tls-listen flag: change it there, or start without it, to set it here$/],
    ['--listen', { flags: { listen: '127.0.0.1:7000' } }, { listen: '127.0.0.1:6000' }, 'listen', /^listen is set by the --listen flag/],
    ['the config file', { file: 'storage:\n  delete:\n    enabled: false\n' }, { deleteEnabled: true }, 'deleteEnabled', /^deleteEnabled is set in the config file \(\/.*config-\d+\.yml, storage\.delete\.enabled\): change it there, or remove it, to set it here$/],
    ['the environment, for the upstream', { env: { REGISTRY_PROXY_REMOTEURL: 'https://up.example' } }, { proxy: null }, 'proxy.remoteUrl', /^proxy is set by the environment \(REGISTRY_PROXY_REMOTEURL\)/],
  ])('names where it is set: %s', async (_desc, over, patch, field, message) => {
    const { c, file } = control(over);
    const r = await refusal(c, patch);
    expect(r).toMatchObject({ code: 'SETTINGS_INVALID', field });
    expect(r.message).toMatch(message);
    expect(existsSync(file)).toBe(false);
  });
});

describe('stop and start', () => {
  it('a stop the user asked for is no failure, and says how clients meet it', async () => {
    const { c } = control();
    expect(c.status()).toMatchObject({ running: true, error: null, whileStopped: 'unavailable' });
    expect(await c.stop()).toMatchObject({ running: false, error: REGISTRY_STOPPED_BY_USER, whileStopped: 'unavailable' });
    const closing = control({ deps: { listeners: { open: async () => {}, close: async () => {} } } });
    expect(closing.c.status().whileStopped).toBe('closed');
  });
});
