/**
 * A bridge call that takes longer than the server's idle socket timeout still gets its answer: the
 * invoke answers only when its handler ends (progress goes over the event stream), so the idle
 * limit must not cut it. A real HTTP server (the registry's, with its timeout shortened from 2
 * minutes to 300 ms) and the real bridge over a handler table whose `gc:run` takes 800 ms.
 */
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoreHandlers } from '../../src-server/api/handlers';
import { Throttle } from '../../src-server/auth/throttle';
import type { GcReport } from '../../src-server/contract';
import { createApiBridge, type ApiBridge } from '../../src-server/http/bridge/api-bridge';
import { createRegistryHttpServer } from '../../src-server/http/server';
import { silentLogger } from '../../src-server/logger';
import { invoke, login, type Login } from './client';

const IDLE_MS = 300;
const GC_MS = 800;
let server: ReturnType<typeof createRegistryHttpServer>;
let bridge: ApiBridge;
let base: string;
let who: Login;
/** The socket timeout the handler saw while it ran. */
let timeoutDuringCall: number | undefined;
let socketOfCall: { timeout?: number } | undefined;

const report: GcReport = {
  dryRun: true,
  deleteUntagged: false,
  startedAt: new Date(0).toISOString(),
  durationMs: GC_MS,
  manifestsRemoved: [],
  blobsRemoved: [],
  bytesRemoved: 0,
} as unknown as GcReport;

beforeAll(async () => {
  const handlers = {
    'gc:run': async () => {
      timeoutDuringCall = socketOfCall?.timeout;
      await new Promise((r) => setTimeout(r, GC_MS));
      return report;
    },
  } as unknown as CoreHandlers;
  bridge = createApiBridge({ handlers, login: { mode: 'token', token: 'test-token', throttle: new Throttle() }, log: silentLogger });
  const app = new Koa();
  app.use(async (ctx) => {
    socketOfCall = ctx.req.socket;
    await bridge.handle(ctx);
  });
  server = createRegistryHttpServer(app.callback());
  server.timeout = IDLE_MS;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  who = await login(base, { token: 'test-token' });
});

afterAll(async () => {
  bridge.close();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

describe('a bridge invoke longer than the idle socket timeout', () => {
  it('gets its answer, with no idle timeout on its socket while the handler runs', async () => {
    const started = Date.now();
    const r = await invoke(base, who, 'gc:run', { dryRun: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(GC_MS - 50);
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ ok: true, result: report });
    expect(timeoutDuringCall).toBe(0);
  });

  it('still cuts a client that stalls while sending the body', async () => {
    const closed = new Promise<number>((resolve) => {
      const req = request(`${base}/_berth/api/invoke/gc:run`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': '100', cookie: who.cookie, 'x-berth-csrf': who.csrf },
      });
      const started = Date.now();
      req.on('error', () => resolve(Date.now() - started));
      req.on('response', (res) => {
        res.resume();
        res.on('close', () => resolve(Date.now() - started));
      });
      req.write('{"dryRun":');
    });
    const after = await Promise.race([closed, new Promise<number>((r) => setTimeout(() => r(-1), 5000))]);
    expect(after).toBeGreaterThan(0);
    expect(after).toBeLessThan(GC_MS * 3);
  });
});
