import type { AddressInfo } from 'node:net';
import { createServer, request, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Koa from 'koa';
import { silentLogger } from '../logger';
import { errorMiddleware } from './errors';
import { createOriginGuard, requestProblem, type GuardRequest } from './origin-guard';

const machine = () => ({
  hostname: 'build-box',
  interfaces: {
    lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4' as const, mac: '', internal: true, cidr: null }],
    eth0: [
      { address: '192.168.7.20', netmask: '255.255.255.0', family: 'IPv4' as const, mac: '', internal: false, cidr: null },
      { address: 'fd00::2', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6' as const, mac: '', internal: false, cidr: null, scopeid: 0 },
    ],
  },
});
const names = () => ['registry.example.test', '*.wild.example.test', '203.0.113.9'];
const allowed = createOriginGuard({ names, machine }).allowedHost;

const req = (over: Partial<GuardRequest>): GuardRequest => ({ host: '127.0.0.1:5000', origin: '', secFetchSite: '', protocol: 'http', localAddress: '127.0.0.1', ...over });

describe('requestProblem: which Host values a registry without auth answers', () => {
  it.each([
    'localhost:5000', 'LOCALHOST:5000', 'localhost', 'localhost.:5000', '127.0.0.1:5000', '127.9.8.7:1', '[::1]:5000', '[::1]',
    'build-box:5000', 'build-box.local:5000', '192.168.7.20:5000', '[fd00::2]:5000', '[FD00:0::2]:5000',
    'registry.example.test:5443', 'a.wild.example.test:5000', '203.0.113.9:5000',
  ])('answers Host %s', (host) => {
    expect(requestProblem(req({ host }), allowed)).toBeNull();
  });

  it.each([
    'attacker.example:5000', 'attacker.example', 'localhost.attacker.example:5000', '127.0.0.1.nip.io:5000', 'wild.example.test:5000',
    'a.b.wild.example.test:5000', '192.168.7.21:5000', '[fd00::3]:5000', 'build-box.attacker.example:5000', 'registry.example.test.evil:1',
    'bad host:5000', '[not-ip]:5000', ':5000', 'a:b:c',
  ])('refuses Host %s', (host) => {
    expect(requestProblem(req({ host }), allowed)).toMatch(/^Host "/);
  });

  it('answers requests without a Host header (not from a browser) and an IP the client dialed on this socket', () => {
    expect(requestProblem(req({ host: '' }), allowed)).toBeNull();
    expect(requestProblem(req({ host: '10.1.2.3:5000', localAddress: '::ffff:10.1.2.3' }), allowed)).toBeNull();
    expect(requestProblem(req({ host: '10.1.2.3:5000', localAddress: '10.1.2.4' }), allowed)).toMatch(/^Host "/);
  });
});

describe('requestProblem: which Origins', () => {
  it.each([
    ['no Origin (docker, podman, skopeo, curl)', {}],
    ['its own origin', { origin: 'http://127.0.0.1:5000' }],
    ['its own origin over https', { origin: 'https://registry.example.test:5443', host: 'registry.example.test:5443', protocol: 'https' as const }],
    ['same-origin fetch metadata', { origin: 'http://127.0.0.1:5000', secFetchSite: 'same-origin' }],
  ])('answers %s', (_what, over) => {
    expect(requestProblem(req(over), allowed)).toBeNull();
  });

  it.each([
    ['another site', { origin: 'http://evil.example' }],
    ['another port of the same host', { origin: 'http://127.0.0.1:8080' }],
    ['another scheme', { origin: 'https://127.0.0.1:5000' }],
    ['an opaque origin', { origin: 'null' }],
    ['cross-site fetch metadata', { secFetchSite: 'cross-site' }],
  ])('refuses %s', (_what, over) => {
    expect(requestProblem(req(over), allowed)).toMatch(/another origin|another site/);
  });
});

describe('the guard in a Koa app', () => {
  let server: Server;
  let port: number;
  let reached = 0;
  beforeAll(async () => {
    const app = new Koa();
    app.use(errorMiddleware(silentLogger));
    app.use(createOriginGuard({ names, machine }).middleware);
    app.use((ctx) => {
      reached++;
      ctx.body = 'ok';
    });
    server = createServer(app.callback());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  const send = (headers: Record<string, string>) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const r = request({ host: '127.0.0.1', port, method: 'POST', path: '/v2/app/blobs/uploads/', headers }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      r.on('error', reject);
      r.end();
    });

  it('answers 403 DENIED saying why, before any route runs', async () => {
    const foreign = await send({ origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.body).errors[0]).toMatchObject({ code: 'DENIED', message: expect.stringContaining('http://evil.example') });
    const rebound = await send({ host: `attacker.example:${port}` });
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body).errors[0]).toMatchObject({ code: 'DENIED', message: expect.stringContaining('attacker.example') });
    expect(reached).toBe(0);
    expect((await send({ origin: `http://127.0.0.1:${port}` })).status).toBe(200);
    expect(reached).toBe(1);
  });
});
