import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
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
