/**
 * A remote that refuses the user is never shown as an empty registry. Against real `berth serve
 * --auth basic` and `--auth token` and a real `docker-registry` with htpasswd (plus Docker Hub's
 * namespace listing, whose web API is a loopback stand-in over a real `berth serve --auth token`),
 * the browse channels answer AUTH_FAILED for a wrong password and DENIED for a user without the
 * pull right, while a registry that lists nothing the user may see answers an empty catalog, and one
 * that keeps its catalog to itself says why it shows only the saved names.
 */
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSE_CHECKS, createBrowseHandlers, type BrowseChannel } from '../../src-server/api/browse';
import { toApiError } from '../../src-server/api/errors';
import { Browser } from '../../src-server/browse/browser';
import { BrowseCache } from '../../src-server/browse/cache';
import { RemoteSource } from '../../src-server/browse/remote-source';
import type { ApiError, ConnectionKind } from '../../src-server/contract';
import { silentLogger } from '../../src-server/logger';
import { RemoteRegistry } from '../../src-server/remote/client';
import { berthWorkspace, runBerth, type RunningBerth } from '../helpers/berth-server';
import { startRegistry2, type RunningRegistry2 } from '../helpers/registry2';
import { bytes, putImage } from './fixtures';

const ws = berthWorkspace('berth-browse-refusals-');
const PASSWORD = 'right-Secret-1a2b';
/** A user with every right; one who may pull only under other/ (nothing there); the registry:2 user. */
const ADMIN = 'alice';
const NO_PULL = 'carol';
const R2_USER = 'bob';

let basic: RunningBerth;
let token: RunningBerth;
let reg2: RunningRegistry2;
let hub: Server;
let hubUrl: string;
/** Keeps its catalog from a user whose password it takes, as Harbor does from non-admins. */
let harborLike: Server;
let harborLikeUrl: string;
const clients: RemoteRegistry[] = [];
let browser: Browser;
let handlers: ReturnType<typeof createBrowseHandlers>;

/** A connection of this file: where, how listed, and who logs in. */
interface Conn {
  url: () => string;
  kind: ConnectionKind;
  user?: string;
  password?: string;
  namespaces?: string[];
  repositories?: string[];
}
const connections = new Map<string, Conn>();
const connect = (id: string, spec: Conn) => void connections.set(id, spec);

/** A browse channel as the bridges call it: the payload checked, the handler run, a failure as the envelope's error. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function call(channel: BrowseChannel, args: unknown): Promise<{ ok: boolean; result?: any; error?: ApiError }> {
  try {
    const checked = (BROWSE_CHECKS[channel] as (raw: unknown) => unknown)(args);
    const result = await (handlers[channel] as (a: unknown, emit: () => void) => Promise<unknown>)(checked, () => {});
    return { ok: true, result };
  } catch (err) {
    return { ok: false, error: toApiError(err, silentLogger, channel) };
  }
}

async function addUser(data: string, name: string, access: string): Promise<void> {
  const added = await runBerth(['user', 'add', name, '--password-stdin', '--access', access, '--data', data], { input: `${PASSWORD}\n` });
  expect(added.code, added.stderr).toBe(0);
}

async function berthWithUsers(mode: 'basic' | 'token'): Promise<RunningBerth> {
  const data = ws.fresh(mode);
  await addUser(data, ADMIN, 'admin@*');
  await addUser(data, NO_PULL, 'pull@other/*');
  return ws.serve(data, ['--auth', mode]);
}

function sourceOf(id: string): RemoteSource {
  const c = connections.get(id);
  if (!c) throw new Error(`unknown connection ${id}`);
  const client = new RemoteRegistry({ url: c.url(), credentials: c.user ? { username: c.user, password: c.password ?? '' } : undefined });
  clients.push(client);
  return new RemoteSource({ id, client, kind: c.kind, namespaces: c.namespaces, repositories: c.repositories, hubApiUrl: hubUrl });
}

beforeAll(async () => {
  const r2dir = ws.fresh('reg2');
  mkdirSync(r2dir, { recursive: true });
  const htpasswd = join(r2dir, 'htpasswd');
  writeFileSync(htpasswd, execFileSync('htpasswd', ['-Bbn', '-C', '5', R2_USER, PASSWORD]));
  [basic, token, reg2] = await Promise.all([berthWithUsers('basic'), berthWithUsers('token'), startRegistry2(join(r2dir, 'data'), r2dir, { htpasswd })]);
  // Docker Hub's web API lists the namespace `acme` publicly, whatever the registry thinks of the user.
  hub = createServer((req, res) => {
    if (req.url?.startsWith('/v2/repositories/acme/')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ count: 1, next: null, results: [{ name: 'app', namespace: 'acme' }] }));
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"object not found"}');
  });
  // Harbor does not run here: a loopback stand-in takes bob's password on /v2/ and refuses him the catalog.
  const bobBasic = `Basic ${Buffer.from(`${R2_USER}:${PASSWORD}`).toString('base64')}`;
  harborLike = createServer((req, res) => {
    const challenge = { 'www-authenticate': 'Basic realm="harbor"', 'content-type': 'application/json' };
    if (req.headers.authorization !== bobBasic) return void res.writeHead(401, challenge).end('{"errors":[{"code":"UNAUTHORIZED"}]}');
    if (req.url === '/v2/') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    res.writeHead(401, challenge).end('{"errors":[{"code":"UNAUTHORIZED","message":"unauthorized to list catalog"}]}');
  });
  await Promise.all([hub, harborLike].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))));
  hubUrl = `http://127.0.0.1:${(hub.address() as AddressInfo).port}`;
  harborLikeUrl = `http://127.0.0.1:${(harborLike.address() as AddressInfo).port}`;

  for (const [name, url] of [['basic', () => basic.url], ['token', () => token.url]] as const) {
    connect(`${name}-admin`, { url, kind: 'registry', user: ADMIN, password: PASSWORD });
    connect(`${name}-wrong`, { url, kind: 'registry', user: ADMIN, password: 'wrong-password' });
    connect(`${name}-nopull`, { url, kind: 'registry', user: NO_PULL, password: PASSWORD, repositories: ['team/app'] });
  }
  connect('reg2-ok', { url: () => reg2.url, kind: 'registry', user: R2_USER, password: PASSWORD });
  connect('reg2-wrong', { url: () => reg2.url, kind: 'registry', user: R2_USER, password: 'wrong-password' });
  connect('reg2-anonymous', { url: () => reg2.url, kind: 'registry', repositories: ['team/app'] });
  connect('harbor-user', { url: () => harborLikeUrl, kind: 'harbor', user: R2_USER, password: PASSWORD, repositories: ['library/app'] });
  connect('harbor-wrong', { url: () => harborLikeUrl, kind: 'harbor', user: R2_USER, password: 'wrong-password', repositories: ['library/app'] });
  connect('hub-wrong', { url: () => token.url, kind: 'dockerhub', user: ADMIN, password: 'wrong-password', namespaces: ['acme'] });
  connect('hub-saved-wrong', { url: () => token.url, kind: 'dockerhub', user: ADMIN, password: 'wrong-password', repositories: ['acme/app'] });
  connect('hub-ok', { url: () => token.url, kind: 'dockerhub', user: ADMIN, password: PASSWORD, namespaces: ['acme'] });

  const sources = new Map<string, RemoteSource>();
  browser = new Browser({
    cache: new BrowseCache(new Database(':memory:')),
    source: async (id) => sources.get(id) ?? sources.set(id, sourceOf(id)).get(id)!,
  });
  handlers = createBrowseHandlers(browser);
  for (const id of ['basic-admin', 'token-admin', 'reg2-ok']) {
    await putImage(await browser.context(id).then((c) => c.source), 'team/app', '1.0', { layers: [bytes(`${id}-layer`, 2000)] });
  }
  await putImage(await browser.context('token-admin').then((c) => c.source), 'acme/app', 'latest', { layers: [bytes('acme', 1000)] });
}, 90_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await reg2?.kill();
  for (const s of [hub, harborLike]) {
    s?.closeAllConnections();
    await new Promise((r) => s?.close(r));
  }
});

describe.each(['basic', 'token'] as const)('berth serve --auth %s as a remote', (mode) => {
  it('lists what the right credentials may see', async () => {
    const repos = await call('browse:repositories', { connection: `${mode}-admin` });
    expect(repos).toMatchObject({ ok: true, result: { source: 'catalog' } });
    expect(repos.result.items.map((r: { name: string }) => r.name)).toContain('team/app');
  });

  it('a wrong password is AUTH_FAILED when listing repositories and tags, never an empty list', async () => {
    const repos = await call('browse:repositories', { connection: `${mode}-wrong` });
    expect(repos).toMatchObject({ ok: false, error: { code: 'AUTH_FAILED' } });
    const tags = await call('browse:tags', { connection: `${mode}-wrong`, repository: 'team/app' });
    expect(tags).toMatchObject({ ok: false, error: { code: 'AUTH_FAILED' } });
  });

  it('a user without the pull right sees an empty catalog (nothing they may see), and DENIED on the repository', async () => {
    const repos = await call('browse:repositories', { connection: `${mode}-nopull` });
    expect(repos).toMatchObject({ ok: true, result: { items: [], source: 'catalog' } });
    expect(repos.result.catalogRefusal).toBeUndefined();
    const tags = await call('browse:tags', { connection: `${mode}-nopull`, repository: 'team/app' });
    expect(tags).toMatchObject({ ok: false, error: { code: 'DENIED' } });
  });
});

describe('docker-registry with htpasswd as a remote', () => {
  it('lists with the right password', async () => {
    expect(await call('browse:repositories', { connection: 'reg2-ok' })).toMatchObject({ ok: true, result: { items: [{ name: 'team/app' }], source: 'catalog' } });
  });

  it('a wrong password is AUTH_FAILED when listing repositories and tags', async () => {
    expect(await call('browse:repositories', { connection: 'reg2-wrong' })).toMatchObject({ ok: false, error: { code: 'AUTH_FAILED' } });
    expect(await call('browse:tags', { connection: 'reg2-wrong', repository: 'team/app' })).toMatchObject({ ok: false, error: { code: 'AUTH_FAILED' } });
  });

  it('without credentials, the saved names come with the reason the catalog was not listed', async () => {
    const repos = await call('browse:repositories', { connection: 'reg2-anonymous' });
    expect(repos).toMatchObject({ ok: true, result: { items: [{ name: 'team/app' }], source: 'saved', catalogRefusal: { code: 'AUTH_REQUIRED' } } });
    expect(await call('browse:tags', { connection: 'reg2-anonymous', repository: 'team/app' })).toMatchObject({ ok: false, error: { code: 'AUTH_REQUIRED' } });
  });
});

describe('a registry that keeps its catalog from a user it knows', () => {
  it('lists the saved names and says the user may not list the catalog', async () => {
    const repos = await call('browse:repositories', { connection: 'harbor-user' });
    expect(repos).toMatchObject({ ok: true, result: { items: [{ name: 'library/app' }], source: 'saved', catalogRefusal: { code: 'DENIED' } } });
  });

  it('a search there says it looked only into the saved names, and why', async () => {
    // By a digest's beginning, which reads only what Berth has kept (its tag lists are refused here).
    const r = await call('browse:search', { connection: 'harbor-user', kind: 'digest', query: 'abcd' });
    expect(r).toMatchObject({ ok: true, result: { complete: false, searched: { repositories: 1, of: 1 } } });
    expect(r.result.limits[0]).toMatch(/^the registry does not list its repositories \(.+\): only the repositories added by name in the connection's settings were searched$/);
  });

  it('tells a wrong password from that: AUTH_FAILED', async () => {
    expect(await call('browse:repositories', { connection: 'harbor-wrong' })).toMatchObject({ ok: false, error: { code: 'AUTH_FAILED' } });
  });
});

describe('Docker Hub (namespace listing and saved names) with a wrong password', () => {
  it('lists the namespace with the right password', async () => {
    expect(await call('browse:repositories', { connection: 'hub-ok' })).toMatchObject({ ok: true, result: { items: [{ name: 'acme/app' }], source: 'namespace' } });
  });

  it('is AUTH_FAILED, although Hub lists the namespace to anyone', async () => {
    expect(await call('browse:repositories', { connection: 'hub-wrong' })).toMatchObject({ ok: false, error: { code: 'AUTH_FAILED' } });
    expect(await call('browse:repositories', { connection: 'hub-saved-wrong' })).toMatchObject({ ok: false, error: { code: 'AUTH_FAILED' } });
  });
});
