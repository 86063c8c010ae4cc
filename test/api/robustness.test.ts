/**
 * Requests that go wrong half-way: aborted and concurrent uploads, streamed oversize manifests,
 * chunks that disagree with their Content-Range. The registry answers with the spec's errors and
 * stays consistent; nothing hangs (every wait is bounded).
 */
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiRegistry, digest, expectError, imageParts, MT, raw, startApi } from './harness';

let reg: ApiRegistry;
beforeAll(async () => {
  reg = await startApi();
});
afterAll(() => reg?.close());

async function newUpload(repo: string): Promise<string> {
  const res = await raw(reg.port, 'POST', `/v2/${repo}/blobs/uploads/`);
  expect(res.status).toBe(202);
  return res.header('location')!;
}

/** Polls until `check` holds, at most `ms`. */
async function eventually(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await sleep(25);
  }
  throw new Error('condition not reached in time');
}

describe('uploads under stress', () => {
  it('a PATCH aborted by the client keeps what arrived, and the upload resumes from there', async () => {
    const loc = await newUpload('rb/abort');
    const first = randomBytes(64 * 1024);
    await new Promise<void>((resolve) => {
      const req = request({ host: '127.0.0.1', port: reg.port, method: 'PATCH', path: loc, headers: { 'Content-Length': 1024 * 1024 } });
      req.on('error', () => resolve());
      req.write(first, () => setTimeout(() => req.destroy(), 100));
      req.on('close', () => resolve());
    });
    let size = -1;
    await eventually(async () => {
      const st = await raw(reg.port, 'GET', loc);
      if (st.status !== 204) return false;
      size = Number(st.header('range')!.split('-')[1]) + 1;
      return size === first.length;
    });
    const rest = randomBytes(1000);
    // Until the aborted request has finished cleaning up, the upload is busy (416 with its Range).
    await eventually(async () => {
      const patch = await raw(reg.port, 'PATCH', loc, { body: rest, headers: { 'Content-Range': `${size}-${size + rest.length - 1}` } });
      if (patch.status === 416) {
        expect(patch.header('range')).toBe(`0-${size - 1}`);
        return false;
      }
      expect(patch.status, patch.text).toBe(202);
      return true;
    });
    const all = Buffer.concat([first, rest]);
    const put = await raw(reg.port, 'PUT', `${loc}?digest=${digest(all)}`);
    expect(put.status, put.text).toBe(201);
    expect((await raw(reg.port, 'GET', `/v2/rb/abort/blobs/${digest(all)}`)).body.equals(all)).toBe(true);
  });

  it('a second PATCH while the first is still streaming gets 416 with the current Range', async () => {
    const loc = await newUpload('rb/concurrent');
    // Over 1 MiB first, so the server flushes and the status shows the first request is in flight.
    const head = randomBytes(1536 * 1024);
    const tail = randomBytes(1000);
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const first = new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: reg.port, method: 'PATCH', path: loc, headers: { 'Content-Length': head.length + tail.length } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      });
      req.on('error', reject);
      req.write(head);
      void released.then(() => req.end(tail));
    });
    try {
      await eventually(async () => {
        const st = await raw(reg.port, 'GET', loc);
        return Number(st.header('range')!.split('-')[1]) + 1 >= 1024 * 1024;
      });
      const second = await raw(reg.port, 'PATCH', loc, { body: 'x' });
      expect(second.status, second.text).toBe(416);
      expect(second.header('range')).toMatch(/^0-\d+$/);
    } finally {
      release();
    }
    expect(await first).toBe(202);
    const st = await raw(reg.port, 'GET', loc);
    expect(st.header('range')).toBe(`0-${head.length + tail.length - 1}`);
  });

  it('a PUT whose Content-Range does not start at the current offset -> 416', async () => {
    const loc = await newUpload('rb/putrange');
    await raw(reg.port, 'PATCH', loc, { body: 'abc', headers: { 'Content-Range': '0-2' } });
    const put = await raw(reg.port, 'PUT', `${loc}?digest=${digest('abcdef')}`, { body: 'def', headers: { 'Content-Range': '5-7' } });
    expect(put.status, put.text).toBe(416);
    expect(put.header('range')).toBe('0-2');
    const ok = await raw(reg.port, 'PUT', `${loc}?digest=${digest('abcdef')}`, { body: 'def', headers: { 'Content-Range': '3-5' } });
    expect(ok.status, ok.text).toBe(201);
  });

  it('a chunk sent without Content-Length must match its Content-Range', async () => {
    const loc = await newUpload('rb/te');
    const send = (range: string, parts: Buffer[]) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port: reg.port, method: 'PATCH', path: loc, agent: false, headers: { 'Content-Range': range, 'Transfer-Encoding': 'chunked' }, timeout: 10_000 },
          (res) => {
            let body = '';
            res.on('data', (c) => (body += c));
            res.on('end', () => resolve({ status: res.statusCode!, body }));
          },
        );
        req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' || e.code === 'ECONNRESET' ? undefined : reject(e)));
        for (const part of parts) req.write(part);
        req.end();
      });
    // Start at 100 bytes: a Range of "0-0" cannot tell 0 bytes from 1.
    expect((await send('0-99', [Buffer.alloc(100, 9)])).status).toBe(202);
    const size = async () => Number((await raw(reg.port, 'GET', loc)).header('range')!.split('-')[1]) + 1;
    expect(await size()).toBe(100);
    const over = await send('100-109', [Buffer.alloc(10, 1), Buffer.alloc(10, 2)]);
    expect(over.status, over.body).toBe(400);
    expect(JSON.parse(over.body).errors[0].code).toBe('SIZE_INVALID');
    const afterOver = await size();
    expect(afterOver).toBeLessThanOrEqual(110);
    const huge = await send(`${afterOver}-${afterOver + 9}`, [Buffer.alloc(3 * 1024 * 1024, 3)]);
    expect(huge.status, huge.body).toBe(400);
    const s1 = await size();
    expect(s1).toBeLessThanOrEqual(afterOver + 10);
    const short = await send(`${s1}-${s1 + 9}`, [Buffer.alloc(5, 4)]);
    expect(short.status, short.body).toBe(400);
    expect(JSON.parse(short.body).errors[0].code).toBe('SIZE_INVALID');
    // The Range always tells the truth, so a client can carry on from it.
    const s2 = await size();
    const exact = await send(`${s2}-${s2 + 9}`, [Buffer.alloc(4, 5), Buffer.alloc(6, 5)]);
    expect(exact.status, exact.body).toBe(202);
    expect(await size()).toBe(s2 + 10);
  });

  it('many uploads to one repository at once all land', async () => {
    const blobs = Array.from({ length: 12 }, () => randomBytes(20_000));
    const results = await Promise.all(
      blobs.map(async (b) => {
        const loc = await newUpload('rb/many');
        await raw(reg.port, 'PATCH', loc, { body: b.subarray(0, 10_000), headers: { 'Content-Range': '0-9999' } });
        return raw(reg.port, 'PUT', `${loc}?digest=${digest(b)}`, { body: b.subarray(10_000) });
      }),
    );
    expect(results.map((r) => r.status)).toEqual(blobs.map(() => 201));
    for (const b of blobs) expect((await raw(reg.port, 'HEAD', `/v2/rb/many/blobs/${digest(b)}`)).header('content-length')).toBe('20000');
  });

  it('the same blob uploaded twice concurrently is stored once and readable', async () => {
    const b = randomBytes(50_000);
    const res = await Promise.all([0, 1, 2].map(() => raw(reg.port, 'POST', `/v2/rb/dup/blobs/uploads/?digest=${digest(b)}`, { body: b })));
    expect(res.map((r) => r.status)).toEqual([201, 201, 201]);
    expect((await raw(reg.port, 'GET', `/v2/rb/dup/blobs/${digest(b)}`)).body.equals(b)).toBe(true);
  });
});

describe('a chunk longer than its Content-Range', () => {
  it('streamed without a Content-Length: the client still sending reads SIZE_INVALID, the connection stays usable, the upload keeps its offset', async () => {
    const loc = await newUpload('rb/overlong');
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const answer = await new Promise<{ status: number; body: string; connection?: string }>((resolve, reject) => {
        // No Content-Length: the server learns the chunk is too long only while it arrives.
        const req = request({ host: '127.0.0.1', port: reg.port, method: 'PATCH', path: loc, headers: { 'Content-Range': '0-99', 'Content-Type': 'application/octet-stream' }, agent }, (r) => {
          let body = '';
          r.on('data', (c) => (body += c));
          r.on('end', () => resolve({ status: r.statusCode!, body, connection: r.headers.connection }));
          r.on('error', reject);
        });
        req.on('error', reject);
        const chunk = Buffer.alloc(256 * 1024, 0x61);
        let sent = 0;
        const pump = () => {
          while (sent < 6 * 1024 * 1024) {
            sent += chunk.length;
            if (!req.write(chunk)) return void req.once('drain', pump);
          }
          req.end();
        };
        pump();
      });
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body).errors[0].code).toBe('SIZE_INVALID');
      expect(answer.connection).not.toBe('close');
      const next = await new Promise<{ status: number; reused: boolean; range?: string }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: reg.port, path: loc, agent }, (r) => {
          r.resume();
          r.on('end', () => resolve({ status: r.statusCode!, reused: req.reusedSocket, range: r.headers.range }));
        });
        req.on('error', reject);
        req.end();
      });
      // The same socket answers the upload's status: nothing of the refused chunk beyond its range was kept.
      expect(next.status).toBe(204);
      expect(next.reused).toBe(true);
      expect(['0-0', '0-99', undefined]).toContain(next.range);
    } finally {
      agent.destroy();
    }
  });
});

describe('manifests under stress', () => {
  /**
   * PUTs `size` bytes of manifest through a keep-alive agent of one socket, sending all of it
   * (`chunked`: without a Content-Length); resolves the answer, or rejects with the error the
   * client saw (a reset or broken pipe when the server closed while the client was still sending).
   */
  function putOversize(agent: Agent, size: number, chunked: boolean): Promise<{ status: number; body: string; version?: string; connection?: string }> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { 'Content-Type': MT.ociManifest };
      if (!chunked) headers['Content-Length'] = size;
      const req = request({ host: '127.0.0.1', port: reg.port, method: 'PUT', path: '/v2/rb/big/manifests/latest', headers, agent }, (r) => {
        let body = '';
        r.on('data', (c) => (body += c));
        r.on('end', () =>
          resolve({ status: r.statusCode!, body, version: r.headers['docker-distribution-api-version'] as string, connection: r.headers.connection }),
        );
        r.on('error', reject);
      });
      req.on('error', reject);
      const chunk = Buffer.alloc(256 * 1024, 0x20);
      let sent = 0;
      const pump = () => {
        while (sent < size) {
          const n = Math.min(chunk.length, size - sent);
          sent += n;
          if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
  }

  for (const chunked of [false, true]) {
    it(`a ${chunked ? 'streamed (chunked)' : 'declared'} 6 MiB manifest: the client still sending reads its 413, and the connection stays usable`, async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const res = await putOversize(agent, 6 * 1024 * 1024, chunked);
        expect(res.status).toBe(413);
        expect(res.version).toBe('registry/2.0');
        expect(JSON.parse(res.body).errors[0]).toMatchObject({ code: 'MANIFEST_INVALID', message: 'manifest too large', detail: { limit: 4 * 1024 * 1024 } });
        expect(res.connection).not.toBe('close');
        // The body was read to its end: the same socket carries the next request.
        const next = await new Promise<{ status: number; reused: boolean }>((resolve, reject) => {
          const req = request({ host: '127.0.0.1', port: reg.port, path: '/v2/', agent }, (r) => {
            r.resume();
            r.on('end', () => resolve({ status: r.statusCode!, reused: req.reusedSocket }));
          });
          req.on('error', reject);
          req.end();
        });
        expect(next).toEqual({ status: 200, reused: true });
        expect((await raw(reg.port, 'HEAD', '/v2/rb/big/manifests/latest')).status).toBe(404);
      } finally {
        agent.destroy();
      }
    });
  }

  it('a manifest declared larger than 64 MiB is answered 413 at once, without its body, and the connection closed', async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      const s = connect(reg.port, '127.0.0.1', () => {
        s.write(`PUT /v2/rb/huge/manifests/latest HTTP/1.1\r\nHost: x\r\nContent-Type: ${MT.ociManifest}\r\nContent-Length: ${100 * 1024 * 1024}\r\n\r\n`);
      });
      let data = '';
      s.on('data', (d) => (data += d));
      // The server closes after answering; the body was never sent.
      s.on('end', () => resolve(data));
      s.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 413 /);
    expect(reply.toLowerCase()).toContain('connection: close');
    expect(JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4)).errors[0].code).toBe('MANIFEST_INVALID');
  });

  it('concurrent PUTs of different manifests to one tag leave the tag on one of them', async () => {
    const parts = await Promise.all([0, 1, 2, 3].map(() => imageParts(reg.port, 'rb/race')));
    const bodies = parts.map((p) => JSON.stringify(p));
    const res = await Promise.all(bodies.map((b) => raw(reg.port, 'PUT', '/v2/rb/race/manifests/latest', { body: b, headers: { 'Content-Type': MT.ociManifest } })));
    expect(res.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    const head = await raw(reg.port, 'HEAD', '/v2/rb/race/manifests/latest');
    expect(bodies.map((b) => digest(b))).toContain(head.header('docker-content-digest'));
    const tags = await raw(reg.port, 'GET', '/v2/rb/race/tags/list');
    expect(tags.json().tags).toEqual(['latest']);
  });

  it('a client that sends a partial body and disconnects does not break the server', async () => {
    await new Promise<void>((resolve) => {
      const s = connect(reg.port, '127.0.0.1', () => {
        s.write(`PUT /v2/rb/partial/manifests/latest HTTP/1.1\r\nHost: x\r\nContent-Type: ${MT.ociManifest}\r\nContent-Length: 1000\r\n\r\n{"schemaVersion":`);
        setTimeout(() => s.destroy(), 50);
      });
      s.on('close', () => resolve());
      s.on('error', () => resolve());
    });
    const ping = await raw(reg.port, 'GET', '/v2/');
    expect(ping.status).toBe(200);
    expectError(await raw(reg.port, 'GET', '/v2/rb/partial/manifests/latest'), 'MANIFEST_UNKNOWN', 404);
  });
});
