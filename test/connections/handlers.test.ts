/**
 * The connection channels through the real handler table and `dispatch`: payload checks
 * (ARGS_INVALID), the manager's refusals as their codes, and a whole add/edit/test/remove cycle
 * over a real SQLite file, a real secrets file and the local registry's in-process source.
 */
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnectionHandlers } from '../../src-server/api/connections';
import { createCoreHandlers, dispatch, type CoreHandlers } from '../../src-server/api/handlers';
import { LocalSource } from '../../src-server/browse/local-source';
import type { RegistrySource } from '../../src-server/browse/source';
import { openAppDatabase } from '../../src-server/connections/app-db';
import { ConnectionManager, type ProbeInput } from '../../src-server/connections/manager';
import { FileSecretStore } from '../../src-server/connections/secret-store';
import type { ConnectionInfo, ConnectionTestResult, Envelope } from '../../src-server/contract';
import { createLogger, silentLogger } from '../../src-server/logger';
import { createServices, type Services } from '../../src-server/services';
import { tempDir } from '../helpers/berth-server';

const tmp = tempDir('berth-conn-api-');
let services: Services;
let handlers: CoreHandlers;
let db: ReturnType<typeof openAppDatabase>;
let local: LocalSource;
const probes: ProbeInput[] = [];
const built: { conn: ConnectionInfo; secret: string | null }[] = [];
const secretsPath = () => join(tmp.dir, 'berth', 'secrets.json');

beforeAll(async () => {
  services = await createServices({ dataDir: join(tmp.dir, 'registry'), fsync: false, log: silentLogger });
  db = openAppDatabase(join(tmp.dir, 'berth', 'app.db'));
  local = new LocalSource(services.registry, () => '127.0.0.1:5000');
  const secrets = new FileSecretStore(secretsPath());
  const manager = new ConnectionManager<RegistrySource>({
    db,
    secrets,
    local: { source: local, url: () => 'http://127.0.0.1:5000' },
    remoteSource: (conn, secret) => {
      built.push({ conn, secret });
      return local;
    },
    probe: async (input): Promise<ConnectionTestResult> => {
      probes.push(input);
      return { ok: false, url: input.url, apiVersion: null, authScheme: 'basic', catalog: false, certificate: null, error: { code: 'AUTH_FAILED', message: 'bad credentials' }, latencyMs: 3 };
    },
  });
  handlers = createCoreHandlers({ registry: services.registry, log: silentLogger, app: createConnectionHandlers(manager, secrets) });
});

afterAll(() => {
  db?.close();
  services?.close();
  tmp.cleanup();
});

const call = (channel: string, args?: unknown, log = silentLogger) => dispatch(handlers, channel, args, () => {}, log) as Promise<Envelope<any>>;

describe('connection channels through dispatch', () => {
  it('adds, lists, edits, tests and removes a connection; the secret never comes back', async () => {
    const added = await call('connections:add', { name: 'Hub', kind: 'dockerhub', url: 'docker.io', username: 'me', password: 'hub-token-93ab', namespaces: ['library'] });
    expect(added.ok).toBe(true);
    const c = added.ok ? (added.result as ConnectionInfo) : null!;
    expect(c).toMatchObject({ name: 'Hub', kind: 'dockerhub', url: 'https://registry-1.docker.io', username: 'me', hasSecret: true, namespaces: ['library'] });

    const list = await call('connections:list');
    expect(list.ok && list.result.map((x: ConnectionInfo) => x.id)).toEqual(['local', c.id]);
    expect(JSON.stringify(list)).not.toContain('hub-token-93ab');

    const edited = await call('connections:update', { id: c.id, draft: { repositories: ['me/app'], password: 'hub-token-2' } });
    expect(edited).toMatchObject({ ok: true, result: { repositories: ['me/app'], namespaces: ['library'], hasSecret: true } });
    expect(JSON.stringify(edited)).not.toContain('hub-token');

    const tested = await call('connections:test', { id: c.id });
    expect(tested).toMatchObject({ ok: true, result: { ok: false, error: { code: 'AUTH_FAILED' } } });
    expect(probes.at(-1)).toEqual({ url: 'https://registry-1.docker.io', credentials: { username: 'me', password: 'hub-token-2' }, trust: { mode: 'system' } });

    const draftTest = await call('connections:test', { draft: { name: '', kind: 'registry', url: '127.0.0.1:5000', trust: { mode: 'pin', pinSha256: 'ab'.repeat(32) } } });
    expect(draftTest.ok).toBe(true);
    expect(probes.at(-1)).toEqual({ url: 'https://127.0.0.1:5000', trust: { mode: 'pin', pinSha256: Array(32).fill('AB').join(':') } });

    expect(await call('connections:remove', { id: c.id })).toEqual({ ok: true, result: undefined });
    expect(await call('connections:remove', { id: c.id })).toMatchObject({ ok: false, error: { code: 'CONNECTION_UNKNOWN' } });
  });

  it('answers CONNECTION_INVALID with the field for a value the manager refuses', async () => {
    expect(await call('connections:add', { name: 'x', kind: 'registry', url: 'ftp://x' })).toMatchObject({ ok: false, error: { code: 'CONNECTION_INVALID', detail: { field: 'url' } } });
    expect(await call('connections:add', { name: 'x', kind: 'local', url: 'x' })).toMatchObject({ ok: false, error: { code: 'CONNECTION_INVALID', detail: { field: 'kind' } } });
    expect(await call('connections:update', { id: 'local', draft: { name: 'y' } })).toMatchObject({ ok: false, error: { code: 'CONNECTION_INVALID' } });
  });

  const bad: Array<[string, string, unknown, RegExp]> = [
    ['list with arguments', 'connections:list', { x: 1 }, /takes no arguments/],
    ['add without a body', 'connections:add', undefined, /must be a JSON object/],
    ['add without a name', 'connections:add', { kind: 'registry', url: 'x' }, /name must be a string/],
    ['add with a typo', 'connections:add', { name: 'x', kind: 'registry', url: 'x', passwd: 'p' }, /unknown argument "passwd"/],
    ['add with a number for a password', 'connections:add', { name: 'x', kind: 'registry', url: 'x', password: 5 }, /password must be a string or null/],
    ['add with trust as a string', 'connections:add', { name: 'x', kind: 'registry', url: 'x', trust: 'pin' }, /trust must be an object/],
    ['add with an unknown trust mode', 'connections:add', { name: 'x', kind: 'registry', url: 'x', trust: { mode: 'none' } }, /trust.mode/],
    ['add with an extra trust key', 'connections:add', { name: 'x', kind: 'registry', url: 'x', trust: { mode: 'ca', ca: 'x' } }, /unknown argument "ca"/],
    ['add with repositories not a list', 'connections:add', { name: 'x', kind: 'registry', url: 'x', repositories: 'a' }, /list of strings/],
    ['update without a draft', 'connections:update', { id: 'a' }, /draft must be an object/],
    ['update without an id', 'connections:update', { draft: {} }, /id must be a string/],
    ['update with a null name', 'connections:update', { id: 'a', draft: { name: null } }, /name must be a string/],
    ['remove with a number', 'connections:remove', { id: 7 }, /id must be a string/],
    ['test with both id and draft', 'connections:test', { id: 'a', draft: {} }, /either id .* or draft/],
    ['test with neither', 'connections:test', {}, /either id/],
    ['test with a draft lacking the URL', 'connections:test', { draft: { name: '', kind: 'registry' } }, /url must be a string/],
  ];
  it.each(bad)('answers ARGS_INVALID for %s', async (_what, channel, args, message) => {
    const env = await call(channel, args);
    expect(env.ok).toBe(false);
    if (!env.ok) {
      expect(env.error.code).toBe('ARGS_INVALID');
      expect(env.error.message).toMatch(message);
    }
  });

  it('answers SECRETS_UNAVAILABLE, saying how to fix it, when the secrets file is readable by others', async () => {
    const added = await call('connections:add', { name: 'Tmp', kind: 'ghcr', url: '', username: 'me', password: 'gh-secret-55' });
    expect(added.ok).toBe(true);
    chmodSync(secretsPath(), 0o644);
    const lines: string[] = [];
    try {
      const env = await call('connections:list', undefined, createLogger('debug', { write: (l) => lines.push(l) }));
      expect(env).toMatchObject({ ok: false, error: { code: 'SECRETS_UNAVAILABLE' } });
      expect(!env.ok && env.error.message).toContain(`chmod 600 ${secretsPath()}`);
    } finally {
      chmodSync(secretsPath(), 0o600);
    }
    expect(lines.join('\n')).not.toContain('gh-secret-55');
  });
});
