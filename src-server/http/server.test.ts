import { request, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { FdBudget } from '../core/fd-budget';
import { createRegistryHttpServer, IDLE_SOCKET_TIMEOUT_MS } from './server';

describe('createRegistryHttpServer', () => {
  it('has no overall request deadline but closes idle sockets', () => {
    const server = createRegistryHttpServer(() => undefined);
    expect(server.requestTimeout).toBe(0);
    expect(server.timeout).toBe(IDLE_SOCKET_TIMEOUT_MS);
    expect(IDLE_SOCKET_TIMEOUT_MS).toBeGreaterThan(0);
    expect(server.headersTimeout).toBeGreaterThan(0);
  });

  it('a client stalled mid-body is cut off after the idle timeout, and the handler sees the abort', async () => {
    let aborted!: () => void;
    const sawAbort = new Promise<void>((r) => (aborted = r));
    const server = createRegistryHttpServer((req) => {
      req.on('aborted', () => aborted());
      req.on('error', () => aborted());
      req.resume();
    });
    // The real limit is minutes; shorten it here to see the mechanism work.
    server.timeout = 200;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const req = request({ host: '127.0.0.1', port, method: 'PATCH', path: '/', headers: { 'Content-Length': 1000 } });
    req.on('error', () => undefined);
    req.write(Buffer.alloc(10));
    const started = Date.now();
    await Promise.race([sawAbort, new Promise((_, rej) => setTimeout(() => rej(new Error('no abort within 5 s')), 5000))]);
    expect(Date.now() - started).toBeLessThan(5000);
    req.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });
});

describe('malformed requests', () => {
  it('get the spec JSON error from the server, not Node bare text', async () => {
    const { connect } = await import('node:net');
    const server = createRegistryHttpServer(() => {
      throw new Error('the handler must not see a malformed request');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const reply = await new Promise<string>((resolve, reject) => {
      const sock = connect(port, '127.0.0.1', () => {
        sock.write('PATCH /v2/a/blobs/uploads/x HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n');
      });
      let data = '';
      sock.on('data', (d) => (data += d));
      sock.on('end', () => resolve(data));
      sock.on('error', reject);
      sock.setTimeout(5000, () => reject(new Error('no answer')));
    });
    server.close();
    expect(reply).toMatch(/^HTTP\/1\.1 400 /);
    expect(reply).toContain('Docker-Distribution-API-Version: registry/2.0');
    const body = JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4));
    expect(body.errors[0].code).toBe('UNSUPPORTED');
  });
});

describe('connections', () => {
  const twoConnections = () => new FdBudget({ limit: 16, reserve: 10, brief: 1, reads: 1, writes: 1, connections: 2 });

  async function listen(server: Server): Promise<number> {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return (server.address() as AddressInfo).port;
  }

  /** A connected socket and the first answer it reads (or '' when closed without one). */
  function client(port: number): { socket: Socket; answer: Promise<string> } {
    const socket = connect(port, '127.0.0.1');
    const answer = new Promise<string>((resolve) => {
      let data = '';
      socket.on('data', (d) => {
        data += d;
        if (data.includes('\r\n\r\n')) resolve(data);
      });
      socket.on('close', () => resolve(data));
      socket.on('error', () => undefined);
    });
    return { socket, answer };
  }

  const ask = (c: { socket: Socket }) => c.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');

  it('are limited across every listener sharing a budget; a freed slot admits the next', async () => {
    const budget = twoConnections();
    const handler = (_req: unknown, res: import('node:http').ServerResponse) => res.end('ok');
    const a = createRegistryHttpServer(handler, undefined, budget);
    const b = createRegistryHttpServer(handler, undefined, budget);
    const [pa, pb] = [await listen(a), await listen(b)];
    const first = client(pa);
    const second = client(pb);
    ask(first);
    ask(second);
    expect(await first.answer).toMatch(/^HTTP\/1\.1 200/);
    expect(await second.answer).toMatch(/^HTTP\/1\.1 200/);
    expect(budget.connections.inUse).toBe(2);
    // Both slots are held by open keep-alive connections: a third, on either listener, is closed.
    const third = client(pa);
    expect(await third.answer).toBe('');
    first.socket.destroy();
    // Resolves once the server has seen the close and given the slot back.
    (await budget.connections.acquire())();
    const fourth = client(pa);
    ask(fourth);
    expect(await fourth.answer).toMatch(/^HTTP\/1\.1 200/);
    second.socket.destroy();
    fourth.socket.destroy();
    const releases = [await budget.connections.acquire(), await budget.connections.acquire()];
    for (const r of releases) r();
    await Promise.all([new Promise((r) => a.close(r)), new Promise((r) => b.close(r))]);
  });
});
