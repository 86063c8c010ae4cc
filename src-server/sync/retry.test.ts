import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteSource } from '../browse/remote-source';
import { RegistryError } from '../core/errors';
import { RemoteRateLimitError, RemoteUnavailableError } from '../remote/errors';
import { RemoteRegistry } from '../remote/client';
import { backoffMs, isTransient, retryAfterMs, withRetries } from './retry';

// A loopback registry that answers the first HEAD with 429 and Retry-After, then the manifest.
let server: Server;
let url: string;
let heads = 0;
const DIGEST = `sha256:${'a'.repeat(64)}`;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/v2/') return res.writeHead(200).end('{}');
    if (req.method === 'HEAD' && req.url === '/v2/app/manifests/v1') {
      heads++;
      if (heads === 1) return res.writeHead(429, { 'Retry-After': '7' }).end();
      return res.writeHead(200, { 'Docker-Content-Digest': DIGEST, 'Content-Type': 'application/vnd.oci.image.manifest.v1+json', 'Content-Length': '123' }).end();
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('retries', () => {
  it("waits a 429's Retry-After, then succeeds", async () => {
    const source = new RemoteSource({ id: 't', client: new RemoteRegistry({ url }), kind: 'registry' });
    const waits: number[] = [];
    const head = await withRetries(() => source.headManifest('app', 'v1'), { retries: 2, sleep: async (ms) => void waits.push(ms) });
    expect(head?.digest).toBe(DIGEST);
    expect(heads).toBe(2);
    expect(waits).toEqual([7000]);
    await source.close();
  });

  it('reads Retry-After as seconds or a date, capped by maxMs', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs(new RemoteRateLimitError('slow', url, '3'), now)).toBe(3000);
    expect(retryAfterMs(new RemoteRateLimitError('slow', url, 'Thu, 01 Jan 2026 00:00:10 GMT'), now)).toBe(10_000);
    expect(retryAfterMs(new RemoteRateLimitError('slow', url, null), now)).toBeNull();
    expect(backoffMs(1, new RemoteRateLimitError('slow', url, '600'), { retries: 1, maxMs: 60_000 })).toBe(60_000);
  });

  it('backs off exponentially with jitter', () => {
    const err = new RemoteUnavailableError('down', url, 503);
    const at = (attempt: number, r: number) => backoffMs(attempt, err, { retries: 5, baseMs: 100, random: () => r });
    expect([at(1, 0), at(1, 1)]).toEqual([50, 100]);
    expect([at(2, 0), at(2, 1)]).toEqual([100, 200]);
    expect([at(3, 0.5), at(4, 0.5)]).toEqual([300, 600]);
  });

  it('retries only what may pass, and gives up after the retries', async () => {
    expect(isTransient(new RemoteUnavailableError('down', url))).toBe(true);
    expect(isTransient(new RegistryError('DENIED'))).toBe(false);
    let calls = 0;
    await expect(withRetries(async () => {
      calls++;
      throw new RegistryError('DENIED', { message: 'no' });
    }, { retries: 3, sleep: async () => {} })).rejects.toThrow('no');
    expect(calls).toBe(1);
    calls = 0;
    await expect(withRetries(async () => {
      calls++;
      throw new RemoteUnavailableError('down', url, 502);
    }, { retries: 2, sleep: async () => {} })).rejects.toThrow('down');
    expect(calls).toBe(3);
  });
});
