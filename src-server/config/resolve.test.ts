import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultDataDir } from './defaults';
import { parseListen } from './listen';
import { TEST_HOME as home, resolveForTest as resolve } from '../../test/helpers/config';
import type { ResolveInput } from './resolve';
import { ConfigError } from './types';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');

/** The registry:2 sample configs of the shared seed notes (001_*), copied into fixtures/. */
function seedYamlBlocks(): string[] {
  return [fixture('registry2-image.yml'), fixture('registry2-mirror.yml')];
}

describe('resolveConfig', () => {
  it('uses Berth defaults with no file, no env and no flags', () => {
    const { config, warnings } = resolve({});
    expect(config).toEqual({
      dataDir: '/home/u/.local/share/berth',
      listen: { host: '127.0.0.1', port: 5000 },
      deleteEnabled: true,
      auth: {
        mode: 'basic',
        realm: 'Berth Registry',
        htpasswdPath: '/home/u/.local/share/berth/berth/htpasswd',
        accessPath: '/home/u/.local/share/berth/berth/access.yml',
        autoInit: true,
      },
      tlsNames: [],
      allowOpenNetwork: false,
      logLevel: 'info',
      accessLog: false,
      trashKeepMs: 7 * 86_400_000,
    });
    expect(warnings).toEqual([]);
  });

  it('reads trash.keep as a long duration (days, weeks), 0 turning the trash off; refuses anything else in words', () => {
    expect(resolve({ fileText: 'trash:\n  keep: 2w\n', flags: { auth: 'basic' } }).config.trashKeepMs).toBe(14 * 86_400_000);
    expect(resolve({ fileText: 'trash:\n  keep: 0\n', flags: { auth: 'basic' } }).config.trashKeepMs).toBe(0);
    expect(resolve({ env: { REGISTRY_TRASH_KEEP: '1d12h' } }).config.trashKeepMs).toBe(36 * 3_600_000);
    expect(resolve({ fileText: 'trash:\n  keep: 7d\n', flags: { auth: 'basic' } }).warnings).toEqual([]);
    for (const bad of ['7 days', '-1d', 'forever', '1000000w']) {
      expect(() => resolve({ fileText: `trash:\n  keep: ${bad}\n`, flags: { auth: 'basic' } })).toThrow(/^trash\.keep: invalid duration ".*" \(e\.g\. 7d, 36h, 2w, or 0 for deletes that skip the trash\)$/);
    }
  });

  it('reads the first seed config (registry:2 docker image style): addr, rootdirectory, unknown keys warned', () => {
    const blocks = seedYamlBlocks();
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    // The first block has proxy.remoteurl: without it, everything else must resolve.
    const first = blocks[0]!.replace(/^proxy:\n(  .*\n?)*/m, '');
    // It listens on every interface without auth: refused unless said explicitly (issue 3).
    expect(() => resolve({ fileText: first })).toThrow(/--allow-open-network/);
    const { config, warnings } = resolve({ fileText: first, flags: { allowOpenNetwork: true } });
    expect(config.dataDir).toBe('/var/lib/registry');
    expect(config.listen).toEqual({ host: undefined, port: 5000 });
    expect(warnings.map((w) => w.split(' ')[2])).toEqual(['log.fields', 'storage.cache', 'http.headers', 'health']);
  });

  it('resolves the seed configs that set proxy.remoteurl into a pull-through cache', () => {
    const [image, mirror] = seedYamlBlocks();
    const a = resolve({ fileText: image!, flags: { allowOpenNetwork: true } }).config;
    expect(a.proxy).toEqual({ remoteUrl: 'https://8x40wsit.mirror.aliyuncs.com', tagTtlMs: 5 * 60_000 });
    // The mirror's `[username]` placeholders are YAML lists until filled in, as registry:2 reads them too.
    expect(() => resolve({ fileText: mirror! })).toThrow(/proxy.username: expected a single value, not a list/);
    const filled = mirror!.replace('[username]', 'hub-user').replace('[password]', 'hub-secret');
    const b = resolve({ fileText: filled }).config;
    expect(b.proxy).toEqual({ remoteUrl: 'https://registry-1.docker.io', username: 'hub-user', password: 'hub-secret', tagTtlMs: 300_000 });
    expect(b.auth.mode).toBe('none');
    expect(resolve({}).config.proxy).toBeUndefined();
  });

  it('reads proxy settings from REGISTRY_PROXY_* variables, tagttl as a duration', () => {
    const env = {
      REGISTRY_PROXY_REMOTEURL: 'http://127.0.0.1:5001/',
      REGISTRY_PROXY_USERNAME: 'u',
      REGISTRY_PROXY_PASSWORD: 'p w',
      REGISTRY_PROXY_TAGTTL: '1h30m',
    };
    expect(resolve({ env }).config.proxy).toEqual({ remoteUrl: 'http://127.0.0.1:5001', username: 'u', password: 'p w', tagTtlMs: 5_400_000 });
    expect(resolve({ env: { REGISTRY_PROXY_REMOTEURL: 'https://r.example', REGISTRY_PROXY_TAGTTL: '0' } }).config.proxy?.tagTtlMs).toBe(0);
    expect(resolve({ fileText: 'proxy:\n  remoteurl: https://r.example\n  tagttl: 1500ms\n' }).config.proxy?.tagTtlMs).toBe(1500);
    expect(resolve({ fileText: 'proxy:\n  username: u\n' }).warnings).toEqual(['proxy settings without proxy.remoteurl are ignored']);
  });

  it('refuses a bad proxy setting in one line, never echoing the password', () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ REGISTRY_PROXY_REMOTEURL: 'registry-1.docker.io' }, /^proxy.remoteurl: "registry-1.docker.io" is not a URL/],
      [{ REGISTRY_PROXY_REMOTEURL: 'ftp://r.example' }, /must start with https:\/\/ or http:\/\//],
      [{ REGISTRY_PROXY_REMOTEURL: 'https://u:s3cret@r.example' }, /proxy.username and proxy.password, not in the URL/],
      [{ REGISTRY_PROXY_REMOTEURL: 'u:s3cret@r.example' }, /^proxy.remoteurl: "u:\*\*\*@r.example" must start with https/],
      [{ REGISTRY_PROXY_REMOTEURL: 'https://r.example', REGISTRY_PROXY_USERNAME: 'u' }, /must be set together/],
      [{ REGISTRY_PROXY_REMOTEURL: 'https://r.example', REGISTRY_PROXY_TAGTTL: '5 minutes' }, /proxy.tagttl: invalid duration "5 minutes"/],
      [{ REGISTRY_PROXY_REMOTEURL: 'https://r.example', REGISTRY_PROXY_TAGTTL: '-1s' }, /proxy.tagttl: invalid duration/],
    ];
    for (const [env, message] of cases) {
      let err: unknown;
      try {
        resolve({ env });
      } catch (e) {
        err = e;
      }
      expect(err, String(message)).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).not.toMatch(/s3cret|\n/);
    }
  });

  it('applies the seed docker run environment (REGISTRY_AUTH=htpasswd, realm, path, TLS)', () => {
    const { config } = resolve({
      env: {
        REGISTRY_AUTH: 'htpasswd',
        REGISTRY_AUTH_HTPASSWD_REALM: 'Registry Realm',
        REGISTRY_AUTH_HTPASSWD_PATH: '/auth/htpasswd',
        REGISTRY_HTTP_TLS_CERTIFICATE: '/certs/domain.crt',
        REGISTRY_HTTP_TLS_KEY: '/certs/domain.key',
      },
    });
    expect(config.auth).toMatchObject({ mode: 'basic', realm: 'Registry Realm', htpasswdPath: '/auth/htpasswd', autoInit: false });
    expect(config.tls).toEqual({ certificate: '/certs/domain.crt', key: '/certs/domain.key' });
  });

  it('reads every implemented key from a file', () => {
    const fileText = `
version: 0.1
http:
  addr: 0.0.0.0:443
  tls:
    certificate: /c.pem
    key: /k.pem
storage:
  filesystem:
    rootdirectory: /srv/reg
  delete:
    enabled: false
auth:
  htpasswd:
    realm: "Team \\"R\\""
    path: ./htpasswd
log:
  level: debug
  accesslog:
    disabled: false
trash:
  keep: 36h
`;
    const { config, warnings } = resolve({ fileText });
    expect(warnings).toEqual([]);
    expect(config).toEqual({
      dataDir: '/srv/reg',
      listen: { host: '0.0.0.0', port: 443 },
      tls: { certificate: '/c.pem', key: '/k.pem' },
      deleteEnabled: false,
      auth: {
        mode: 'basic',
        realm: 'Team "R"',
        htpasswdPath: './htpasswd',
        accessPath: '/srv/reg/berth/access.yml',
        autoInit: false,
      },
      tlsNames: [],
      allowOpenNetwork: false,
      logLevel: 'debug',
      accessLog: true,
      trashKeepMs: 36 * 3_600_000,
    });
  });

  it('lets REGISTRY_* override the file, and flags and BERTH_DATA override both', () => {
    const fileText = 'http:\n  addr: 127.0.0.1:6000\nstorage:\n  filesystem:\n    rootdirectory: /file\n  delete:\n    enabled: true\nlog:\n  level: error\n';
    const env = {
      REGISTRY_HTTP_ADDR: '127.0.0.1:7000',
      REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY: '/env',
      REGISTRY_STORAGE_DELETE_ENABLED: 'false',
      REGISTRY_LOG_LEVEL: 'warning',
    };
    let { config } = resolve({ fileText, env });
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 7000 });
    expect(config.dataDir).toBe('/env');
    expect(config.deleteEnabled).toBe(false);
    expect(config.logLevel).toBe('warn');

    ({ config } = resolve({ fileText, env: { ...env, BERTH_DATA: '/berth-env' } }));
    expect(config.dataDir).toBe('/berth-env');

    ({ config } = resolve({
      fileText,
      env: { ...env, BERTH_DATA: '/berth-env' },
      flags: { data: '/flag', listen: '127.0.0.1:8000', logLevel: 'debug', accessLog: true },
    }));
    expect(config).toMatchObject({ dataDir: '/flag', listen: { host: '127.0.0.1', port: 8000 }, logLevel: 'debug', accessLog: true });
  });

  it('reads http.addr like registry:2: ":5000" is every interface, host:port as is, [v6]:port', () => {
    expect(parseListen(':5000', 'x')).toEqual({ host: undefined, port: 5000 });
    expect(parseListen('localhost:80', 'x')).toEqual({ host: 'localhost', port: 80 });
    expect(parseListen('[::1]:5001', 'x')).toEqual({ host: '::1', port: 5001 });
    expect(resolve({ env: { REGISTRY_HTTP_ADDR: ':5000' } }).config.listen).toEqual({ host: undefined, port: 5000 });
    for (const bad of ['5000', 'host:', 'host:99999', 'a:b:1']) {
      expect(() => resolve({ flags: { listen: bad } }), bad).toThrow(/--listen: invalid listen address/);
    }
  });

  it('parses booleans as YAML 1.1 scalars, the way registry:2 does, and rejects others', () => {
    for (const [v, want] of [['true', true], ['True', true], ['yes', true], ['on', true], ['false', false], ['NO', false], ['off', false]] as const) {
      expect(resolve({ env: { REGISTRY_STORAGE_DELETE_ENABLED: v } }).config.deleteEnabled, v).toBe(want);
    }
    expect(resolve({ fileText: 'storage:\n  delete:\n    enabled: "false"\n' }).config.deleteEnabled).toBe(false);
    expect(() => resolve({ env: { REGISTRY_STORAGE_DELETE_ENABLED: 'maybe' } })).toThrow(/storage.delete.enabled: expected true or false/);
    expect(resolve({ env: { REGISTRY_LOG_ACCESSLOG_DISABLED: 'false' } }).config.accessLog).toBe(true);
    expect(resolve({ env: { REGISTRY_LOG_ACCESSLOG_DISABLED: 'true' } }).config.accessLog).toBe(false);
  });

  it('keeps string values exactly as written (no number or octal conversion)', () => {
    const { config } = resolve({ fileText: 'auth:\n  htpasswd:\n    realm: 010\n    path: 0x10\n' });
    expect(config.auth).toMatchObject({ realm: '010', htpasswdPath: '0x10' });
  });

  it('warns once per unimplemented key, from the file and from REGISTRY_* variables', () => {
    const { warnings } = resolve({
      fileText: 'http:\n  secret: s\n  headers:\n    X-Content-Type-Options: [nosniff]\nnotifications:\n  endpoints: []\n',
      env: { REGISTRY_STORAGE_MAINTENANCE_UPLOADPURGING_ENABLED: 'false', REGISTRY_AUTH_FILE: '/root/auth.json' },
    });
    expect(warnings).toEqual([
      'config key http.secret is not supported by Berth and is ignored',
      'config key http.headers is not supported by Berth and is ignored',
      'config key notifications is not supported by Berth and is ignored',
    ]);
  });

  it('refuses settings it cannot honour safely', () => {
    const cases: Array<[Partial<ResolveInput>, RegExp]> = [
      [{ fileText: 'storage:\n  azure:\n    container: c\n' }, /storage driver "azure" is not supported/],
      [{ fileText: 'auth:\n  token:\n    realm: r\n' }, /auth type "token" is not supported/],
      [{ env: { REGISTRY_AUTH: 'silly' } }, /auth type "silly"/],
      [{ fileText: 'auth:\n  htpasswd:\n    realm: r\n' }, /auth.htpasswd.path must be set/],
      [{ env: { REGISTRY_HTTP_TLS_CERTIFICATE: '/c' } }, /needs both certificate and key/],
      [{ fileText: 'http:\n  tls:\n    clientcas: [/ca.pem]\n' }, /http.tls.clientcas is not supported/],
      [{ env: { REGISTRY_HTTP_NET: 'unix' } }, /http.net/],
      [{ fileText: 'log:\n  level: loud\n' }, /log.level: unknown log level "loud"/],
      [{ flags: { logLevel: 'loud' } }, /--log-level: unknown log level/],
      [{ fileText: 'http: [1, 2\n' }, /invalid YAML/],
      [{ fileText: '- a\n- b\n' }, /expected a YAML mapping/],
      [{ fileText: 'http:\n  addr: [a]\n' }, /http.addr: expected a single value/],
    ];
    for (const [input, message] of cases) expect(() => resolve(input), String(message)).toThrow(message);
  });

  it('treats an empty file and null values as unset', () => {
    expect(resolve({ fileText: '' }).config.dataDir).toBe('/home/u/.local/share/berth');
    expect(resolve({ fileText: 'storage:\n  filesystem:\n    rootdirectory: ~\n' }).config.dataDir).toBe('/home/u/.local/share/berth');
  });
});

describe('defaultDataDir', () => {
  it('follows each platform convention', () => {
    expect(defaultDataDir('linux', {}, home)).toBe('/home/u/.local/share/berth');
    expect(defaultDataDir('linux', { XDG_DATA_HOME: '/xdg' }, home)).toBe('/xdg/berth');
    expect(defaultDataDir('linux', { XDG_DATA_HOME: 'relative' }, home)).toBe('/home/u/.local/share/berth');
    expect(defaultDataDir('darwin', {}, home)).toBe('/home/u/Library/Application Support/Berth');
    expect(defaultDataDir('win32', { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'C:\\Users\\u')).toBe('C:\\Users\\u\\AppData\\Roaming\\Berth');
  });

  it('chooses the auth mode: Berth default basic with its own files, a registry:2 config without auth none', () => {
    const own = resolve({ flags: { data: '/d' } }).config.auth;
    expect(own).toEqual({ mode: 'basic', realm: 'Berth Registry', htpasswdPath: '/d/berth/htpasswd', accessPath: '/d/berth/access.yml', autoInit: true });
    expect(resolve({ fileText: 'storage:\n  filesystem:\n    rootdirectory: /r\n' }).config.auth.mode).toBe('none');
    expect(resolve({ flags: { auth: 'token' } }).config.auth.mode).toBe('token');
    expect(() => resolve({ flags: { auth: 'open' } })).toThrow(/unknown mode "open"/);
  });

  it('refuses a network-reachable listener without auth unless --allow-open-network', () => {
    expect(() => resolve({ flags: { auth: 'none', listen: ':5000' } })).toThrow(/reachable from the network/);
    expect(() => resolve({ flags: { auth: 'none', listen: '192.0.2.10:5000' } })).toThrow(/--allow-open-network/);
    expect(() => resolve({ flags: { auth: 'none', tlsListen: '0.0.0.0:5443' } })).toThrow(/--tls-listen/);
    expect(() => resolve({ fileText: 'http:\n  addr: :5000\n' })).toThrow(/reachable from the network/);
    for (const listen of ['127.0.0.1:5000', 'localhost:5000', '[::1]:5000', '127.1.2.3:80']) {
      expect(resolve({ flags: { auth: 'none', listen } }).config.auth.mode).toBe('none');
    }
    expect(resolve({ flags: { auth: 'none', listen: ':5000', allowOpenNetwork: true } }).config.allowOpenNetwork).toBe(true);
    expect(resolve({ flags: { listen: ':5000' } }).config.auth.mode).toBe('basic');
  });
});

describe('where each value came from', () => {
  const file = 'http:\n  addr: 127.0.0.1:6000\nstorage:\n  delete:\n    enabled: false\nlog:\n  level: debug\n';

  it('records every value as the default when nothing is given', () => {
    const { sources } = resolve({});
    expect(new Set(Object.values(sources))).toEqual(new Set(['default']));
  });

  it('records the config file, the environment and the flags, each for what it set', () => {
    const fromFile = resolve({ fileText: file }).sources;
    expect(fromFile).toMatchObject({ listen: 'file', deleteEnabled: 'file', logLevel: 'file', dataDir: 'default', proxy: 'default' });
    // A registry:2 config without auth means auth off: the file decided that.
    expect(fromFile['auth.mode']).toBe('file');

    const fromEnv = resolve({ env: { REGISTRY_HTTP_ADDR: '127.0.0.1:7000', BERTH_DATA: '/e', REGISTRY_PROXY_REMOTEURL: 'https://up.example' } }).sources;
    expect(fromEnv).toMatchObject({ listen: 'env', dataDir: 'env', proxy: 'env', deleteEnabled: 'default', 'auth.mode': 'default' });

    const fromFlags = resolve({ flags: { listen: '127.0.0.1:8000', data: '/f', auth: 'token', tlsListen: '127.0.0.1:8443', logLevel: 'warn', accessLog: true } }).sources;
    expect(fromFlags).toMatchObject({ listen: 'flag', dataDir: 'flag', 'auth.mode': 'flag', tlsListen: 'flag', logLevel: 'flag', accessLog: 'flag', deleteEnabled: 'default' });
  });

  it('keeps the precedence: the environment over the file, flags over both', () => {
    const env = { REGISTRY_HTTP_ADDR: '127.0.0.1:7000', REGISTRY_STORAGE_DELETE_ENABLED: 'true' };
    const both = resolve({ fileText: file, env });
    expect(both.config.listen).toEqual({ host: '127.0.0.1', port: 7000 });
    expect(both.config.deleteEnabled).toBe(true);
    expect(both.sources).toMatchObject({ listen: 'env', deleteEnabled: 'env', logLevel: 'file' });

    const all = resolve({ fileText: file, env, flags: { listen: '127.0.0.1:8000' } });
    expect(all.config.listen).toEqual({ host: '127.0.0.1', port: 8000 });
    expect(all.sources).toMatchObject({ listen: 'flag', deleteEnabled: 'env' });
  });

  it('credits a section to the environment when it set a key inside or replaced the section', () => {
    const proxyFile = 'proxy:\n  remoteurl: https://up.example\n';
    expect(resolve({ fileText: proxyFile }).sources.proxy).toBe('file');
    expect(resolve({ fileText: proxyFile, env: { REGISTRY_PROXY_TAGTTL: '1m' } }).sources.proxy).toBe('env');
    // REGISTRY_STORAGE replaces the file's storage section: its delete setting is gone, back to the default.
    const replaced = resolve({ fileText: file, env: { REGISTRY_STORAGE: 'filesystem' } });
    expect(replaced.config.deleteEnabled).toBe(true);
    expect(replaced.sources.deleteEnabled).toBe('default');
  });
});
