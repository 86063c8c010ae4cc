/**
 * composeServing's shutdown on a real data directory: real listeners on loopback, the real control
 * listener and its control.json, real SQLite databases (a second serving process on the same
 * directory starts only once the first let go of them).
 */
import { get } from 'node:http';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/berth-server';
import { resolveConfig } from '../config/resolve';
import { readControlFile } from '../http/control/control-server';
import { createLogger } from '../logger';
import { setUpAuth } from './auth-setup';
import { composeServing, type Face, type Serving } from './compose';

const log = createLogger('error');
const dirs: { cleanup(): void }[] = [];
const open: Serving<Face>[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close(0)));
  for (const d of dirs.splice(0)) d.cleanup();
});

/** A data directory with auth off, listening on loopback. */
function dataDir(): string {
  const d = tempDir('berth-compose-');
  dirs.push(d);
  return d.dir;
}

/** Composes a serving process on `dir`; `events` records the face's drain and close. */
async function start(dir: string, events: string[] = [], listen = '127.0.0.1:0'): Promise<Serving<Face>> {
  const { config } = resolveConfig({ flags: { data: dir, listen, auth: 'none' }, env: {} });
  const auth = await setUpAuth(config, log);
  const serving = await composeServing<Face>({
    config,
    auth,
    log,
    who: 'a test',
    fail: (m) => new Error(m),
    explainOpenFailure: true,
    listenAtStart: true,
    face: ({ listeners }) => ({
      authorize: undefined,
      // Never answers: a request in flight for as long as the shutdown lets it.
      fallback: (ctx) => (ctx.path === '/slow' ? new Promise<void>(() => undefined) : undefined),
      status: () => ({ running: true, url: listeners.urls().url }),
      drain: () => void events.push('drain'),
      close: async () => {
        events.push(`close (listening: ${listeners.urls().url !== ''})`);
      },
    }),
  });
  open.push(serving);
  return serving;
}

/** Starts a GET that the server never answers; resolves once the request is in. */
function slowRequest(url: string): Promise<void> {
  return new Promise((resolve) => {
    const req = get(`${url}/slow`);
    req.on('error', () => undefined);
    req.on('socket', (s) => s.on('connect', () => setTimeout(resolve, 100)));
  });
}

describe('composeServing: the one shutdown', () => {
  it('closes the listeners, the control listener, the face and the services, once, and frees the directory', async () => {
    const dir = dataDir();
    const events: string[] = [];
    const serving = await start(dir, events);
    const { url } = serving.listeners.urls();
    expect((await fetch(`${url}/v2/`)).status).toBe(200);
    expect(readControlFile(dir)?.url).toBe(serving.control.url);

    const first = serving.close();
    expect(serving.close()).toBe(first);
    await first;
    expect(events).toEqual(['drain', 'close (listening: false)']);
    await expect(fetch(`${url}/v2/`)).rejects.toThrow();
    await expect(fetch(`${serving.control.url}/`)).rejects.toThrow();
    expect(readControlFile(dir)).toBeNull();
    expect(() => serving.services.index.repositories()).toThrow(/not open/);
    expect(() => serving.services.usageHistory.series(7)).toThrow(/not open/);
    // No server holds the directory any more: another serving process starts on it.
    const next = await start(dir);
    expect((await fetch(`${next.listeners.urls().url}/v2/`)).status).toBe(200);
  });

  it('waits for a request in flight, and called again stops waiting', async () => {
    const serving = await start(dataDir());
    await slowRequest(serving.listeners.urls().url);
    let done = false;
    const closing = serving.close(60_000).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(done).toBe(false);
    const t0 = Date.now();
    await serving.close();
    await closing;
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('closes what a failed start opened: the face and the services, and no control.json is left', async () => {
    const dir = dataDir();
    const taken: Server = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as { port: number }).port;
    const events: string[] = [];
    try {
      await expect(start(dir, events, `127.0.0.1:${port}`)).rejects.toThrow(/address already in use/);
    } finally {
      taken.close();
    }
    expect(events).toEqual(['drain', 'close (listening: false)']);
    expect(readControlFile(dir)).toBeNull();
    const next = await start(dir);
    expect((await fetch(`${next.listeners.urls().url}/v2/`)).status).toBe(200);
  });
});
