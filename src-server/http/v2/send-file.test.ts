import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Slots } from '../../core/fd-slots';
import { openHeld } from '../../storage/fs-budgeted';
import { sendFileRange } from './send-file';

const dir = mkdtempSync(join(tmpdir(), 'berth-send-'));
const data = randomBytes(3 * (1 << 20) + 12345);
const file = join(dir, 'blob');
writeFileSync(file, data);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A server answering every request with sendFileRange over `range`, reporting when it finished;
 * the file is held under a one-slot budget, which must be free again whenever a send is over.
 */
async function serve(range: [number, number], claimed?: number) {
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const slots = new Slots(1);
  const server: Server = createServer(async (_req, res) => {
    const held = await openHeld(file, slots);
    res.writeHead(200, { 'Content-Length': String(claimed ?? range[1] - range[0] + 1) });
    await sendFileRange(res, held, range[0], range[1]);
    done();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server, finished, slots };
}

function fetchAll(url: string): Promise<{ body: Buffer; error?: Error }> {
  return new Promise((resolve) => {
    get(url, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ body: Buffer.concat(chunks) }));
      res.on('error', (error) => resolve({ body: Buffer.concat(chunks), error }));
    }).on('error', (error) => resolve({ body: Buffer.alloc(0), error }));
  });
}

describe('sendFileRange', () => {
  it('sends a whole multi-chunk file byte for byte', async () => {
    const s = await serve([0, data.length - 1]);
    const { body } = await fetchAll(s.url);
    await s.finished;
    expect(s.slots.inUse).toBe(0);
    s.server.close();
    expect(body.equals(data)).toBe(true);
  });

  it('sends an inner range crossing chunk boundaries', async () => {
    const s = await serve([(1 << 20) - 7, 2 * (1 << 20) + 9]);
    const { body } = await fetchAll(s.url);
    s.server.close();
    expect(body.equals(data.subarray((1 << 20) - 7, 2 * (1 << 20) + 10))).toBe(true);
  });

  it('stops and releases the file when the client goes away mid-download', async () => {
    const s = await serve([0, data.length - 1]);
    await new Promise<void>((resolve) => {
      const req = get(s.url, (res) => res.once('data', () => req.destroy()));
      req.on('close', resolve);
      req.on('error', () => undefined);
    });
    await s.finished; // bounded by the test timeout: it must resolve, not hang
    expect(s.slots.inUse).toBe(0);
    s.server.close();
  });

  it('cuts the connection when the file is shorter than the range announced', async () => {
    const s = await serve([0, data.length + 99], data.length + 100);
    const { body, error } = await fetchAll(s.url);
    await s.finished;
    expect(s.slots.inUse).toBe(0);
    s.server.close();
    expect(error).toBeDefined();
    expect(body.length).toBeLessThan(data.length + 100);
  });

  it('reads nothing for a client that went away before the file was open, and releases it', async () => {
    let reads = 0;
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    const slots = new Slots(1);
    const server: Server = createServer((req, res) => {
      // The file opens only after the client is gone (it waited for a slot meanwhile).
      req.socket.once('close', async () => {
        const held = await openHeld(file, slots);
        const read = held.handle.read.bind(held.handle) as (...args: unknown[]) => unknown;
        const handle = Object.assign(Object.create(held.handle), { read: (...args: unknown[]) => (reads++, read(...args)) });
        res.writeHead(200, { 'Content-Length': String(data.length) });
        await sendFileRange(res, { handle, close: held.close }, 0, data.length - 1);
        done();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const req = get(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    req.on('error', () => undefined);
    server.once('request', () => req.destroy());
    await finished;
    server.close();
    expect(reads).toBe(0);
    expect(slots.inUse).toBe(0);
  });
});
