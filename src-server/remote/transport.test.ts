import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteUnavailableError } from './errors';
import { send } from './transport';

/** Two real servers on two origins: the registry redirects blobs to the "CDN". */
let registry: Server;
let cdn: Server;
const seen: Array<{ server: string; path: string; headers: IncomingHttpHeaders }> = [];
const base = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;

beforeAll(async () => {
  cdn = createServer((req, res) => {
    seen.push({ server: 'cdn', path: req.url!, headers: req.headers });
    if (req.url === '/stall') {
      res.writeHead(200, { 'content-length': '10' });
      res.write('12345');
      return; // never finishes
    }
    res.end('blob bytes');
  });
  registry = createServer((req, res) => {
    seen.push({ server: 'registry', path: req.url!, headers: req.headers });
    if (req.url === '/same') return void res.writeHead(307, { location: '/final' }).end();
    if (req.url === '/final') return void res.end('same origin');
    res.writeHead(307, { location: `${base(cdn)}/data?sig=1` }).end();
  });
  await Promise.all([registry, cdn].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))));
});

afterAll(async () => {
  for (const s of [registry, cdn]) s.closeAllConnections();
  await Promise.all([registry, cdn].map((s) => new Promise((r) => s.close(r))));
});

describe('send', () => {
  it('follows a redirect to another origin without the Authorization header', async () => {
    seen.length = 0;
    const res = await send({ method: 'GET', url: `${base(registry)}/v2/a/blobs/x`, headers: { authorization: 'Bearer secret' } });
    expect(res.status).toBe(200);
    expect((await res.bytes(100)).toString()).toBe('blob bytes');
    expect(seen.map((s) => [s.server, s.headers.authorization])).toEqual([
      ['registry', 'Bearer secret'],
      ['cdn', undefined],
    ]);
    expect(res.url).toBe(`${base(cdn)}/data?sig=1`);
  });

  it('keeps the Authorization header on a same-origin redirect', async () => {
    seen.length = 0;
    const res = await send({ method: 'GET', url: `${base(registry)}/same`, headers: { authorization: 'Basic abc' } });
    expect((await res.bytes(100)).toString()).toBe('same origin');
    expect(seen.map((s) => s.headers.authorization)).toEqual(['Basic abc', 'Basic abc']);
  });

  it('reports a refused connection and a stalled body as unavailable', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const url = base(closed);
    await new Promise((r) => closed.close(r));
    await expect(send({ method: 'GET', url, headers: {} })).rejects.toBeInstanceOf(RemoteUnavailableError);
    const res = await send({ method: 'GET', url: `${base(cdn)}/stall`, headers: {} }, { headersMs: 2000, idleMs: 200 });
    await expect(res.bytes(100)).rejects.toThrow(/stalled/);
  });
});
