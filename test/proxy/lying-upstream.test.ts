/**
 * An upstream that sends bytes not matching the digest asked for: the cache's client never gets a
 * complete body (the connection is cut before the last bytes), nothing is stored, and a manifest
 * fetched by digest that does not hash to it is a 502, not content.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningBerth, tempDir } from '../helpers/berth-server';
import { errorOf, leftoverUploads, startCache } from './harness';

const claimed = randomBytes(2 << 20);
const digest = `sha256:${createHash('sha256').update(claimed).digest('hex')}`;
let tmp: ReturnType<typeof tempDir>;
let liar: Server;
let cache: RunningBerth;

beforeAll(async () => {
  tmp = tempDir('berth-proxy-liar-');
  liar = createServer((req, res) => {
    if (req.url === '/v2/') return void res.end('{}');
    if (req.url === `/v2/evil/blobs/${digest}` || req.url === `/v2/evil/manifests/${digest}`) {
      // Same length, other bytes.
      const body = req.url.includes('/manifests/') ? Buffer.from('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}') : randomBytes(claimed.length);
      res.writeHead(200, { 'content-length': String(body.length), 'content-type': 'application/vnd.oci.image.index.v1+json' });
      return void res.end(req.method === 'HEAD' ? undefined : body);
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[{"code":"NOT_FOUND"}]}');
  });
  await new Promise<void>((r) => liar.listen(0, '127.0.0.1', r));
  cache = await startCache(join(tmp.dir, 'cache'), { remoteurl: `http://127.0.0.1:${(liar.address() as AddressInfo).port}` });
});

afterAll(async () => {
  await cache?.stop();
  liar?.closeAllConnections();
  await new Promise((r) => liar?.close(r));
  tmp?.cleanup();
});

describe('pull-through cache of an upstream sending wrong bytes', () => {
  it('cuts the client off before the end and stores nothing', async () => {
    const res = await fetch(`${cache.url}/v2/evil/blobs/${digest}`);
    expect(res.status).toBe(200);
    await expect(res.arrayBuffer()).rejects.toThrow();
    const deadline = Date.now() + 10_000;
    while (leftoverUploads(cache.dataDir, 'evil').length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(leftoverUploads(cache.dataDir, 'evil')).toEqual([]);
    const hex = digest.slice('sha256:'.length);
    expect(existsSync(join(cache.dataDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex))).toBe(false);
    expect(cache.output()).toMatch(/WARN .*blob sha256:[0-9a-f]{64} of evil .* not cached: digest mismatch/);
  });

  it('refuses a manifest that does not hash to the digest asked for', async () => {
    const res = await fetch(`${cache.url}/v2/evil/manifests/${digest}`);
    expect(res.status).toBe(502);
    expect((await errorOf(res)).message).toMatch(/upstream registry answered wrongly/);
    expect((await fetch(`${cache.url}/v2/_catalog`).then((r) => r.json())) as unknown).toEqual({ repositories: [] });
  });
});
