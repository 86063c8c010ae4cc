/**
 * Where the remote client's credentials may go, against hand-written registries on loopback that
 * misbehave on purpose (a real registry cannot be made to): a `Link` or upload `Location` naming
 * another origin, an https registry whose token service is plain http. A second server records
 * every request it gets and must never see an Authorization header. Also: a blob GET left open
 * when the HEAD after it fails, and RemoteSource.close freeing a pinned connection's sockets.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteSource } from '../../src-server/browse/remote-source';
import { RemoteRegistry } from '../../src-server/remote/client';
import { tempDir } from '../helpers/berth-server';

const USER = 'carol';
const PASSWORD = `pw-${randomBytes(6).toString('hex')}`;
const BASIC = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
const BLOB = `sha256:${'ab'.repeat(32)}`;

const tmp = tempDir('berth-remote-origin-');
const clients: RemoteRegistry[] = [];
let other: Server;
let otherUrl: string;
/** What the other origin received. */
const otherSeen: Array<{ method: string; url: string; authorization: string | undefined }> = [];
let fake: Server;
let fakeUrl: string;
const fakeAuth: Array<string | undefined> = [];
/** Resolves when the open blob GET's response is closed. */
let blobClosed: Promise<void> | null = null;
let secure: HttpsServer;
let secureUrl: string;
let fingerprint: string;
const secureSockets = new Set<Socket>();

function listen(s: Server | HttpsServer): Promise<string> {
  return new Promise((r) => s.listen(0, '127.0.0.1', () => r(String((s.address() as AddressInfo).port))));
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

/** A registry on 127.0.0.1 wanting Basic, whose answers point at the other origin. */
function fakeRegistry(req: IncomingMessage, res: ServerResponse): void {
  fakeAuth.push(req.headers.authorization);
  if (req.headers.authorization !== BASIC) return json(res, 401, { errors: [{ code: 'UNAUTHORIZED' }] }, { 'www-authenticate': 'Basic realm="fake"' });
  const u = new URL(req.url!, fakeUrl);
  if (req.method === 'GET' && u.pathname === '/v2/app/tags/list')
    return json(res, 200, { name: 'app', tags: ['a1'] }, { link: `<${otherUrl}/v2/app/tags/list?n=1000&last=a1>; rel="next"` });
  if (req.method === 'POST' && u.pathname === '/v2/app/blobs/uploads/') {
    req.resume();
    return void res.writeHead(202, { location: `${otherUrl}/v2/app/blobs/uploads/elsewhere`, 'content-length': '0' }).end();
  }
  if (req.method === 'GET' && u.pathname === `/v2/app/blobs/${BLOB}`) {
    // No Content-Length (so the source asks HEAD for the size), and the body is left open.
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.write(Buffer.alloc(1024));
    blobClosed = new Promise((r) => res.once('close', () => r()));
    return;
  }
  if (req.method === 'HEAD' && u.pathname === `/v2/app/blobs/${BLOB}`) return void res.writeHead(500).end();
  json(res, 404, { errors: [{ code: 'NAME_UNKNOWN' }] });
}

/** An https registry whose Bearer token service is plain http on the other origin. */
function secureRegistry(req: IncomingMessage, res: ServerResponse): void {
  if (req.headers.authorization !== 'Bearer anon-token')
    return json(res, 401, { errors: [{ code: 'UNAUTHORIZED' }] }, { 'www-authenticate': `Bearer realm="${otherUrl}/token",service="secure"` });
  const u = new URL(req.url!, secureUrl);
  if (u.pathname === '/v2/') return json(res, 200, {});
  if (u.pathname === '/v2/app/tags/list') return json(res, 200, { name: 'app', tags: ['s1'] });
  json(res, 404, { errors: [{ code: 'NAME_UNKNOWN' }] });
}

beforeAll(async () => {
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '2',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
    { cwd: tmp.dir, stdio: 'pipe' },
  );
  const cert = readFileSync(join(tmp.dir, 'cert.pem'), 'utf8');
  fingerprint = new X509Certificate(cert).fingerprint256;
  other = createServer((req, res) => {
    otherSeen.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization });
    req.resume();
    const u = new URL(req.url!, 'http://other');
    if (u.pathname === '/v2/app/tags/list') return json(res, 200, { name: 'app', tags: ['b1'] });
    if (u.pathname === '/token') return json(res, 200, { token: 'anon-token', expires_in: 300 });
    json(res, 404, { errors: [{ code: 'NAME_UNKNOWN' }] });
  });
  fake = createServer(fakeRegistry);
  secure = createHttpsServer({ key: readFileSync(join(tmp.dir, 'key.pem')), cert }, secureRegistry);
  secure.on('secureConnection', (s) => {
    secureSockets.add(s);
    s.once('close', () => secureSockets.delete(s));
  });
  otherUrl = `http://127.0.0.1:${await listen(other)}`;
  fakeUrl = `http://127.0.0.1:${await listen(fake)}`;
  secureUrl = `https://127.0.0.1:${await listen(secure)}`;
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  for (const s of [other, fake, secure]) s?.closeAllConnections();
  await Promise.all([other, fake, secure].map((s) => s && new Promise((r) => s.close(r))));
  tmp.cleanup();
});

function client(url: string, withCredentials = true, trust?: { mode: 'pin'; pinSha256: string }): RemoteRegistry {
  const c = new RemoteRegistry({ url, ...(withCredentials ? { credentials: { username: USER, password: PASSWORD } } : {}), ...(trust ? { trust } : {}), timeouts: { headersMs: 5_000, idleMs: 30_000 } });
  clients.push(c);
  return c;
}

/** Resolves true when `p` settles within `ms`. */
function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  return Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);
}

describe('credentials stay with the registry origin', () => {
  it('follows a tags Link to another origin without the Authorization header', async () => {
    otherSeen.length = 0;
    expect(await client(fakeUrl).tags('app')).toEqual(['a1', 'b1']);
    expect(fakeAuth).toContain(BASIC);
    expect(otherSeen).toEqual([{ method: 'GET', url: '/v2/app/tags/list?n=1000&last=a1', authorization: undefined }]);
  });

  it('refuses an upload Location on another origin, sending it neither the blob nor the password', async () => {
    otherSeen.length = 0;
    const data = randomBytes(100);
    const err = await client(fakeUrl).putBlob('app', BLOB, data.length, (async function* () { yield data; })()).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'RemoteProtocolError', message: expect.stringContaining('another host') });
    // A mount answered with an upload elsewhere is not cancelled there either.
    expect(await client(fakeUrl).mountBlob('app', BLOB, 'base')).toBe(false);
    expect(otherSeen).toEqual([]);
  });

  it('never sends the password of an https registry to a plain-http token service', async () => {
    otherSeen.length = 0;
    const err = await client(secureUrl, true, { mode: 'pin', pinSha256: fingerprint }).ping().catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'RemoteProtocolError', message: expect.stringContaining('without TLS') });
    expect(JSON.stringify(err)).not.toContain(PASSWORD);
    expect(otherSeen).toEqual([]);
    // Anonymous, nothing secret is at stake: the token is fetched.
    await client(secureUrl, false, { mode: 'pin', pinSha256: fingerprint }).ping();
    expect(otherSeen.map((r) => [r.url.split('?')[0], r.authorization])).toEqual([['/token', undefined]]);
  });
});

describe('RemoteSource', () => {
  it('cancels an open blob GET when the HEAD for its size fails', async () => {
    blobClosed = null;
    const source = new RemoteSource({ id: 'fake', client: client(fakeUrl), kind: 'registry' });
    const err = await source.getBlob('app', BLOB).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'RemoteUnavailableError', status: 500 });
    expect(blobClosed).not.toBeNull();
    expect(await within(blobClosed!, 3_000)).toBe(true);
  });

  it('close() closes the pinned connection pool', async () => {
    const earlier = new Set(secureSockets);
    const source = new RemoteSource({ id: 'secure', client: client(secureUrl, false, { mode: 'pin', pinSha256: fingerprint }), kind: 'registry' });
    expect(await source.tags('app')).toEqual(['s1']);
    const mine = () => [...secureSockets].filter((s) => !earlier.has(s));
    expect(mine().length).toBeGreaterThan(0);
    await source.close();
    for (let i = 0; i < 100 && mine().length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(mine()).toEqual([]);
  });
});
