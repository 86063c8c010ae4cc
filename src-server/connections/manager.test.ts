import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ConnectionDraft, ConnectionInfo, ConnectionTestResult } from '../contract';
import { RegistryError } from '../core/errors';
import { createCaCertificate, generateRsaKey } from '../tls/x509';
import { openAppDatabase } from './app-db';
import { boundSecretAccount } from './bound-secrets';
import { ConnectionManager, type ProbeInput } from './manager';
import { FileSecretStore, MemorySecretStore, type SecretStore } from './secret-store';

/** A stand-in registry source: which connection and secret it was built with. */
interface FakeSource {
  conn: ConnectionInfo | null;
  secret: string | null;
}

let dir: string;
let db: Database.Database;
let caPem: string;

beforeAll(async () => {
  const key = await generateRsaKey(2048);
  caPem = createCaCertificate({ commonName: 'Test CA', key, now: new Date() });
});

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'berth-conn-manager-'));
  db = openAppDatabase(join(dir, 'app.db'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function setup(opts: { secrets?: SecretStore; localUrl?: string | null } = {}) {
  const secrets = opts.secrets ?? new MemorySecretStore();
  const probes: ProbeInput[] = [];
  const built: FakeSource[] = [];
  const closed: FakeSource[] = [];
  let localUrl = opts.localUrl === undefined ? 'http://127.0.0.1:5000' : opts.localUrl;
  const localSource: FakeSource = { conn: null, secret: null };
  const manager = new ConnectionManager<FakeSource>({
    db,
    secrets,
    local: { source: localSource, url: () => localUrl },
    remoteSource: (conn, secret) => {
      const s = { conn, secret };
      built.push(s);
      return s;
    },
    probe: async (input): Promise<ConnectionTestResult> => {
      probes.push(input);
      return { ok: true, url: input.url, apiVersion: 'registry/2.0', authScheme: 'basic', catalog: true, certificate: null, latencyMs: 1 };
    },
    closeSource: async (s) => void closed.push(s),
  });
  return { manager, secrets, probes, built, closed, localSource, setLocalUrl: (u: string | null) => (localUrl = u) };
}

/** The password stored for a connection (whatever origin it is bound to), or null. */
async function storedSecret(secrets: SecretStore, id: string): Promise<string | null> {
  const raw = await secrets.get(boundSecretAccount(id));
  return raw === null ? null : (JSON.parse(raw) as { secret: string }).secret;
}

const draft = (over: Partial<ConnectionDraft> = {}): ConnectionDraft => ({ name: 'Work', kind: 'registry', url: 'registry.example.com', ...over });

/** The RegistryError a promise rejects with. */
async function refusal(p: Promise<unknown>): Promise<RegistryError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RegistryError);
  return err as RegistryError;
}

describe('ConnectionManager: list and get', () => {
  it('lists the local connection first with the registry\'s current URL, then saved ones oldest first', async () => {
    const { manager, setLocalUrl } = setup();
    const a = await manager.add(draft({ name: 'A' }));
    const b = await manager.add(draft({ name: 'B' }));
    const list = await manager.list();
    expect(list.map((c) => c.id)).toEqual(['local', a.id, b.id]);
    expect(list[0]).toMatchObject({ id: 'local', kind: 'local', name: 'This computer', url: 'http://127.0.0.1:5000', hasSecret: false });
    setLocalUrl(null);
    expect((await manager.get('local')).url).toBeNull();
    expect(await manager.get(a.id)).toEqual(a);
  });

  it('answers CONNECTION_UNKNOWN (404) for an unknown id', async () => {
    const err = await refusal(setup().manager.get('nope'));
    expect(err.code).toBe('CONNECTION_UNKNOWN');
    expect(err.status).toBe(404);
  });

  it('keeps connections across a reopened database', async () => {
    const { manager, secrets } = setup();
    const a = await manager.add(draft({ username: 'me', password: 'pw' }));
    db.close();
    db = openAppDatabase(join(dir, 'app.db'));
    const again = setup({ secrets }).manager;
    expect(await again.get(a.id)).toEqual(a);
  });
});

describe('ConnectionManager: add', () => {
  it('normalises and saves; the password goes to the secret store under connection:<id>', async () => {
    const { manager, secrets } = setup();
    const c = await manager.add(draft({ name: '  Work  ', url: 'Registry.Example.com:5000/v2/', username: ' me ', password: 'pw-1', repositories: ['team/app', 'team/app', 'lib'] }));
    expect(c).toMatchObject({
      name: 'Work',
      kind: 'registry',
      url: 'https://registry.example.com:5000',
      username: 'me',
      hasSecret: true,
      trust: { mode: 'system' },
      repositories: ['team/app', 'lib'],
      namespaces: [],
    });
    expect(c.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Date(c.createdAt).toISOString()).toBe(c.createdAt);
    expect(JSON.parse((await secrets.get(boundSecretAccount(c.id)))!)).toEqual({ origin: 'https://registry.example.com:5000', secret: 'pw-1' });
    expect(c).not.toHaveProperty('password');
  });

  it.each([
    ['ghcr.io', 'ghcr', 'https://ghcr.io'],
    ['', 'ghcr', 'https://ghcr.io'],
    ['', 'quay', 'https://quay.io'],
    ['docker.io', 'dockerhub', 'https://registry-1.docker.io'],
    ['https://hub.docker.com/', 'dockerhub', 'https://registry-1.docker.io'],
    ['', 'dockerhub', 'https://registry-1.docker.io'],
    ['http://127.0.0.1:5000/', 'registry', 'http://127.0.0.1:5000'],
    ['https://r.example.com/v2', 'registry', 'https://r.example.com'],
    ['https://r.example.com/prefix/v2/', 'harbor', 'https://r.example.com/prefix'],
  ] as const)('URL %j (%s) becomes %s', async (url, kind, expected) => {
    expect((await setup().manager.add(draft({ url, kind }))).url).toBe(expected);
  });

  it('takes a CA PEM and a pin in any form, keeping only the fields of the mode', async () => {
    const { manager } = setup();
    const ca = await manager.add(draft({ name: 'ca', trust: { mode: 'ca', caPem: `\n${caPem}\n`, pinSha256: 'ignored' } }));
    expect(ca.trust).toEqual({ mode: 'ca', caPem: caPem.trim() + '\n' });
    const hex = 'ab'.repeat(32);
    const pin = await manager.add(draft({ name: 'pin', trust: { mode: 'pin', pinSha256: hex } }));
    expect(pin.trust).toEqual({ mode: 'pin', pinSha256: Array(32).fill('AB').join(':') });
    const sys = await manager.add(draft({ name: 'sys', trust: { mode: 'system', caPem } }));
    expect(sys.trust).toEqual({ mode: 'system' });
  });

  const badDrafts: Array<[string, Partial<ConnectionDraft> | Record<string, unknown>, string, RegExp]> = [
    ['an empty name', { name: '   ' }, 'name', /needs a name/],
    ['the local connection\'s name', { name: 'this COMPUTER' }, 'name', /local registry/],
    ['a name over 100 characters', { name: 'x'.repeat(101) }, 'name', /at most 100/],
    ['kind local', { kind: 'local' }, 'kind', /one of registry, dockerhub/],
    ['an unknown kind', { kind: 'gitlab' }, 'kind', /one of/],
    ['an ftp URL', { url: 'ftp://r.example.com' }, 'url', /https:\/\/ or http:\/\//],
    ['credentials in the URL', { url: 'https://me:pw@r.example.com' }, 'url', /own fields/],
    ['a query in the URL', { url: 'https://r.example.com/?x=1' }, 'url', /query/],
    ['a URL that does not parse', { url: 'https://exa mple.com' }, 'url', /not a URL/],
    ['no URL for a plain registry', { url: '' }, 'url', /needs the registry URL/],
    ['an empty password', { username: 'me', password: '' }, 'password', /empty/],
    ['a password without a user name', { password: 'pw' }, 'username', /needs a user name/],
    ['a CA that is not PEM', { trust: { mode: 'ca', caPem: 'hello' } }, 'trust.caPem', /not a PEM certificate/],
    ['a CA PEM that does not parse', { trust: { mode: 'ca', caPem: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' } }, 'trust.caPem', /X\.509/],
    ['trust ca without a PEM', { trust: { mode: 'ca' } }, 'trust.caPem', /needs the CA/],
    ['a short pin', { trust: { mode: 'pin', pinSha256: 'AB:CD' } }, 'trust.pinSha256', /64 hex/],
    ['a pin that is not hex', { trust: { mode: 'pin', pinSha256: 'zz'.repeat(32) } }, 'trust.pinSha256', /64 hex/],
    ['a pin on an http URL', { url: 'http://r.example.com', trust: { mode: 'pin', pinSha256: 'ab'.repeat(32) } }, 'trust', /https:\/\/ URLs only/],
    ['an unknown trust mode', { trust: { mode: 'any' } }, 'trust', /system, ca or pin/],
    ['an invalid repository name', { repositories: ['Team/App'] }, 'repositories', /not a valid repository name/],
    ['an invalid namespace', { namespaces: ['-bad'] }, 'namespaces', /not a valid namespace/],
  ];
  it.each(badDrafts)('refuses %s with CONNECTION_INVALID naming the field', async (_what, over, field, message) => {
    const { manager } = setup();
    const err = await refusal(manager.add({ ...draft(), ...over } as ConnectionDraft));
    expect(err.code).toBe('CONNECTION_INVALID');
    expect(err.status).toBe(400);
    expect(err.detail).toEqual({ field });
    expect(err.message).toMatch(message);
    expect(await manager.list()).toHaveLength(1);
  });

  it('refuses a name taken in another case', async () => {
    const { manager } = setup();
    await manager.add(draft({ name: 'Work' }));
    const err = await refusal(manager.add(draft({ name: 'WORK' })));
    expect(err).toMatchObject({ code: 'CONNECTION_INVALID', detail: { field: 'name' } });
    expect(err.message).toContain('"Work" exists already');
  });

  it('saves nothing when the secret store refuses the password', async () => {
    const broken: SecretStore = { ...new MemorySecretStore(), kind: 'broken', get: async () => null, delete: async () => false, set: async () => Promise.reject(new Error('keychain locked')) };
    const { manager } = setup({ secrets: broken });
    const err = await refusal(manager.add(draft({ username: 'me', password: 'pw' })));
    expect(err).toMatchObject({ code: 'SECRETS_UNAVAILABLE', message: 'the broken secret store failed: keychain locked' });
    expect((await manager.list()).map((c) => c.id)).toEqual(['local']);
  });
});

describe('ConnectionManager: update and remove', () => {
  it('keeps what the patch leaves out; password: string sets, null removes, undefined keeps', async () => {
    const { manager, secrets } = setup();
    const c = await manager.add(draft({ username: 'me', password: 'old', repositories: ['a'] }));
    const renamed = await manager.update(c.id, { name: 'Renamed' });
    expect(renamed).toEqual({ ...c, name: 'Renamed' });
    expect(await storedSecret(secrets, c.id)).toBe('old');

    expect((await manager.update(c.id, { password: 'new' })).hasSecret).toBe(true);
    expect(await storedSecret(secrets, c.id)).toBe('new');

    const cleared = await manager.update(c.id, { password: null, username: null, url: 'http://10.0.0.1:5000/v2/' });
    expect(cleared).toMatchObject({ hasSecret: false, username: null, url: 'http://10.0.0.1:5000', repositories: ['a'], createdAt: c.createdAt });
    expect(await storedSecret(secrets, c.id)).toBeNull();
  });

  it('allows its own name in another case, refuses another\'s, and refuses dropping the user name of a stored password', async () => {
    const { manager } = setup();
    const a = await manager.add(draft({ name: 'A', username: 'me', password: 'pw' }));
    await manager.add(draft({ name: 'B' }));
    expect((await manager.update(a.id, { name: 'a' })).name).toBe('a');
    expect(await refusal(manager.update(a.id, { name: 'b' }))).toMatchObject({ code: 'CONNECTION_INVALID', detail: { field: 'name' } });
    expect(await refusal(manager.update(a.id, { username: null }))).toMatchObject({ code: 'CONNECTION_INVALID', detail: { field: 'username' } });
    expect((await manager.get(a.id)).username).toBe('me');
  });

  it('refuses to edit or remove the local connection, and answers CONNECTION_UNKNOWN for a missing one', async () => {
    const { manager } = setup();
    expect(await refusal(manager.update('local', { name: 'x' }))).toMatchObject({ code: 'CONNECTION_INVALID' });
    expect(await refusal(manager.remove('local'))).toMatchObject({ code: 'CONNECTION_INVALID' });
    expect(await refusal(manager.update('gone', { name: 'x' }))).toMatchObject({ code: 'CONNECTION_UNKNOWN' });
    expect(await refusal(manager.remove('gone'))).toMatchObject({ code: 'CONNECTION_UNKNOWN' });
  });

  it('removes the connection and its secret', async () => {
    const { manager, secrets } = setup();
    const c = await manager.add(draft({ username: 'me', password: 'pw' }));
    await manager.remove(c.id);
    expect(await storedSecret(secrets, c.id)).toBeNull();
    expect((await manager.list()).map((x) => x.id)).toEqual(['local']);
    expect(await refusal(manager.get(c.id))).toMatchObject({ code: 'CONNECTION_UNKNOWN' });
    // The name is free again.
    await manager.add(draft());
  });
});

describe('ConnectionManager: test', () => {
  it('tries a saved connection with its stored secret and trust', async () => {
    const { manager, probes } = setup();
    const trust = { mode: 'pin' as const, pinSha256: 'CD'.repeat(32).match(/../g)!.join(':') };
    const c = await manager.add(draft({ username: 'me', password: 'pw', trust }));
    const result = await manager.test({ id: c.id });
    expect(result.ok).toBe(true);
    expect(probes).toEqual([{ url: 'https://registry.example.com', credentials: { username: 'me', password: 'pw' }, trust }]);
  });

  it('tries a saved connection without credentials when it has no secret', async () => {
    const { manager, probes } = setup();
    const c = await manager.add(draft({ username: 'me' }));
    await manager.test({ id: c.id });
    expect(probes).toEqual([{ url: 'https://registry.example.com', trust: { mode: 'system' } }]);
  });

  it('tries a draft (not yet named) with the password it carries, normalised', async () => {
    const { manager, probes } = setup();
    await manager.test({ draft: { name: '', kind: 'ghcr', url: 'ghcr.io/', username: 'me', password: 'tok', trust: { mode: 'ca', caPem } } });
    expect(probes).toEqual([{ url: 'https://ghcr.io', credentials: { username: 'me', password: 'tok' }, trust: { mode: 'ca', caPem: caPem.trim() + '\n' } }]);
    expect(await refusal(manager.test({ draft: { name: '', kind: 'registry', url: 'ftp://x' } }))).toMatchObject({ code: 'CONNECTION_INVALID' });
    expect(await manager.list()).toHaveLength(1);
  });

  it('tries the local registry at its URL, and says it is not running when it is stopped', async () => {
    const { manager, probes, setLocalUrl } = setup();
    await manager.test({ id: 'local' });
    expect(probes).toEqual([{ url: 'http://127.0.0.1:5000', trust: { mode: 'system' } }]);
    setLocalUrl(null);
    const r = await manager.test({ id: 'local' });
    expect(r).toMatchObject({ ok: false, error: { code: 'UNREACHABLE' } });
    expect(probes).toHaveLength(1);
    expect(await refusal(manager.test({ id: 'gone' }))).toMatchObject({ code: 'CONNECTION_UNKNOWN' });
  });
});

describe('ConnectionManager: source', () => {
  it('gives the local source for local, and builds one source per remote connection with its secret', async () => {
    const { manager, built, localSource } = setup();
    expect(await manager.source('local')).toBe(localSource);
    const c = await manager.add(draft({ username: 'me', password: 'pw' }));
    const s1 = await manager.source(c.id);
    expect(s1.conn).toEqual(c);
    expect(s1.secret).toBe('pw');
    expect(await manager.source(c.id)).toBe(s1);
    expect(built).toHaveLength(1);
  });

  it('rebuilds after an edit, and refuses after a removal', async () => {
    const { manager, built } = setup();
    const c = await manager.add(draft({ username: 'me', password: 'pw' }));
    await manager.source(c.id);
    await manager.update(c.id, { password: 'pw2', url: 'https://other.example.com' });
    const s2 = await manager.source(c.id);
    expect(s2).toMatchObject({ secret: 'pw2', conn: { url: 'https://other.example.com' } });
    expect(built).toHaveLength(2);
    await manager.remove(c.id);
    expect(await refusal(manager.source(c.id))).toMatchObject({ code: 'CONNECTION_UNKNOWN' });
  });

  it('closes a source dropped by an edit or a removal, and every source at close', async () => {
    const { manager, built, closed } = setup();
    const a = await manager.add(draft({ name: 'A' }));
    const b = await manager.add(draft({ name: 'B' }));
    await manager.source(a.id);
    await manager.source(b.id);
    await manager.update(a.id, { url: 'https://elsewhere.example.com' });
    expect(closed).toEqual([built[0]]);
    const a2 = await manager.source(a.id);
    await manager.remove(b.id);
    expect(closed).toEqual([built[0], built[1]]);
    await manager.close();
    expect(closed).toEqual([built[0], built[1], a2]);
  });

  it('does not cache a source built while an edit changed the secret', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const inner = new MemorySecretStore();
    let slow = false;
    const secrets: SecretStore = {
      kind: 'slow',
      get: async (a) => {
        const v = await inner.get(a);
        if (slow) await gate;
        return v;
      },
      set: (a, s) => inner.set(a, s),
      delete: (a) => inner.delete(a),
    };
    const { manager } = setup({ secrets });
    const c = await manager.add(draft({ username: 'me', password: 'old' }));
    slow = true;
    const pending = manager.source(c.id);
    await new Promise((r) => setTimeout(r, 10));
    slow = false;
    await manager.update(c.id, { password: 'new' });
    release();
    expect((await pending).secret).toBe('old');
    expect((await manager.source(c.id)).secret).toBe('new');
  });
});

describe('secrets never reach SQLite', () => {
  it('leaves no password in the database, its WAL or shared memory, through add, update and test', async () => {
    const file = join(dir, 'berth', 'secrets.json');
    const { manager } = setup({ secrets: new FileSecretStore(file) });
    const first = 'Pa55-first-7c1e9b';
    const second = 'Pa55-second-d04f22';
    const c = await manager.add(draft({ username: 'me', password: first }));
    await manager.update(c.id, { password: second, name: 'Renamed' });
    await manager.test({ id: c.id });
    await manager.add(draft({ name: 'Other', username: 'me', password: first }));
    const files = readdirSync(dir).filter((f) => f.startsWith('app.db'));
    expect(files).toEqual(expect.arrayContaining(['app.db', 'app.db-wal']));
    const all = Buffer.concat(files.map((f) => readFileSync(join(dir, f))));
    // The search reads where the rows are (the WAL, until a checkpoint), user names included.
    expect(all.includes('Renamed')).toBe(true);
    expect(all.includes('registry.example.com')).toBe(true);
    for (const f of files) {
      const bytes = readFileSync(join(dir, f));
      for (const secret of [first, second]) {
        expect(bytes.includes(secret), `${secret} in ${f}`).toBe(false);
        expect(bytes.includes(Buffer.from(secret, 'utf16le')), `${secret} (UTF-16) in ${f}`).toBe(false);
      }
    }
    // ...they are in the secrets file, where they belong.
    expect(readFileSync(file, 'utf8')).toContain(second);
  });
});

describe('ConnectionManager: a secret is bound to the origin it was given for', () => {
  /** A connection with a password, saved in the 0600 secrets file, as headless Berth keeps it. */
  async function saved(url = 'https://registry.example.com') {
    const s = setup({ secrets: new FileSecretStore(join(dir, 'berth', 'secrets.json')) });
    const c = await s.manager.add(draft({ url, username: 'me', password: 'pw-for-the-first-host' }));
    return { ...s, c };
  }

  it.each([
    ['another host', 'https://other.example.com'],
    ['https turned into http', 'http://registry.example.com'],
    ['another port', 'https://registry.example.com:5443'],
  ])('drops the secret when an update changes the origin (%s) without a password', async (_what, url) => {
    const { manager, probes, built, c } = await saved();
    const updated = await manager.update(c.id, { url });
    expect(updated).toMatchObject({ url, hasSecret: false, username: 'me' });
    await manager.test({ id: c.id });
    expect(probes.at(-1)).toEqual({ url, trust: { mode: 'system' } });
    expect((await manager.source(c.id)).secret).toBeNull();
    expect(built.at(-1)!.conn!.hasSecret).toBe(false);
    // Gone for good: changing the URL back does not bring it back either.
    expect((await manager.update(c.id, { url: 'https://registry.example.com' })).hasSecret).toBe(false);
    expect(readFileSync(join(dir, 'berth', 'secrets.json'), 'utf8')).not.toContain('pw-for-the-first-host');
  });

  it('keeps the secret for a change of path, name or user name on the same origin', async () => {
    const { manager, probes, c } = await saved();
    const updated = await manager.update(c.id, { url: 'https://REGISTRY.example.com:443/prefix/v2/', name: 'Moved', username: 'you' });
    expect(updated).toMatchObject({ url: 'https://registry.example.com/prefix', hasSecret: true });
    await manager.test({ id: c.id });
    expect(probes.at(-1)!.credentials).toEqual({ username: 'you', password: 'pw-for-the-first-host' });
  });

  it('binds a password given with the new URL to the new origin', async () => {
    const { manager, probes, c } = await saved();
    const updated = await manager.update(c.id, { url: 'http://10.0.0.9:5000', password: 'pw-for-the-new-host' });
    expect(updated.hasSecret).toBe(true);
    await manager.test({ id: c.id });
    expect(probes.at(-1)).toEqual({ url: 'http://10.0.0.9:5000', credentials: { username: 'me', password: 'pw-for-the-new-host' }, trust: { mode: 'system' } });
    expect((await manager.source(c.id)).secret).toBe('pw-for-the-new-host');
  });

  it('never sends a secret to a URL the row got some other way (edited in SQLite)', async () => {
    const { manager, probes, c } = await saved();
    db.prepare('UPDATE connections SET url = ? WHERE id = ?').run('http://attacker.example', c.id);
    expect((await manager.get(c.id)).hasSecret).toBe(false);
    await manager.test({ id: c.id });
    expect(probes.at(-1)).toEqual({ url: 'http://attacker.example', trust: { mode: 'system' } });
    expect((await manager.source(c.id)).secret).toBeNull();
    // The secret is still there for its own origin: the row put back, it works again.
    db.prepare('UPDATE connections SET url = ? WHERE id = ?').run('https://registry.example.com', c.id);
    await manager.test({ id: c.id });
    expect(probes.at(-1)!.credentials).toEqual({ username: 'me', password: 'pw-for-the-first-host' });
  });

  it('binds a secret saved before origins were recorded to the URL the connection has at its first read', async () => {
    const secrets = new FileSecretStore(join(dir, 'berth', 'secrets.json'));
    const { manager, probes } = setup({ secrets });
    const c = await manager.add(draft({ username: 'me' }));
    // What an earlier Berth wrote: the bare password under connection:<id>.
    await secrets.set(`connection:${c.id}`, 'pw-saved-long-ago');
    expect((await manager.get(c.id)).hasSecret).toBe(true);
    db.prepare('UPDATE connections SET url = ? WHERE id = ?').run('https://elsewhere.example', c.id);
    await manager.test({ id: c.id });
    expect(probes.at(-1)).toEqual({ url: 'https://elsewhere.example', trust: { mode: 'system' } });
    db.prepare('UPDATE connections SET url = ? WHERE id = ?').run('https://registry.example.com', c.id);
    await manager.test({ id: c.id });
    expect(probes.at(-1)!.credentials).toEqual({ username: 'me', password: 'pw-saved-long-ago' });
  });

  it('removes the secret with the connection, in either form', async () => {
    const secrets = new FileSecretStore(join(dir, 'berth', 'secrets.json'));
    const { manager } = setup({ secrets });
    const a = await manager.add(draft({ name: 'A', username: 'me', password: 'pw-a' }));
    const b = await manager.add(draft({ name: 'B', username: 'me' }));
    await secrets.set(`connection:${b.id}`, 'pw-b-legacy');
    await manager.remove(a.id);
    await manager.remove(b.id);
    expect(JSON.parse(readFileSync(join(dir, 'berth', 'secrets.json'), 'utf8')).secrets).toEqual({});
  });
});
